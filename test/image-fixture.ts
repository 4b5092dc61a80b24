import * as kplus from 'cdk8s-plus-27';
import { HelmRelease, ImagePolicy, ImagePolicyRule, ImageRepository, ImageUpdateAutomation, ImageUpdateAutomationProps, ManifestFile } from '../src';
import { fluxFleet } from './flux-fixture';

/**
 * The Flux fixture (cluster `dev` reconciling `apps/base`) with image automation: an
 * ImageRepository and ImagePolicy for podinfo, an ImageUpdateAutomation of `apps/base`, a
 * HelmRelease whose values carry the image name and tag as markers, and a cdk8s-plus Deployment
 * whose container image is marked whole.
 */
export function imageFleet(props: { allowCrossNamespaceReferences?: boolean; automation?: Partial<ImageUpdateAutomationProps> } = {}) {
  const f = fluxFleet(props);
  const imageFile = new ManifestFile(f.apps, 'images');
  const imageRepository = new ImageRepository(imageFile, 'podinfo-repository', {
    metadata: { name: 'podinfo', namespace: 'flux-system' },
    image: 'ghcr.io/stefanprodan/podinfo',
    interval: '1m',
  });
  const policy = new ImagePolicy(imageFile, 'podinfo-policy', {
    metadata: { name: 'podinfo', namespace: 'flux-system' },
    imageRepository,
    policy: ImagePolicyRule.semver('>=6.0.0 <7.0.0'),
  });
  const automation = new ImageUpdateAutomation(imageFile, 'automation', {
    metadata: { name: 'apps', namespace: 'flux-system' },
    sourceRef: f.gitRepo,
    update: { path: f.apps },
    commit: { author: { name: 'fluxcdbot', email: 'fluxcdbot@users.noreply.github.com' } },
    ...props.automation,
  });
  const markedRelease = new HelmRelease(f.releases, 'frontend', {
    metadata: { name: 'frontend', namespace: 'flux-system' },
    chart: { repository: f.podinfo, name: 'podinfo', version: '6.x' },
    values: {
      replicaCount: 2,
      image: { repository: policy.nameSetter('ghcr.io/stefanprodan/podinfo'), tag: policy.tagSetter('6.5.0'), pullPolicy: 'IfNotPresent' },
      ui: { message: '6.5.0' },
    },
  });
  const workloads = new ManifestFile(f.apps, 'workloads');
  const deployment = new kplus.Deployment(workloads, 'backend', {
    metadata: { name: 'backend', namespace: 'flux-system' },
    containers: [
      { name: 'sidecar', image: 'busybox:1.36', securityContext: { ensureNonRoot: false } },
      { name: 'podinfo', image: policy.setter('ghcr.io/stefanprodan/podinfo:6.5.0'), portNumber: 9898 },
    ],
  });
  return { ...f, imageFile, imageRepository, policy, automation, markedRelease, workloads, deployment };
}
