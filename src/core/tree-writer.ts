import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Diff from 'diff';
import { fsyncDir } from './durable-file';
import { describeFsError, isFileSystemError, isPermissionError, remedyFor } from './fs-errors';
import { LayoutWriteError } from './errors';
import { LayoutFiles } from './layout-model';
import { DiskFiles, DiskLayout } from './model/repo-tree';
import { firstNonDirectory, GeneratedFiles, isGenerated, lstatOrUndefined, normalizedText, scanLayout } from './disk-scan';
import { CachedFile, contentHash, layoutCacheStamp, removeLayoutCache, stampOf, writeLayoutCache } from './layout-cache';
import { compareKeys, GENERATED_MARKER } from './render';
import { StagedResult, StagingQueue } from './staging';

/** The folder cdk8s-flux keeps its working state in, relative to the repository root. Git-ignored. */
export const STATE_DIR = '.cdk8s-flux';
/**
 * Where an in-flight synth keeps its staged files and journal, relative to the repository
 * root. It exists only while a synth runs or after one was killed.
 */
export const TRANSACTION_DIR = `${STATE_DIR}/transaction`;
const LOCK_FILE = `${STATE_DIR}/lock`;
/** A lock that names no process is taken for stale only once it is this old (an older version wrote the owner after creating it). */
const STALE_UNNAMED_LOCK_MS = 10_000;
const JOURNAL = 'journal.json';
const STAGED = 'staged';
const STAGED_PREFIX = `${TRANSACTION_DIR}/${STAGED}`;

/** What writing the layout would change on disk. */
export interface LayoutPlan {
  /** Files to create or update, with their previous content when they exist. */
  readonly writes: readonly {
    /** Repository-relative path. */
    readonly path: string;
    /** The new content. */
    readonly content: string;
    /** The content on disk, if the file exists. */
    readonly previous?: string;
  }[];
  /** Files generated earlier that the fleet no longer produces. */
  readonly deletes: readonly {
    /** Repository-relative path. */
    readonly path: string;
    /** The content on disk. */
    readonly previous: string;
  }[];
  /** Number of files already up to date. */
  readonly unchanged: number;
  /** Paths the layout needs that hold something cdk8s-flux did not generate (never overwritten). */
  readonly conflicts: readonly string[];
  /** Whether an interrupted synth left a committed transaction that has not been finished. */
  readonly pendingTransaction: boolean;
}

/** Whether a plan changes nothing. */
export function isClean(plan: LayoutPlan): boolean {
  return plan.writes.length === 0 && plan.deletes.length === 0 && plan.conflicts.length === 0 && !plan.pendingTransaction;
}


/**
 * Compares the desired layout with the files on disk. A file counts as generated (and so may be
 * overwritten or pruned) only when its first line is the cdk8s-flux marker; every other file,
 * symlink or special file is left alone, and a desired path it occupies is a conflict. Only the
 * managed top-level directories are scanned, and only when they are real directories (a
 * symlinked `apps/` is never followed).
 */
export function planLayout(rootDir: string, files: LayoutFiles, managedRoots: readonly string[], disk: DiskLayout = scanLayout(rootDir, managedRoots)): LayoutPlan {
  return planWith(rootDir, files, disk);
}

/**
 * `planLayout`, also giving the hash of each file found up to date by the layout cache: a file
 * the cache vouches for whose new content has the cached hash is neither read nor compared.
 */
function planWith(rootDir: string, files: LayoutFiles, disk: DiskLayout, upToDate?: Map<string, CachedFile>, early?: ReadonlyMap<string, FileVerdict>): LayoutPlan {
  const { generated, foreign } = disk;
  const deleting = new Set([...generated.keys()].filter(p => !files.has(p)));

  const writes: { path: string; content: string; previous?: string }[] = [];
  const conflicts: string[] = [];
  let unchanged = 0;
  const prefixes = new Map<string, boolean>(); // directory prefix → blocks? (most files share their parents)
  for (const [p, content] of files) {
    const verdict = early?.get(p) ?? fileVerdict(disk, p, content);
    if (verdict.kind === 'cached') {
      unchanged++;
      upToDate?.set(p, verdict.entry);
    } else if (verdict.kind === 'unchanged') {
      unchanged++;
    } else if (foreign.has(p) || isBlocked(rootDir, p, deleting, prefixes)) {
      conflicts.push(p);
    } else {
      writes.push({ path: p, content, previous: verdict.previous });
    }
  }
  const deletes = [...deleting].sort(compareKeys).map(p => ({ path: p, previous: generated.get(p)! }));
  return {
    writes,
    deletes,
    unchanged,
    conflicts,
    pendingTransaction: fs.existsSync(path.join(rootDir, TRANSACTION_DIR, JOURNAL)),
  };
}

