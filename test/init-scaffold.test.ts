import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FleetTesting } from '../src/testing';
import { runInit } from '../src/cli/init';
import { readTree } from './helpers';
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
      '.gitattributes', '.gitignore', 'README.md', 'cdk8s.yaml', 'package.json', 'src/main.ts', 'test/__snapshots__/main.test.ts.snap', 'test/main.test.ts', 'tsconfig.json',
    ]);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    expect(manifest.name).toBe('my-fleet');
    expect(manifest.dependencies['cdk8s-flux']).toBe(`file:${file}`);
    expect(manifest.scripts.synth).toBe('cdk8s-flux synth');

    writeOfflineLockfile(dir, file);
    const install = installOffline(dir);
    expect(install.status, install.stderr).toBe(0);
    // CI=true: vitest compares with the shipped snapshot instead of writing one
    const test = npm(['test'], dir, { CI: 'true' });
    expect(test.status, `${test.stdout}\n${test.stderr}\nIf the template fleet changed on purpose, regenerate its snapshot: ` +
      `cd ${dir} && npx vitest run -u && cp test/__snapshots__/main.test.ts.snap ${PROJECT_ROOT}/templates/init/test/__snapshots__/`).toBe(0);
    expect(test.stdout).toMatch(/1 passed/);

    // the installed bin runs the scaffold's app: synth writes the layout, graph draws it
    const synth = npm(['run', 'synth'], dir, { CI: '' });
    expect(synth.status, synth.stderr).toBe(0);
    expect(Object.keys(readTree(dir))).toEqual(expect.arrayContaining([
      'clusters/cluster-dev/flux-system/gotk-sync.yaml', 'clusters/cluster-dev/infrastructure.yaml', 'infrastructure/base/podinfo/release.yaml',
      'infrastructure/overlays/development/podinfo-patch.yaml',
    ]));
    expect(npm(['run', 'graph'], dir).status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'docs/fleet-development.md'), 'utf8')).toContain('HelmRelease_flux_system_podinfo -->|source| HelmRepository_flux_system_podinfo');
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
