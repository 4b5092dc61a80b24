/**
 * Crashes at generated points of a write: between any two steps of a synth (in process, by a
 * hook that throws, and for real, by SIGKILL), the tree is either the previous one or a committed
 * transaction that the next synth finishes exactly; a file the user owns is never lost.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitOpsRepo } from '../../src';
import { createExampleFleet } from '../../src/example-fleet';
import { FleetTesting } from '../../src/testing';
import { writeFile, stateLeft } from '../helpers';
import { FleetMutator } from '../support/fleet-mutations';
import { exampleShape } from '../support/generated-cases';
import { Rng, scratch, seeds, visibleTree } from './support';

const PROJECT_ROOT = path.resolve(__dirname, '../..');

/** A random variant of the example fleet: overlays or flattened, with a few random strategic-merge patches. */
function variant(rng: Rng, rootDir: string): { repo: GitOpsRepo; describe: string } {
  const flattenOverlays = rng.chance(0.5);
  const repo = createExampleFleet({ rootDir, flattenOverlays });
  const mutator = new FleetMutator(repo, exampleShape(), rng, { quirks: false });
  // the shape the mutator targets is the overlays layout's
  const patches = flattenOverlays ? 0 : rng.int(0, 3);
  for (let i = 0; i < patches; i++) mutator.apply('object-patch');
  return { repo, describe: `${flattenOverlays ? 'flattened' : 'overlays'} + ${patches} patch(es): ${mutator.log.join('; ') || 'none'}` };
}

/** The files a variant writes, by replaying its seed into a throwaway repository. */
function expected(seed: number, which: 'A' | 'B'): Record<string, string> {
  const rng = new Rng(seed);
  const a = variant(rng, scratch('expect'));
  if (which === 'A') return FleetTesting.synth(a.repo);
  return FleetTesting.synth(variant(rng, scratch('expect')).repo);
}

/** How the generated points fell: a property that never crashed after its commit point proved nothing. */
const reached = { beforeCommit: 0, afterCommit: 0, completed: 0, killed: 0, killedInRecovery: 0 };

const HAND_WRITTEN = { 'clusters/NOTES.md': 'ours\n', 'infrastructure/base/README.md': 'ours too\n' };

describe('a synth that crashes at a generated point', () => {
  it.each(seeds(12, 1))('seed %i: before its commit point nothing changed; after it, the next synth finishes exactly', seed => {
    const root = scratch('crash');
    const rng = new Rng(seed);
    const a = variant(rng, root);
    a.repo.write();
    for (const [p, c] of Object.entries(HAND_WRITTEN)) writeFile(root, p, c);
    const before = visibleTree(root);
    const b = variant(rng, root);
    const writes = b.repo.check().plan.writes.length;
    // -1: after staging, before the commit point; past the last step, the write completes
    const point = rng.chance(0.25) ? -1 : rng.int(0, writes + 1);
    const context = `seed ${seed}, crash at ${point < 0 ? 'the commit point' : `step ${point}`}; A: ${a.describe}; B: ${b.describe}`;
    let crashed = false;
    try {
      b.repo.write({
        afterStaged: () => { if (point < 0) { crashed = true; throw new Error('crash'); } },
        beforeApply: i => { if (i === point) { crashed = true; throw new Error('crash'); } },
      });
    } catch (e) {
      expect((e as Error).message, context).toBe('crash');
    }
    if (point < 0) expect(visibleTree(root), context).toEqual(before);
    reached[!crashed ? 'completed' : point < 0 ? 'beforeCommit' : 'afterCommit']++;
    // whatever happened, the next synth (of a fresh process's fleet) ends in B with the user's files kept
    const next = createFleetLike(seed, root);
    if (crashed && point >= 0) expect(next.check().plan.pendingTransaction, context).toBe(true);
    next.write();
    expect(visibleTree(root), context).toEqual({ ...expected(seed, 'B'), ...HAND_WRITTEN });
    expect(stateLeft(root), context).toEqual([]);
    expect(next.check().clean, context).toBe(true);
  });
});

/** Variant B of a seed, built again as a new process would. */
function createFleetLike(seed: number, root: string): GitOpsRepo {
  const rng = new Rng(seed);
  variant(rng, scratch('replay'));
  return variant(rng, root).repo;
}

describe('a real SIGKILL at a generated point', () => {
  // node itself runs the script (tsx only as a loader), so the SIGKILL hits the process we observe
  const killAt = (root: string, point: string) => spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '../fixtures/killed-synth.ts'), root, point], {
    cwd: PROJECT_ROOT, encoding: 'utf8',
  });
  const full = FleetTesting.synth(createExampleFleet());
  const flat = FleetTesting.synth(createExampleFleet({ flattenOverlays: true }));

  it.each(seeds(3, 2))('seed %i: killed while replacing the overlays layout by the flattened one, then killed again while recovering', seed => {
    const rng = new Rng(seed);
    const root = scratch('sigkill');
    createExampleFleet({ rootDir: root }).write();
    for (const [p, c] of Object.entries(HAND_WRITTEN)) writeFile(root, p, c);
    const point = rng.int(0, 12);
    const first = killAt(root, `flatten:${point}`);
    const context = `seed ${seed}, SIGKILL before move ${point}`;
    if (first.signal !== 'SIGKILL') {
      // the write had fewer steps than the point: it completed
      expect(first.status, `${context}\n${first.stderr}`).toBe(0);
    } else {
      reached.killed++;
      const again = killAt(root, `recover:${rng.int(0, 3)}`);
      if (again.signal === 'SIGKILL') reached.killedInRecovery++;
      else expect(again.status, `${context}\n${again.stderr}`).toBe(0);
    }
    createExampleFleet({ rootDir: root, flattenOverlays: true }).write();
    expect(visibleTree(root), context).toEqual({ ...flat, ...HAND_WRITTEN });
    expect(full).not.toEqual(flat);
  });
});

describe('the generated points', () => {
  it.skipIf(process.env.ADVERSARIAL_SEED)('fell before the commit point, after it, and into recovery', () => {
    expect(reached.beforeCommit, JSON.stringify(reached)).toBeGreaterThan(0);
    expect(reached.afterCommit, JSON.stringify(reached)).toBeGreaterThan(0);
    expect(reached.killed, JSON.stringify(reached)).toBeGreaterThan(0);
    expect(reached.killedInRecovery, JSON.stringify(reached)).toBeGreaterThan(0);
  });
});