/** What the disk says of one file of the layout, before conflicts are looked for. */
type FileVerdict =
  /** The layout cache vouches for the file on disk, and the new content has its hash. */
  | { readonly kind: 'cached'; readonly entry: CachedFile }
  /** The generated file on disk has this content (a CRLF or BOM checkout of it counts). */
  | { readonly kind: 'unchanged' }
  /** To be written, unless something the writer may not replace stands in the way. */
  | { readonly kind: 'changed'; readonly previous?: string };

function fileVerdict(disk: DiskLayout, p: string, content: string): FileVerdict {
  const entry = disk.generated instanceof GeneratedFiles ? disk.generated.cachedEntry(p) : undefined;
  // the scan found the file the last synth wrote, under real directories: the same content is up to date
  if (entry !== undefined && entry.sha256 === contentHash(content)) return { kind: 'cached', entry };
  if (disk.foreign.has(p)) return { kind: 'changed' };
  const previous = disk.generated.get(p);
  // CRLF or a BOM from a checkout is the same file to Git (and a generated file there means nothing blocks it)
  if (previous === content || (previous !== undefined && normalizedText(previous) === content)) return { kind: 'unchanged' };
  return { kind: 'changed', previous };
}

/**
 * Whether something the writer may not remove stands at `rel` or at one of its parents. A
 * generated file that is being pruned, or a directory holding only such files, does not block:
 * the writer removes them before moving new files in (a file may become a directory and back).
 */
function isBlocked(rootDir: string, rel: string, deleting: ReadonlySet<string>, prefixes = new Map<string, boolean>()): boolean {
  const parts = rel.split('/');
  for (let i = 1; i < parts.length; i++) {
    const prefix = parts.slice(0, i).join('/');
    let verdict = prefixes.get(prefix); // true: blocks; false: absent (nothing below can block); undefined: a directory
    if (!prefixes.has(prefix)) {
      const st = lstatOrUndefined(path.join(rootDir, prefix));
      verdict = !st ? false : st.isDirectory() ? undefined : !(st.isFile() && deleting.has(prefix));
      prefixes.set(prefix, verdict as boolean);
    }
    if (verdict === false) return false;
    if (verdict === true) return true;
  }
  const st = lstatOrUndefined(path.join(rootDir, rel));
  if (!st || st.isFile()) return false; // a foreign file at rel is reported by the caller
  return !(st.isDirectory() && onlyPrunedFiles(rootDir, rel, deleting));
}

function onlyPrunedFiles(rootDir: string, rel: string, deleting: ReadonlySet<string>): boolean {
  return fs.readdirSync(path.join(rootDir, rel), { withFileTypes: true }).every(e => {
    const child = `${rel}/${e.name}`;
    if (e.isDirectory()) return onlyPrunedFiles(rootDir, child, deleting);
    return e.isFile() && deleting.has(child);
  });
}

/** Test seams to simulate a synth killed at a given point. @internal */
export interface WriteHooks {
  /** Called once every file is staged, before the journal is committed. */
  readonly afterStaged?: () => void;
  /**
   * Called after the journal is committed, before the n-th move: whole new directories are
   * moved first, then each file that goes into an existing directory.
   */
  readonly beforeApply?: (index: number) => void;
  /** Called before the n-th move when finishing a transaction an earlier, interrupted synth committed. */
  readonly beforeRecoveryStep?: (index: number) => void;
  /** Stage on a worker thread (true) or inline (false). @default a worker from STAGING_WORKER_MIN_FILES files on */
  readonly stageInWorker?: boolean;
}

interface Journal {
  /** Every staged file, with the hash of its content (checked when recovery finds it moved). */
  readonly moves: { readonly from: string; readonly to: string; readonly sha256: string }[];
  readonly deletes: string[];
  /**
   * Staged directories whose target did not exist when staged: each is moved with one rename
   * (its files then need no move of their own) unless something stands at the target by then.
   */
  readonly dirs?: { readonly from: string; readonly to: string }[];
}

/**
 * Writes the layout so that an interrupted synth never leaves a half-written tree behind for good:
 *
 * 1. a lock (`.cdk8s-flux/lock`, created exclusively) keeps two synths from writing at once;
 * 2. every new or changed file is staged under `.cdk8s-flux/transaction/staged/<its path>` (same
 *    file system, so the staged tree mirrors the layout) and made durable;
 * 3. a journal listing the moves (with content hashes) and deletions is written, fsynced and
 *    renamed into place: the commit point;
 * 4. pruned files are deleted; each staged directory whose target does not exist yet is renamed
 *    into place whole (a first synth, a new environment or component: one rename instead of one
 *    per file), every other staged file is renamed over its target; directories are fsynced,
 *    then the journal removed.
 *
 * A synth that fails or is killed before step 3 leaves the previous tree untouched (the next run
 * discards the staging area); one killed during step 4 is finished by the next run
 * (`recoverTransaction`). Refuses, before touching anything, to overwrite a file it did not generate.
 * `scanned`, the scan the files were rendered from, spares a second scan when no synth has
 * written since it began (see `stillCurrent`); otherwise the tree is scanned under the lock.
 */
