import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { describe, expect, it } from 'vitest';
import { createExampleFleet } from '../src/example-fleet';
import { FleetValidationError, GENERATED_MARKER, GitOpsRepo, LayoutDirectory, LayoutWriteError, ManifestFile, runSynth } from '../src';
import { recoverTransaction, TRANSACTION_DIR } from '../src/core/tree-writer';
import { FleetTesting } from '../src/testing';
import { readTree, writeFile } from './helpers';

/** A tiny fleet: `infrastructure/base/<name>/config.yaml` with one ConfigMap per given name. */
function smallFleet(rootDir: string, components: string[], value = 'v1'): GitOpsRepo {
  const repo = new GitOpsRepo({ rootDir });
  const base = new LayoutDirectory(repo.infrastructure, 'base');
  for (const name of components) {
    const file = new ManifestFile(new LayoutDirectory(base, name), 'config');
    new kplus.ConfigMap(file, 'cm', { metadata: { name, namespace: 'default' }, data: { value } });
  }
  return repo;
}

function captureIo() {
  const io = { stdout: '', stderr: '' };
  return { io, sink: { out: (t: string) => { io.stdout += t; }, err: (t: string) => { io.stderr += t; }, env: {} } };
}

describe('determinism', () => {
  it('two synths of the example fleet into two directories are byte-for-byte identical', () => {
    const a = FleetTesting.tempDir();
    const b = FleetTesting.tempDir();
    createExampleFleet({ rootDir: a }).write();
    createExampleFleet({ rootDir: b }).write();
    const treeA = readTree(a);
    expect(Object.keys(treeA).length).toBeGreaterThan(40);
    expect(readTree(b)).toEqual(treeA);
  });

  it('writes LF line endings, exactly one final newline and the generated marker first', () => {
    for (const [p, content] of Object.entries(FleetTesting.synth(createExampleFleet()))) {
      expect(content, p).not.toContain('\r');
      expect(content.endsWith('\n') && !content.endsWith('\n\n'), p).toBe(true);
      expect(content.startsWith(`${GENERATED_MARKER}\n`), p).toBe(true);
    }
  });

  it('orders keys apiVersion, kind, metadata (name, namespace first), spec, then the rest, whatever order code used', () => {
    const repo = FleetTesting.repo();
    const file = new ManifestFile(new LayoutDirectory(repo.apps, 'demo'), 'object');
    new ApiObject(file, 'obj', {
      zeta: 1,
      spec: { b: 1, a: { d: 1, c: 2 } },
      kind: 'Thing',
      apiVersion: 'example.com/v1',
      metadata: { labels: { z: '1', a: '2' }, namespace: 'ns', name: 'thing' },
      alpha: true,
    });
    const [doc] = FleetTesting.synthDocuments(repo)['apps/demo/object.yaml'];
    expect(Object.keys(doc)).toEqual(['apiVersion', 'kind', 'metadata', 'spec', 'alpha', 'zeta']);
    expect(Object.keys(doc.metadata)).toEqual(['name', 'namespace', 'labels']);
    expect(Object.keys(doc.metadata.labels)).toEqual(['a', 'z']);
    expect(Object.keys(doc.spec)).toEqual(['a', 'b']);
    expect(Object.keys(doc.spec.a)).toEqual(['c', 'd']);
  });

  it('lists kustomization resources in sorted order regardless of definition order', () => {
    const repo = smallFleet(FleetTesting.tempDir(), ['zeta', 'alpha', 'mid']);
    expect(FleetTesting.synthDocuments(repo)['infrastructure/base/kustomization.yaml'][0].resources)
      .toEqual(['alpha', 'mid', 'zeta']);
  });
});

