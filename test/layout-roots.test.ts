import * as fs from 'node:fs';
import * as path from 'node:path';
import * as kplus from 'cdk8s-plus-27';
import { describe, expect, it } from 'vitest';
import * as os from 'node:os';
import { ExistingFile, GitOpsRepo, GitRepository, Kustomization, LayoutDirectory, ManifestFile } from '../src';
import { FleetTesting } from '../src/testing';
import { runInit } from '../src/cli/init';
import { captureCli, problemsOf, readme, readTree, runReadmeExample } from './helpers';

/**
 * A small fleet in `rootDir` with a `tenants/` root: cluster `dev` syncs this repository and applies
 * `tenants/base/dev-team` (a reconciler account, or a ConfigMap in the `settings` variant).
 */
function tenantsFleet(options: { rootDir?: string; ignore?: string; variant?: 'rbac' | 'settings' } = {}) {
  const repo = options.rootDir ? new GitOpsRepo({ rootDir: options.rootDir }) : FleetTesting.repo();
  const cluster = new LayoutDirectory(repo.clusters, 'dev');
  const sync = new ManifestFile(new LayoutDirectory(cluster, 'flux-system'), 'gotk-sync');
  const gitRepo = new GitRepository(sync, 'repo', {
    metadata: { name: 'flux-system', namespace: 'flux-system' }, url: 'https://github.com/org/fleet', ref: { branch: 'main' },
    ignore: options.ignore ?? '/*\n!/clusters/\n!/tenants/\n',
  });
  new Kustomization(sync, 'sync', { metadata: { name: 'flux-system', namespace: 'flux-system' }, sourceRef: gitRepo, path: cluster });
  const tenants = repo.addRoot('tenants');
  const devTeam = new LayoutDirectory(new LayoutDirectory(tenants, 'base'), 'dev-team');
  const rbac = new ManifestFile(devTeam, options.variant === 'settings' ? 'settings' : 'rbac');
  if (options.variant === 'settings') new kplus.ConfigMap(rbac, 'settings', { metadata: { name: 'settings', namespace: 'dev-team' } });
  else new kplus.ServiceAccount(rbac, 'reconciler', { metadata: { name: 'dev-team', namespace: 'dev-team' } });
  new Kustomization(new ManifestFile(cluster, 'tenants'), 'tenants', {
    metadata: { name: 'tenants', namespace: 'flux-system' }, sourceRef: gitRepo, path: devTeam,
  });
  return { repo, cluster, gitRepo, tenants, devTeam, rbac };
}

