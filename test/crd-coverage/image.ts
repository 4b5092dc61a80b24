// Coverage fixtures of the image automation kinds: every typed prop set (see ../crd-coverage.test.ts).
import * as kplus from 'cdk8s-plus-27';
import {
  DigestReflectionPolicy, GitRepository, HelmRelease, ImagePolicy, ImagePolicyProps, ImagePolicyRule, ImageRegistryProvider, ImageRepository, ImageUpdateAutomation,
  ImageUpdateAutomationProps, ManifestFile, SigningKeyType, TagOrder,
} from '../../src';
import { CoverageFixture, CoverageFleet, LeftOut } from './coverage';

type PolicyOptions = Omit<ImagePolicyProps, 'metadata' | 'imageRepository'>;
type AutomationOptions = Partial<Omit<ImageUpdateAutomationProps, 'metadata' | 'sourceRef'>>;

/** An image repository, a policy, a release marked with it and the automation that updates it. */
export function images(f: CoverageFleet, policy: PolicyOptions = { policy: ImagePolicyRule.semver('>=6.0.0 <7.0.0') }, automation: AutomationOptions = {}) {
  const file = new ManifestFile(f.apps, 'images');
  const imageRepository = new ImageRepository(file, 'repository', { metadata: { name: 'podinfo', namespace: 'flux-system' }, image: 'ghcr.io/stefanprodan/podinfo', interval: '1m' });
  const imagePolicy = new ImagePolicy(file, 'policy', { metadata: { name: 'podinfo', namespace: 'flux-system', labels: { team: 'web', tier: 'frontend' } }, imageRepository, ...policy });
  new HelmRelease(f.releases, 'marked', {
    metadata: { name: 'marked', namespace: 'flux-system' }, chart: { repository: f.podinfo, name: 'podinfo' },
    values: { image: { tag: imagePolicy.tagSetter('6.5.0') } },
  });
  new ImageUpdateAutomation(file, 'automation', {
    metadata: { name: 'apps', namespace: 'flux-system' }, sourceRef: f.gitRepo, update: { path: f.apps },
    commit: { author: { name: 'fluxcdbot', email: 'fluxcdbot@users.noreply.github.com' } }, ...automation,
  });
}

