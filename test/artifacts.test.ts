import * as kplus from 'cdk8s-plus-27';
import { describe, expect, it } from 'vitest';
import { ArtifactGenerator, diffEnvironments, ExternalArtifact, fleetGraph, GitRepository, HelmRelease, Kustomization, LayoutDirectory, ManifestFile, OCIRepository } from '../src';
import { FleetTesting } from '../src/testing';
import { fluxFleet } from './flux-fixture';
import { problemsOf } from './helpers';

/** The fixture fleet with apps/web (a Deployment) copied into an ExternalArtifact by a generator the cluster applies. */
function artifactFleet(to = 'deploy/') {
  const f = fluxFleet();
  const web = new LayoutDirectory(f.repo.apps, 'web');
  const prod = new LayoutDirectory(web, 'production');
  new kplus.ConfigMap(new ManifestFile(web, 'settings'), 'cm', { metadata: { name: 'web-settings', namespace: 'flux-system' }, data: { color: 'blue' } });
  new kplus.ConfigMap(new ManifestFile(prod, 'settings'), 'cm', { metadata: { name: 'web-prod-settings', namespace: 'flux-system' }, data: { color: 'red' } });
  const file = new ManifestFile(f.cluster, 'web');
  const generator = new ArtifactGenerator(file, 'generator', {
    metadata: { name: 'web', namespace: 'flux-system' },
    sources: { fleet: f.gitRepo },
    artifacts: [{ name: 'web', revision: 'fleet', copy: [{ source: 'fleet', directory: web, to }] }],
  });
  return { ...f, web, prod, file, generator };
}

describe('ArtifactGenerator and ExternalArtifact', () => {
  it('writes the generator with sources by alias and copies of directories of this repository', () => {
    const f = artifactFleet();
    const doc = FleetTesting.synthDocuments(f.repo)['clusters/dev/web.yaml'].find(d => d.kind === 'ArtifactGenerator')!;
    expect(doc.apiVersion).toBe('source.extensions.fluxcd.io/v1beta1');
    expect(doc.spec).toEqual({
      sources: [{ alias: 'fleet', kind: 'GitRepository', name: 'flux-system' }],
      artifacts: [{ name: 'web', revision: '@fleet', copy: [{ from: '@fleet/apps/web/**', to: '@artifact/deploy/' }] }],
    });
  });

  it('writes a Kustomization path relative to the artifact, and the model follows it back to the repository', () => {
    const f = artifactFleet();
    new Kustomization(f.file, 'web-prod', { metadata: { name: 'web-prod', namespace: 'flux-system' }, sourceRef: f.generator.artifact('web'), path: f.prod });
    const docs = FleetTesting.synthDocuments(f.repo)['clusters/dev/web.yaml'];
    const k = docs.find(d => d.kind === 'Kustomization')!;
    expect(k.spec.sourceRef).toEqual({ kind: 'ExternalArtifact', name: 'web' });
    expect(k.spec.path).toBe('./deploy/production');
    // the model builds apps/web/production for cluster dev through the artifact
    const applied = f.repo.synthModel().model.clusters.find(c => c.name === 'dev')!.applications.map(a => a.doc.metadata?.name);
    expect(applied).toContain('web-prod-settings');
  });

  it('maps the artifact root to the copied directory', () => {
    const f = artifactFleet('');
    new Kustomization(f.file, 'web', { metadata: { name: 'web-all', namespace: 'flux-system' }, sourceRef: f.generator.artifact('web'), path: f.web });
    const k = FleetTesting.synthDocuments(f.repo)['clusters/dev/web.yaml'].find(d => d.kind === 'Kustomization')!;
    expect(k.spec.path).toBe('./');
  });

  it('refuses a directory the artifact does not hold (a repository path Flux would not find in the artifact)', () => {
    const f = artifactFleet();
    new Kustomization(f.file, 'wrong', { metadata: { name: 'wrong', namespace: 'flux-system' }, sourceRef: f.generator.artifact('web'), path: f.apps });
    expect(problemsOf(f.repo)).toContain(
      '[clusters/dev/web/wrong] spec.path is directory "apps/base", which ExternalArtifact web does not hold (paths are relative to the artifact, which holds "apps/web"): copy the directory into the artifact, or build from the repository itself',
    );
  });

  it('reports a Kustomization of an artifact whose path is not in the artifact, written by hand', () => {
    const f = artifactFleet();
    new Kustomization(f.file, 'typo', { metadata: { name: 'typo', namespace: 'flux-system' }, sourceRef: f.generator.artifact('web'), externalPath: './deploy/prodution' });
    expect(problemsOf(f.repo).join('\n')).toContain('Kustomization flux-system/typo spec.path "./deploy/prodution" is not a directory of ExternalArtifact flux-system/web, whose generator copies "apps/web/**" to "./deploy": paths are relative to the artifact, e.g. "./deploy"');
  });

  it('reports a reference to an artifact no generator of the cluster makes', () => {
    const f = fluxFleet();
    const other = new ArtifactGenerator(new ManifestFile(f.apps, 'unapplied-generator'), 'g', {
      metadata: { name: 'g', namespace: 'flux-system' }, sources: { fleet: f.gitRepo }, artifacts: [{ name: 'made', copy: [{ source: 'fleet', path: 'apps/**' }] }],
    });
    new HelmRelease(f.releases, 'from-artifact', { metadata: { name: 'from-artifact', namespace: 'flux-system' }, chartRef: ExternalArtifact.fromName(f.releases, 'ea', { name: 'made' }) });
    expect(other.artifact('made').kind).toBe('ExternalArtifact');
    // made by a generator the cluster applies (apps/base), so the reference resolves
    expect(problemsOf(f.repo)).toEqual([]);
    const g = fluxFleet();
    new HelmRelease(g.releases, 'dangling', {
      metadata: { name: 'dangling', namespace: 'flux-system' },
      chartRef: new ArtifactGenerator(new ManifestFile(new LayoutDirectory(g.repo.apps, 'nowhere'), 'gen'), 'g', {
        metadata: { name: 'g', namespace: 'flux-system' }, sources: { fleet: g.gitRepo }, artifacts: [{ name: 'never', copy: [{ source: 'fleet', path: 'x/**' }] }],
      }).artifact('never'),
    });
    expect(problemsOf(g.repo).join('\n')).toMatch(/ExternalArtifact.*never/);
  });

  it('refuses bad generator input with the field and what is valid', () => {
    const f = fluxFleet();
    const oci = new OCIRepository(new ManifestFile(f.apps, 'oci'), 'oci', { metadata: { name: 'oci', namespace: 'flux-system' }, url: 'oci://ghcr.io/org/x' });
    new ArtifactGenerator(new ManifestFile(f.apps, 'gen'), 'g', {
      metadata: { name: 'g', namespace: 'flux-system' },
      sources: { Fleet: f.gitRepo, oci },
      artifacts: [{ name: 'a', revision: 'nope', copy: [{ source: 'missing', path: '../x', strategy: 'Copy' as never }, { source: 'oci', directory: f.apps, path: 'x' }] }, { name: 'a', copy: [] }],
    });
    expect(problemsOf(f.repo).sort()).toEqual([
      '[apps/base/gen/g] spec.sources alias "Fleet" is not valid: use at most 63 lowercase letters, digits, \'-\' or \'_\', starting and ending with a letter or digit (e.g. "repo")',
      '[apps/base/gen/g] spec.artifacts[0].revision "nope" is not a source alias of this generator: use one of "Fleet", "oci"',
      '[apps/base/gen/g] spec.artifacts[0].copy[0].from names source "missing", which is not an alias of this generator: use one of "Fleet", "oci"',
      '[apps/base/gen/g] spec.artifacts[0].copy[0].from "../x" must be relative to the root, without a leading "/" and without "..": e.g. "deploy/**"',
      '[apps/base/gen/g] spec.artifacts[0].copy[0].strategy "Copy" is not valid: use one of "Overwrite", "Merge", "Extract"',
      '[apps/base/gen/g] spec.artifacts[0].copy[1].directory "apps/base" is a directory of this repository, but source "oci" is OCIRepository oci: copy directories from the GitRepository the cluster syncs this repository from, or give path (a glob in that source)',
      '[apps/base/gen/g] spec.artifacts[0].copy[1] needs exactly one of directory (a LayoutDirectory of this repository) and path (a glob in the source)',
      '[apps/base/gen/g] spec.artifacts[1].name "a" is given twice: each generated ExternalArtifact needs its own name',
      '[apps/base/gen/g] spec.artifacts[1].copy is empty: copy at least one directory or glob into the artifact',
    ].sort());
  });
});

