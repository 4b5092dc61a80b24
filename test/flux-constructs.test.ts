import * as kplus from 'cdk8s-plus-27';
import { describe, expect, it } from 'vitest';
import { API_VERSIONS, Bucket, BucketProvider, CrdPolicy, DriftDetectionMode, GitRepository, HelmChart, HelmRelease, HelmRepository, Kustomization, LayoutDirectory, ManifestFile, OCIRepository, UpgradeRemediationStrategy } from '../src';
import { FleetTesting } from '../src/testing';
import { fluxFleet } from './flux-fixture';

/** Synthesizes the fixture fleet and returns the documents of one file of apps/base. */
function docsOf(f: ReturnType<typeof fluxFleet>, file: string) {
  return FleetTesting.synthDocuments(f.repo)[`apps/base/${file}`];
}

describe('Flux constructs', () => {
  it('the fixture fleet is valid', () => {
    expect(Object.keys(FleetTesting.synth(fluxFleet().repo))).toContain('apps/base/releases.yaml');
  });

  it('GitRepository', () => {
    const f = fluxFleet();
    const file = new ManifestFile(f.apps, 'git');
    new GitRepository(file, 'defaults', { metadata: { name: 'defaults', namespace: 'flux-system' }, url: 'https://github.com/org/app' });
    new GitRepository(file, 'full', {
      metadata: { name: 'full', namespace: 'flux-system', labels: { team: 'a' } },
      url: 'ssh://git@github.com/org/app',
      ref: { semver: '>=1.0.0 <2.0.0' },
      interval: '5m',
      timeout: '90s',
      secretRef: kplus.Secret.fromSecretName(file, 'deploy-key', 'deploy-key'),
      ignore: '/*\n!/deploy',
      suspend: false,
    });
    expect(docsOf(f, 'git.yaml')).toMatchSnapshot();
  });

  it('HelmRepository, HTTP and OCI', () => {
    const f = fluxFleet();
    const file = new ManifestFile(f.apps, 'helm-repositories');
    new HelmRepository(file, 'http', { metadata: { name: 'bitnami', namespace: 'flux-system' }, url: 'https://charts.bitnami.com/bitnami' });
    new HelmRepository(file, 'oci', {
      metadata: { name: 'ghcr', namespace: 'flux-system' }, url: 'oci://ghcr.io/org/charts', type: 'oci' as never, interval: '2h', timeout: '2m',
    });
    const docs = docsOf(f, 'helm-repositories.yaml');
    expect(docs).toMatchSnapshot();
    expect(docs[0].spec).toEqual({ url: 'https://charts.bitnami.com/bitnami', interval: '1h' });
  });

  it('OCIRepository, Bucket and HelmChart', () => {
    const f = fluxFleet();
    const file = new ManifestFile(f.apps, 'more-sources');
    new OCIRepository(file, 'oci', { metadata: { name: 'manifests', namespace: 'flux-system' }, url: 'oci://ghcr.io/org/manifests', ref: { semver: '1.x' } });
    new Bucket(file, 'bucket', {
      metadata: { name: 'bucket', namespace: 'flux-system' }, bucketName: 'fleet-manifests', endpoint: 's3.amazonaws.com',
      provider: BucketProvider.AWS, region: 'eu-west-1', prefix: 'prod/',
    });
    new HelmChart(file, 'chart', { metadata: { name: 'podinfo', namespace: 'flux-system' }, repository: f.podinfo, chart: 'podinfo', version: '6.5.x' });
    expect(docsOf(f, 'more-sources.yaml')).toMatchSnapshot();
  });

  it('HelmRelease with every option, typed values, valuesFrom objects and dependsOn', () => {
    interface PodinfoValues { replicaCount: number; ingress: { enabled: boolean; hosts?: string[] } }
    const f = fluxFleet();
    const file = new ManifestFile(f.apps, 'full-release');
    const values = new kplus.ConfigMap(file, 'values', { metadata: { name: 'podinfo-values', namespace: 'flux-system' }, data: { 'values.yaml': 'replicaCount: 2\n' } });
    const secret = kplus.Secret.fromSecretName(file, 'secret', 'podinfo-auth');
    const release = new HelmRelease<PodinfoValues>(file, 'release', {
      metadata: { name: 'podinfo-full', namespace: 'flux-system' },
      chart: { repository: f.podinfo, name: 'podinfo', version: '>=6.0.0 <7.0.0', interval: '30m' },
      interval: '15m',
      releaseName: 'podinfo',
      targetNamespace: 'podinfo',
      storageNamespace: 'podinfo',
      serviceAccountName: 'flux-applier',
      values: { replicaCount: 3, ingress: { enabled: true, hosts: ['podinfo.example.com'] } },
      valuesFrom: [{ source: values }, { source: secret, valuesKey: 'password', targetPath: 'auth.password', optional: true }],
      dependsOn: [f.release],
      install: { crds: CrdPolicy.CREATE_REPLACE, createNamespace: true, remediation: { retries: 3 }, timeout: '10m' },
      upgrade: { crds: CrdPolicy.CREATE_REPLACE, remediation: { retries: 2, strategy: UpgradeRemediationStrategy.ROLLBACK }, cleanupOnFail: true },
      rollback: { cleanupOnFail: true, recreate: false, timeout: '5m' },
      driftDetection: { mode: DriftDetectionMode.ENABLED, ignore: [{ paths: ['/spec/replicas'], target: { kind: 'Deployment' } }] },
      timeout: '5m',
    });
    release.addDependsOn(HelmRelease.fromName(file, 'external', { name: 'cert-manager', namespace: 'flux-system' }));
    const docs = docsOf(f, 'full-release.yaml');
    expect(docs).toMatchSnapshot();
    // same namespace: no namespace written, so the reference follows a targetNamespace move
    expect(docs[1].spec.dependsOn).toEqual([{ name: 'podinfo' }, { name: 'cert-manager' }]);
  });

  it('HelmRelease from a chartRef (OCIRepository)', () => {
    const f = fluxFleet();
    const file = new ManifestFile(f.apps, 'chartref');
    const chart = new OCIRepository(file, 'chart', { metadata: { name: 'podinfo-chart', namespace: 'flux-system' }, url: 'oci://ghcr.io/stefanprodan/charts/podinfo', ref: { tag: '6.5.4' } });
    new HelmRelease(file, 'release', { metadata: { name: 'podinfo-oci', namespace: 'flux-system' }, chartRef: chart });
    const docs = docsOf(f, 'chartref.yaml');
    expect(docs[1].spec).toEqual({
      interval: '10m',
      chartRef: { apiVersion: API_VERSIONS.OCIRepository, kind: 'OCIRepository', name: 'podinfo-chart' },
    });
  });

  it('Kustomization with every option; its path comes from the layout', () => {
    const f = fluxFleet();
    const infra = new LayoutDirectory(f.repo.infrastructure, 'controllers');
    const deployment = new kplus.Deployment(new ManifestFile(infra, 'app'), 'app', {
      metadata: { name: 'app', namespace: 'apps' }, containers: [{ image: 'nginx:1.27', portNumber: 80 }],
    });
    const file = new ManifestFile(f.cluster, 'infrastructure');
    const vars = new kplus.ConfigMap(file, 'vars', { metadata: { name: 'cluster-vars', namespace: 'flux-system' }, data: { region: 'eu-west-1' } });
    const key = kplus.Secret.fromSecretName(file, 'sops', 'sops-age');
    new Kustomization(file, 'k', {
      metadata: { name: 'infrastructure', namespace: 'flux-system' },
      sourceRef: f.gitRepo,
      path: infra,
      interval: '1h',
      retryInterval: '2m',
      timeout: '5m',
      wait: false,
      dependsOn: [f.appsKustomization],
      healthChecks: [deployment],
      targetNamespace: 'apps',
      serviceAccountName: 'kustomize-controller',
      postBuild: { substitute: { cluster_name: 'dev' }, substituteFrom: [{ source: vars }] },
      decryption: { provider: 'sops', secretRef: key },
    });
    const docs = FleetTesting.synthDocuments(f.repo)['clusters/dev/infrastructure.yaml'];
    expect(docs).toMatchSnapshot();
    expect(docs[1].spec.path).toBe('./infrastructure/controllers');
    expect(docs[1].spec.healthChecks).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'app', namespace: 'apps' }]);
  });

  it('emits each kind with the API version of the vendored CRDs, and no removed beta versions', () => {
    const f = fluxFleet();
    const kinds = new Map<string, string>();
    for (const docs of Object.values(FleetTesting.synthDocuments(f.repo))) {
      for (const d of docs) if (d.apiVersion !== 'kustomize.config.k8s.io/v1beta1') kinds.set(d.kind, d.apiVersion);
    }
    expect(kinds.get('GitRepository')).toBe('source.toolkit.fluxcd.io/v1');
    expect(kinds.get('HelmRepository')).toBe('source.toolkit.fluxcd.io/v1');
    expect(kinds.get('HelmRelease')).toBe('helm.toolkit.fluxcd.io/v2');
    expect(kinds.get('Kustomization')).toBe('kustomize.toolkit.fluxcd.io/v1');
    // Flux 2.9 removed every v1beta1/v1beta2/v2beta1/v2beta2; only Provider and Alert remain v1beta3
    expect(Object.values(API_VERSIONS).filter(v => /v\d+beta\d+$/.test(v)).sort()).toEqual(['notification.toolkit.fluxcd.io/v1beta3', 'notification.toolkit.fluxcd.io/v1beta3']);
  });
});