describe('pruning', () => {
  it('removes files it generated earlier that are no longer produced, and the directories they leave empty', () => {
    const root = FleetTesting.tempDir();
    smallFleet(root, ['a', 'b']).write();
    expect(fs.existsSync(path.join(root, 'infrastructure/base/b/config.yaml'))).toBe(true);

    const plan = smallFleet(root, ['a']).write();
    expect(plan.deletes.map(d => d.path)).toEqual(['infrastructure/base/b/config.yaml', 'infrastructure/base/b/kustomization.yaml']);
    expect(fs.existsSync(path.join(root, 'infrastructure/base/b'))).toBe(false);
    expect(Object.keys(readTree(root)).sort()).toEqual([
      'infrastructure/base/a/config.yaml', 'infrastructure/base/a/kustomization.yaml', 'infrastructure/base/kustomization.yaml',
    ]);
  });

  it('never touches files it did not generate, even inside generated directories', () => {
    const root = FleetTesting.tempDir();
    writeFile(root, 'infrastructure/base/b/NOTES.md', 'hand-written\n');
    writeFile(root, 'clusters/README.md', 'hand-written\n');
    writeFile(root, 'docs/other.yaml', 'kind: Anything\n');
    smallFleet(root, ['a', 'b']).write();
    smallFleet(root, ['a']).write();
    const tree = readTree(root);
    expect(tree['infrastructure/base/b/NOTES.md']).toBe('hand-written\n');
    expect(tree['clusters/README.md']).toBe('hand-written\n');
    expect(tree['docs/other.yaml']).toBe('kind: Anything\n');
    expect(tree['infrastructure/base/b/config.yaml']).toBeUndefined();
  });

  it('refuses to overwrite a hand-written file at a generated path, before writing anything', () => {
    const root = FleetTesting.tempDir();
    writeFile(root, 'infrastructure/base/b/config.yaml', 'apiVersion: v1\nkind: ConfigMap\n');
    const before = readTree(root);
    expect(() => smallFleet(root, ['a', 'b']).write()).toThrowError(LayoutWriteError);
    expect(() => smallFleet(root, ['a', 'b']).write()).toThrowError(
      /Refusing to write: this path holds something cdk8s-flux did not generate[\s\S]*infrastructure\/base\/b\/config.yaml[\s\S]*Nothing was written/,
    );
    expect(readTree(root)).toEqual(before);
  });
});

describe('atomicity', () => {
  it('a fleet that fails validation writes nothing and leaves the previous tree intact', () => {
    const root = FleetTesting.tempDir();
    smallFleet(root, ['a']).write();
    const before = readTree(root);
    const broken = smallFleet(root, ['a', 'b'], 'v2');
    new LayoutDirectory(broken.infrastructure, 'Bad_Name');
    expect(() => broken.write()).toThrowError(FleetValidationError);
    expect(readTree(root)).toEqual(before);
  });

  it('a synth that fails after staging, before its commit point, leaves the previous tree and frees its staging area', () => {
    const root = FleetTesting.tempDir();
    smallFleet(root, ['a']).write();
    const before = readTree(root);
    expect(() => smallFleet(root, ['a', 'b'], 'v2').write({ afterStaged: () => { throw new Error('killed'); } })).toThrow('killed');
    const visible = Object.fromEntries(Object.entries(readTree(root)).filter(([p]) => !p.startsWith('.cdk8s-flux/')));
    expect(visible).toEqual(before);
    expect(smallFleet(root, ['a']).check().clean).toBe(true);
    // (a SIGKILL leaves it behind, for the next run to discard: test/layout-writer-hardening.test.ts)
    expect(fs.existsSync(path.join(root, TRANSACTION_DIR))).toBe(false);
    expect(recoverTransaction(root)).toBe(false);
  });

  it('a synth killed after its commit point is finished by the next run, giving exactly the new tree', () => {
    const root = FleetTesting.tempDir();
    smallFleet(root, ['a', 'c']).write();
    const target = FleetTesting.tempDir();
    smallFleet(target, ['a', 'b'], 'v2').write();

    expect(() => smallFleet(root, ['a', 'b'], 'v2').write({
      beforeApply: i => { if (i === 1) throw new Error('killed'); },
    })).toThrow('killed');
    const interrupted = smallFleet(root, ['a', 'b'], 'v2').check();
    expect(interrupted.clean).toBe(false);
    expect(interrupted.plan.pendingTransaction).toBe(true);

    smallFleet(root, ['a', 'b'], 'v2').write();
    expect(readTree(root)).toEqual(readTree(target));
  });
});