export function writeLayout(rootDir: string, files: LayoutFiles, managedRoots: readonly string[], hooks: WriteHooks = {}, scanned?: DiskFiles): LayoutPlan {
  return openLayoutWrite(rootDir, managedRoots, hooks, scanned).finish(files).commit();
}

/**
 * A layout write under way while the fleet is still rendered and checked: the lock is held, and
 * each file given to `add` is staged at once when it differs from the disk. Nothing in the
 * layout changes before `commit`.
 */
export interface OpenLayoutWrite {
  /** A file of the layout whose content is final: staged now if the disk does not have it (on a worker thread for a large write). */
  add(path: string, content: string): void;
  /** Every file of the layout (those added included): plans the rest and stages what is left. */
  finish(files: LayoutFiles): PendingLayoutWrite;
  /** Throws away what was staged and releases the lock: nothing in the layout changed. */
  abort(): void;
}

/** A planned layout write whose files are staged or being staged. */
export interface PendingLayoutWrite {
  /** Finishes the write (see `writeLayout`) and returns what changed; the lock is released. */
  commit(): LayoutPlan;
  /** Throws away what was staged and releases the lock: nothing in the layout changed. */
  abort(): void;
}

/**
 * The first half of `writeLayout`: takes the lock, finishes an interrupted transaction and
 * compares each file added with the disk, staging the new ones meanwhile, so that the
 * caller's rendering and checks run while the disk works. A conflict is reported by `commit`,
 * so that the caller's own errors come first.
 */
export function openLayoutWrite(rootDir: string, managedRoots: readonly string[], hooks: WriteHooks = {}, scanned?: DiskFiles): OpenLayoutWrite {
  const release = guarded(rootDir, () => acquireLock(rootDir));
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    release();
  };
  const txDir = path.join(rootDir, TRANSACTION_DIR);
  let disk: DiskLayout;
  try {
    const recovered = recoverLocked(rootDir, managedRoots, hooks);
    disk = recovered ? scanLayout(rootDir, managedRoots) : stillCurrent(rootDir, scanned) ?? scanLayout(rootDir, managedRoots);
  } catch (e) {
    end();
    throw wrapped(rootDir, e);
  }
  const queue = new StagingQueue(path.join(txDir, STAGED), hooks.stageInWorker);
  const early = new Map<string, FileVerdict>();
  // each staged file's place in the staging's results (files are staged in the order they come)
  const stagedIndex = new Map<string, number>();
  const stage = (p: string, content: string) => {
    resolveInside(rootDir, p);
    stagedIndex.set(p, queue.size);
    queue.add({ file: path.join(rootDir, STAGED_PREFIX, p), content });
  };
  // only while the lock is held: once released, another synth may own the transaction directory
  const discard = () => {
    if (ended) return;
    try {
      queue.cancel();
      if (!fs.existsSync(path.join(txDir, JOURNAL))) fs.rmSync(txDir, { recursive: true, force: true });
    } finally {
      end();
    }
  };
  // a failure to read or stage a file while the caller renders is reported by `finish`, after
  // the caller's own problems (which come first), as a failure of the write
  let addFailure: { error: unknown } | undefined;
  return {
    add: (p, content) => {
      if (ended || addFailure || early.has(p)) return; // a path given twice is a collision the caller reports
      try {
        const verdict = fileVerdict(disk, p, content);
        early.set(p, verdict);
        if (verdict.kind === 'changed' && !disk.foreign.has(p)) stage(p, content);
      } catch (error) {
        addFailure = { error };
      }
    },
    finish: files => {
      try {
        if (addFailure) throw addFailure.error;
        const upToDate = new Map<string, CachedFile>();
        const plan = planWith(rootDir, files, disk, upToDate, early);
        if (plan.conflicts.length > 0) {
          discard();
          const error = new LayoutWriteError(
            `Refusing to write: ${plan.conflicts.length === 1 ? 'this path holds' : 'these paths hold'} something cdk8s-flux did not generate ` +
            `(generated files start with "${GENERATED_MARKER.slice(0, 30)}…"; symlinks are never followed):\n${plan.conflicts.map(c => `  ${c}`).join('\n')}\n` +
            'Move or delete it, or rename the construct that wants that path. Nothing was written.',
          );
          return { commit: () => { throw error; }, abort: () => undefined };
        }
        // the files not added early are staged now
        for (const w of plan.writes) if (!stagedIndex.has(w.path)) stage(w.path, w.content);
        if (stagedIndex.size !== plan.writes.length) {
          throw new Error('internal: a staged file is not one of the plan\'s writes'); // never: every staged path is planned as a write
        }
        if (plan.writes.length === 0 && plan.deletes.length === 0) {
          return {
            commit: () => {
              try {
                if (upToDate.size < files.size) guarded(rootDir, () => updateCache(rootDir, files, upToDate));
                return plan;
              } finally {
                discard();
              }
            },
            abort: discard,
          };
        }
        return {
          commit: () => {
            try {
              return guarded(rootDir, () => commitAndApply(rootDir, txDir, files, plan, queue, stagedIndex, upToDate, hooks));
            } finally {
              end();
            }
          },
          abort: discard,
        };
      } catch (e) {
        discard();
        throw wrapped(rootDir, e);
      }
    },
    abort: discard,
  };
}

