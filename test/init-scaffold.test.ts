import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { FleetTesting } from '../src/testing';
import { runInit } from '../src/cli/init';
import { readme, readTree } from './helpers';
import { parseSpec } from '../src/cli/args';
import { cliCommands } from '../src/cli/run-cli';
import { installOffline, npm, packedTarball, PROJECT_ROOT, writeOfflineLockfile } from './support/packed-tarball';

function capture() {
  const io = { out: '', err: '' };
  return { io, sink: { out: (t: string) => { io.out += t; }, err: (t: string) => { io.err += t; } } };
}

describe('cdk8s-flux init', () => {
  it('scaffolds a fleet whose own tests pass at once, offline, against the packed package', () => {
    const { file } = packedTarball();
    const parent = FleetTesting.tempDir();
    const { io, sink } = capture();
    expect(runInit(['my-fleet', '--package-spec', `file:${file}`], sink, parent), io.err).toBe(0);
    const dir = path.join(parent, 'my-fleet');
    expect(Object.keys(readTree(dir)).sort()).toEqual([
      '.gitattributes', '.github/workflows/ci.yml', '.gitignore', 'README.md', 'cdk8s.yaml', 'package.json', 'src/main.ts', 'test/main.test.ts', 'tsconfig.json',
    ]);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    expect(manifest.name).toBe('my-fleet');
    expect(manifest.dependencies['cdk8s-flux']).toBe(`file:${file}`);
    expect(manifest.scripts.synth).toBe('cdk8s-flux synth');

    writeOfflineLockfile(dir, file);
    const install = installOffline(dir);
    expect(install.status, install.stderr).toBe(0);

    // the installed bin runs the scaffold's app: synth writes the layout, graph draws it
    const synth = npm(['run', 'synth'], dir, { CI: '' });
    expect(synth.status, synth.stderr).toBe(0);
    expect(Object.keys(readTree(dir))).toEqual(expect.arrayContaining([
      'clusters/cluster-dev/flux-system/gotk-sync.yaml', 'clusters/cluster-dev/infrastructure.yaml', 'infrastructure/base/podinfo/release.yaml',
      'infrastructure/overlays/development/podinfo-patch.yaml',
    ]));
    // the scaffold's test compares a fresh in-memory synth with the committed layout: no YAML stored twice
    const test = npm(['test'], dir, { CI: 'true' });
    expect(test.status, `${test.stdout}\n${test.stderr}`).toBe(0);
    expect(test.stdout).toMatch(/1 passed/);
    const release = path.join(dir, 'infrastructure/base/podinfo/release.yaml');
    fs.writeFileSync(release, fs.readFileSync(release, 'utf8').replace('replicaCount: 1', 'replicaCount: 3'));
    const stale = npm(['test'], dir, { CI: 'true' });
    expect(stale.status).not.toBe(0);
    const said = stale.stdout + stale.stderr;
    expect(said).toContain('The committed layout differs from a fresh synth; run `npm run synth` and commit the result:');
    expect(said).toContain('--- a/infrastructure/base/podinfo/release.yaml');
    expect(said).toMatch(/-\s+replicaCount: 3\n\s*\+\s+replicaCount: 1/);
    expect(npm(['run', 'synth'], dir, { CI: '' }).status).toBe(0);

    expect(npm(['run', 'graph'], dir).status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'docs/fleet-development.md'), 'utf8')).toContain('HelmRelease_flux_system_podinfo -->|source| HelmRepository_flux_system_podinfo');
    // what the CI workflow runs works here: synth --check --strict, validate, and the markdown diff needs a git base (tested in diff-base.test.ts)
    expect(npm(['run', 'synth', '--', '--check', '--strict'], dir, { CI: '' }).status).toBe(0);
    expect(npm(['run', 'validate'], dir, { CI: '' }).status).toBe(0);
  });

  it('ships a GitHub Actions workflow: install, npm test, synth --check --strict, validate, and the diff --base markdown posted on pull requests', () => {
    const dir = path.join(FleetTesting.tempDir(), 'fleet');
    expect(runInit([dir], capture().sink)).toBe(0);
    const workflow = parse(fs.readFileSync(path.join(dir, '.github/workflows/ci.yml'), 'utf8'));
    expect(workflow.on).toEqual({ push: { branches: ['main'] }, pull_request: null });
    expect(workflow.permissions).toEqual({ 'contents': 'read', 'pull-requests': 'write' });
    const steps: { uses?: string; run?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, string> }[] = workflow.jobs.fleet.steps;
    expect(steps.find(s => s.uses?.startsWith('actions/checkout@'))!.with).toEqual({ 'fetch-depth': 0 });
    const runs = steps.filter(s => s.run).map(s => s.run!.trim());
    expect(runs.slice(0, 4)).toEqual(['npm ci', 'npm test', 'npm run synth -- --check --strict', 'npm run validate']);
    const diffStep = steps.find(s => s.run?.includes(' diff '))!;
    expect(diffStep.if).toBe("github.event_name == 'pull_request'");
    // the branch name reaches the script through the environment, never interpolated into it (GitHub's hardening advice)
    expect(diffStep.env).toEqual({ BASE_REF: '${{ github.base_ref }}' });
    expect(diffStep.run).toBe('npm run --silent diff -- --base "origin/$BASE_REF" --output markdown > fleet-diff.md');
    expect(steps.filter(s => s.run?.includes('${{')).map(s => s.run)).toEqual([]);
    const post = steps.find(s => s.run?.includes('gh pr comment'))!;
    expect(post.run).toContain('--body-file fleet-diff.md');
    // every command line it runs is accepted by the CLI's own specs, and every script exists in the scaffold
    const scripts = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).scripts;
    for (const run of [...runs, diffStep.run!]) {
      const m = /^npm run (?:--silent )?(\w+)(?: -- (.*?))?(?: >.*)?$/.exec(run.replace(/\$BASE_REF/g, 'main'));
      if (!m) continue;
      expect(scripts[m[1]], m[1]).toBe(`cdk8s-flux ${m[1]}`);
      const spec = cliCommands().find(c => c.name === m[1])!;
      const args = (m[2] ?? '').split(' ').filter(Boolean).map(a => a.replace(/^"|"$/g, ''));
      expect(() => parseSpec(spec, args), run).not.toThrow();
    }
  });

  it('the README\'s first steps install from a packed tarball while the package is unpublished, and say what changes once it is', () => {
    const text = readme();
    const section = text.slice(text.indexOf('## Using it in your own fleet repository'), text.indexOf('### The command line'));
    expect(section).toContain('npm ci && npm pack');
    expect(section).toContain('node lib/cli/bin.js init ../my-fleet --package-spec "file:$PWD/cdk8s-flux-');
    expect(section).toContain('npx cdk8s-flux init my-fleet');
    // the version in the tarball name is this package's
    expect(section).toContain(`cdk8s-flux-${JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')).version}.tgz`);
  });

  it('refuses a directory that is not empty, and says why', () => {
    const dir = FleetTesting.tempDir();
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    const { io, sink } = capture();
    expect(runInit([], sink, dir)).toBe(2);
    expect(io.err).toBe(`${dir} is not empty (notes.txt): init writes only into a new or empty directory, so that it never overwrites your files\n`);
    expect(readTree(dir)).toEqual({ 'notes.txt': 'mine' });
  });

  it('accepts an empty directory with only .git, and names the package after it', () => {
    const parent = FleetTesting.tempDir();
    fs.mkdirSync(path.join(parent, 'Platform Fleet', '.git'), { recursive: true });
    const { io, sink } = capture();
    expect(runInit(['Platform Fleet'], sink, parent), io.err).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(parent, 'Platform Fleet', 'package.json'), 'utf8'));
    expect(manifest.name).toBe('platform-fleet');
    expect(manifest.dependencies['cdk8s-flux']).toMatch(/^\^\d+\.\d+\.\d+/);
    expect(io.out).toContain('  npm install\n');
  });

  it('reports usage errors in one line', () => {
    const { io, sink } = capture();
    expect(runInit(['a', 'b'], sink, FleetTesting.tempDir())).toBe(2);
    expect(runInit(['--name'], sink, FleetTesting.tempDir())).toBe(2);
    expect(runInit(['x', '--name', 'Bad Name'], sink, FleetTesting.tempDir())).toBe(2);
    expect(io.err.trimEnd().split('\n')).toEqual([
      'init: takes at most 1 DIR argument, not 2 ("a" "b") (cdk8s-flux init --help lists the options)',
      'init: --name needs a NAME (--name NAME or --name=NAME) (cdk8s-flux init --help lists the options)',
      '--name "Bad Name" is not a valid npm package name (lowercase letters, digits, \'-\', \'.\', \'_\', \'~\'; optionally @scope/)',
    ]);
  });
});
