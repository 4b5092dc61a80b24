/**
 * Concurrent synths of one repository, generated: some write the overlays layout, some the
 * flattened one, some start over a stale lock left by a dead process. Each either writes or is
 * refused by the lock with a message; the tree ends as one whole layout, never a mix.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createExampleFleet } from '../../src/example-fleet';
import { FleetTesting } from '../../src/testing';
import { writeFile, stateLeft } from '../helpers';
import { Rng, scratch, seeds, visibleTree } from './support';

const PROJECT_ROOT = path.resolve(__dirname, '../..');
const LOCK_REFUSAL = /Another synth \(process \d+\) is writing this repository|is held but does not name its process|Could not take \.cdk8s-flux\/lock/;

interface Run { mode: string; code: number | null; stderr: string }

/** Starts a writer that waits at the barrier; `go()` releases it. */
function writer(root: string, mode: string): { ready: Promise<void>; go: () => void; done: Promise<Run> } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '../fixtures/write-fleet.ts'), root, mode, '--barrier'], { cwd: PROJECT_ROOT });
  let stderr = '';
  child.stderr.on('data', d => { stderr += d; });
  const ready = new Promise<void>(resolve => child.stdout.on('data', d => { if (String(d).includes('ready')) resolve(); }));
  const done = new Promise<Run>(resolve => child.on('close', code => resolve({ mode, code, stderr })));
  return { ready: Promise.race([ready, done.then(() => undefined)]), go: () => child.stdin.end('g'), done };
}

/** The pid of a process that has exited: a lock naming it is stale. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout as unknown as number;
}

describe('concurrent synths', () => {
  let refused = 0;
  const layouts = {
    overlays: FleetTesting.synth(createExampleFleet()),
    flattened: FleetTesting.synth(createExampleFleet({ flattenOverlays: true })),
  };

  it.each(seeds(2, 3))('seed %i: every run writes a whole layout or is refused by the lock, and the tree is one layout', async seed => {
    const rng = new Rng(seed);
    const root = scratch('concurrent');
    writeFile(root, 'clusters/NOTES.md', 'ours\n');
    if (rng.chance(0.5)) createExampleFleet({ rootDir: root, flattenOverlays: rng.chance(0.5) }).write();
    const staleLock = seed % 2 === 1 || rng.chance(0.5);
    if (staleLock) writeFile(root, '.cdk8s-flux/lock', String(deadPid()));
    const modes = Array.from({ length: rng.int(3, 4) }, () => rng.pick(['overlays', 'flattened']));
    const writers = modes.map(m => writer(root, m));
    await Promise.all(writers.map(w => w.ready)); // every process has loaded and built its fleet
    for (const w of writers) w.go();
    const runs = await Promise.all(writers.map(w => w.done));
    const context = `seed ${seed} (${staleLock ? 'over a stale lock' : 'no lock'}): ${runs.map(r => `${r.mode} → ${r.code}`).join(', ')}`;
    for (const r of runs) {
      expect(r.stderr, context).not.toContain('CRASH');
      if (r.code !== 0) {
        expect(r.code, `${context}\n${r.stderr}`).toBe(2);
        expect(r.stderr, context).toMatch(LOCK_REFUSAL);
      }
    }
    expect(runs.some(r => r.code === 0), context).toBe(true);
    const tree = visibleTree(root);
    const which = Object.entries(layouts).find(([, files]) => isDeepStrictEqual(tree, { ...files, 'clusters/NOTES.md': 'ours\n' }));
    expect(which, `${context}: the tree is not one whole layout`).toBeDefined();
    // the layout left is one that a successful run wrote
    expect(runs.filter(r => r.code === 0).map(r => r.mode), context).toContain(which![0]);
    expect(stateLeft(root), context).toEqual([]);
    refused += runs.filter(r => r.code === 2).length;
  });

  it.skipIf(process.env.ADVERSARIAL_SEED)('the runs overlapped: the lock refused some of them', () => {
    expect(refused).toBeGreaterThan(0);
  });
});
