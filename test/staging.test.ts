import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiObject, Lazy } from 'cdk8s';
import { createExampleFleet } from '../src/example-fleet';
import { FleetValidationError, GENERATED_MARKER, GitOpsRepo, GitRepository, Kustomization, LayoutDirectory, LayoutWriteError, ManifestFile, WriteHooks } from '../src';
import { readLayoutCache, stampOf } from '../src/core/layout-cache';
import { openLayoutWrite, TRANSACTION_DIR, writeLayout } from '../src/core/tree-writer';
import { STAGING_WORKER_MIN_FILES, stagingStats } from '../src/core/staging';
import { FleetTesting } from '../src/testing';
import { readTree, stateLeft } from './helpers';

const ROOTS = GitOpsRepo.MANAGED_ROOTS;
const PROJECT_ROOT = path.resolve(__dirname, '..');
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
    const many = (n: number) => new Map(Array.from({ length: n }, (_, i) => [`apps/d${i % 20}/f${i}.yaml`, gen(`kind: F${i}`)] as [string, string]));
    const small = FleetTesting.tempDir();
    const before = stagingStats.workers;
    writeLayout(small, many(STAGING_WORKER_MIN_FILES - 1), ROOTS);
    expect(stagingStats.workers).toBe(before);
    const root = FleetTesting.tempDir();
    const files = many(STAGING_WORKER_MIN_FILES + 10);
    const plan = writeLayout(root, files, ROOTS);
    expect(stagingStats.workers).toBe(before + 1);
    expect(plan.writes.length).toBe(files.size);
    expect(Object.keys(visible(root)).length).toBe(files.size);
    expect(readLayoutCache(root)!.size).toBe(files.size);
  });

  it('stages inline when the worker cannot start (a preload that breaks worker threads), and writes nothing twice', () => {
    const dir = FleetTesting.tempDir();
    fs.writeFileSync(path.join(dir, 'break-workers.js'), "if (!require('node:worker_threads').isMainThread) throw new Error('no workers here');\n");
    const root = path.join(dir, 'repo');
    fs.writeFileSync(path.join(dir, 'child.ts'), [
      `import { stagingOptions } from ${JSON.stringify(path.join(PROJECT_ROOT, 'src/core/staging'))};`,
      `import { writeLayout } from ${JSON.stringify(path.join(PROJECT_ROOT, 'src/core/tree-writer'))};`,
      'stagingOptions.workerStartTimeoutMs = 300;',
      `const files = new Map(Array.from({ length: 600 }, (_, i) => [\`apps/d\${i % 7}/f\${i}.yaml\`, ${JSON.stringify(GENERATED_MARKER)} + \`\\nkind: F\${i}\\n\`] as [string, string]));`,
      `console.log(writeLayout(${JSON.stringify(root)}, files, ['clusters', 'infrastructure', 'apps'], { stageInWorker: true }).writes.length);`,
    ].join('\n'));
    const r = spawnSync(process.execPath, ['-r', path.join(PROJECT_ROOT, 'src/cli/register-ts.js'), path.join(dir, 'child.ts')], {
      cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_OPTIONS: `--require ${path.join(dir, 'break-workers.js')}` },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('600\n');
    const tree = visible(root);
    expect(Object.keys(tree)).toHaveLength(600);
    expect(tree['apps/d3/f10.yaml']).toBe(gen('kind: F10'));
    expect(stateLeft(root)).toEqual([]);
  });

  it('a file that cannot be read while the fleet renders is a write error, reported after the fleet\'s own problems, with the lock freed', () => {
    const root = FleetTesting.tempDir();
    const fleetWith = (value: string, removeB: boolean) => {
      const repo = new GitOpsRepo({ rootDir: root });
      const dir = new LayoutDirectory(repo.apps, 'demo');
      new ApiObject(new ManifestFile(dir, 'a'), 'cm', {
        apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'default' },
        // rendered first: takes b.yaml away after the scan, before b is compared with the disk
        data: { v: Lazy.any({ produce: () => { if (removeB) fs.rmSync(path.join(root, 'apps/demo/b.yaml'), { force: true }); return 'a'; } }) },
      });
      new ApiObject(new ManifestFile(dir, 'b'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'default' }, data: { v: value } });
      return repo;
    };
    fleetWith('1', false).write();
    const failure = (() => {
      try {
        fleetWith('2', true).write({ stageInWorker: true });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(failure).toBeInstanceOf(LayoutWriteError);
    expect(failure!.message).toMatch(/^Could not write the layout: .*apps\/demo\/b\.yaml.*Nothing was written/s);
    expect(stateLeft(root)).toEqual([]);
    expect(fleetWith('3', false).write().writes.map(w => w.path)).toEqual(['apps/demo/b.yaml']);
  });
});
