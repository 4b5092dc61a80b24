import * as kplus from 'cdk8s-plus-27';
import { Duration } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import {
  Bucket, GitRepository, HelmChart, HelmRelease, HelmRepository, HelmRepositoryType, Kustomization, LayoutDirectory, ManifestFile, OCIRepository, ReleaseStrategy,
} from '../src';
import { FleetTesting } from '../src/testing';
import { fluxFleet } from './flux-fixture';
import { problemsOf } from './helpers';

type Fleet = ReturnType<typeof fluxFleet>;

/** A directory with one ConfigMap and a Deployment, and a Kustomization of it in cluster dev. */
function web(f: Fleet, props: Partial<ConstructorParameters<typeof Kustomization>[2]> = {}) {
  const dir = new LayoutDirectory(f.repo.apps, 'web');
  new kplus.Deployment(new ManifestFile(dir, 'deployment'), 'web', {
    metadata: { name: 'web', namespace: 'flux-system' },
    containers: [{ name: 'web', image: 'ghcr.io/org/web:1.0.0', securityContext: { ensureNonRoot: false } }],
  });
  return new Kustomization(new ManifestFile(f.cluster, 'web'), 'web', { metadata: { name: 'web', namespace: 'flux-system' }, sourceRef: f.gitRepo, path: dir, ...props });
}

