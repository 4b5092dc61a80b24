import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { GitOpsRepo, RevisionDiff, runDiff, SealedStore, SealingCertificate } from '../src';
import { formatRevisionMarkdown } from '../src/fleet/revision-diff';
import { FleetTesting } from '../src/testing';
import { sealingKey } from './support/x509';

const PROJECT_ROOT = path.resolve(__dirname, '..');
const TSX = path.join(PROJECT_ROOT, 'node_modules/.bin/tsx');

/** The fleet of the temporary repository: environments and components come from its fleet.json, so that a commit changes them. */
const FLEET_TS = `import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  GitOpsRepo, GitRepository, HelmRelease, HelmRepository, Kustomization, LayoutDirectory, ManifestFile, ObjectPatch, SealedSecret, SealedStore, SealingCertificate,
} from ${JSON.stringify(path.join(PROJECT_ROOT, 'src'))};

interface Config { components: string[]; environments: { name: string; versions: Record<string, string> }[] }

export function createFleet(rootDir: string): GitOpsRepo {
  const config = JSON.parse(fs.readFileSync(path.join(rootDir, 'fleet.json'), 'utf8')) as Config;
  const repo = new GitOpsRepo({ rootDir });
  const base = new LayoutDirectory(repo.infrastructure, 'base');
  const releases: Record<string, HelmRelease> = {};
  for (const component of config.components) {
    const dir = new LayoutDirectory(base, component);
    const charts = new HelmRepository(new ManifestFile(dir, 'repository'), 'repository', {
      metadata: { name: component, namespace: 'flux-system' }, url: 'https://charts.example.com/' + component,
    });
    releases[component] = new HelmRelease(new ManifestFile(dir, 'release'), 'release', {
      metadata: { name: component, namespace: 'flux-system' },
      chart: { repository: charts, name: component, version: '1.0.0' },
      targetNamespace: component, install: { createNamespace: true }, values: { replicaCount: 1 },
    });
  }
  const overlays = new LayoutDirectory(repo.infrastructure, 'overlays', { kustomize: false });
  for (const env of config.environments) {
    const overlay = new LayoutDirectory(overlays, env.name);
    overlay.addResource(base);
    for (const [component, version] of Object.entries(env.versions)) {
      new ObjectPatch(overlay, component + '-version', { target: releases[component], patch: { spec: { chart: { spec: { version } } } } });
    }
    const certificate = SealingCertificate.fromFile(path.join(rootDir, 'sealed-secrets/certs', env.name + '.pem'), { checkValidity: false });
    const store = SealedStore.load(path.join(rootDir, 'sealed-secrets', env.name + '.yaml'), certificate, env.name);
    new SealedSecret(new ManifestFile(overlay, 'db-secret'), 'db', { metadata: { name: 'db', namespace: 'flux-system' }, store, keys: ['password'] });
    const cluster = new LayoutDirectory(repo.clusters, env.name);
    const sync = new ManifestFile(new LayoutDirectory(cluster, 'flux-system'), 'gotk-sync');
    const self = new GitRepository(sync, 'repository', {
      metadata: { name: 'flux-system', namespace: 'flux-system' }, url: 'https://github.com/org/fleet', ref: { branch: 'main' },
    });
    new Kustomization(sync, 'sync', { metadata: { name: 'flux-system', namespace: 'flux-system' }, sourceRef: self, path: cluster });
    new Kustomization(new ManifestFile(cluster, 'infrastructure'), 'infrastructure', {
      metadata: { name: 'infrastructure', namespace: 'flux-system' }, sourceRef: self, path: overlay,
    });
    repo.addEnvironment({ name: env.name, cluster: env.name }, cluster);
  }
  return repo;
}
`;

const MAIN_TS = `import * as path from 'node:path';
import { runCli } from ${JSON.stringify(path.join(PROJECT_ROOT, 'src'))};
import { createFleet } from './fleet';
process.exitCode = runCli(() => createFleet(path.resolve(__dirname, '..')), process.argv.slice(2));
`;

