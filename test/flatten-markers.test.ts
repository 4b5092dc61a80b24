import * as fs from 'node:fs';
import * as path from 'node:path';
import * as kplus from 'cdk8s-plus-27';
import { describe, expect, it } from 'vitest';
import { environmentObjects, GitOpsRepo, GitRepository, HelmRelease, HelmRepository, ImagePolicy, ImagePolicyRule, ImageRepository, ImageUpdateAutomation, Kustomization, LayoutDirectory, ManifestFile } from '../src';
import { FleetTesting, kubectlAvailable, renderEquivalence } from '../src/testing';
import { ObjectPatch } from '../src/core/object-patch';
import { problemsOf } from './helpers';

type Build = (base: LayoutDirectory, file: ManifestFile, policy: ImagePolicy, overlay: LayoutDirectory) => void;

/**
 * Environment `dev`: a cluster whose `apps` Kustomization builds the flattened `apps/dev` over
 * `apps/base` (with an ImagePolicy `flux-system/web`), and an automation over apps/.
 */
function flattenedRepo(build: Build, rootDir = FleetTesting.tempDir()): GitOpsRepo {
  const repo = new GitOpsRepo({ rootDir });
  const base = new LayoutDirectory(repo.apps, 'base');
  const file = new ManifestFile(base, 'app');
  const images = new ImageRepository(file, 'images', { metadata: { name: 'web', namespace: 'flux-system' }, image: 'ghcr.io/example/web', interval: '1m' });
  const policy = new ImagePolicy(file, 'policy', { metadata: { name: 'web', namespace: 'flux-system' }, imageRepository: images, policy: ImagePolicyRule.semver('1.x') });
  const overlay = new LayoutDirectory(repo.apps, 'dev', { flatten: true });
  overlay.addResource(base);
  build(base, file, policy, overlay);
  const cluster = new LayoutDirectory(repo.clusters, 'dev');
  const sync = new ManifestFile(new LayoutDirectory(cluster, 'flux-system'), 'gotk-sync');
  const git = new GitRepository(sync, 'repo', { metadata: { name: 'flux-system', namespace: 'flux-system' }, url: 'https://github.com/org/fleet', ref: { branch: 'main' } });
  new Kustomization(sync, 'sync', { metadata: { name: 'flux-system', namespace: 'flux-system' }, sourceRef: git, path: cluster });
  new Kustomization(new ManifestFile(cluster, 'apps'), 'apps', { metadata: { name: 'apps', namespace: 'flux-system' }, sourceRef: git, path: overlay });
  new ImageUpdateAutomation(new ManifestFile(overlay, 'automation'), 'automation', {
    metadata: { name: 'apps', namespace: 'flux-system' }, sourceRef: git, update: { path: repo.apps }, commit: { author: { name: 'bot', email: 'bot@example.com' } },
  });
  repo.addEnvironment({ name: 'dev', cluster: 'dev' }, cluster);
  return repo;
}

function flattenedFleet(build: Build): Record<string, string> {
  return FleetTesting.synth(flattenedRepo(build));
}

const marked = (content: string) => content.split('\n').filter(l => l.includes('$imagepolicy')).map(l => l.trim());

describe('setter markers in fully rendered (flattened) directories', () => {
  it('follow their field when a patch reorders a merged list', () => {
    const files = flattenedFleet((_base, file, policy, overlay) => {
      const deployment = new kplus.Deployment(file, 'deployment', {
        metadata: { name: 'web', namespace: 'web' },
        containers: [
          { name: 'web', image: policy.setter('ghcr.io/example/web:1.0.0'), securityContext: { ensureNonRoot: false } },
          { name: 'sidecar', image: 'ghcr.io/example/sidecar:1.0.0', securityContext: { ensureNonRoot: false } },
        ],
      });
      // kustomize puts the patched sidecar first
      new ObjectPatch(overlay, 'sidecar-patch', { target: deployment, patch: { spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'ghcr.io/example/sidecar:2.0.0' }] } } } } });
    });
    const containers = files['apps/dev/app.yaml'].split('\n').filter(l => /- image:/.test(l)).map(l => l.trim());
    expect(containers).toEqual(['- image: ghcr.io/example/sidecar:2.0.0', '- image: ghcr.io/example/web:1.0.0 # {"$imagepolicy": "flux-system:web"}']);
  });

  it('are dropped where a patch pins the marked value', () => {
    const files = flattenedFleet((_base, file, policy, overlay) => {
      const charts = new HelmRepository(file, 'charts', { metadata: { name: 'charts', namespace: 'flux-system' }, url: 'https://example.com/charts' });
      const release = new HelmRelease(file, 'release', {
        metadata: { name: 'web', namespace: 'flux-system' }, chart: { repository: charts, name: 'web', version: '1.x' },
        values: { image: { tag: policy.tagSetter('1.0.0') } },
      });
      new ObjectPatch(overlay, 'pin', { target: release, patch: { spec: { values: { image: { tag: '0.9.0' } } } } });
    });
    expect(marked(files['apps/base/app.yaml'])).toEqual(['tag: 1.0.0 # {"$imagepolicy": "flux-system:web:tag"}']);
    expect(marked(files['apps/dev/app.yaml'])).toEqual([]);
    expect(files['apps/dev/app.yaml']).toContain('tag: 0.9.0\n');
  });
});