const cases: { name: string; build: (f: Fleet) => void; expected: string }[] = [
  {
    name: 'a JSON 6902 patch without a target',
    build: f => web(f, { patches: [{ patch: [{ op: 'replace', path: '/spec/replicas', value: 2 }] }] }),
    expected: "[clusters/dev/web/web] spec.patches[0] is a JSON 6902 patch without a target: JSON 6902 operations need target (e.g. { kind: 'Deployment', name: 'web' })",
  },
  {
    name: 'an image name with a tag',
    build: f => web(f, { images: [{ name: 'ghcr.io/org/web:1.0.0', newTag: '2.0.0' }] }),
    expected: '[clusters/dev/web/web] spec.images[0].name "ghcr.io/org/web:1.0.0" has a tag or digest: give the image name without them (e.g. "ghcr.io/org/app")',
  },
  {
    name: 'an image rewrite that changes nothing',
    build: f => web(f, { images: [{ name: 'ghcr.io/org/web' }] }),
    expected: '[clusters/dev/web/web] spec.images[0] changes nothing: set newName, newTag or digest',
  },
  {
    name: 'a deletion policy Flux does not know',
    build: f => web(f, { deletionPolicy: 'Keep' as never }),
    expected: '[clusters/dev/web/web] spec.deletionPolicy "Keep" is not valid: use one of "MirrorPrune", "Delete", "WaitForTermination", "Orphan"',
  },
  {
    name: 'a drift ignore path that is not a JSON pointer',
    build: f => web(f, { ignore: [{ paths: ['spec.replicas'] }] }),
    expected: '[clusters/dev/web/web] spec.ignore[0].paths[0] "spec.replicas" is not a JSON pointer: start it with "/", e.g. "/spec/replicas"',
  },
  {
    name: 'a kubeConfig with both a Secret and a ConfigMap',
    build: f => web(f, { kubeConfig: { secret: { name: 'k' }, configMap: { name: 'c' } } }),
    expected: '[clusters/dev/web/web] spec.kubeConfig needs exactly one of secret (a kubeconfig Secret) and configMap (a cluster address for workload identity)',
  },
  {
    name: 'a retry interval without the RetryOnFailure strategy',
    build: f => new HelmRelease(f.releases, 'x', { metadata: { name: 'x', namespace: 'flux-system' }, chart: { repository: f.podinfo, name: 'podinfo' }, upgrade: { strategy: { name: ReleaseStrategy.REMEDIATE_ON_FAILURE, retryInterval: '1m' } } }),
    expected: '[apps/base/releases/x] spec.upgrade.strategy.retryInterval is only used by the RetryOnFailure strategy (this one is "RemediateOnFailure"): remove it, or use ReleaseStrategy.RETRY_ON_FAILURE',
  },
  {
    name: 'remediation with the RetryOnFailure strategy',
    build: f => new HelmRelease(f.releases, 'x', { metadata: { name: 'x', namespace: 'flux-system' }, chart: { repository: f.podinfo, name: 'podinfo' }, install: { strategy: { name: 'RetryOnFailure' }, remediation: { retries: 3 } } }),
    expected: '[apps/base/releases/x] spec.install.remediation is ignored by the RetryOnFailure strategy (it retries instead of remediating): remove remediation, or use RemediateOnFailure',
  },
  {
    name: 'test filters with the tests disabled',
    build: f => new HelmRelease(f.releases, 'x', { metadata: { name: 'x', namespace: 'flux-system' }, chart: { repository: f.podinfo, name: 'podinfo' }, test: { enable: false, filters: [{ name: 'smoke' }] } }),
    expected: '[apps/base/releases/x] spec.test.filters have no effect while spec.test.enable is false: enable the tests, or remove the filters',
  },
  {
    name: 'a negative maxHistory',
    build: f => new HelmRelease(f.releases, 'x', { metadata: { name: 'x', namespace: 'flux-system' }, chart: { repository: f.podinfo, name: 'podinfo' }, maxHistory: -1 }),
    expected: '[apps/base/releases/x] spec.maxHistory -1 is not valid: use a whole number from 0 up',
  },
  {
    name: 'a tag verification of a branch',
    build: f => new GitRepository(new ManifestFile(f.apps, 'git'), 'g', { metadata: { name: 'g', namespace: 'flux-system' }, url: 'https://github.com/org/g', ref: { branch: 'main' }, verify: { mode: 'Tag', secretRef: { name: 'pgp' } } }),
    expected: '[apps/base/git/g] spec.verify.mode "Tag" verifies a tag, but spec.ref names no tag: check out a tag or semver range, or use mode HEAD',
  },
  {
    name: 'a workload identity account without a provider that uses it',
    build: f => new GitRepository(new ManifestFile(f.apps, 'git'), 'g', { metadata: { name: 'g', namespace: 'flux-system' }, url: 'https://github.com/org/g', serviceAccountName: 'reader' }),
    expected: '[apps/base/git/g] spec.serviceAccountName "reader" is only used with provider azure or aws (workload identity): set provider, or remove serviceAccountName',
  },
  {
    name: 'notation without its trust policy',
    build: f => new OCIRepository(new ManifestFile(f.apps, 'oci'), 'o', { metadata: { name: 'o', namespace: 'flux-system' }, url: 'oci://ghcr.io/org/o', verify: { provider: 'notation' } }),
    expected: '[apps/base/oci/o] spec.verify.secretRef is missing: notation verification needs a Secret holding the trust policy (trustpolicy.json) and the CA certificates',
  },
  {
    name: 'an OIDC identity that RE2 cannot compile',
    build: f => new OCIRepository(new ManifestFile(f.apps, 'oci'), 'o', { metadata: { name: 'o', namespace: 'flux-system' }, url: 'oci://ghcr.io/org/o', verify: { matchOidcIdentity: [{ issuer: '^(?!evil)', subject: '.*' }] } }),
    expected: "[apps/base/oci/o] spec.verify.matchOIDCIdentity[0].issuer \"^(?!evil)\" uses lookaround, which Go's RE2 does not support (the controller would refuse the object): rewrite it without (?=, (?!, (?<= or (?<!",
  },
  {
    name: 'a digest that is not one',
    build: f => new OCIRepository(new ManifestFile(f.apps, 'oci'), 'o', { metadata: { name: 'o', namespace: 'flux-system' }, url: 'oci://ghcr.io/org/o', ref: { digest: 'latest' } }),
    expected: '[apps/base/oci/o] spec.ref.digest "latest" is not a digest: use "sha256:" followed by 64 hexadecimal digits',
  },
  {
    name: 'a cloud provider on an HTTP Helm repository',
    build: f => new HelmRepository(new ManifestFile(f.apps, 'helm'), 'h', { metadata: { name: 'h', namespace: 'flux-system' }, url: 'https://charts.example.com', provider: 'aws' }),
    expected: '[apps/base/helm/h] spec.provider "aws" is only used for OCI Helm repositories: set type oci, or remove provider',
  },
  {
    name: 'an aws STS with the generic provider',
    build: f => new Bucket(new ManifestFile(f.apps, 'bucket'), 'b', { metadata: { name: 'b', namespace: 'flux-system' }, bucketName: 'fleet', endpoint: 's3.amazonaws.com', sts: { provider: 'aws', endpoint: 'https://sts.amazonaws.com' } }),
    expected: '[apps/base/bucket/b] spec.sts.provider "aws" needs spec.provider "aws" (it is "generic"): Flux accepts aws STS with the aws provider and ldap with generic',
  },
  {
    name: 'a values file outside the chart',
    build: f => new HelmChart(new ManifestFile(f.apps, 'chart'), 'c', { metadata: { name: 'c', namespace: 'flux-system' }, repository: f.podinfo, chart: 'podinfo', valuesFiles: ['../secrets.yaml'] }),
    expected: '[apps/base/chart/c] spec.valuesFiles[0] "../secrets.yaml" must be relative to the root, without a leading "/" and without "..": e.g. "values-production.yaml"',
  },
  {
    name: 'a namespace reference of the wrong type (from JavaScript or a cast)',
    build: f => web(f, { targetNamespace: {} as never }),
    expected: '[clusters/dev/web/web] spec.targetNamespace is an object, not a string: give a string, or leave the field out',
  },
];

describe('new Flux fields: refusals name the construct, the field, the value and what is valid', () => {
  for (const c of cases) {
    it(c.name, () => {
      const f = fluxFleet();
      c.build(f);
      expect(problemsOf(f.repo)).toEqual([c.expected]);
    });
  }
});

