import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as kplus from 'cdk8s-plus-27';
import { describe, expect, it } from 'vitest';
import { createExampleFleet } from '../src/example-fleet';
import { GENERATED_MARKER, GitOpsRepo, LayoutDirectory, LayoutWriteError, ManifestFile } from '../src';
import { planLayout, recoverTransaction, TRANSACTION_DIR } from '../src/core/tree-writer';
import { FleetTesting } from '../src/testing';
import { writeLayout } from '../src/core/tree-writer';
import { readTree, writeFile } from './helpers';

const PROJECT_ROOT = path.resolve(__dirname, '..');
const TSX = path.join(PROJECT_ROOT, 'node_modules/.bin/tsx');
const ROOTS = GitOpsRepo.MANAGED_ROOTS;
const gen = (body: string) => `${GENERATED_MARKER}\n${body}\n`;
const visible = (root: string) => Object.fromEntries(Object.entries(readTree(root)).filter(([p]) => !p.startsWith('.cdk8s-flux/')));

describe('writer hardening', () => {
  it('never follows a symlinked top-level directory: no pruning through it, and a conflict instead of writing into it', () => {
    const root = FleetTesting.tempDir();
    const outside = FleetTesting.tempDir();
    writeFile(outside, 'a/x.yaml', gen('kind: Outside'));
    fs.symlinkSync(outside, path.join(root, 'apps'));

    writeLayout(root, new Map([['clusters/c/x.yaml', gen('kind: A')]]), ROOTS);
    expect(readTree(outside)).toEqual({ 'a/x.yaml': gen('kind: Outside') });

    expect(() => writeLayout(root, new Map([['apps/a/y.yaml', gen('kind: B')]]), ROOTS)).toThrowError(/Refusing to write[\s\S]*apps\/a\/y.yaml/);
    expect(readTree(outside)).toEqual({ 'a/x.yaml': gen('kind: Outside') });
  });

  it('lets a generated file become a generated directory and back (the old one is pruned first)', () => {
    const root = FleetTesting.tempDir();
    writeLayout(root, new Map([['apps/x', gen('kind: File')]]), ROOTS);
    writeLayout(root, new Map([['apps/x/inner.yaml', gen('kind: Inside')]]), ROOTS);
    expect(readTree(root)).toEqual({ 'apps/x/inner.yaml': gen('kind: Inside') });
    writeLayout(root, new Map([['apps/x', gen('kind: File')]]), ROOTS);
    expect(readTree(root)).toEqual({ 'apps/x': gen('kind: File') });
  });

  it('does not replace a directory that holds a hand-written file', () => {
    const root = FleetTesting.tempDir();
    writeFile(root, 'apps/x/notes.txt', 'mine\n');
    expect(planLayout(root, new Map([['apps/x', gen('kind: File')]]), ROOTS).conflicts).toEqual(['apps/x']);
  });

  it('quotes scalars that YAML 1.1 readers (kubectl, kustomize, Helm) would turn into booleans or numbers', () => {
    const repo = FleetTesting.repo();
    new kplus.ConfigMap(new ManifestFile(new LayoutDirectory(repo.apps, 'demo'), 'config'), 'cm', {
      metadata: { name: 'cfg', namespace: 'default', labels: { enabled: 'on' } },
      data: { a: 'yes', b: 'off', c: '1_000', d: 'y', e: '2024-01-01' },
    });
    const content = FleetTesting.synth(repo)['apps/demo/config.yaml'];
    for (const line of ['enabled: "on"', 'a: "yes"', 'b: "off"', 'c: "1_000"', 'd: "y"', 'e: "2024-01-01"']) expect(content).toContain(line);
  });

  it('refuses to write while another live synth holds the lock, and takes over a stale lock', () => {
    const root = FleetTesting.tempDir();
    writeFile(root, '.cdk8s-flux/lock', String(process.pid));
    expect(() => writeLayout(root, new Map([['apps/x.yaml', gen('a')]]), ROOTS))
      .toThrowError('Another synth (process ' + process.pid + ') is writing this repository. Wait for it to finish; if no synth is running, delete .cdk8s-flux/lock.');
    expect(readTree(root)['apps/x.yaml']).toBeUndefined();

    const dead = spawnSync('node', ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    fs.writeFileSync(path.join(root, '.cdk8s-flux/lock'), dead.stdout);
    writeLayout(root, new Map([['apps/x.yaml', gen('a')]]), ROOTS);
    expect(readTree(root)).toEqual({ 'apps/x.yaml': gen('a') });
  });

  it('on recovery, leaves alone a hand-written file that appeared where an interrupted synth was writing', () => {
    const root = FleetTesting.tempDir();
    writeFile(root, 'apps/README.md', 'mine\n'); // apps/ exists: its new files are moved one by one
    const files = new Map([['apps/a.yaml', gen('new a')], ['apps/b.yaml', gen('new b')]]);
    expect(() => writeLayout(root, files, ROOTS, { beforeApply: i => { if (i === 1) throw new Error('killed'); } })).toThrow('killed');
    fs.writeFileSync(path.join(root, 'apps/b.yaml'), 'hand-written\n');
    expect(() => recoverTransaction(root)).toThrowError(LayoutWriteError);
    expect(() => recoverTransaction(root)).toThrowError(
      `An interrupted synth left a transaction in ${TRANSACTION_DIR}/ that cannot be finished: apps/b.yaml now holds something cdk8s-flux did not generate; it was left alone\n` +
      `Delete ${TRANSACTION_DIR}/ and run the synth again: it rewrites every generated file from the fleet code.`,
    );
    expect(fs.readFileSync(path.join(root, 'apps/b.yaml'), 'utf8')).toBe('hand-written\n');
  });

  it('on recovery, detects a staged file that was lost instead of assuming it was moved', () => {
    const root = FleetTesting.tempDir();
    writeFile(root, 'apps/README.md', 'mine\n');
    const files = new Map([['apps/a.yaml', gen('new a')], ['apps/b.yaml', gen('new b')]]);
    expect(() => writeLayout(root, files, ROOTS, { beforeApply: i => { if (i === 0) throw new Error('killed'); } })).toThrow('killed');
    fs.rmSync(path.join(root, TRANSACTION_DIR, 'staged', 'apps', 'b.yaml'));
    expect(() => recoverTransaction(root)).toThrowError(/the staged copy of apps\/b.yaml is missing and apps\/b.yaml does not hold the new content/);
  });

  it('moves each new directory into place with one rename, and files into existing directories one by one', () => {
    const root = FleetTesting.tempDir();
    writeLayout(root, new Map([['apps/old/x.yaml', gen('v1')]]), ROOTS);
    const files = new Map([
      ['apps/new/a.yaml', gen('a')], ['apps/new/sub/b.yaml', gen('b')], ['apps/old/x.yaml', gen('v2')], ['apps/old/y.yaml', gen('y')], ['clusters/c/k.yaml', gen('k')],
    ]);
    const steps: number[] = [];
    writeLayout(root, files, ROOTS, { beforeApply: i => steps.push(i) });
    expect(steps).toEqual([0, 1, 2, 3]); // apps/new/ and clusters/ whole, then apps/old/x.yaml and apps/old/y.yaml
    expect(readTree(root)).toEqual(Object.fromEntries(files));
  });

  it('on recovery, checks every file of a directory an interrupted synth moved whole', () => {
    const files = new Map([['apps/new/a.yaml', gen('a')], ['apps/new/b.yaml', gen('b')], ['clusters/c/k.yaml', gen('k')]]);
    const killedAfterFirstDirectory = () => {
      const root = FleetTesting.tempDir();
      expect(() => writeLayout(root, files, ROOTS, { beforeApply: i => { if (i === 1) throw new Error('killed'); } })).toThrow('killed');
      expect(visible(root)).toEqual({ 'apps/new/a.yaml': gen('a'), 'apps/new/b.yaml': gen('b') });
      return root;
    };
    const root = killedAfterFirstDirectory();
    expect(recoverTransaction(root)).toBe(true);
    expect(readTree(root)).toEqual(Object.fromEntries(files));

    const tampered = killedAfterFirstDirectory();
    fs.writeFileSync(path.join(tampered, 'apps/new/b.yaml'), gen('edited'));
    expect(() => recoverTransaction(tampered)).toThrowError(/the staged copy of apps\/new\/b.yaml is missing and apps\/new\/b.yaml does not hold the new content/);
  });

  it('on recovery, moves files one by one into a directory made by hand where a new directory was to go', () => {
    const root = FleetTesting.tempDir();
    const files = new Map([['clusters/c/k.yaml', gen('k')], ['clusters/c/l.yaml', gen('l')]]);
    expect(() => writeLayout(root, files, ROOTS, { beforeApply: () => { throw new Error('killed'); } })).toThrow('killed');
    writeFile(root, 'clusters/c/NOTES.md', 'mine\n');
    expect(recoverTransaction(root)).toBe(true);
    expect(readTree(root)).toEqual({ ...Object.fromEntries(files), 'clusters/c/NOTES.md': 'mine\n' });
  });
});

describe('a real SIGKILL during synth', () => {
  const expected = FleetTesting.synth(createExampleFleet());
  // node itself runs the script (tsx only as a loader), so the SIGKILL hits the process we observe
  const killAt = (root: string, point: string) => spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures/killed-synth.ts'), root, point], {
    cwd: PROJECT_ROOT, encoding: 'utf8',
  });

  it('before the commit point: the previous tree is intact, and the next synth completes', () => {
    const root = FleetTesting.tempDir();
    writeFile(root, 'clusters/keep.md', 'hand-written\n');
    const result = killAt(root, 'staged');
    expect(result.signal).toBe('SIGKILL');
    expect(visible(root)).toEqual({ 'clusters/keep.md': 'hand-written\n' });
    createExampleFleet({ rootDir: root }).write();
    expect(readTree(root)).toEqual({ ...expected, 'clusters/keep.md': 'hand-written\n' });
  });

  it('after the commit point: check reports the pending transaction, and the next synth finishes it exactly', () => {
    const root = FleetTesting.tempDir();
    const result = killAt(root, 'apply');
    expect(result.signal).toBe('SIGKILL');
    const check = createExampleFleet({ rootDir: root }).check();
    expect(check.plan.pendingTransaction).toBe(true);
    expect(check.diff).toContain('pending: an interrupted synth left a committed transaction');
    createExampleFleet({ rootDir: root }).write();
    expect(readTree(root)).toEqual(expected);
  });
});

describe('determinism across processes', () => {
  it('is byte-identical whatever the locale, time zone and working directory', () => {
    const run = (env: Record<string, string>, cwd: string) => {
      const root = FleetTesting.tempDir();
      const r = spawnSync(TSX, [path.join(PROJECT_ROOT, 'src/main.ts')], {
        cwd, encoding: 'utf8', env: { ...process.env, ...env, CDK8S_FLUX_ROOT_DIR: root },
      });
      expect(r.status, r.stderr).toBe(0);
      return readTree(root);
    };
    const a = run({ TZ: 'UTC', LANG: 'C', LC_ALL: 'C' }, PROJECT_ROOT);
    const b = run({ TZ: 'Asia/Shanghai', LANG: 'tr_TR.UTF-8', LC_ALL: 'tr_TR.UTF-8' }, FleetTesting.tempDir());
    expect(b).toEqual(a);
    expect(a).toEqual(FleetTesting.synth(createExampleFleet()));
  });
});