/** Runs `fn`, turning a bare file-system error (taking the lock, reading the tree) into one that says nothing was written. */
function guarded<T>(rootDir: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw wrapped(rootDir, e);
  }
}

function wrapped(rootDir: string, e: unknown): unknown {
  // staging and applying say more of their own
  if (e instanceof LayoutWriteError || !isFileSystemError(e)) return e;
  return new LayoutWriteError(`Could not write the layout: ${describeFsError(rootDir, e)}. Nothing was written: the previous layout is intact. ${remedyFor(e)}`);
}

/** The second half of a write: waits for the staging, commits the journal, applies it and records the cache. */
function commitAndApply(rootDir: string, txDir: string, files: LayoutFiles, plan: LayoutPlan, staging: StagingQueue, stagedIndex: ReadonlyMap<string, number>, upToDate: Map<string, CachedFile>, hooks: WriteHooks): LayoutPlan {
  let journal: Journal;
  let staged: StagedResult;
  try {
    const body = { deletes: plan.deletes.map(d => d.path), dirs: newDirectories(rootDir, plan.writes.map(w => w.path)) };
    // in the plan's order (by path), whatever order the files were staged in
    const moves = plan.writes.map(w => ({ from: `${STAGED_PREFIX}/${w.path}`, to: w.path, index: stagedIndex.get(w.path)! }));
    staged = staging.finish({ file: path.join(txDir, `${JOURNAL}.tmp`), body, moves });
    // what the staging wrote into the journal
    journal = { moves: moves.map(m => ({ from: m.from, to: m.to, sha256: staged.sha256[m.index] })), ...body };
    commitJournal(rootDir, txDir, plan, hooks);
  } catch (e) {
    // before the commit point nothing in the layout has changed: free what was staged (on a
    // full disk, the staged copies are what fills it) and say so
    if (!fs.existsSync(path.join(txDir, JOURNAL))) fs.rmSync(txDir, { recursive: true, force: true });
    if (e instanceof LayoutWriteError || !isFileSystemError(e)) throw e;
    // a failed write names no path of its own: it is the layout file's
    const stagedRoot = `${path.join(rootDir, STAGED_PREFIX)}${path.sep}`;
    const err = e as NodeJS.ErrnoException & { stagedPath?: boolean };
    if (err.stagedPath && err.path?.startsWith(stagedRoot)) err.path = path.join(rootDir, err.path.slice(stagedRoot.length));
    throw new LayoutWriteError(`Could not stage the new layout: ${describeFsError(rootDir, e)}. Nothing was written: the previous layout is intact. ${remedyFor(e)}`);
  }
  let arrivedWithDirectory: (from: string) => boolean;
  try {
    arrivedWithDirectory = applyJournal(rootDir, journal, hooks);
  } catch (e) {
    if (!(e instanceof LayoutWriteError) && !isFileSystemError(e)) throw e;
    const [cause, remedy] = isFileSystemError(e) ? [describeFsError(rootDir, e), remedyFor(e)] : [e.message, 'Fix the cause above.'];
    throw new LayoutWriteError(
      `The synth stopped after its commit point: ${cause}. Some files of the layout are new and some are old; ` +
      `the journal in ${TRANSACTION_DIR}/ records the rest. ${remedy} Then run the synth again: it finishes the transaction exactly.`,
    );
  }
  // a file that arrived inside a directory renamed whole is the inode staging wrote and stat'ed
  const known = new Map(upToDate);
  journal.moves.forEach(m => {
    const st = staged.stats?.[stagedIndex.get(m.to)!];
    if (st && arrivedWithDirectory(m.from)) known.set(m.to, { sha256: m.sha256, stamp: stampOf(st) });
  });
  updateCache(rootDir, files, known);
  return plan;
}

/**
 * The scan the synth's model was made from, when it still describes the tree now that the lock is
 * held: no synth can have written since, because the layout cache carries the stamp it had when
 * that scan began (every write removes the cache before it changes a file, and writes it anew
 * after). Then the writer plans with it rather than scanning the tree a second time; the files it
 * knows by path only (generated, unread) are read when the plan needs their content.
 */
function stillCurrent(rootDir: string, scanned: DiskFiles | undefined): DiskLayout | undefined {
  const generated = scanned?.generated;
  if (!(generated instanceof GeneratedFiles) || generated.rootDir !== rootDir || generated.cacheStamp === undefined) return undefined;
  return generated.cacheStamp === layoutCacheStamp(rootDir) ? scanned as DiskLayout : undefined;
}