describe('diff and graph follow ExternalArtifact sources', () => {
  /** Two clusters, each building its environment's directory of apps/web through its own generated artifact. */
  function twoClusters() {
    const repo = FleetTesting.repo();
    const web = new LayoutDirectory(repo.apps, 'web', { kustomize: false });
    for (const [env, color] of [['dev', 'blue'], ['prod', 'red']] as const) {
      const dir = new LayoutDirectory(web, env);
      new kplus.ConfigMap(new ManifestFile(dir, 'settings'), 'cm', { metadata: { name: 'web-settings', namespace: 'flux-system' }, data: { color } });
      const cluster = new LayoutDirectory(repo.clusters, env);
      const sync = new ManifestFile(new LayoutDirectory(cluster, 'flux-system'), 'gotk-sync');
      const git = new GitRepository(sync, 'repo', { metadata: { name: 'flux-system', namespace: 'flux-system' }, url: 'https://github.com/org/fleet', ref: { branch: 'main' } });
      new Kustomization(sync, 'sync', { metadata: { name: 'flux-system', namespace: 'flux-system' }, sourceRef: git, path: cluster });
      const file = new ManifestFile(cluster, 'web');
      const generator = new ArtifactGenerator(file, 'generator', {
        metadata: { name: 'web', namespace: 'flux-system' }, sources: { fleet: git }, artifacts: [{ name: 'web', copy: [{ source: 'fleet', directory: dir }] }],
      });
      new Kustomization(file, 'web', { metadata: { name: 'web', namespace: 'flux-system' }, sourceRef: generator.artifact('web'), path: dir });
      repo.addEnvironment({ name: env, cluster: env }, cluster);
    }
    return repo;
  }

  it('diff compares what each cluster builds through its artifact', () => {
    const diff = diffEnvironments(twoClusters(), 'dev', 'prod');
    const settings = diff.differences.find(c => c.id.startsWith('ConfigMap') && c.id.endsWith('/web-settings'))!;
    expect(settings.change).toBe('changed');
    expect(settings.fields).toEqual([expect.objectContaining({ path: 'data.color', from: 'blue', to: 'red' })]);
  });

  it('graph draws the Kustomization reading the generator\'s artifact, and the generator reading the repository', () => {
    const g = fleetGraph(twoClusters(), 'dev');
    const id = (kind: string) => g.nodes.find(n => n.kind === kind && n.name === (kind === 'GitRepository' ? 'flux-system' : 'web'))!.id;
    expect(g.edges).toContainEqual({ from: id('Kustomization'), to: id('ArtifactGenerator'), label: 'source' });
    expect(g.edges).toContainEqual({ from: id('ArtifactGenerator'), to: id('GitRepository'), label: 'source' });
  });
});
