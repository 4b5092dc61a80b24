import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSyntheticFleet, FleetEdit, FleetSize, prepareSecrets } from '../src/bench/synthetic-fleet';
import { scanUserFiles } from '../src/core/disk-scan';
import { FleetValidationError } from '../src/core/errors';
import { LAYOUT_CACHE_FILE } from '../src/core/layout-cache';
import { LayoutFiles } from '../src/core/layout-model';
import { writeLayout } from '../src/core/tree-writer';
import { FleetTesting } from '../src/testing';
import { LAYOUT_CACHE, readTree } from './helpers';
import { Rng } from './support/fleet-mutations';

// An incremental synth (a re-synth of a directory synthesized before, through the layout cache)
// must leave byte for byte what a full synth (an empty directory, no cache) writes, whatever
// happened in between: values changed, components added or removed, generated files edited by
// hand (even to the same size, with the modification time set back), deleted or touched, the
// cache torn or foreign. Seeded: INCREMENTAL_SEED=<n> replays one sequence.

const MAX: FleetSize = { environments: 3, components: 4 };
const secrets = prepareSecrets(FleetTesting.tempDir(), MAX);
const seedList = process.env.INCREMENTAL_SEED ? [Number(process.env.INCREMENTAL_SEED)] : [2601, 2602, 2603, 2604];

/** A full synth of the fleet into an empty directory: the reference. */
function fullSynth(size: FleetSize, edits: readonly FleetEdit[]): Record<string, string> {
  const dir = FleetTesting.tempDir();
  createSyntheticFleet(dir, size, secrets, edits).write();
  return readTree(dir);
}

/** What a synth reports: the problems that stopped it (or none), and its warnings. */
function synthOutcome(dir: string, size: FleetSize, edits: readonly FleetEdit[]): { problems?: string[]; warnings: string[] } {
  const repo = createSyntheticFleet(dir, size, secrets, edits);
  try {
    repo.write();
  } catch (e) {
    if (!(e instanceof FleetValidationError)) throw e;
    return { problems: e.problems.map(p => `${p.path}: ${p.message}`), warnings: repo.warnings.map(w => `${w.path}: ${w.message}`) };
  }
  return { warnings: repo.warnings.map(w => `${w.path}: ${w.message}`) };
}