/**
 * Records what the layout now holds (see `LAYOUT_CACHE_FILE`): the hash and stamp of every file,
 * those found up to date as they were, the others stamped now. Best effort: a file that cannot be
 * stamped is left out (the next synth reads it).
 */
function updateCache(rootDir: string, files: LayoutFiles, upToDate: ReadonlyMap<string, CachedFile>): void {
  const entries = new Map<string, CachedFile>();
  for (const [p, content] of files) {
    const known = upToDate.get(p);
    if (known) {
      entries.set(p, known);
      continue;
    }
    const st = lstatOrUndefined(path.join(rootDir, p));
    // the file must hold exactly this content (not a CRLF checkout of it, which counts as unchanged)
    if (st?.isFile() && st.size === Buffer.byteLength(content)) entries.set(p, { sha256: contentHash(content), stamp: stampOf(st) });
  }
  writeLayoutCache(rootDir, entries);
}

/**
 * Commits the journal staging wrote and made durable (`journal.json.tmp`), once every target is
 * found writable: after it returns, the write can only be finished.
 */
function commitJournal(rootDir: string, txDir: string, plan: LayoutPlan, hooks: WriteHooks): void {
  hooks.afterStaged?.();
  // before the commit point: every directory that will change, and every file that will be replaced
  // or removed, must be writable (a read-only or immutable one would stop the renames half-way)
  const blocked = unwritable(rootDir, [...plan.writes.map(w => w.path), ...plan.deletes.map(d => d.path)], plan.writes.filter(w => w.previous !== undefined).map(w => w.path).concat(plan.deletes.map(d => d.path)));
  if (blocked.length > 0) {
    fs.rmSync(txDir, { recursive: true, force: true });
    throw new LayoutWriteError(`Refusing to write: ${blocked.length === 1 ? 'this path cannot' : 'these paths cannot'} be written (read-only, immutable or on a read-only file system):\n${blocked.map(b => `  ${b}`).join('\n')}\nMake ${blocked.length === 1 ? 'it' : 'them'} writable and run the synth again. Nothing was written.`);
  }
  // the files change from here on: the cache goes (a cache that outlived an interrupted write would
  // only be caught by its stamps), and comes back once the write is done
  removeLayoutCache(rootDir);
  fs.renameSync(path.join(txDir, `${JOURNAL}.tmp`), path.join(txDir, JOURNAL)); // commit point
  fsyncDir(txDir);
}

/**
 * The paths among the directories the layout writes into (the nearest existing directory of each
 * file) and the existing files it replaces or removes that cannot be changed, found by trying:
 * a probe file created and removed in each directory, each file opened for writing. Root passes
 * permission checks, but not an immutable file or a read-only file system, hence the trial.
 */
function unwritable(rootDir: string, files: readonly string[], existing: readonly string[]): string[] {
  const dirs = new Set<string>();
  const nearest = new Map<string, string>(); // directory → the nearest of it and its parents that exists (files share parents)
  const nearestOf = (d: string): string => {
    let found = nearest.get(d);
    if (found === undefined) {
      // a generated file that becomes a directory is pruned first
      found = d === '.' ? '' : lstatOrUndefined(path.join(rootDir, d))?.isDirectory() ? d : nearestOf(path.posix.dirname(d));
      nearest.set(d, found);
    }
    return found;
  };
  for (const f of files) dirs.add(nearestOf(path.posix.dirname(f)));
  const blocked: string[] = [];
  for (const d of [...dirs].sort(compareKeys)) {
    const probe = path.join(rootDir, d, `.cdk8s-flux-probe-${process.pid}`);
    try {
      fs.writeFileSync(probe, '');
      fs.rmSync(probe);
    } catch (e) {
      if (!isPermissionError(e)) throw e; // a full disk is not a read-only directory
      blocked.push(`${d || '.'}/`);
    }
  }
  for (const f of existing) {
    try {
      fs.closeSync(fs.openSync(path.join(rootDir, f), 'r+'));
    } catch (e) {
      if (!isPermissionError(e)) throw e;
      if (!blocked.includes(`${path.posix.dirname(f)}/`)) blocked.push(f);
    }
  }
  return blocked;
}

/**
 * Finishes or discards a transaction left by a killed synth: a committed journal is applied
 * (every step is idempotent and re-checks the generated marker); staged files without a
 * committed journal are thrown away. Returns whether anything was found.
 */
export function recoverTransaction(rootDir: string, managedRoots: readonly string[] = DEFAULT_ROOTS): boolean {
  return withLock(rootDir, () => recoverLocked(rootDir, managedRoots));
}

/** The layout roots a fleet repository has (GitOpsRepo.MANAGED_ROOTS), for recovery without a fleet at hand. */
const DEFAULT_ROOTS = ['clusters', 'infrastructure', 'apps'];

/**
 * Why a journal cannot be trusted, if so: recovery moves and deletes only inside the layout roots,
 * moves only staged files, and each staged file must hold the content the journal's hash vouches
 * for (a tampered journal cannot write into `.git/hooks/` nor delete a file elsewhere).
 */
