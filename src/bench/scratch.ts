// Where the benchmark writes, and how it cleans up without slowing down the runs that follow.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { flushFileSystem } from './repeat';

/**
 * How long a file system may treat freshly deleted inodes specially: ext4 without a journal
 * skips, when it allocates an inode, every free inode of the group deleted in the last 60 s, or
 * 360 s while its inode-table block is dirty (and creating files next to it dirties it again),
 * scanning from the start of the group for every new file. Creating 31,000 files within minutes
 * of deleting 31,000 nearby then costs seconds of kernel time: a run would pay for an earlier
 * run's clean-up.
 */
export const INODE_RECENCY_MS = 361_000;
const CLEANED_MARKER = '.cleaned-at';

/**
 * Temporary directories of one benchmark, under `dir` (a directory of its own, such as the
 * git-ignored `bench/.scratch`) or else the system's temporary directory. Nothing is deleted
 * until `dispose()`, which then flushes the file system and, in a directory of its own, records
 * when it cleaned up (see `settle`).
 */
export class Scratch {
  public readonly base: string;
  private readonly ownDirectory: boolean;
  private readonly dirs: string[] = [];

  constructor(dir?: string) {
    this.base = dir ?? os.tmpdir();
    this.ownDirectory = dir !== undefined;
    fs.mkdirSync(this.base, { recursive: true });
  }

  /** A new empty directory. */
  public make(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(this.base, prefix));
    this.dirs.push(dir);
    return dir;
  }

  /** Deletes every directory made, then flushes and records the time. */
  public dispose(): void {
    if (this.dirs.length === 0) return;
    for (const dir of this.dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    flushFileSystem();
    if (this.ownDirectory) fs.writeFileSync(path.join(this.base, CLEANED_MARKER), String(Date.now()));
  }

  /**
   * Microseconds to create one small file here now (median over `count` files, kept until
   * `dispose`): a healthy file system takes tens; far more means the runs measured now pay for
   * something else (see `INODE_RECENCY_MS`).
   */
  public probeFileCreation(count = 2000): number {
    const dir = this.make('probe-');
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      fs.writeFileSync(path.join(dir, String(i)), 'x');
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return Math.round(times[count >> 1] * 1000);
  }

  /**
   * Waits, if an earlier benchmark cleaned up under `base` less than `INODE_RECENCY_MS` ago,
   * until its deleted inodes no longer slow down file creation. Returns the time waited.
   */
  public settle(log: (line: string) => void = () => undefined): number {
    if (!this.ownDirectory) return 0;
    let cleanedAt: number;
    try {
      cleanedAt = Number(fs.readFileSync(path.join(this.base, CLEANED_MARKER), 'utf8'));
    } catch {
      return 0;
    }
    const wait = Math.min(INODE_RECENCY_MS, cleanedAt + INODE_RECENCY_MS - Date.now());
    if (!(wait > 0)) return 0;
    log(`waiting ${Math.ceil(wait / 1000)} s: an earlier benchmark deleted its files here less than 6 minutes ago, and creating files among freshly deleted inodes is slow on some file systems`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait);
    return wait;
  }
}
