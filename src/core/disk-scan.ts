import * as fs from 'node:fs';
import * as path from 'node:path';
import { CachedFile, layoutCacheStamp, readLayoutCache, stampOf } from './layout-cache';
import { DiskFiles, DiskLayout } from './model/repo-tree';
import { GENERATED_MARKER } from './render';

/** Whether a file's content carries the generated-file marker. */
export function isGenerated(content: string): boolean {
  // a checkout with CRLF line ends (core.autocrlf) or an editor's byte-order mark still holds our file
  const text = content.startsWith('\ufeff') ? content.slice(1) : content;
  return text.startsWith(`${GENERATED_MARKER}\n`) || text.startsWith(`${GENERATED_MARKER}\r\n`);
}

/** A file's content as Git stores it: LF line ends, no byte-order mark. */
export function normalizedText(content: string): string {
  return (content.startsWith('\ufeff') ? content.slice(1) : content).replace(/\r\n/g, '\n');
}

/**
 * What the managed top-level directories hold: the files a synth generated (by their marker) and
 * every other entry, read once and shared by the model (which reads the files the user owns) and
 * the writer (which never touches them). Only real directories are scanned (a symlinked `apps/`
 * is never followed).
 */
export function scanLayout(rootDir: string, managedRoots: readonly string[]): DiskLayout {
  return scanWith(rootDir, managedRoots, true) as DiskLayout;
}

/**
 * Like `scanLayout`, for the model: generated files are recognised by their first line only (their
 * content is replaced by the synth anyway), so a large layout is not read whole twice.
 */
export function scanUserFiles(rootDir: string, managedRoots: readonly string[]): DiskFiles {
  return scanWith(rootDir, managedRoots, false);
}

function scanWith(rootDir: string, managedRoots: readonly string[], full: boolean): DiskFiles {
  // taken before the cache is read: a synth that writes meanwhile changes it (see GeneratedFiles.cacheStamp)
  const generated = new GeneratedFiles(rootDir, layoutCacheStamp(rootDir));
  const foreign = new Map<string, string | undefined>();
  const cache = readLayoutCache(rootDir);
  for (const top of managedRoots) {
    const st = lstatOrUndefined(path.join(rootDir, top));
    if (st?.isDirectory()) scan(rootDir, top, generated, foreign, full, cache);
    else if (st) foreign.set(top, undefined);
  }
  return { generated, foreign };
}

/**
 * The generated files found on disk, by repository path. A file the layout cache vouches for (its
 * stamp unchanged since the last synth wrote it) is known by the hash of its content and read
 * only when its content is asked for; every other one was read by the scan.
 */
export class GeneratedFiles implements ReadonlyMap<string, string> {
  private readonly contents = new Map<string, string | undefined>();
  private readonly cached = new Map<string, CachedFile>();

  /**
   * @param rootDir the repository root
   * @param cacheStamp the stamp of the layout cache file when the scan began, if there was one:
   * every synth that changes a generated file removes the cache before and rewrites it after, so
   * the same stamp later (and no transaction to recover) means no synth has written since (the
   * writer then plans with this scan instead of scanning again)
   */
  constructor(public readonly rootDir: string, public readonly cacheStamp?: string) {}

  /** Records a file read by the scan. */
  public set(p: string, content: string): void {
    this.contents.set(p, content);
  }

  /** Records a generated file whose content is read only when asked for (the model needs only its path). */
  public setUnread(p: string): void {
    this.contents.set(p, undefined);
  }

  /** Records a file the cache vouches for, unread. */
  public setCached(p: string, entry: CachedFile): void {
    this.contents.set(p, undefined);
    this.cached.set(p, entry);
  }

  /** The cache entry of a file the cache vouched for at the scan (its content is then the one hashed there). */
  public cachedEntry(p: string): CachedFile | undefined {
    return this.cached.get(p);
  }

  public get(p: string): string | undefined {
    if (!this.contents.has(p)) return undefined;
    let content = this.contents.get(p);
    if (content === undefined) {
      content = fs.readFileSync(path.join(this.rootDir, p), 'utf8');
      this.contents.set(p, content);
    }
    return content;
  }

  public has(p: string): boolean {
    return this.contents.has(p);
  }

  public get size(): number {
    return this.contents.size;
  }

  public keys(): MapIterator<string> {
    return this.contents.keys();
  }

  public *entries(): MapIterator<[string, string]> {
    for (const p of this.contents.keys()) yield [p, this.get(p)!];
  }

  public *values(): MapIterator<string> {
    for (const p of this.contents.keys()) yield this.get(p)!;
  }

  public forEach(fn: (value: string, key: string, map: ReadonlyMap<string, string>) => void): void {
    for (const [p, c] of this.entries()) fn(c, p, this);
  }

  public [Symbol.iterator](): MapIterator<[string, string]> {
    return this.entries();
  }
}

const HEAD = Buffer.byteLength(`\ufeff${GENERATED_MARKER}\r\n`);

/** A file's content, or `undefined` for a generated file when only its first line is wanted. */
function readFile(file: string, full: boolean): { generated: boolean; content?: string } {
  if (full) {
    const content = fs.readFileSync(file, 'utf8');
    return { generated: isGenerated(content), content };
  }
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(HEAD);
    const n = fs.readSync(fd, head, 0, HEAD, 0);
    if (isGenerated(head.toString('utf8', 0, n))) return { generated: true };
    return { generated: false, content: fs.readFileSync(fd, 'utf8') };
  } finally {
    fs.closeSync(fd);
  }
}

function scan(rootDir: string, rel: string, generated: GeneratedFiles, foreign: Map<string, string | undefined>, full: boolean, cache: ReadonlyMap<string, CachedFile> | undefined): void {
  for (const entry of fs.readdirSync(path.join(rootDir, rel), { withFileTypes: true })) {
    const child = `${rel}/${entry.name}`;
    if (entry.isDirectory()) {
      scan(rootDir, child, generated, foreign, full, cache);
    } else if (entry.isFile()) {
      const cached = cache?.get(child);
      if (cached !== undefined && cached.stamp === stampOf(fs.lstatSync(path.join(rootDir, child)))) {
        generated.setCached(child, cached); // still the file the last synth wrote: not read
        continue;
      }
      const read = readFile(path.join(rootDir, child), full);
      if (read.generated && read.content === undefined) generated.setUnread(child); // read by the writer if it needs it
      else if (read.generated) generated.set(child, read.content!);
      else foreign.set(child, read.content);
    } else {
      foreign.set(child, undefined); // symlinks, sockets…: never ours, never followed
    }
  }
}

/** The entry at a path, not following a symbolic link, or undefined when there is none. */
export function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p, { throwIfNoEntry: false }); // a missing path is the common case: no exception built for it
  } catch {
    return undefined;
  }
}

/**
 * The first directory on the way from `rootDir` to `rel` (`rel` itself too with `includeSelf`)
 * that exists but is not a real directory: a symbolic link (which writes never follow) or a file.
 * Undefined when every one that exists is a real directory (what is missing is made as one).
 */
export function firstNonDirectory(rootDir: string, rel: string, includeSelf: boolean): { path: string; link: boolean } | undefined {
  const parts = rel.split(/[\\/]/).filter(Boolean);
  for (let i = 1; i < parts.length + (includeSelf ? 1 : 0); i++) {
    const at = parts.slice(0, i).join('/');
    const st = lstatOrUndefined(path.join(rootDir, at));
    if (!st) return undefined;
    if (!st.isDirectory()) return { path: at, link: st.isSymbolicLink() };
  }
  return undefined;
}