function untrustedJournal(rootDir: string, journal: Journal, managedRoots: readonly string[]): string | undefined {
  // a file is inside a root; a directory moved whole may be a root itself
  const inRoots = (p: unknown, rootItself = false) => typeof p === 'string' && !path.posix.isAbsolute(p) && !p.split('/').includes('..') && !p.split('/').includes('.')
    && managedRoots.includes(p.split('/')[0]) && (rootItself || p.includes('/'));
  const staged = (p: unknown) => typeof p === 'string' && p.startsWith(`${STAGED_PREFIX}/`) && !p.split('/').includes('..');
  if (!Array.isArray(journal?.moves) || !Array.isArray(journal?.deletes)) return 'it is not a journal of this version';
  const bad = [
    ...journal.deletes.filter(d => !inRoots(d)).map(d => `delete ${JSON.stringify(d)}`),
    ...journal.moves.filter(m => !staged(m.from) || !inRoots(m.to) || typeof m.sha256 !== 'string').map(m => `move to ${JSON.stringify(m.to)}`),
    ...(journal.dirs ?? []).filter(d => !staged(d.from) || !inRoots(d.to, true)).map(d => `directory ${JSON.stringify(d.to)}`),
  ];
  if (bad.length > 0) return `it names paths outside ${managedRoots.map(r => `${r}/`).join(', ')} or the staging area (${bad.slice(0, 3).join(', ')})`;
  // a path inside a root as a string may still lead out of it through a symbolic link on the way
  const linked = [...journal.deletes, ...journal.moves.flatMap(m => [m.from, m.to]), ...(journal.dirs ?? []).flatMap(d => [d.from, d.to])]
    .filter(p => firstNonDirectory(rootDir, p, false) !== undefined);
  if (linked.length > 0) return `it names paths through a symbolic link (${linked.slice(0, 3).map(p => JSON.stringify(p)).join(', ')}), which recovery never follows`;
  for (const m of journal.moves) {
    const from = path.join(rootDir, m.from);
    if (fs.existsSync(from) && contentHash(fs.readFileSync(from, 'utf8')) !== m.sha256) return `the staged copy of ${m.to} does not hold the content its hash vouches for`;
  }
  return undefined;
}

function recoverLocked(rootDir: string, managedRoots: readonly string[], hooks: WriteHooks = {}): boolean {
  const txDir = path.join(rootDir, TRANSACTION_DIR);
  if (!fs.existsSync(txDir)) return false;
  const journalPath = path.join(txDir, JOURNAL);
  if (!fs.existsSync(journalPath)) {
    fs.rmSync(txDir, { recursive: true, force: true });
    return true;
  }
  try {
    const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8')) as Journal;
    const distrust = untrustedJournal(rootDir, journal, managedRoots);
    if (distrust) throw new Error(`its journal cannot be trusted: ${distrust}; nothing was moved or deleted`);
    applyJournal(rootDir, journal, { beforeApply: hooks.beforeRecoveryStep });
  } catch (e) {
    throw new LayoutWriteError(
      `An interrupted synth left a transaction in ${TRANSACTION_DIR}/ that cannot be finished: ${(e as Error).message}\n` +
      `Delete ${TRANSACTION_DIR}/ and run the synth again: it rewrites every generated file from the fleet code.`,
    );
  }
  return true;
}

