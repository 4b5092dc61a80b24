// Coverage fixtures of the image automation kinds: every typed prop set (see ../crd-coverage.test.ts).
import { HelmRelease, ImagePolicy, ImagePolicyRule, ImageRepository, ImageUpdateAutomation, ManifestFile } from '../../src';
import { CoverageFixture, CoverageFleet, LeftOut } from './coverage';

/** An image repository, a policy, a release marked with it and the automation that updates it. */
function images(f: CoverageFleet) {
  const file = new ManifestFile(f.apps, 'images');
  const imageRepository = new ImageRepository(file, 'repository', { metadata: { name: 'podinfo', namespace: 'flux-system' }, image: 'ghcr.io/stefanprodan/podinfo', interval: '1m' });
  const policy = new ImagePolicy(file, 'policy', { metadata: { name: 'podinfo', namespace: 'flux-system' }, imageRepository, policy: ImagePolicyRule.semver('>=6.0.0 <7.0.0') });
  new HelmRelease(f.releases, 'marked', {
    metadata: { name: 'marked', namespace: 'flux-system' }, chart: { repository: f.podinfo, name: 'podinfo' },
    values: { image: { tag: policy.tagSetter('6.5.0') } },
  });
  const automation = new ImageUpdateAutomation(file, 'automation', {
    metadata: { name: 'apps', namespace: 'flux-system' }, sourceRef: f.gitRepo, update: { path: f.apps },
    commit: { author: { name: 'fluxcdbot', email: 'fluxcdbot@users.noreply.github.com' } },
  });
  return { file, imageRepository, policy, automation };
}

export const fixtures: CoverageFixture[] = [
  { kind: 'ImageRepository', name: 'a scanned repository', build: f => { images(f); } },
  { kind: 'ImagePolicy', name: 'a semver policy', build: f => { images(f); } },
  { kind: 'ImageUpdateAutomation', name: 'an automation of the apps directory', build: f => { images(f); } },
];

export const leftOut: LeftOut = {
  ImageRepository: {
    'spec.accessFrom.namespaceSelectors[].matchLabels': 'TODO(#19): not typed yet',
    'spec.certSecretRef.name': 'TODO(#19): not typed yet',
    'spec.exclusionList': 'TODO(#19): not typed yet',
    'spec.insecure': 'TODO(#19): not typed yet',
    'spec.provider': 'TODO(#19): not typed yet',
    'spec.proxySecretRef.name': 'TODO(#19): not typed yet',
    'spec.secretRef.name': 'TODO(#19): not typed yet',
    'spec.serviceAccountName': 'TODO(#19): not typed yet',
    'spec.suspend': 'TODO(#19): not typed yet',
    'spec.timeout': 'TODO(#19): not typed yet',
  },
  ImagePolicy: {
    'spec.digestReflectionPolicy': 'TODO(#19): not typed yet',
    'spec.filterTags.extract': 'TODO(#19): not typed yet',
    'spec.filterTags.pattern': 'TODO(#19): not typed yet',
    'spec.imageRepositoryRef.namespace': 'TODO(#19): not typed yet',
    'spec.interval': 'TODO(#19): not typed yet',
    'spec.policy.alphabetical.order': 'TODO(#19): not typed yet',
    'spec.policy.numerical.order': 'TODO(#19): not typed yet',
    'spec.suspend': 'TODO(#19): not typed yet',
  },
  ImageUpdateAutomation: {
    'spec.git.checkout.ref.branch': 'TODO(#19): not typed yet',
    'spec.git.checkout.ref.commit': 'TODO(#19): not typed yet',
    'spec.git.checkout.ref.name': 'TODO(#19): not typed yet',
    'spec.git.checkout.ref.semver': 'TODO(#19): not typed yet',
    'spec.git.checkout.ref.tag': 'TODO(#19): not typed yet',
    'spec.git.commit.messageTemplate': 'TODO(#19): not typed yet',
    'spec.git.commit.messageTemplateValues': 'TODO(#19): not typed yet',
    'spec.git.commit.signingKey.secretRef.name': 'TODO(#19): not typed yet',
    'spec.git.commit.signingKey.type': 'TODO(#19): not typed yet',
    'spec.git.push.branch': 'TODO(#19): not typed yet',
    'spec.git.push.options': 'TODO(#19): not typed yet',
    'spec.git.push.refspec': 'TODO(#19): not typed yet',
    'spec.policySelector.matchExpressions[].key': 'TODO(#19): not typed yet',
    'spec.policySelector.matchExpressions[].operator': 'TODO(#19): not typed yet',
    'spec.policySelector.matchExpressions[].values': 'TODO(#19): not typed yet',
    'spec.policySelector.matchLabels': 'TODO(#19): not typed yet',
    'spec.sourceRef.apiVersion': 'TODO(#19): not typed yet',
    'spec.sourceRef.namespace': 'TODO(#19): not typed yet',
    'spec.suspend': 'TODO(#19): not typed yet',
  },
};