function git(dir: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Seals a throwaway value for an environment (its own throwaway key and certificate). */
function sealFor(dir: string, env: string, value: string): void {
  const certFile = path.join(dir, 'sealed-secrets/certs', `${env}.pem`);
  if (!fs.existsSync(certFile)) {
    fs.mkdirSync(path.dirname(certFile), { recursive: true });
    fs.writeFileSync(certFile, sealingKey().certificatePem);
  }
  SealedStore.update(path.join(dir, 'sealed-secrets', `${env}.yaml`), SealingCertificate.fromFile(certFile), env, store =>
    store.seal({ namespace: 'flux-system', name: 'db', values: { password: Buffer.from(value) }, rotate: true }));
}

function writeConfig(dir: string, config: unknown): void {
  fs.writeFileSync(path.join(dir, 'fleet.json'), `${JSON.stringify(config, null, 2)}\n`);
}

/**
 * A fleet repository with two commits: the first has development and staging with podinfo and
 * redis; the second promotes podinfo 6.6.0 to staging, adds production, removes redis, and
 * re-seals staging's password.
 */
function twoCommitRepository(subdirectory = ''): string {
  const top = FleetTesting.tempDir();
  git(top, 'init', '-q', '-b', 'main');
  git(top, 'config', 'user.email', 'test@example.com');
  git(top, 'config', 'user.name', 'test');
  const dir = path.join(top, subdirectory);
  fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(path.join(dir, 'src/fleet.ts'), FLEET_TS);
  fs.writeFileSync(path.join(dir, 'src/main.ts'), MAIN_TS);
  fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), `app: ${TSX} src/main.ts\n`);
  writeConfig(dir, { components: ['podinfo', 'redis'], environments: [{ name: 'development', versions: { podinfo: '6.6.0' } }, { name: 'staging', versions: { podinfo: '6.5.0' } }] });
  sealFor(dir, 'development', 'dev-password');
  sealFor(dir, 'staging', 'old-staging-password');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'development and staging');
  writeConfig(dir, { components: ['podinfo'], environments: [{ name: 'development', versions: { podinfo: '6.6.0' } }, { name: 'staging', versions: { podinfo: '6.6.0' } }, { name: 'production', versions: { podinfo: '6.5.0' } }] });
  sealFor(dir, 'staging', 'new-staging-password');
  sealFor(dir, 'production', 'production-password');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'promote podinfo 6.6.0 to staging, add production, remove redis');
  return dir;
}

function diff(repo: GitOpsRepo, argv: string[]) {
  const io = { out: '', err: '' };
  const code = runDiff(repo, argv, { out: t => { io.out += t; }, err: t => { io.err += t; }, env: {} });
  return { code, ...io };
}