describe('setter markers in never-written templates', () => {
  it('are refused with the way to mark the value instead', () => {
    const repo: GitOpsRepo = FleetTesting.repo();
    const base = new LayoutDirectory(repo.templates, 'base');
    const file = new ManifestFile(base, 'app');
    const images = new ImageRepository(file, 'images', { metadata: { name: 'web', namespace: 'flux-system' }, image: 'ghcr.io/example/web', interval: '1m' });
    const policy = new ImagePolicy(file, 'policy', { metadata: { name: 'web', namespace: 'flux-system' }, imageRepository: images, policy: ImagePolicyRule.semver('1.x') });
    new kplus.ConfigMap(file, 'settings', { metadata: { name: 'settings', namespace: 'web' }, data: { image: policy.setter('ghcr.io/example/web:1.0.0') } });
    const overlay = new LayoutDirectory(repo.apps, 'dev', { flatten: true });
    overlay.addResource(base);
    const cluster = new LayoutDirectory(repo.clusters, 'dev');
    const sync = new ManifestFile(cluster, 'sync');
    const git = new GitRepository(sync, 'repo', { metadata: { name: 'flux-system', namespace: 'flux-system' }, url: 'https://github.com/org/fleet', ref: { branch: 'main' } });
    new Kustomization(sync, 'apps', { metadata: { name: 'apps', namespace: 'flux-system' }, sourceRef: git, path: overlay });
    expect(problemsOf(repo).filter(p => p.includes('never written'))).toEqual([
      '[templates/base/app/settings] data.image: ImagePolicy flux-system/web setter("ghcr.io/example/web:1.0.0") is in templates/base/app.yaml, a template that is never written: its copies in the flattened directories cannot be checked here yet; mark the value in each environment\'s directory instead (an ObjectPatch there with the setter)',
    ]);
  });
});

describe('values image automation committed into a flattened directory', () => {
  it('are what the checks, the model and kustomize see', () => {
    const rootDir = FleetTesting.tempDir();
    const build = () => flattenedRepo((_base, file, policy) => {
      new kplus.Deployment(file, 'deployment', {
        metadata: { name: 'web', namespace: 'web' },
        containers: [{ name: 'web', image: policy.setter('ghcr.io/example/web:1.0.0'), securityContext: { ensureNonRoot: false } }],
      });
    }, rootDir);
    build().write();
    const file = path.join(rootDir, 'apps/dev/app.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('web:1.0.0 #', 'web:1.4.0 #'));
    const again = build();
    expect(again.check().clean).toBe(true);
    const objects = environmentObjects(again.synthModel().model, again.environment('dev').cluster);
    expect((objects.get('Deployment.apps web/web')!.doc as any).spec.template.spec.containers[0].image).toBe('ghcr.io/example/web:1.4.0');
    if (kubectlAvailable()) expect(renderEquivalence(again).mismatches).toEqual([]);
  });
});

describe('a patch kustomize cannot merge', () => {
  it('is reported even where no cluster applies its directory', () => {
    const repo: GitOpsRepo = FleetTesting.repo();
    const base = new LayoutDirectory(repo.apps, 'base');
    const settings = new kplus.ConfigMap(new ManifestFile(base, 'app'), 'settings', { metadata: { name: 'x', namespace: 'web' }, data: { a: 'b' } });
    const overlay = new LayoutDirectory(repo.apps, 'dev');
    overlay.addResource(base);
    new ObjectPatch(overlay, 'bad', { target: settings, patch: { data: ['not', 'a', 'map'] } });
    expect(problemsOf(repo)).toEqual([
      '[apps/dev/bad] patch "apps/dev/bad.yaml" cannot be merged into ConfigMap web/x: data is a map in the target but a list in the patch: kustomize refuses to merge them ("wrong node kind"); patch it with a map',
    ]);
  });
});