describe('layout roots: top-level directories the fleet declares', () => {
  it('addRoot returns a directory the layout writes, and managedRoots lists it after the three of every fleet', () => {
    const f = tenantsFleet();
    expect(f.tenants.repoPath).toBe('tenants');
    expect(f.repo.managedRoots).toEqual(['clusters', 'infrastructure', 'apps', 'tenants']);
    expect(f.repo.roots).toEqual([f.tenants]);
    const files = f.repo.synthLayout();
    expect(files.get('tenants/base/dev-team/rbac.yaml')).toContain('kind: ServiceAccount');
    // a grouping directory by default, like apps/: no kustomization.yaml of its own
    expect(files.has('tenants/kustomization.yaml')).toBe(false);
    expect(files.has('tenants/base/dev-team/kustomization.yaml')).toBe(true);
  });

  it('the model follows the cluster into the root: the reconciler account is applied there', () => {
    const f = tenantsFleet();
    const { model } = f.repo.synthModel();
    expect(model.cluster('dev')!.find('ServiceAccount', 'dev-team', 'dev-team').map(a => a.built.source.file)).toEqual(['tenants/base/dev-team/rbac.yaml']);
  });

  it('a top-level directory that is not a root is still refused, naming the roots (those added too)', () => {
    const f = tenantsFleet();
    const stray = new LayoutDirectory(f.repo, 'platform');
    new kplus.ConfigMap(new ManifestFile(stray, 'c'), 'c', { metadata: { name: 'c' } });
    expect(problemsOf(f.repo)).toEqual([
      '[platform] dirName "platform" cannot be a top-level directory: the layout writes only under "clusters/", "infrastructure/", "apps/", "tenants/"; create it inside one of those',
    ]);
  });

  it('the writer owns only its marked files in the root: a file you keep there is never touched, its own are pruned', () => {
    const f = tenantsFleet();
    f.repo.write();
    const root = f.repo.rootDir;
    const mine = path.join(root, 'tenants/base/dev-team/notes.yaml');
    fs.writeFileSync(mine, 'owner: dev-team\n');
    const yours = path.join(root, 'tenants/README.md');
    fs.writeFileSync(yours, 'tenants of the fleet\n');
    // the next version of the fleet writes a settings file instead of the rbac file
    const plan = tenantsFleet({ rootDir: root, variant: 'settings' }).repo.write();
    expect(fs.readFileSync(mine, 'utf8')).toBe('owner: dev-team\n');
    expect(fs.readFileSync(yours, 'utf8')).toBe('tenants of the fleet\n');
    expect(fs.existsSync(path.join(root, 'tenants/base/dev-team/rbac.yaml'))).toBe(false);
    expect(fs.readFileSync(path.join(root, 'tenants/base/dev-team/settings.yaml'), 'utf8')).toContain('kind: ConfigMap');
    expect(JSON.stringify(plan)).not.toContain('notes.yaml');
  });

  it('a fleet without the root does not own it: its generated files stay until you delete the directory', () => {
    const f = tenantsFleet();
    f.repo.write();
    const plain = new GitOpsRepo({ rootDir: f.repo.rootDir });
    expect(plain.managedRoots).toEqual(['clusters', 'infrastructure', 'apps']);
    const cluster = new LayoutDirectory(plain.clusters, 'dev');
    new kplus.ConfigMap(new ManifestFile(cluster, 'c'), 'c', { metadata: { name: 'c', namespace: 'flux-system' } });
    plain.write();
    expect(fs.existsSync(path.join(f.repo.rootDir, 'tenants/base/dev-team/rbac.yaml'))).toBe(true);
    expect(fs.existsSync(path.join(f.repo.rootDir, 'clusters/dev/tenants.yaml'))).toBe(false);
  });

  it('synth --check compares the root: a hand edit of a generated file there is drift', () => {
    const f = tenantsFleet();
    f.repo.write();
    expect(f.repo.check().clean).toBe(true);
    const file = path.join(f.repo.rootDir, 'tenants/base/dev-team/rbac.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('name: dev-team', 'name: dev-team-edited'));
    const check = tenantsFleet({ rootDir: f.repo.rootDir }).repo.check();
    expect(check.clean).toBe(false);
    expect(check.diff).toContain('--- a/tenants/base/dev-team/rbac.yaml');
  });

  it('the model reads the files you own in the root (ExistingFile)', () => {
    const f = tenantsFleet();
    fs.mkdirSync(path.join(f.repo.rootDir, 'tenants/base/dev-team'), { recursive: true });
    fs.writeFileSync(path.join(f.repo.rootDir, 'tenants/base/dev-team/quota.yaml'), 'apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: dev-team\n  namespace: dev-team\nspec:\n  hard:\n    pods: "10"\n');
    new ExistingFile(f.devTeam, 'quota', { fileName: 'quota.yaml' });
    const { model } = f.repo.synthModel();
    expect(model.cluster('dev')!.find('ResourceQuota', 'dev-team', 'dev-team')).toHaveLength(1);
  });

  it('checks the name: reserved, a root already, not a directory name; a second addRoot of a name throws at once', () => {
    const f = { repo: FleetTesting.repo() };
    f.repo.addRoot('src');
    f.repo.addRoot('Tenants');
    expect(problemsOf(f.repo)).toEqual([
      '[] addRoot("src"): "src/" is reserved (src/, lib/, test/, tests/, node_modules/, templates/, crds/, docs/, bench/, sealed-secrets/ hold the fleet\'s code, tools or never-written templates): pick another name, e.g. "tenants"',
      '[Tenants] dirName "Tenants" is not a valid directory name: use lowercase letters, digits, \'-\', \'.\' or \'_\', starting and ending with a letter or digit (e.g. "external-dns")',
    ]);
    const g = { repo: FleetTesting.repo() };
    g.repo.addRoot('tenants');
    expect(() => g.repo.addRoot('tenants')).toThrow('addRoot("tenants"): the fleet already has the root "tenants/"; each root is added once: keep the directory addRoot returned the first time');
    expect(() => g.repo.addRoot('apps')).toThrow('addRoot("apps"): the fleet already has the root "apps/"');
  });

  describe('sync-ignore-excludes-layout', () => {
    it('is an error when the sync\'s spec.ignore leaves out a root the cluster builds from it', () => {
      const f = tenantsFleet({ ignore: '/*\n!/clusters/\n!/infrastructure/\n!/apps/\n' });
      expect(problemsOf(f.repo)).toEqual([
        '[clusters/dev/flux-system/gotk-sync/repo] sync-ignore-excludes-layout (error): GitRepository flux-system/flux-system: spec.ignore "/*\\n!/clusters/\\n!/infrastructure/\\n!/apps/\\n" leaves "tenants/" out of the artifact (its line "/*"), but cluster "dev" builds "tenants/base/dev-team" from this source, so the Kustomization fails with "path not found": add "!/tenants/" to spec.ignore',
      ]);
    });

    it('is quiet once the ignore keeps the root, or ignores nothing at the top', () => {
      const f = tenantsFleet({ ignore: '/*\n!/clusters/\n!/infrastructure/\n!/apps/\n!/tenants/\n' });
      expect(problemsOf(f.repo)).toEqual([]);
      const g = tenantsFleet({ ignore: '*.md\n/docs/\n/apps/*.txt\n' });
      expect(problemsOf(g.repo)).toEqual([]);
    });

    it('names a root a later line excludes again', () => {
      const f = tenantsFleet({ ignore: '/*\n!/clusters/\n!/apps/\n!/tenants/\n/tenants/\n' });
      expect(problemsOf(f.repo)).toEqual([expect.stringContaining('leaves "tenants/" out of the artifact (its line "/tenants/")')]);
    });
  });

  describe('init --root', () => {
    it('scaffolds a fleet that adds the root, keeps it in the sync\'s ignore and in .gitattributes', () => {
      const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-flux-init-'));
      const { io, sink } = captureCli();
      expect(runInit(['fleet', '--root', 'tenants', '--root', 'platform'], sink, parent), io.err).toBe(0);
      const tree = readTree(path.join(parent, 'fleet'));
      expect(tree['src/main.ts']).toContain("  const repo = new GitOpsRepo({ rootDir });\n  repo.addRoot('tenants');");
      expect(tree['src/main.ts']).toContain("  repo.addRoot('platform');");
      expect(tree['src/main.ts']).toContain("ignore: '/*\\n!/clusters/\\n!/infrastructure/\\n!/apps/\\n!/tenants/\\n!/platform/\\n'");
      expect(tree['.gitattributes']).toContain('tenants/** text eol=lf\nplatform/** text eol=lf\n');
    });

    it('refuses a root that is not a name, one every fleet has, or a reserved one', () => {
      for (const [root, said] of [['Tenants', 'is not a directory name'], ['apps', 'is a root of every fleet already'], ['src', 'is reserved']]) {
        const { io, sink } = captureCli();
        expect(runInit([path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-flux-init-')), 'x'), '--root', root], sink)).toBe(2);
        expect(io.err).toContain(`--root "${root}": ${said}`);
      }
    });
  });

  it('the README example runs and writes the root', () => {
    const text = readme();
    const { root, status, output } = runReadmeExample(text.slice(text.indexOf('### Roots of your own')));
    expect(status, output).toBe(0);
    expect(Object.keys(readTree(root))).toEqual(expect.arrayContaining(['tenants/base/dev-team/rbac.yaml', 'tenants/base/dev-team/kustomization.yaml']));
  });
});

