import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiObject } from 'cdk8s';
import { createExampleFleet } from '../src/example-fleet';
import { FleetValidationError, GENERATED_MARKER, GitOpsRepo, GitRepository, Kustomization, LayoutDirectory, LayoutWriteError, ManifestFile, WriteHooks } from '../src';
import { readLayoutCache, stampOf } from '../src/core/layout-cache';
import { openLayoutWrite, TRANSACTION_DIR, writeLayout } from '../src/core/tree-writer';
import { STAGING_WORKER_MIN_FILES } from '../src/core/staging';
import { FleetTesting } from '../src/testing';
import { readTree, stateLeft } from './helpers';

const ROOTS = GitOpsRepo.MANAGED_ROOTS;
const gen = (body: string) => `${GENERATED_MARKER}\n${body}\n`;
const visible = (root: string) => Object.fromEntries(Object.entries(readTree(root)).filter(([p]) => !p.startsWith('.cdk8s-flux/')));

/** The example fleet plus a flattened overlay (whose files are rendered only once its build is known, not streamed). */
function fleet(rootDir: string, replicas = 1): GitOpsRepo {
  const repo = createExampleFleet({ rootDir });
  const base = new LayoutDirectory(repo.apps, 'staging-base');
  new ApiObject(new ManifestFile(base, 'config'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web', namespace: 'default' }, data: { replicas: String(replicas) } });
  const overlay = new LayoutDirectory(repo.apps, 'staging-flat', { flatten: true });
  overlay.addResource(base);
  const cluster = new LayoutDirectory(repo.clusters, 'flat');
  const sync = new ManifestFile(new LayoutDirectory(cluster, 'flux-system'), 'gotk-sync');
  const git = new GitRepository(sync, 'repo', { metadata: { name: 'flux-system', namespace: 'flux-system' }, url: 'https://github.com/org/fleet', ref: { branch: 'main' } });
  new Kustomization(sync, 'sync', { metadata: { name: 'flux-system', namespace: 'flux-system' }, sourceRef: git, path: cluster });
  new Kustomization(new ManifestFile(cluster, 'apps'), 'apps', { metadata: { name: 'apps', namespace: 'flux-system' }, sourceRef: git, path: overlay });
  return repo;
}

describe('staging on a worker thread while the fleet is checked', () => {
  it('writes what inline staging writes, with a layout cache that vouches for every file', () => {
    const trees = [true, false].map(inWorker => {
      const root = FleetTesting.tempDir();
      const plan = fleet(root).write({ stageInWorker: inWorker });
      expect(plan.writes.length).toBeGreaterThan(100);
      expect(stateLeft(root)).toEqual([]); // no transaction, no lock left
      // the worker's stamps (taken when it wrote each file) are the files' stamps now: a re-synth reads none of them
      const cache = readLayoutCache(root)!;
      expect(cache.size).toBe(plan.writes.length);
      for (const [p, entry] of cache) expect(entry.stamp, p).toBe(stampOf(fs.lstatSync(path.join(root, p))));
      const again = fleet(root).write({ stageInWorker: inWorker });
      expect(again.writes).toEqual([]);
      expect(again.unchanged).toBe(plan.writes.length);
      return visible(root);
    });
    expect(trees[0]).toEqual(trees[1]);
    expect(trees[0]['apps/staging-flat/config.yaml']).toContain('replicas: "1"'); // the flattened copy, staged at the end
  });

  it('a fleet whose checks fail after its files were staged writes nothing, leaves no staging behind and frees the lock', () => {
    for (const inWorker of [true, false]) {
      const root = FleetTesting.tempDir();
      fleet(root).write();
      const before = visible(root);
      const broken = fleet(root, 2);
      // a problem only the model finds, after every file was rendered: the same object twice in one build
      const base = broken.node.findAll().find((c): c is LayoutDirectory => LayoutDirectory.isLayoutDirectory(c) && c.repoPath === 'apps/staging-base')!;
      new ApiObject(new ManifestFile(base, 'again'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web', namespace: 'default' } });
      const hooks: WriteHooks = { stageInWorker: inWorker };
      expect(() => broken.write(hooks)).toThrow(FleetValidationError);
      expect(() => broken.write(hooks)).toThrow(/ConfigMap default\/web is defined twice/);
      expect(visible(root)).toEqual(before);
      expect(stateLeft(root)).toEqual([]);
      // the next synth takes the lock and writes
      expect(fleet(root, 2).write(hooks).writes.map(w => w.path)).toContain('apps/staging-base/config.yaml');
    }
  });

  it('a failure while staging on the worker is reported as one before the commit point: nothing written, nothing left', () => {
    for (const inWorker of [true, false]) {
      const root = FleetTesting.tempDir();
      writeLayout(root, new Map([['apps/keep.yaml', gen('kind: Keep')]]), ROOTS);
      // a file and a directory of the same path in one write: the second cannot be staged
      const files = new Map([['apps/x', gen('kind: File')], ['apps/x/inner.yaml', gen('kind: Inside')]]);
      const failure = (() => {
        try {
          writeLayout(root, files, ROOTS, { stageInWorker: inWorker });
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(failure).toBeInstanceOf(LayoutWriteError);
      expect((failure as Error).message).toMatch(/^Could not stage the new layout: .*apps\/x.*Nothing was written: the previous layout is intact/s);
      expect(visible(root)).toEqual({ 'apps/keep.yaml': gen('kind: Keep') });
      expect(stateLeft(root)).toEqual([]);
    }
  });

  it('a synth killed after the commit point of a worker-staged write is finished exactly by the next one', () => {
    const root = FleetTesting.tempDir();
    const files = new Map(Array.from({ length: 40 }, (_, i) => [`clusters/c${i % 4}/f${i}.yaml`, gen(`kind: F${i}`)] as [string, string]));
    writeLayout(root, new Map([['clusters/c0/old.yaml', gen('kind: Old')]]), ROOTS);
    expect(() => writeLayout(root, files, ROOTS, { stageInWorker: true, beforeApply: i => { if (i === 1) throw new Error('killed'); } })).toThrow('killed');
    // the journal the worker wrote (with the staged files' hashes) is committed
    const journal = JSON.parse(fs.readFileSync(path.join(root, TRANSACTION_DIR, 'journal.json'), 'utf8')) as { moves: { to: string; sha256: string }[] };
    expect(journal.moves.map(m => m.to).sort()).toEqual([...files.keys()].sort());
    expect(journal.moves.every(m => /^[0-9a-f]{64}$/.test(m.sha256))).toBe(true);
    writeLayout(root, files, ROOTS);
    expect(visible(root)).toEqual(Object.fromEntries([...files].sort(([a], [b]) => (a < b ? -1 : 1))));
    expect(stateLeft(root)).toEqual([]);
  });

  it('stages early only what differs from the disk, and reports a conflict at the end, after the caller\'s own checks', () => {
    const root = FleetTesting.tempDir();
    writeLayout(root, new Map([['apps/same.yaml', gen('kind: Same')]]), ROOTS);
    fs.mkdirSync(path.join(root, 'apps/mine'), { recursive: true });
    fs.writeFileSync(path.join(root, 'apps/mine/hand.yaml'), 'kind: Mine\n');
    const writer = openLayoutWrite(root, ROOTS, { stageInWorker: true });
    writer.add('apps/same.yaml', gen('kind: Same'));
    writer.add('apps/new.yaml', gen('kind: New'));
    writer.add('apps/mine/hand.yaml', gen('kind: Generated'));
    const staged = path.join(root, TRANSACTION_DIR, 'staged');
    const pending = writer.finish(new Map([['apps/mine/hand.yaml', gen('kind: Generated')], ['apps/new.yaml', gen('kind: New')], ['apps/same.yaml', gen('kind: Same')]]));
    expect(() => pending.commit()).toThrow(/Refusing to write: this path holds something cdk8s-flux did not generate[^]*apps\/mine\/hand\.yaml[^]*Nothing was written/);
    expect(fs.existsSync(staged)).toBe(false);
    expect(fs.readFileSync(path.join(root, 'apps/mine/hand.yaml'), 'utf8')).toBe('kind: Mine\n');
    expect(fs.existsSync(path.join(root, 'apps/new.yaml'))).toBe(false);
    expect(stateLeft(root)).toEqual([]);
  });

  it('starts the worker only for a large write by default', () => {
    expect(STAGING_WORKER_MIN_FILES).toBeGreaterThan(100);
    const root = FleetTesting.tempDir();
    const files = new Map(Array.from({ length: STAGING_WORKER_MIN_FILES + 10 }, (_, i) => [`apps/d${i % 20}/f${i}.yaml`, gen(`kind: F${i}`)] as [string, string]));
    const plan = writeLayout(root, files, ROOTS);
    expect(plan.writes.length).toBe(files.size);
    expect(Object.keys(visible(root)).length).toBe(files.size);
    expect(readLayoutCache(root)!.size).toBe(files.size);
  });
});