/** Generated files under the layout roots. */
function layoutFiles(dir: string): string[] {
  return Object.keys(readTree(dir)).filter(p => /^(clusters|infrastructure|apps)\//.test(p));
}

/** The layout a synth renders from a given scan (what `write` does before it writes). */
function synthFrom(repo: ReturnType<typeof createSyntheticFleet>, scanned: ReturnType<typeof scanUserFiles>): LayoutFiles {
  return (repo as unknown as { synthWith(disk: typeof scanned): { files: LayoutFiles } }).synthWith(scanned).files;
}

type Step = (dir: string, rng: Rng, state: { size: FleetSize; edits: FleetEdit[] }) => string;

const STEPS: Step[] = [
  (_dir, rng, s) => {
    const e: FleetEdit = { environment: rng.int(0, s.size.environments - 1), component: rng.int(0, s.size.components - 1), replicas: rng.int(1, 9) };
    s.edits = [...s.edits.filter(x => x.environment !== e.environment || x.component !== e.component), e];
    return `replicas of app-${e.component} in env-${e.environment} = ${e.replicas}`;
  },
  (_dir, _rng, s) => {
    s.edits = [];
    return 'every value back to its default';
  },
  (_dir, rng, s) => {
    // a problem: the synth must report it as a full synth does, and write nothing
    const e: FleetEdit = { environment: rng.int(0, s.size.environments - 1), component: rng.int(0, s.size.components - 1), replicas: rng.int(1, 9), unsealedKey: true };
    s.edits = [...s.edits.filter(x => x.environment !== e.environment || x.component !== e.component), e];
    return `app-${e.component} in env-${e.environment} asks for a key its store has not sealed`;
  },
  (_dir, rng, s) => {
    s.size = { environments: rng.int(1, MAX.environments), components: rng.int(1, MAX.components) };
    s.edits = s.edits.filter(x => x.environment < s.size.environments && x.component < s.size.components);
    return `size ${s.size.environments}x${s.size.components}`;
  },
  (dir, rng) => {
    // a hand edit of the same size, with the modification time set back: only the content says so
    const file = path.join(dir, rng.pick(layoutFiles(dir)));
    const st = fs.statSync(file);
    const text = fs.readFileSync(file, 'utf8');
    const at = text.lastIndexOf('\n', text.length - 2) + 1;
    fs.writeFileSync(file, text.slice(0, at) + (text[at] === 'x' ? 'y' : 'x') + text.slice(at + 1));
    fs.utimesSync(file, st.atime, st.mtime);
    return `hand edit of ${path.relative(dir, file)} (same size, same mtime)`;
  },
  (dir, rng) => {
    const file = rng.pick(layoutFiles(dir));
    fs.rmSync(path.join(dir, file));
    return `deleted ${file}`;
  },
  (dir, rng) => {
    const file = rng.pick(layoutFiles(dir));
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(path.join(dir, file), later, later);
    return `touched ${file}`;
  },
  (dir, rng) => {
    const cache = path.join(dir, LAYOUT_CACHE_FILE);
    if (!fs.existsSync(cache)) return 'no cache to corrupt';
    const text = fs.readFileSync(cache, 'utf8');
    const how = rng.pick(['torn', 'garbage', 'foreign format', 'a directory', 'wrong hash']);
    if (how === 'torn') fs.writeFileSync(cache, text.slice(0, rng.int(0, text.length - 1)));
    else if (how === 'garbage') fs.writeFileSync(cache, '\u0000{not json');
    else if (how === 'foreign format') fs.writeFileSync(cache, JSON.stringify({ format: 'other/9', files: [] }));
    else if (how === 'a directory') {
      fs.rmSync(cache);
      fs.mkdirSync(cache);
    } else fs.writeFileSync(cache, text.replace(/"[0-9a-f]{64}"/, `"${'0'.repeat(64)}"`));
    return `cache ${how}`;
  },
];

describe('an incremental synth', () => {
  for (const seed of seedList) {
    it(`equals a full synth byte for byte after each of 12 random changes (seed ${seed})`, () => {
      const rng = new Rng(seed);
      const dir = FleetTesting.tempDir();
      const state = { size: { environments: 2, components: 3 } as FleetSize, edits: [] as FleetEdit[] };
      createSyntheticFleet(dir, state.size, secrets).write();
      for (let step = 0; step < 12; step++) {
        const what = rng.pick(STEPS)(dir, rng, state);
        const cacheIsDirectory = fs.statSync(path.join(dir, LAYOUT_CACHE_FILE), { throwIfNoEntry: false })?.isDirectory() === true;
        const before = readTree(dir);
        const outcome = synthOutcome(dir, state.size, state.edits);
        const reference = FleetTesting.tempDir();
        expect(outcome, `seed ${seed}, step ${step}: ${what}`).toEqual(synthOutcome(reference, state.size, state.edits));
        if (outcome.problems) {
          expect(readTree(dir), `seed ${seed}, step ${step}: ${what} (nothing written)`).toEqual(before);
          state.edits = state.edits.filter(x => !x.unsealedKey); // the user fixes it before the next change
        } else {
          expect(readTree(dir), `seed ${seed}, step ${step}: ${what}`).toEqual(readTree(reference));
        }
        if (cacheIsDirectory) fs.rmSync(path.join(dir, LAYOUT_CACHE_FILE), { recursive: true }); // the writer never deletes what it did not write
      }
    });
  }

  it('scans again under the lock when another synth wrote after the scan its model was made from', () => {
    const dir = FleetTesting.tempDir();
    const size = { environments: 2, components: 3 };
    createSyntheticFleet(dir, size, secrets).write();
    const repo = createSyntheticFleet(dir, size, secrets);
    const scanned = scanUserFiles(dir, repo.managedRoots);
    const files = synthFrom(repo, scanned);
    // another synth writes a change in between: the stale scan's cache entries no longer hold
    createSyntheticFleet(dir, size, secrets, [{ environment: 0, component: 1, replicas: 7 }]).write();
    const plan = writeLayout(dir, files, repo.managedRoots, {}, scanned);
    expect(plan.writes.map(w => w.path)).toEqual(['infrastructure/overlays/env-0/app-1-patch.yaml']);
    expect(readTree(dir)).toEqual(fullSynth(size, []));
    // and with no write in between, the scan is used as it is: the same result
    const again = createSyntheticFleet(dir, size, secrets, [{ environment: 1, component: 0, replicas: 5 }]);
    const fresh = scanUserFiles(dir, again.managedRoots);
    expect(writeLayout(dir, synthFrom(again, fresh), again.managedRoots, {}, fresh).writes.map(w => w.path)).toEqual(['infrastructure/overlays/env-1/app-0-patch.yaml']);
    expect(readTree(dir)).toEqual(fullSynth(size, [{ environment: 1, component: 0, replicas: 5 }]));
  });

  it('reads and rewrites only what changed: one value of one environment is one file written, the rest vouched for by the cache', () => {
    const dir = FleetTesting.tempDir();
    const size = { environments: 2, components: 3 };
    const first = createSyntheticFleet(dir, size, secrets).write();
    expect(first.unchanged).toBe(0);
    expect(fs.existsSync(path.join(dir, LAYOUT_CACHE))).toBe(true);
    const total = first.writes.length;

    const edit = { environment: 1, component: 2, replicas: 8 };
    const second = createSyntheticFleet(dir, size, secrets, [edit]).write();
    expect(second.writes.map(w => w.path)).toEqual(['infrastructure/overlays/env-1/app-2-patch.yaml']);
    expect(second.writes[0].previous).toContain('replicaCount: 2'); // the file's old content, read because it changed
    expect(second.unchanged).toBe(total - 1);

    // the cache holds the new stamp: an unchanged re-synth writes nothing
    expect(createSyntheticFleet(dir, size, secrets, [edit]).write().writes).toEqual([]);
    // without the cache every file is read again, found up to date, and the cache written anew
    fs.rmSync(path.join(dir, LAYOUT_CACHE));
    const reread = createSyntheticFleet(dir, size, secrets, [edit]).write();
    expect(reread.writes).toEqual([]);
    expect(reread.unchanged).toBe(total);
    expect(fs.existsSync(path.join(dir, LAYOUT_CACHE))).toBe(true); // and the cache is back
  });
});