export const fixtures: CoverageFixture[] = [
  {
    kind: 'ImageRepository', name: 'a private registry behind a proxy, shared with labelled namespaces',
    build: f => {
      const file = new ManifestFile(f.apps, 'registry');
      const account = new kplus.ServiceAccount(file, 'puller', { metadata: { name: 'image-puller', namespace: 'flux-system' } });
      new ImageRepository(file, 'registry', {
        metadata: { name: 'app', namespace: 'flux-system' }, image: 'registry.example.com/org/app', interval: '5m', timeout: '1m',
        secretRef: { name: 'registry-auth' }, certSecretRef: { name: 'registry-ca' }, proxySecretRef: { name: 'proxy' }, serviceAccountName: account,
        provider: ImageRegistryProvider.GENERIC, insecure: false, exclusionList: ['^.*\\.sig$', '^sha256-.*'],
        accessFrom: { namespaceSelectors: [{ matchLabels: { 'toolkit.fluxcd.io/tenant': 'web' } }] }, suspend: false,
      });
    },
  },
  { kind: 'ImageRepository', name: 'a scanned repository', build: f => { images(f); } },
  {
    kind: 'ImagePolicy', name: 'a semver policy on filtered tags, reflecting digests',
    build: f => {
      images(f, {
        policy: ImagePolicyRule.semver('>=6.0.0 <7.0.0'), filterTags: { pattern: '^v(?P<version>.*)$', extract: '$version' },
        digestReflectionPolicy: DigestReflectionPolicy.ALWAYS, interval: '15m', suspend: false,
      });
    },
  },
  { kind: 'ImagePolicy', name: 'an alphabetical policy', build: f => { images(f, { policy: ImagePolicyRule.alphabetical(TagOrder.DESC) }); } },
  { kind: 'ImagePolicy', name: 'a numerical policy', build: f => { images(f, { policy: ImagePolicyRule.numerical('asc') }); } },
  {
    kind: 'ImageUpdateAutomation', name: 'a signed automation pushing to a branch of its own',
    build: f => {
      images(f, undefined, {
        checkout: { branch: 'main' }, interval: '10m', suspend: false,
        commit: {
          author: { name: 'fluxcdbot', email: 'fluxcdbot@users.noreply.github.com' },
          messageTemplate: '[{{ .Values.env }}] update images\n{{ range .Changed.Changes }}{{ .OldValue }} -> {{ .NewValue }}\n{{ end }}',
          messageTemplateValues: { env: 'dev' }, signingKey: { secretRef: { name: 'signing-key' }, type: SigningKeyType.SSH },
        },
        push: { branch: 'image-updates', refspec: 'refs/heads/image-updates:refs/heads/image-updates', options: { 'merge_request.create': '' } },
        policySelector: { matchLabels: { team: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend', 'backend'] }] },
      });
    },
  },
  { kind: 'ImageUpdateAutomation', name: 'an automation checking out a commit of a branch', build: f => { images(f, undefined, { checkout: { branch: 'main', commit: '0123456789abcdef0123456789abcdef01234567' } }); } },
  { kind: 'ImageUpdateAutomation', name: 'an automation checking out a tag', build: f => { images(f, undefined, { checkout: { tag: 'v1.0.0' }, push: { branch: 'main' } }); } },
  { kind: 'ImageUpdateAutomation', name: 'an automation checking out a semver range', build: f => { images(f, undefined, { checkout: { semver: '>=1.0.0' }, push: { branch: 'main' } }); } },
  { kind: 'ImageUpdateAutomation', name: 'an automation checking out a reference', build: f => { images(f, undefined, { checkout: { name: 'refs/heads/main' } }); } },
];

/**
 * Fixtures that state a namespace: a cross-namespace reference, which the coverage fleet (Flux's
 * default lockdown in `fluxFleet()`) refuses. They are built in a fleet with allowCrossNamespaceReferences.
 */
export const crossNamespaceFixtures: CoverageFixture[] = ([
  {
    kind: 'ImagePolicy', name: 'a policy on a repository shared from another namespace',
    build: f => {
      const shared = new ImageRepository(new ManifestFile(f.apps, 'shared'), 'shared', {
        metadata: { name: 'podinfo', namespace: 'images' }, image: 'ghcr.io/stefanprodan/podinfo',
        accessFrom: { namespaceSelectors: [{ matchLabels: { 'kubernetes.io/metadata.name': 'flux-system' } }] },
      });
      new ImagePolicy(new ManifestFile(f.apps, 'policy'), 'policy', { metadata: { name: 'podinfo', namespace: 'flux-system' }, imageRepository: shared, policy: ImagePolicyRule.semver('6.x') });
    },
  },
  {
    kind: 'ImageUpdateAutomation', name: 'an automation of a GitRepository of another namespace',
    build: f => {
      const tenant = new GitRepository(new ManifestFile(f.apps, 'tenant'), 'tenant', {
        metadata: { name: 'tenant', namespace: 'tenants' }, url: 'https://github.com/org/tenant', ref: { branch: 'main' },
      });
      new ImageUpdateAutomation(new ManifestFile(f.apps, 'automation'), 'automation', {
        metadata: { name: 'tenant', namespace: 'flux-system' }, sourceRef: tenant, update: { externalPath: './deploy' },
        commit: { author: { email: 'fluxcdbot@users.noreply.github.com' } },
      });
    },
  },
] as CoverageFixture[]).map(x => ({ ...x, fleet: { allowCrossNamespaceReferences: true } }));
fixtures.push(...crossNamespaceFixtures);

export const leftOut: LeftOut = {
  ImageUpdateAutomation: {
    'spec.sourceRef.apiVersion': 'ignored by the image-automation-controller: it fetches a source.toolkit.fluxcd.io/v1 GitRepository by name and namespace whatever apiVersion says',
  },
};
