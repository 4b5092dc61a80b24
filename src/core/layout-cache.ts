import { hash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * What the last synth wrote, relative to the repository root (in the git-ignored state
 * directory): for each generated file, the SHA-256 of its content and the stamp of the file it
 * left on disk. A re-synth that renders the same content for a path whose file still carries that
 * stamp knows the file is up to date without reading it; any other file is read and compared as
 * before. Decisions are by content: the stamp (size, modification and change times, inode) only
 * proves that the file on disk is still the one the writer wrote. A missing, torn or foreign
 * cache is ignored (every file is then read); it is replaced after every successful synth.
 */
export const LAYOUT_CACHE_FILE = '.cdk8s-flux/layout-cache.json';
const FORMAT = 'cdk8s-flux-layout-cache/1';

/** A generated file as the last synth left it. */
export interface CachedFile {
  /** SHA-256 (hex) of its content. */
  readonly sha256: string;
  /** `stampOf` its file right after the synth. */
  readonly stamp: string;
}

/** The stamp of a file: it changes with every write, rename over it or touch (ctime cannot be set back). */
export function stampOf(st: Pick<fs.Stats, 'size' | 'mtimeMs' | 'ctimeMs' | 'ino'>): string {
  return `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;
}

/** SHA-256 of a file's content, hex. */
export function contentHash(content: string): string {
  return hash('sha256', content, 'hex'); // one-shot: half the cost of createHash for small files
}

/** The stamp of the cache file, or undefined when there is none (or it is not a regular file). */
export function layoutCacheStamp(rootDir: string): string | undefined {
  const st = fs.lstatSync(path.join(rootDir, LAYOUT_CACHE_FILE), { throwIfNoEntry: false });
  return st?.isFile() ? stampOf(st) : undefined;
}

let memo: { file: string; stamp: string; files: ReadonlyMap<string, CachedFile> } | undefined;

/** The cache of a repository, or undefined when there is none or it cannot be trusted to be whole. */
export function readLayoutCache(rootDir: string): ReadonlyMap<string, CachedFile> | undefined {
  const file = path.join(rootDir, LAYOUT_CACHE_FILE);
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch {
    return undefined;
  }
  if (!st.isFile()) return undefined;
  // the analysis and the writer both scan the layout: the cache is parsed once while it is unchanged
  if (memo && memo.file === file && memo.stamp === stampOf(st)) return memo.files;
  try {
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { format?: unknown; files?: unknown };
    if (data?.format !== FORMAT || !Array.isArray(data.files)) return undefined;
    const files = new Map<string, CachedFile>();
    for (const entry of data.files as unknown[]) {
      // a hash that is not 64 characters never equals one (a wrong one only costs a write)
      if (!Array.isArray(entry) || entry.length !== 3 || typeof entry[0] !== 'string' || typeof entry[1] !== 'string' || typeof entry[2] !== 'string' || entry[1].length !== 64) return undefined;
      files.set(entry[0] as string, { sha256: entry[1] as string, stamp: entry[2] as string });
    }
    memo = { file, stamp: stampOf(st), files };
    return files;
  } catch {
    return undefined; // torn, or not JSON: every file is read instead
  }
}

/**
 * Replaces the cache (a temporary file renamed over it: readers see the old or the new one
 * whole). Best effort: a cache that cannot be written is removed, which only costs the next
 * synth the reading.
 */
export function writeLayoutCache(rootDir: string, files: ReadonlyMap<string, CachedFile>): void {
  const file = path.join(rootDir, LAYOUT_CACHE_FILE);
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, JSON.stringify({ format: FORMAT, files: [...files].map(([p, f]) => [p, f.sha256, f.stamp]) }));
    fs.renameSync(tmp, file);
  } catch {
    fs.rmSync(tmp, { force: true });
    removeLayoutCache(rootDir);
  }
}

/** Removes the cache (before a write changes the files it vouches for). */
export function removeLayoutCache(rootDir: string): void {
  try {
    fs.rmSync(path.join(rootDir, LAYOUT_CACHE_FILE), { force: true });
  } catch {
    // a cache that cannot be removed is caught by its stamps
  }
  memo = undefined;
}
