// Coverage fixtures of the source-controller kinds: every typed prop set (see ../crd-coverage.test.ts).
import * as kplus from 'cdk8s-plus-27';
import { Duration } from 'cdk8s';
import {
  Bucket, BucketProvider, ChartReconcileStrategy, GitRepository, GitVerifyMode, HelmChart, HelmRepository, HelmRepositoryType, ManifestFile, OCIRepository,
  SignatureProvider, SourceProvider,
} from '../../src';
import { CoverageFixture, LeftOut } from './coverage';

const secret = (name: string) => ({ name });

export const fixtures: CoverageFixture[] = [
  {
    kind: 'GitRepository', name: 'every field of a verified tag with includes',
    build: f => {
      const file = new ManifestFile(f.apps, 'git');
      const lib = new GitRepository(file, 'lib', { metadata: { name: 'lib', namespace: 'flux-system' }, url: 'https://github.com/org/lib', ref: { tag: 'v1.0.0' } });
      new GitRepository(file, 'git', {
        metadata: { name: 'app', namespace: 'flux-system' }, url: 'https://github.com/org/app', ref: { semver: '>=1.0.0' }, interval: Duration.minutes(5), ignore: '/*\n!/deploy/\n',
        secretRef: secret('git-auth'), timeout: '60s', suspend: false, provider: SourceProvider.AZURE,
        serviceAccountName: kplus.ServiceAccount.fromServiceAccountName(file, 'sa', 'git-reader'), proxySecretRef: secret('proxy'),
        recurseSubmodules: true, sparseCheckout: ['deploy/'], verify: { mode: GitVerifyMode.TAG_AND_HEAD, secretRef: secret('pgp-keys') },
        include: [{ repository: lib, fromPath: 'config', toPath: 'vendor/lib' }],
      });
    },
  },
  ...(['commit', 'name'] as const).map((key): CoverageFixture => ({
    kind: 'GitRepository', name: `a ref by ${key}`,
    build: f => {
      new GitRepository(new ManifestFile(f.apps, 'git'), 'git', {
        metadata: { name: 'app', namespace: 'flux-system' }, url: 'https://github.com/org/app', provider: 'github',
        ref: key === 'commit' ? { commit: '0123456789abcdef0123456789abcdef01234567' } : { name: 'refs/pull/1/head' },
      });
    },
  })),
  {
    kind: 'OCIRepository', name: 'a verified artifact with every option',
    build: f => {
      new OCIRepository(new ManifestFile(f.apps, 'oci'), 'oci', {
        metadata: { name: 'app', namespace: 'flux-system' }, url: 'oci://ghcr.io/org/app', ref: { semver: '>=1.0.0', semverFilter: '.*-rc.*' },
        layerSelector: { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' },
        ignore: '/*\n!/deploy/\n', provider: SourceProvider.AWS, serviceAccountName: 'oci-reader', certSecretRef: secret('tls'), proxySecretRef: secret('proxy'),
        insecure: false, secretRef: secret('registry'), timeout: '2m', suspend: false,
        verify: {
          provider: SignatureProvider.COSIGN, secretRef: secret('cosign-keys'), trustedRootSecretRef: secret('sigstore-root'),
          matchOidcIdentity: [{ issuer: '^https://token.actions.githubusercontent.com$', subject: '^https://github.com/org/app.*$' }],
        },
      });
    },
  },
  ...(['tag', 'digest'] as const).map((key): CoverageFixture => ({
    kind: 'OCIRepository', name: `an artifact by ${key}`,
    build: f => {
      new OCIRepository(new ManifestFile(f.apps, 'oci'), 'oci', {
        metadata: { name: 'app', namespace: 'flux-system' }, url: 'oci://ghcr.io/org/app',
        ref: key === 'tag' ? { tag: '1.0.0' } : { digest: `sha256:${'a'.repeat(64)}` },
      });
    },
  })),
  {
    kind: 'HelmRepository', name: 'an OCI Helm repository with every option',
    build: f => {
      new HelmRepository(new ManifestFile(f.apps, 'helm'), 'helm', {
        metadata: { name: 'charts', namespace: 'flux-system' }, url: 'oci://ghcr.io/org/charts', type: HelmRepositoryType.OCI, interval: '1h',
        provider: 'gcp', certSecretRef: secret('tls'), insecure: false, passCredentials: true, secretRef: secret('registry'), timeout: '1m', suspend: false,
        accessFrom: [{ matchLabels: { 'toolkit.fluxcd.io/tenant': 'dev-team' } }],
      });
    },
  },
  {
    kind: 'HelmChart', name: 'a verified chart with values files',
    build: f => {
      new HelmChart(new ManifestFile(f.apps, 'chart'), 'chart', {
        metadata: { name: 'podinfo', namespace: 'flux-system' }, repository: f.podinfo, chart: 'podinfo', version: '6.x', interval: '10m', suspend: false,
        reconcileStrategy: ChartReconcileStrategy.CHART_VERSION, valuesFiles: ['values.yaml', 'values-prod.yaml'], ignoreMissingValuesFiles: true,
        verify: { provider: 'cosign', secretRef: secret('cosign-keys'), matchOidcIdentity: [{ issuer: '^https://token.actions.githubusercontent.com$', subject: '^https://github.com/stefanprodan/podinfo.*$' }] },
      });
    },
  },
  {
    kind: 'Bucket', name: 'an S3 bucket through STS, with every option',
    build: f => {
      new Bucket(new ManifestFile(f.apps, 'bucket'), 'bucket', {
        metadata: { name: 'app', namespace: 'flux-system' }, bucketName: 'fleet', endpoint: 's3.amazonaws.com', region: 'eu-west-1', prefix: 'fleet/', insecure: false,
        provider: BucketProvider.GENERIC, ignore: '*.md\n', certSecretRef: secret('tls'), proxySecretRef: secret('proxy'), secretRef: secret('minio'), timeout: '60s', suspend: false,
        sts: { provider: 'ldap', endpoint: 'https://minio.example.com', secretRef: secret('ldap'), certSecretRef: secret('sts-tls') },
      });
    },
  },
  {
    kind: 'Bucket', name: 'a bucket with workload identity',
    build: f => {
      new Bucket(new ManifestFile(f.apps, 'bucket'), 'bucket', {
        metadata: { name: 'app', namespace: 'flux-system' }, bucketName: 'fleet', endpoint: 'storage.googleapis.com', provider: 'gcp', serviceAccountName: 'bucket-reader',
      });
    },
  },
];


export const leftOut: LeftOut = {
  HelmChart: { 'spec.sourceRef.apiVersion': 'optional: Flux resolves the kind\'s served version, and the library only emits served versions, so writing it adds nothing' },
};