describe('diff --base <git-ref>', () => {
  let dir: string;
  let repo: GitOpsRepo;
  const secrets = ['dev-password', 'old-staging-password', 'new-staging-password', 'production-password'];
  let ciphertexts: string[];
  beforeAll(async () => {
    dir = twoCommitRepository();
    const { createFleet } = await import(path.join(dir, 'src/fleet.ts'));
    repo = createFleet(dir);
    ciphertexts = ['development', 'staging', 'production'].map(e => fs.readFileSync(path.join(dir, 'sealed-secrets', `${e}.yaml`), 'utf8').match(/ciphertext: (\S+)/)![1]);
  });

  it('json: per cluster, the objects added, removed and changed, field by field; sealed values named, never printed', () => {
    const status = git(dir, 'status', '--porcelain');
    const r = diff(repo, ['--base', 'HEAD~1', '--output', 'json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out) as RevisionDiff;
    expect(result.base).toBe('HEAD~1');
    expect(result.clusters.map(c => [c.cluster, c.change])).toEqual([['development', 'changed'], ['production', 'added'], ['staging', 'changed']]);
    const [development, production, staging] = result.clusters;
    // the removed component: gone from every cluster; development is otherwise untouched
    expect(development.objects.map(o => [o.change, o.id])).toEqual([
      ['removed', 'HelmRelease.helm.toolkit.fluxcd.io flux-system/redis'],
      ['removed', 'HelmRepository.source.toolkit.fluxcd.io flux-system/redis'],
    ]);
    expect(development.objects[0]).toMatchObject({ appliedBy: 'Kustomization flux-system/infrastructure', file: 'infrastructure/base/redis/release.yaml' });
    // the promotion: one field, with its old and new value
    const podinfo = staging.objects.find(o => o.id === 'HelmRelease.helm.toolkit.fluxcd.io flux-system/podinfo')!;
    expect(podinfo).toMatchObject({ change: 'changed', fields: [{ path: 'spec.chart.spec.version', from: '6.5.0', to: '6.6.0' }] });
    // the re-sealed password: named, not shown
    const sealed = staging.objects.find(o => o.id === 'SealedSecret.bitnami.com flux-system/db')!;
    expect(sealed.fields).toEqual([{ path: 'spec.encryptedData.password', sealed: 'changed' }]);
    expect(staging.objects.filter(o => o.change === 'removed').map(o => o.id)).toEqual([
      'HelmRelease.helm.toolkit.fluxcd.io flux-system/redis', 'HelmRepository.source.toolkit.fluxcd.io flux-system/redis',
    ]);
    // the new environment: every object added
    expect(production.objects.every(o => o.change === 'added')).toBe(true);
    expect(production.objects.map(o => o.id)).toContain('HelmRelease.helm.toolkit.fluxcd.io flux-system/podinfo');
    for (const secret of [...secrets, ...ciphertexts]) expect(r.out).not.toContain(secret);
    // nothing in the user's tree changed
    expect(git(dir, 'status', '--porcelain')).toBe(status);
    expect(fs.existsSync(path.join(dir, 'clusters'))).toBe(false);
  });

  it('text: a block per cluster, one line per object and per field', () => {
    const r = diff(repo, ['--base', 'HEAD~1']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^HEAD~1 → working tree: 3 of 3 clusters change\n/);
    expect(r.out).toContain('\ncluster development (clusters/development): 0 changed, 0 added, 2 removed, ');
    expect(r.out).toMatch(/\ncluster production \(clusters\/production\): new cluster, \d+ objects\n/);
    expect(r.out).toContain('  ~ HelmRelease.helm.toolkit.fluxcd.io flux-system/podinfo  (Kustomization flux-system/infrastructure, infrastructure/base/podinfo/release.yaml)\n      spec.chart.spec.version: "6.5.0" → "6.6.0"\n');
    expect(r.out).toContain('  ~ SealedSecret.bitnami.com flux-system/db  (Kustomization flux-system/infrastructure, infrastructure/overlays/staging/db-secret.yaml)\n      spec.encryptedData.password: sealed value changed (not shown)\n');
    expect(r.out).toContain('  - HelmRelease.helm.toolkit.fluxcd.io flux-system/redis  (Kustomization flux-system/infrastructure, infrastructure/base/redis/release.yaml)\n');
    for (const secret of [...secrets, ...ciphertexts]) expect(r.out).not.toContain(secret);
  });

  it('markdown: a table of clusters and a section per changed cluster, fit for a pull-request comment', () => {
    const r = diff(repo, ['--base', 'HEAD~1', '--output=markdown', '--exit-code']);
    expect(r.code).toBe(1); // --exit-code: there are differences
    expect(r.out).toMatch(/^### cdk8s-flux diff: `HEAD~1` → working tree\n\n3 of 3 clusters change\.\n\n\| cluster \| change \| changed \| added \| removed \| identical \|\n/);
    expect(r.out).toContain('| `development` | changed | 0 | 0 | 2 |');
    expect(r.out).toMatch(/\| `production` \| added \| 0 \| \d+ \| 0 \| 0 \|/);
    expect(r.out).toContain('| `staging` | changed | 2 | 0 | 2 |');
    expect(r.out).toContain('<details open><summary><b>staging</b> (clusters/staging): 2 changed, 0 added, 2 removed,');
    expect(r.out).toContain('  - `spec.chart.spec.version`: `"6.5.0"` → `"6.6.0"`');
    expect(r.out).toContain('  - `spec.encryptedData.password`: sealed value changed (not shown)');
    for (const secret of [...secrets, ...ciphertexts]) expect(r.out).not.toContain(secret);
  });

  it('against the same revision: every cluster unchanged, exit 0 with --exit-code', () => {
    const r = diff(repo, ['--base', 'HEAD', '--exit-code']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^HEAD → working tree: 0 of 3 clusters change\n\ncluster development \(clusters\/development\): unchanged \(\d+ objects\)\n/);
  });

  it('through the cdk8s-flux launcher, and refuses a ref that is not a commit or a repository that is not git (exit 2)', () => {
    const r = spawnSync(process.execPath, [TSX, path.join(PROJECT_ROOT, 'src/cli/bin.ts'), 'diff', '--base=HEAD~1', '--output', 'markdown'], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('| `staging` | changed | 2 | 0 | 2 |');
    const bad = diff(repo, ['--base', 'no-such-branch']);
    expect(bad).toMatchObject({ code: 2, out: '' });
    expect(bad.err).toMatch(/^--base "no-such-branch" is not a commit of /);
    const both = diff(repo, ['--base', 'HEAD', 'development', 'staging']);
    expect(both).toMatchObject({ code: 2, err: 'diff: give either --base <git-ref> or two environments, not both (cdk8s-flux diff --help lists the options)\n' });
    const notGit = FleetTesting.tempDir();
    const outside = diff(new GitOpsRepo({ rootDir: notGit }), ['--base', 'HEAD']);
    expect(outside.code).toBe(2);
    expect(outside.err).toContain(`diff --base needs a git repository: ${notGit} is not in one`);
  });

  it('works for a fleet in a sub-directory of its git repository, with node_modules linked into the copy', async () => {
    const nested = twoCommitRepository('platform/fleet');
    fs.mkdirSync(path.join(nested, 'node_modules'));
    fs.writeFileSync(path.join(nested, 'node_modules/.marker'), 'kept');
    const { createFleet } = await import(path.join(nested, 'src/fleet.ts'));
    const r = diff(createFleet(nested), ['--base', 'HEAD~1', '--output', 'json']);
    expect(r.err).toBe('');
    expect((JSON.parse(r.out) as RevisionDiff).clusters.map(c => [c.directory, c.change])).toEqual([
      ['clusters/development', 'changed'], ['clusters/production', 'added'], ['clusters/staging', 'changed'],
    ]);
    // the temporary copy's link is removed, never what it points at
    expect(fs.readFileSync(path.join(nested, 'node_modules/.marker'), 'utf8')).toBe('kept');
  });

  it('reports a base revision whose fleet does not synthesize, with the app\'s own message', () => {
    const broken = twoCommitRepository();
    fs.writeFileSync(path.join(broken, 'src/main.ts'), 'throw new Error("the base is broken");\n');
    git(broken, 'commit', '-q', '-am', 'break the app');
    fs.writeFileSync(path.join(broken, 'src/main.ts'), MAIN_TS); // the working tree is fine again
    const { code, err } = diff(new GitOpsRepo({ rootDir: broken }), ['--base', 'HEAD']);
    expect(code).toBe(2);
    expect(err).toMatch(/^the fleet at HEAD \([0-9a-f]{12}\) did not synthesize \(`.* src\/main\.ts synth` exited 1\):\n[\s\S]*the base is broken/);
  });
});

describe('the pull-request comment stays under GitHub\'s size limit', () => {
  it('shows every changed cluster, as many objects of each as fit, how many more there are, and long values cut', () => {
    const cluster = (name: string, objects: number) => ({
      cluster: name, directory: `clusters/${name}`, change: 'changed' as const, identical: 3,
      objects: Array.from({ length: objects }, (_, i) => ({
        id: `v1/ConfigMap/apps/cm-${String(i).padStart(4, '0')}`, change: 'changed' as const, appliedBy: 'Kustomization flux-system/apps', file: 'apps/base/cms.yaml',
        fields: [{ path: 'data.value', from: 'x'.repeat(2_000), to: `y${i}` }],
      })),
    });
    const md = formatRevisionMarkdown({ base: 'origin/main', head: 'working tree', clusters: [cluster('production', 400), cluster('staging', 2)] });
    expect(md.length).toBeLessThan(65_000);
    expect(md).toContain('<b>production</b>');
    expect(md).toContain('<b>staging</b>');
    expect(md).toContain('`v1/ConfigMap/apps/cm-0000`');
    expect(md).toMatch(/- … and \d+ more objects \(the comment has a size limit/);
    expect(md).not.toContain('x'.repeat(301));
    expect(md).toMatch(/x{250,299}…/);
    // the small cluster is shown whole
    const staging = md.slice(md.indexOf('<b>staging</b>'));
    expect(staging).toContain('cm-0001');
    expect(staging).not.toContain('more object');
  });
});
