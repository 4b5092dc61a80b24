// How the benchmark repeats a measurement so that each timed run pays only for its own work.
import { spawnSync } from 'node:child_process';

/** A measure over several runs. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** Median, minimum and maximum of `values` (rounded to whole units). */
export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median: Math.round(median), min: Math.round(sorted[0]), max: Math.round(sorted[sorted.length - 1]) };
}

/**
 * Writes every dirty page of the machine to disk (`sync`), outside any timed region: the synth's
 * own file-system sync then waits only for the files it wrote, not for those of earlier runs.
 */
export function flushFileSystem(): void {
  spawnSync('sync', { stdio: 'ignore' });
}

/** Runs `measure` `count` times, flushing the file system before each run. */
export function repeat<T>(count: number, measure: (run: number) => T): T[] {
  const results: T[] = [];
  for (let run = 0; run < count; run++) {
    flushFileSystem();
    results.push(measure(run));
  }
  return results;
}