describe('check mode', () => {
  it('exits 0 and writes nothing when the tree matches a fresh synth', () => {
    const root = FleetTesting.tempDir();
    smallFleet(root, ['a']).write();
    const before = readTree(root);
    const { io, sink } = captureIo();
    expect(runSynth(smallFleet(root, ['a']), ['--check'], sink)).toBe(0);
    expect(io.stdout).toContain('Layout is up to date');
    expect(readTree(root)).toEqual(before);
  });

  it('exits 1 with a unified diff of changed, added and removed files, writing nothing', () => {
    const root = FleetTesting.tempDir();
    smallFleet(root, ['a', 'b']).write();
    const before = readTree(root);
    const { io, sink } = captureIo();
    expect(runSynth(smallFleet(root, ['a', 'c'], 'v2'), ['--check'], sink)).toBe(1);
    expect(readTree(root)).toEqual(before);
    expect(io.stdout).toContain('--- a/infrastructure/base/a/config.yaml\n+++ b/infrastructure/base/a/config.yaml\n');
    expect(io.stdout).toContain('-  value: v1\n+  value: v2\n');
    expect(io.stdout).toContain('--- /dev/null\n+++ b/infrastructure/base/c/config.yaml\n');
    expect(io.stdout).toContain('--- a/infrastructure/base/b/config.yaml\n+++ /dev/null\n');
    expect(io.stderr).toContain('The committed layout differs from a fresh synth: 4 to write, 2 to remove, 0 in conflict');
  });

  it('detects a hand edit of a generated file', () => {
    const root = FleetTesting.tempDir();
    smallFleet(root, ['a']).write();
    const file = path.join(root, 'infrastructure/base/a/config.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('value: v1', 'value: edited'));
    const { io, sink } = captureIo();
    expect(runSynth(smallFleet(root, ['a']), ['--check'], sink)).toBe(1);
    expect(io.stdout).toContain('-  value: edited\n+  value: v1\n');
  });
});

describe('synth command', () => {
  it('prints help and rejects unknown arguments', () => {
    const repo = smallFleet(FleetTesting.tempDir(), ['a']);
    const help = captureIo();
    expect(runSynth(repo, ['--help'], help.sink)).toBe(0);
    expect(help.io.stdout).toContain('--check');
    const bad = captureIo();
    expect(runSynth(repo, ['--chek'], bad.sink)).toBe(2);
    expect(bad.io.stderr).toContain('synth: unknown option --chek (did you mean --check?)');
  });

  it('reports every validation problem at once with exit code 1 (findings) and no stack trace', () => {
    const root = FleetTesting.tempDir();
    const repo = smallFleet(root, ['a']);
    new LayoutDirectory(repo.infrastructure, 'Bad_One');
    new ManifestFile(new LayoutDirectory(repo.apps, 'x'), 'Bad File');
    const { io, sink } = captureIo();
    expect(runSynth(repo, [], sink)).toBe(1);
    expect(io.stderr).toContain('The fleet has 2 problems; nothing was written:');
    expect(io.stderr).toContain('[infrastructure/Bad_One] dirName "Bad_One" is not a valid directory name');
    expect(io.stderr).toContain('[apps/x/Bad File] fileName "Bad File.yaml" is not a valid file name');
    expect(io.stderr).not.toMatch(/\n\s+at /);
    expect(readTree(root)).toEqual({});
  });
});