describe('new Flux fields: what they write and what the model makes of them', () => {
  it('a Kustomization\'s patches are written as kustomize reads them, and the model applies them, its images and common metadata', () => {
    const f = fluxFleet();
    web(f, {
      patches: [{ patch: [{ op: 'replace', path: '/spec/replicas', value: 3 }], target: { kind: 'Deployment', name: 'web' } }],
      images: [{ name: 'ghcr.io/org/web', newTag: '2.0.0' }],
      commonMetadata: { labels: { team: 'web' } },
    });
    const k = FleetTesting.synthDocuments(f.repo)['clusters/dev/web.yaml'][0];
    expect(k.spec.patches).toEqual([{ patch: '- op: replace\n  path: /spec/replicas\n  value: 3\n', target: { kind: 'Deployment', name: 'web' } }]);
    const deployment = f.repo.synthModel().model.clusters[0].applications.find(a => a.doc.kind === 'Deployment')!.doc;
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.template.spec.containers[0].image).toBe('ghcr.io/org/web:2.0.0');
    expect(deployment.metadata.labels.team).toBe('web');
  });

  it('a Kustomization\'s components are written relative to its path, and the model applies them', () => {
    const f = fluxFleet();
    const component = new LayoutDirectory(new LayoutDirectory(f.repo.apps, 'components', { kustomize: false }), 'ha', { component: true });
    component.addPatch({ target: { kind: 'Deployment', name: 'web' }, patch: [{ op: 'replace', path: '/spec/replicas', value: 3 }] });
    web(f, { components: [component] });
    const k = FleetTesting.synthDocuments(f.repo)['clusters/dev/web.yaml'][0];
    expect(k.spec.components).toEqual(['../components/ha']);
    const deployment = f.repo.synthModel().model.clusters[0].applications.find(a => a.doc.kind === 'Deployment')!.doc;
    expect(deployment.spec.replicas).toBe(3);
  });

  it('a missing component fails the build unless ignoreMissingComponents, and a directory that is not a Component is refused', () => {
    const missing = fluxFleet();
    web(missing, { components: ['../components/none'] });
    expect(problemsOf(missing.repo).join('\n')).toContain('components[0] "../components/none" is not a directory of this repository with a kustomization.yaml');
    const ignored = fluxFleet();
    web(ignored, { components: ['../components/none'], ignoreMissingComponents: true });
    expect(problemsOf(ignored.repo)).toEqual([]);
    const plain = fluxFleet();
    web(plain, { components: [plain.apps] });
    expect(problemsOf(plain.repo)).toContain('[clusters/dev/web/web] spec.components[0] is directory "apps/base", which is not a kustomize Component: make it with new LayoutDirectory(scope, id, { component: true })');
  });

  it('a HelmRelease writes strategies, durations and the fields the generated class spells its own way', () => {
    const f = fluxFleet();
    const r = new HelmRelease(f.releases, 'x', {
      metadata: { name: 'x', namespace: 'flux-system' }, chart: { repository: f.podinfo, name: 'podinfo', verify: { secretRef: { name: 'cosign' } } },
      install: { strategy: { name: ReleaseStrategy.RETRY_ON_FAILURE, retryInterval: Duration.minutes(2) }, disableOpenAPIValidation: true, timeout: Duration.minutes(10) },
      postRenderers: [{ images: [{ name: 'nginx', newTag: '1.27' }] }],
      waitStrategy: 'legacy',
    });
    expect(problemsOf(f.repo)).toEqual([]);
    expect(r.apiObject.toJson().spec).toMatchObject({
      install: { strategy: { name: 'RetryOnFailure', retryInterval: '2m' }, disableOpenAPIValidation: true, timeout: '10m' },
      chart: { spec: { verify: { provider: 'cosign', secretRef: { name: 'cosign' } } } },
      postRenderers: [{ kustomize: { images: [{ name: 'nginx', newTag: '1.27' }] } }],
      waitStrategy: { name: 'legacy' },
    });
  });

  it('takes a ServiceAccount and a Namespace as objects', () => {
    const f = fluxFleet();
    const file = new ManifestFile(f.apps, 'rbac');
    const sa = new kplus.ServiceAccount(file, 'sa', { metadata: { name: 'deployer', namespace: 'flux-system' } });
    const r = new HelmRelease(f.releases, 'x', { metadata: { name: 'x', namespace: 'flux-system' }, chart: { repository: f.podinfo, name: 'podinfo' }, serviceAccountName: sa, targetNamespace: 'podinfo', install: { createNamespace: true } });
    expect(r.apiObject.toJson().spec).toMatchObject({ serviceAccountName: 'deployer', targetNamespace: 'podinfo' });
  });

  it('an OCI artifact\'s verification is written with the CRD\'s spelling', () => {
    const f = fluxFleet();
    const o = new OCIRepository(new ManifestFile(f.apps, 'oci'), 'o', {
      metadata: { name: 'o', namespace: 'flux-system' }, url: 'oci://ghcr.io/org/o', type: undefined as never,
      verify: { matchOidcIdentity: [{ issuer: '^https://token.actions.githubusercontent.com$', subject: '^https://github.com/org/o.*$' }] },
    } as never);
    expect(o.apiObject.toJson().spec.verify).toEqual({ provider: 'cosign', matchOIDCIdentity: [{ issuer: '^https://token.actions.githubusercontent.com$', subject: '^https://github.com/org/o.*$' }] });
    expect(HelmRepositoryType.OCI).toBe('oci');
  });
});
