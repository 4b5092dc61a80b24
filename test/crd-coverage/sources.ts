// Coverage fixtures of the source-controller kinds: every typed prop set (see ../crd-coverage.test.ts).
import { Bucket, GitRepository, HelmChart, HelmRepository, ManifestFile, OCIRepository } from '../../src';
import { CoverageFixture, LeftOut } from './coverage';

export const fixtures: CoverageFixture[] = [
  {
    kind: 'GitRepository', name: 'a repository on a branch',
    build: f => {
      new GitRepository(new ManifestFile(f.apps, 'git'), 'git', {
        metadata: { name: 'app', namespace: 'flux-system' }, url: 'https://github.com/org/app', ref: { branch: 'main' }, interval: '5m', ignore: '/*\n!/deploy/\n',
        secretRef: { name: 'git-auth' }, timeout: '60s', suspend: false,
      });
    },
  },
  {
    kind: 'OCIRepository', name: 'an OCI artifact by semver',
    build: f => {
      new OCIRepository(new ManifestFile(f.apps, 'oci'), 'oci', {
        metadata: { name: 'app', namespace: 'flux-system' }, url: 'oci://ghcr.io/org/app', ref: { semver: '>=1.0.0', semverFilter: '.*-rc.*' },
        layerSelector: { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' },
      });
    },
  },
  {
    kind: 'HelmRepository', name: 'a Helm repository',
    build: f => {
      new HelmRepository(new ManifestFile(f.apps, 'helm'), 'helm', { metadata: { name: 'charts', namespace: 'flux-system' }, url: 'https://charts.example.com', interval: '1h' });
    },
  },
  {
    kind: 'HelmChart', name: 'a chart of a Helm repository',
    build: f => {
      new HelmChart(new ManifestFile(f.apps, 'chart'), 'chart', { metadata: { name: 'podinfo', namespace: 'flux-system' }, repository: f.podinfo, chart: 'podinfo', version: '6.x', interval: '10m' });
    },
  },
  {
    kind: 'Bucket', name: 'an S3 bucket',
    build: f => {
      new Bucket(new ManifestFile(f.apps, 'bucket'), 'bucket', {
        metadata: { name: 'app', namespace: 'flux-system' }, bucketName: 'fleet', endpoint: 's3.amazonaws.com', region: 'eu-west-1', prefix: 'fleet/', insecure: false,
      });
    },
  },
];

export const leftOut: LeftOut = {
  GitRepository: {
    'spec.include[].fromPath': 'TODO(#19): not typed yet',
    'spec.include[].repository.name': 'TODO(#19): not typed yet',
    'spec.include[].toPath': 'TODO(#19): not typed yet',
    'spec.provider': 'TODO(#19): not typed yet',
    'spec.proxySecretRef.name': 'TODO(#19): not typed yet',
    'spec.recurseSubmodules': 'TODO(#19): not typed yet',
    'spec.ref.commit': 'TODO(#19): not typed yet',
    'spec.ref.name': 'TODO(#19): not typed yet',
    'spec.ref.semver': 'TODO(#19): not typed yet',
    'spec.ref.tag': 'TODO(#19): not typed yet',
    'spec.serviceAccountName': 'TODO(#19): not typed yet',
    'spec.sparseCheckout': 'TODO(#19): not typed yet',
    'spec.verify.mode': 'TODO(#19): not typed yet',
    'spec.verify.secretRef.name': 'TODO(#19): not typed yet',
  },
  HelmRepository: {
    'spec.accessFrom.namespaceSelectors[].matchLabels': 'TODO(#19): not typed yet',
    'spec.certSecretRef.name': 'TODO(#19): not typed yet',
    'spec.insecure': 'TODO(#19): not typed yet',
    'spec.passCredentials': 'TODO(#19): not typed yet',
    'spec.provider': 'TODO(#19): not typed yet',
    'spec.secretRef.name': 'TODO(#19): not typed yet',
    'spec.suspend': 'TODO(#19): not typed yet',
    'spec.timeout': 'TODO(#19): not typed yet',
  },
  HelmChart: {
    'spec.ignoreMissingValuesFiles': 'TODO(#19): not typed yet',
    'spec.reconcileStrategy': 'TODO(#19): not typed yet',
    'spec.sourceRef.apiVersion': 'TODO(#19): not typed yet',
    'spec.suspend': 'TODO(#19): not typed yet',
    'spec.valuesFiles': 'TODO(#19): not typed yet',
    'spec.verify.matchOIDCIdentity[].issuer': 'TODO(#19): not typed yet',
    'spec.verify.matchOIDCIdentity[].subject': 'TODO(#19): not typed yet',
    'spec.verify.provider': 'TODO(#19): not typed yet',
    'spec.verify.secretRef.name': 'TODO(#19): not typed yet',
  },
  Bucket: {
    'spec.certSecretRef.name': 'TODO(#19): not typed yet',
    'spec.ignore': 'TODO(#19): not typed yet',
    'spec.provider': 'TODO(#19): not typed yet',
    'spec.proxySecretRef.name': 'TODO(#19): not typed yet',
    'spec.secretRef.name': 'TODO(#19): not typed yet',
    'spec.serviceAccountName': 'TODO(#19): not typed yet',
    'spec.sts.certSecretRef.name': 'TODO(#19): not typed yet',
    'spec.sts.endpoint': 'TODO(#19): not typed yet',
    'spec.sts.provider': 'TODO(#19): not typed yet',
    'spec.sts.secretRef.name': 'TODO(#19): not typed yet',
    'spec.suspend': 'TODO(#19): not typed yet',
    'spec.timeout': 'TODO(#19): not typed yet',
  },
  OCIRepository: {
    'spec.certSecretRef.name': 'TODO(#19): not typed yet',
    'spec.ignore': 'TODO(#19): not typed yet',
    'spec.insecure': 'TODO(#19): not typed yet',
    'spec.provider': 'TODO(#19): not typed yet',
    'spec.proxySecretRef.name': 'TODO(#19): not typed yet',
    'spec.ref.digest': 'TODO(#19): not typed yet',
    'spec.ref.tag': 'TODO(#19): not typed yet',
    'spec.secretRef.name': 'TODO(#19): not typed yet',
    'spec.serviceAccountName': 'TODO(#19): not typed yet',
    'spec.suspend': 'TODO(#19): not typed yet',
    'spec.timeout': 'TODO(#19): not typed yet',
    'spec.verify.matchOIDCIdentity[].issuer': 'TODO(#19): not typed yet',
    'spec.verify.matchOIDCIdentity[].subject': 'TODO(#19): not typed yet',
    'spec.verify.provider': 'TODO(#19): not typed yet',
    'spec.verify.secretRef.name': 'TODO(#19): not typed yet',
    'spec.verify.trustedRootSecretRef.name': 'TODO(#19): not typed yet',
  },
};