/** Applies a committed journal; returns whether a staged file arrived with a directory renamed whole. */
function applyJournal(rootDir: string, journal: Journal, hooks: WriteHooks = {}): (from: string) => boolean {
  const touched = new Set<string>();
  for (const del of journal.deletes) {
    const abs = resolveInside(rootDir, del);
    const st = lstatOrUndefined(abs);
    // only ever delete a generated file: after a crash, a hand-written file may stand there now
    if (st?.isFile() && isGenerated(fs.readFileSync(abs, 'utf8'))) fs.rmSync(abs);
    removeEmptyParents(rootDir, path.dirname(del));
    touched.add(path.dirname(abs));
  }
  let step = 0;
  const moved = new Set<string>(); // staged directories renamed into place by this run
  const arrivedWithDirectory = (from: string) => {
    for (let d = path.posix.dirname(from); d.length > STAGED_PREFIX.length; d = path.posix.dirname(d)) if (moved.has(d)) return true;
    return false;
  };
  for (const dir of journal.dirs ?? []) {
    const from = resolveInside(rootDir, dir.from);
    const to = resolveInside(rootDir, dir.to);
    hooks.beforeApply?.(step++);
    // a directory that stands there now (made by hand after a crash) gets the files one by one
    if (!lstatOrUndefined(from)?.isDirectory() || lstatOrUndefined(to)) continue;
    ensureDirectory(rootDir, path.dirname(to), touched);
    fs.renameSync(from, to);
    touched.add(path.dirname(to));
    touched.add(to); // its ".." entry changed
    moved.add(dir.from);
  }
  const created = new Set<string>();
  for (const move of journal.moves) {
    if (arrivedWithDirectory(move.from)) continue; // its directory was just renamed into place
    const from = resolveInside(rootDir, move.from);
    const to = resolveInside(rootDir, move.to);
    if (!fs.existsSync(from)) {
      // moved by an earlier, interrupted run: the target must hold exactly the staged content
      const existing = lstatOrUndefined(to);
      if (!existing?.isFile() || contentHash(fs.readFileSync(to, 'utf8')) !== move.sha256) {
        throw new LayoutWriteError(`the staged copy of ${move.to} is missing and ${move.to} does not hold the new content`);
      }
      continue;
    }
    hooks.beforeApply?.(step++);
    let existing = lstatOrUndefined(to);
    // a directory without files where the file goes (left by hand, or by a pruned directory) gives way
    if (existing?.isDirectory() && holdsNoFile(to)) {
      fs.rmSync(to, { recursive: true });
      touched.add(path.dirname(to));
      existing = undefined;
    }
    if (existing && !(existing.isFile() && isGenerated(fs.readFileSync(to, 'utf8')))) {
      throw new LayoutWriteError(`${move.to} now holds something cdk8s-flux did not generate; it was left alone`);
    }
    if (!created.has(path.dirname(to))) {
      ensureDirectory(rootDir, path.dirname(to), touched);
      created.add(path.dirname(to));
    }
    fs.renameSync(from, to);
    touched.add(path.dirname(to));
  }
  for (const dir of touched) if (fs.existsSync(dir)) fsyncDir(dir);
  fs.rmSync(path.join(rootDir, TRANSACTION_DIR), { recursive: true, force: true });
  return arrivedWithDirectory;
}

/** Whether a directory holds nothing but (possibly) empty directories. */
function holdsNoFile(dir: string): boolean {
  return fs.readdirSync(dir, { withFileTypes: true }).every(e => e.isDirectory() && holdsNoFile(path.join(dir, e.name)));
}

/**
 * The top-most directories of the layout that do not exist yet and that hold new files: each
 * can be moved into place whole. A path under something that is not a directory (a generated
 * file about to be pruned) is left to file-by-file moves.
 */
function newDirectories(rootDir: string, paths: readonly string[]): { from: string; to: string }[] {
  const state = new Map<string, 'dir' | 'missing' | 'other'>();
  const stateOf = (rel: string) => {
    let s = state.get(rel);
    if (s === undefined) {
      const st = lstatOrUndefined(path.join(rootDir, rel));
      s = !st ? 'missing' : st.isDirectory() ? 'dir' : 'other';
      state.set(rel, s);
    }
    return s;
  };
  const dirs = new Set<string>();
  for (const p of paths) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      const s = stateOf(prefix);
      if (s === 'dir') continue;
      if (s === 'missing') dirs.add(prefix);
      break;
    }
  }
  return [...dirs].sort(compareKeys).map(d => ({ from: `${STAGED_PREFIX}/${d}`, to: d }));
}

/** Creates `dir` and its missing parents, marking what changed for fsync. */
function ensureDirectory(rootDir: string, dir: string, touched: Set<string>): void {
  const missing: string[] = [];
  for (let d = dir; d.length > rootDir.length && !fs.existsSync(d); d = path.dirname(d)) missing.push(d);
  if (missing.length === 0) return;
  fs.mkdirSync(dir, { recursive: true });
  for (const d of missing) {
    touched.add(d);
    touched.add(path.dirname(d));
  }
}

/** Resolves a journal path, refusing anything that would leave the repository root. */
function resolveInside(rootDir: string, rel: string): string {
  const abs = path.resolve(rootDir, rel);
  if (path.isAbsolute(rel) || rel.split(/[\\/]/).includes('..') || !abs.startsWith(path.resolve(rootDir) + path.sep)) {
    throw new Error(`journal path ${JSON.stringify(rel)} points outside the repository`);
  }
  return abs;
}

/** Removes directories left empty by pruning, walking up but never past the repository root. */
function removeEmptyParents(rootDir: string, rel: string): void {
  for (let dir = rel; dir !== '.' && dir !== '' && dir !== '/'; dir = path.dirname(dir)) {
    const abs = path.join(rootDir, dir);
    try {
      if (fs.readdirSync(abs).length > 0) return;
      fs.rmdirSync(abs);
    } catch {
      return;
    }
  }
}

/** Runs `fn` holding the repository's write lock (see `acquireLock`). */
function withLock<T>(rootDir: string, fn: () => T): T {
  const release = acquireLock(rootDir);
  try {
    return fn();
  } finally {
    release();
  }
}

