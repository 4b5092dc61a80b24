import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FleetTesting } from '../src/testing';
import { readTree } from './helpers';
import { installOffline, packedTarball, writeOfflineLockfile } from './support/packed-tarball';

/** The apparent size of every file below `dir` (symbolic links not followed). */
function bytesUnder(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += bytesUnder(p);
    else if (e.isFile()) total += fs.statSync(p).size;
  }
  return total;
}

// What a platform team gets from `npm install cdk8s-flux`: the packed tarball, installed into a
// fresh project offline (from the npm cache that `npm ci` filled), used with plain node.
describe('the packed package', () => {
  it('ships the compiled library, its CRDs and the init templates, and nothing of the example fleet or the tests', () => {
    const { files } = packedTarball();
    expect(files).toEqual(expect.arrayContaining([
      'package.json', 'README.md', 'lib/index.js', 'lib/index.d.ts', 'lib/cli/bin.js', 'lib/cli/register-ts.js', 'lib/cli/code-cache.js', 'lib/core/staging-worker.js',
      'crds/source-controller.yaml', 'crds/LICENSE', 'templates/init/src/main.ts', 'templates/init/gitignore', 'templates/init/gitattributes',
    ]));
    const unexpected = files.filter(f => !/^(lib\/.*\.(js|d\.ts)|crds\/.*|templates\/init\/.*|package\.json|README\.md)$/.test(f));
    expect(unexpected).toEqual([]);
    for (const absent of ['lib/example-fleet/', 'lib/main.', 'lib/bench', 'src/', 'test/', 'clusters/', 'infrastructure/', 'sealed-secrets/', 'docs/']) {
      expect(files.filter(f => f.startsWith(absent)), absent).toEqual([]);
    }
    expect(files.filter(f => f.endsWith('.map'))).toEqual([]);
  });

  it('installs offline into a fresh project, where plain node synthesizes a fleet and the bin runs it', () => {
    const { file } = packedTarball();
    const project = FleetTesting.tempDir();
    // what a fleet made by `init` installs (its dev tools included), and not the bootstrap's optional peers
    const ours = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({
      name: 'fleet', version: '1.0.0', private: true, dependencies: { 'cdk8s-flux': `file:${file}` },
      devDependencies: Object.fromEntries(['@types/node', 'tsx', 'typescript', 'vitest'].map(n => [n, ours.devDependencies[n]])),
    }, null, 2));
    writeOfflineLockfile(project, file);
    const install = installOffline(project);
    expect(install.status, install.stderr).toBe(0);

    // a light install: no cdktf, at most 150 MB (with cdktf and its providers it was 302 MB), and
    // loading the library loads none of it
    expect(fs.existsSync(path.join(project, 'node_modules/cdktf'))).toBe(false);
    expect(fs.existsSync(path.join(project, 'node_modules/@cdktf'))).toBe(false);
    const mib = bytesUnder(path.join(project, 'node_modules')) / 2 ** 20;
    console.log(`a fleet's node_modules without the bootstrap peers: ${mib.toFixed(1)} MiB`);
    expect(mib).toBeLessThanOrEqual(150);
    const loaded = spawnSync(process.execPath, ['-e', "require('cdk8s-flux'); const ms = Object.keys(require.cache); console.log(JSON.stringify({ all: ms.length, cdktf: ms.filter(m => /[\\/]node_modules[\\/](cdktf|@cdktf)[\\/]/.test(m)).length }))"], { cwd: project, encoding: 'utf8' });
    expect(JSON.parse(loaded.stdout)).toMatchObject({ cdktf: 0 });
    // the bootstrap entry point says what to install
    const bootstrap = spawnSync(process.execPath, ['-e', "require('cdk8s-flux/bootstrap')"], { cwd: project, encoding: 'utf8' });
    expect(bootstrap.status).not.toBe(0);
    expect(bootstrap.stderr).toContain('cdk8s-flux/bootstrap needs cdktf, @cdktf/provider-kubernetes, @cdktf/provider-helm, which are optional peer dependencies of cdk8s-flux');
    expect(bootstrap.stderr).toContain('npm install --save-dev cdktf@^0.21.0 @cdktf/provider-kubernetes@^12.1.1 @cdktf/provider-helm@^12.1.2');

    fs.writeFileSync(path.join(project, 'fleet.js'), `
const { GitOpsRepo, GitRepository, HelmRelease, HelmRepository, Kustomization, LayoutDirectory, ManifestFile, runCli } = require('cdk8s-flux');
function createFleet() {
  const repo = new GitOpsRepo({ rootDir: __dirname });
  const cluster = new LayoutDirectory(repo.clusters, 'cluster-dev');
  const sync = new ManifestFile(new LayoutDirectory(cluster, 'flux-system'), 'gotk-sync');
  const self = new GitRepository(sync, 'repository', {
    metadata: { name: 'flux-system', namespace: 'flux-system' }, url: 'https://github.com/org/fleet', ref: { branch: 'main' },
    ignore: '/*\\n!/clusters/\\n!/infrastructure/\\n',
  });
  new Kustomization(sync, 'sync', { metadata: { name: 'flux-system', namespace: 'flux-system' }, sourceRef: self, path: cluster });
  const base = new LayoutDirectory(repo.infrastructure, 'base');
  const charts = new HelmRepository(new ManifestFile(base, 'repository'), 'repository', {
    metadata: { name: 'podinfo', namespace: 'flux-system' }, url: 'https://stefanprodan.github.io/podinfo',
  });
  new HelmRelease(new ManifestFile(base, 'release'), 'release', {
    metadata: { name: 'podinfo', namespace: 'flux-system' }, chart: { repository: charts, name: 'podinfo', version: '6.x' },
    upgrade: { remediation: { retries: 3 } },
  });
  new Kustomization(new ManifestFile(cluster, 'infrastructure'), 'infrastructure', {
    metadata: { name: 'infrastructure', namespace: 'flux-system' }, sourceRef: self, path: base,
  });
  repo.addEnvironment({ name: 'development', cluster: 'cluster-dev' }, cluster);
  return repo;
}
process.exitCode = runCli(createFleet, process.argv.slice(2));
`);
    const node = (args: string[]) => spawnSync(process.execPath, args, { cwd: project, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    const synth = node(['fleet.js']); // CI=true: also validated against the CRDs shipped in the package
    expect(synth.status, synth.stderr).toBe(0);
    expect(Object.keys(readTree(path.join(project, 'clusters'))).sort()).toEqual([
      'cluster-dev/flux-system/gotk-sync.yaml', 'cluster-dev/flux-system/kustomization.yaml', 'cluster-dev/infrastructure.yaml', 'cluster-dev/kustomization.yaml',
    ]);
    const release = fs.readFileSync(path.join(project, 'infrastructure/base/release.yaml'), 'utf8');
    expect(release).toContain('apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\n');
    expect(release).toContain('sourceRef:\n        kind: HelmRepository\n        name: podinfo\n');

    // the installed bin runs cdk8s.yaml's app with the command appended
    fs.writeFileSync(path.join(project, 'cdk8s.yaml'), 'app: node fleet.js\n');
    const bin = path.join(project, 'node_modules/.bin/cdk8s-flux');
    const check = spawnSync(bin, ['synth', '--check'], { cwd: project, encoding: 'utf8', env: { ...process.env, CI: '' } });
    expect(check.stdout + check.stderr).toContain('Layout is up to date (');
    expect(check.status).toBe(0);
    const graph = spawnSync(bin, ['graph'], { cwd: project, encoding: 'utf8' });
    expect(graph.status, graph.stderr).toBe(0);
    expect(fs.readFileSync(path.join(project, 'docs/fleet-development.md'), 'utf8')).toContain('HelmRelease_flux_system_podinfo -->|source| HelmRepository_flux_system_podinfo');
    const help = spawnSync(bin, ['--help'], { cwd: project, encoding: 'utf8' });
    expect(help.stdout).toContain('Usage: cdk8s-flux <command>');

    // the declared types resolve through package.json "exports"
    const exportsMap = JSON.parse(fs.readFileSync(path.join(project, 'node_modules/cdk8s-flux/package.json'), 'utf8')).exports;
    expect(fs.readFileSync(path.join(project, 'node_modules/cdk8s-flux', exportsMap['.'].types), 'utf8')).toContain("from './cli/run-cli';");
    // test helpers are a subpath of their own, and internals are not exported
    expect(fs.readFileSync(path.join(project, 'node_modules/cdk8s-flux', exportsMap['./testing'].types), 'utf8')).toContain('FleetTesting');
    const api = spawnSync(process.execPath, ['-e', "const m = require('cdk8s-flux'); const t = require('cdk8s-flux/testing'); console.log(JSON.stringify([typeof m.GitOpsRepo, typeof m.strategicMerge, typeof m.FleetTesting, typeof t.FleetTesting, typeof t.renderEquivalence]))"], { cwd: project, encoding: 'utf8' });
    expect(JSON.parse(api.stdout)).toEqual(['function', 'undefined', 'undefined', 'function', 'function']);
  });
});
