// Coverage fixtures of the HelmRelease kind: every typed prop set (see ../crd-coverage.test.ts).
import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  ChartNameChangeStrategy, ChartReconcileStrategy, CrdPolicy, DeletionPropagation, DriftDetectionMode, HelmRelease, OCIRepository, ManifestFile, PostRenderStrategy,
  ReleaseStrategy, ServerSideApplyMode, UpgradeRemediationStrategy, WaitStrategy,
} from '../../src';
import { CoverageFixture, LeftOut } from './coverage';

export const fixtures: CoverageFixture[] = [
  {
    kind: 'HelmRelease', name: 'every field of a chart by name',
    build: f => {
      const values = new kplus.ConfigMap(new ManifestFile(f.apps, 'values'), 'values', { metadata: { name: 'podinfo-values', namespace: 'flux-system' }, data: { 'values.yaml': 'replicaCount: 2\n' } });
      new HelmRelease(f.releases, 'full', {
        metadata: { name: 'full', namespace: 'flux-system' },
        chart: {
          repository: f.podinfo, name: 'podinfo', version: '6.x', interval: '1h', valuesFiles: ['values.yaml'], ignoreMissingValuesFiles: true,
          reconcileStrategy: ChartReconcileStrategy.CHART_VERSION, verify: { provider: 'cosign', secretRef: { name: 'cosign-keys' } },
          metadata: { labels: { team: 'web' }, annotations: { owner: 'web-team' } },
        },
        interval: Duration.minutes(10), releaseName: 'podinfo-full', targetNamespace: 'podinfo', storageNamespace: 'podinfo', serviceAccountName: 'helm-reconciler',
        values: { replicaCount: 2 },
        valuesFrom: [{ source: values, valuesKey: 'values.yaml', targetPath: 'ui.message', optional: true, literal: true }],
        dependsOn: [{ release: f.release, readyExpr: 'dep.status.observedGeneration == dep.metadata.generation' }],
        install: {
          crds: CrdPolicy.CREATE, createNamespace: true, remediation: { retries: 3, ignoreTestFailures: true, remediateLastFailure: true }, timeout: '5m',
          disableHooks: false, disableWait: false, disableWaitForJobs: false, replace: false, disableOpenAPIValidation: false, disableSchemaValidation: false,
          disableTakeOwnership: false, serverSideApply: true,
        },
        upgrade: {
          crds: 'CreateReplace', remediation: { retries: 3, ignoreTestFailures: true, remediateLastFailure: true, strategy: UpgradeRemediationStrategy.ROLLBACK },
          cleanupOnFail: true, timeout: '5m', disableHooks: false, disableWait: false, disableWaitForJobs: false, disableOpenAPIValidation: false, disableSchemaValidation: false,
          disableTakeOwnership: false, force: false, preserveValues: false, serverSideApply: ServerSideApplyMode.AUTO,
          strategy: { name: ReleaseStrategy.REMEDIATE_ON_FAILURE }, chartNameChangeStrategy: ChartNameChangeStrategy.IN_PLACE_UPDATE,
        },
        rollback: { cleanupOnFail: true, recreate: false, timeout: '5m', disableHooks: false, disableWait: false, disableWaitForJobs: false, force: false, serverSideApply: 'enabled' },
        driftDetection: {
          mode: DriftDetectionMode.ENABLED,
          ignore: [{ paths: ['/spec/replicas'], target: { group: 'apps', version: 'v1', kind: 'Deployment', name: 'podinfo', namespace: 'podinfo', labelSelector: 'a=b', annotationSelector: 'c=d' } }],
        },
        timeout: '5m', suspend: false,
        test: { enable: true, filters: [{ name: 'smoke', exclude: false }], ignoreFailures: false, timeout: '2m' },
        uninstall: { keepHistory: false, deletionPropagation: DeletionPropagation.BACKGROUND, disableHooks: false, disableWait: false, timeout: '5m' },
        postRenderers: [{
          patches: [
            { patch: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'podinfo' }, spec: { replicas: 3 } } },
            { patch: [{ op: 'add', path: '/metadata/labels/x', value: 'y' }], target: { group: 'apps', version: 'v1', kind: 'Deployment', name: 'podinfo', namespace: 'podinfo', labelSelector: 'a=b', annotationSelector: 'c=d' } },
          ],
          images: [{ name: 'ghcr.io/stefanprodan/podinfo', newName: 'registry.example.com/podinfo', newTag: '6.5.0', digest: `sha256:${'c'.repeat(64)}` }],
        }],
        postRenderStrategy: PostRenderStrategy.COMBINED,
        commonMetadata: { labels: { team: 'web' }, annotations: { owner: 'web-team' } },
        healthCheckExprs: [{ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', current: 'true', failed: 'false', inProgress: 'false' }],
        kubeConfig: { secret: { name: 'prod-kubeconfig' }, key: 'value' },
        maxHistory: 5, persistentClient: true, waitStrategy: WaitStrategy.POLLER,
      });
    },
  },
  {
    kind: 'HelmRelease', name: 'a chart from an OCIRepository, retried on failure, in a cluster by ConfigMap, across namespaces', fleet: { allowCrossNamespaceReferences: true },
    build: f => {
      const chart = new OCIRepository(new ManifestFile(f.apps, 'charts'), 'chart', {
        metadata: { name: 'podinfo-chart', namespace: 'flux-system' }, url: 'oci://ghcr.io/stefanprodan/charts/podinfo', ref: { semver: '6.x' },
        layerSelector: { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' },
      });
      new HelmRelease(f.releases, 'oci', {
        metadata: { name: 'oci', namespace: 'web' }, chartRef: chart, dependsOn: [f.release],
        install: { strategy: { name: ReleaseStrategy.RETRY_ON_FAILURE, retryInterval: '2m' } },
        upgrade: { strategy: { name: 'RetryOnFailure', retryInterval: Duration.minutes(2) } },
        kubeConfig: { configMap: { name: 'prod-cluster' } },
      });
      new HelmRelease(f.releases, 'by-name', { metadata: { name: 'by-name', namespace: 'web' }, chart: { repository: f.podinfo, name: 'podinfo' } });
    },
  },
];

export const leftOut: LeftOut = {
  HelmRelease: {
    'spec.chart.spec.sourceRef.apiVersion': 'optional: Flux resolves the kind\'s served version, and the library only emits served versions, so writing it adds nothing',
    'spec.install.skipCRDs': 'deprecated by helm-controller in favour of spec.install.crds (CrdPolicy.SKIP), which the library types',
  },
};