/** Takes the repository's write lock, returning what releases it; a stale lock of a dead process is taken over. */
function acquireLock(rootDir: string): () => void {
  const lock = path.join(rootDir, LOCK_FILE);
  // the lock appears with its owner already in it (a hard link of a written file), so that another
  // synth never reads an empty lock and takes it for stale while this one is alive
  const mine = `${lock}.${process.pid}.tmp`;
  for (let attempt = 0; ; attempt++) {
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    try {
      fs.writeFileSync(mine, String(process.pid));
      break;
    } catch (e) {
      // another synth, finishing, removed the empty state directory in between: make it again
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 5) {
        fs.rmSync(mine, { force: true }); // a full disk may leave it created, empty
        removeEmptyParents(rootDir, STATE_DIR);
        throw e;
      }
    }
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkOrCreate(mine, lock);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const st = fs.lstatSync(lock, { throwIfNoEntry: false });
        if (st && !st.isFile()) {
          throw new LayoutWriteError(`${path.join(rootDir, LOCK_FILE)} is not a file (it is ${st.isDirectory() ? 'a directory' : 'a link or special file'}), so no synth can take the lock: remove it.`);
        }
        const text = st ? fs.readFileSync(lock, 'utf8').trim() : '';
        const owner = /^[0-9]+$/.test(text) ? Number(text) : undefined;
        if (owner === undefined && st && Date.now() - st.mtimeMs < STALE_UNNAMED_LOCK_MS) {
          throw new LayoutWriteError(`${LOCK_FILE} is held but does not name its process (${text === '' ? 'it is empty' : `it holds ${JSON.stringify(text.slice(0, 40))}`}), so another synth may be starting: try again; if no synth is running, delete ${LOCK_FILE}.`);
        }
        if (owner !== undefined && isAlive(owner)) {
          throw new LayoutWriteError(`Another synth (process ${owner}) is writing this repository. Wait for it to finish; if no synth is running, delete ${LOCK_FILE}.`);
        }
        if (attempt >= 2) throw new LayoutWriteError(`Could not take ${LOCK_FILE}: other synths kept taking it. Try again when they have finished.`);
        if (st) removeStaleLock(lock, text);
      }
    }
  } finally {
    fs.rmSync(mine, { force: true });
  }
  return () => {
    fs.rmSync(lock, { force: true });
    removeEmptyParents(rootDir, STATE_DIR);
  };
}

/** Hard links of a file are not everywhere (FAT, exFAT, some FUSE and container mounts). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/**
 * Makes `lock` appear with the owner `mine` holds: a hard link (atomic, never empty); where the
 * file system has none, created exclusively and written at once (an empty lock is then possible
 * for an instant, which the 10 s grace of an unnamed lock covers). Throws EEXIST when it is held.
 */
function linkOrCreate(mine: string, lock: string): void {
  try {
    fs.linkSync(mine, lock);
  } catch (e) {
    if (!NO_HARD_LINKS.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
    const fd = fs.openSync(lock, 'wx');
    try {
      fs.writeSync(fd, fs.readFileSync(mine, 'utf8'));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
}

/**
 * Removes a stale lock, holding `lock.break` meanwhile: two synths that both found the lock stale
 * must not both take it (the later one would remove the lock the earlier one just took).
 */
function removeStaleLock(lock: string, staleText: string): void {
  const breaker = `${lock}.break`;
  let fd: number;
  try {
    fd = fs.openSync(breaker, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const st = fs.lstatSync(breaker, { throwIfNoEntry: false });
    // a takeover lasts microseconds: an old one was left by a synth killed in the middle of it
    if (st && Date.now() - st.mtimeMs > STALE_UNNAMED_LOCK_MS) fs.rmSync(breaker, { force: true });
    return;
  }
  try {
    // still the lock that was found stale, not one a live synth has taken since
    const now = fs.readFileSync(lock, { encoding: 'utf8', flag: 'r' }).trim();
    if (now === staleText) fs.rmSync(lock, { force: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  } finally {
    fs.closeSync(fd);
    fs.rmSync(breaker, { force: true });
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A unified diff of everything a plan would change, `a/` being the disk and `b/` a fresh synth. */
export function diffPlan(plan: LayoutPlan): string {
  const parts: string[] = [];
  // loaded here: only --check and diff need it, never a synth
  const { createTwoFilesPatch } = require('diff') as typeof Diff;
  const entries = [
    ...plan.writes.map(w => ({ path: w.path, before: w.previous, after: w.content as string | undefined })),
    ...plan.deletes.map(d => ({ path: d.path, before: d.previous as string | undefined, after: undefined })),
  ].sort((a, b) => compareKeys(a.path, b.path));
  for (const e of entries) {
    parts.push(createTwoFilesPatch(
      e.before === undefined ? '/dev/null' : `a/${e.path}`,
      e.after === undefined ? '/dev/null' : `b/${e.path}`,
      e.before ?? '',
      e.after ?? '',
      undefined,
      undefined,
      { context: 3 },
    ).replace(/^=+\n/, ''));
  }
  for (const c of plan.conflicts) parts.push(`conflict: ${c} exists but was not generated by cdk8s-flux\n`);
  if (plan.pendingTransaction) parts.push('pending: an interrupted synth left a committed transaction; run the synth to finish it\n');
  return parts.join('');
}
