import * as fs from 'node:fs';
import * as path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { LayoutWriteError } from './errors';
import { LayoutFiles } from './layout-model';
import { compareKeys, GENERATED_MARKER } from './render';

/**
 * Where an in-flight synth keeps its staged files and journal, relative to the repository
 * root. Git-ignored; it exists only while a synth runs or after one was killed.
 */
export const TRANSACTION_DIR = '.cdk8s-flux/transaction';
const JOURNAL = 'journal.json';
const STAGED = 'staged';

/** What writing the layout would change on disk. */
export interface LayoutPlan {
  /** Files to create or update, with their previous content when they exist. */
  readonly writes: readonly { readonly path: string; readonly content: string; readonly previous?: string }[];
  /** Files generated earlier that the fleet no longer produces. */
  readonly deletes: readonly { readonly path: string; readonly previous: string }[];
  /** Number of files already up to date. */
  readonly unchanged: number;
  /** Paths the layout needs that hold files cdk8s-flux did not generate (never overwritten). */
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
 * overwritten or pruned) only when its first line is the cdk8s-flux marker; every other file is
 * left alone, and a desired path occupied by such a file is a conflict. Only the managed
 * top-level directories are scanned.
 */
export function planLayout(rootDir: string, files: LayoutFiles, managedRoots: readonly string[]): LayoutPlan {
  const generated = new Map<string, string>();
  const foreign = new Set<string>();
  for (const top of managedRoots) scan(rootDir, top, generated, foreign);

  const writes: { path: string; content: string; previous?: string }[] = [];
  const conflicts: string[] = [];
  let unchanged = 0;
  for (const [p, content] of files) {
    const previous = generated.get(p);
    if (foreign.has(p) || blockedByNonDirectory(rootDir, p)) conflicts.push(p);
    else if (previous === content) unchanged++;
    else writes.push({ path: p, content, previous });
  }
  const deletes = [...generated.entries()]
    .filter(([p]) => !files.has(p))
    .map(([p, previous]) => ({ path: p, previous }))
    .sort((a, b) => compareKeys(a.path, b.path));
  return {
    writes,
    deletes,
    unchanged,
    conflicts,
    pendingTransaction: fs.existsSync(path.join(rootDir, TRANSACTION_DIR, JOURNAL)),
  };
}

function scan(rootDir: string, rel: string, generated: Map<string, string>, foreign: Set<string>): void {
  const abs = path.join(rootDir, rel);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(abs, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') { foreign.add(rel); return; }
    throw e;
  }
  for (const entry of entries) {
    const child = `${rel}/${entry.name}`;
    if (entry.isDirectory()) {
      scan(rootDir, child, generated, foreign);
    } else if (entry.isFile()) {
      const content = fs.readFileSync(path.join(rootDir, child), 'utf8');
      if (content.startsWith(`${GENERATED_MARKER}\n`)) generated.set(child, content);
      else foreign.add(child);
    } else {
      foreign.add(child); // symlinks, sockets…: never ours, never followed
    }
  }
}

/** A path whose parent is a file (or symlink) cannot be written without touching that file. */
function blockedByNonDirectory(rootDir: string, rel: string): boolean {
  const parts = rel.split('/');
  for (let i = 1; i < parts.length; i++) {
    const st = lstatOrUndefined(path.join(rootDir, ...parts.slice(0, i)));
    if (!st) return false;
    if (!st.isDirectory()) return true;
  }
  const st = lstatOrUndefined(path.join(rootDir, rel));
  return st !== undefined && !st.isFile();
}

function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch {
    return undefined;
  }
}

/** Test seams to simulate a synth killed at a given point. @internal */
export interface WriteHooks {
  /** Called once every file is staged, before the journal is committed. */
  readonly afterStaged?: () => void;
  /** Called after the journal is committed, before the n-th file is moved into place. */
  readonly beforeApply?: (index: number) => void;
}

interface Journal {
  readonly moves: { readonly from: string; readonly to: string }[];
  readonly deletes: string[];
}

/**
 * Writes the layout so that an interrupted synth never leaves a half-written tree:
 *
 * 1. every new or changed file is staged under `.cdk8s-flux/transaction/` (same file system);
 * 2. a journal listing the moves and deletions is written and renamed into place: the commit point;
 * 3. staged files are renamed over their targets, pruned files deleted, then the journal removed.
 *
 * A synth killed before step 2 leaves the previous tree untouched (the next run discards the
 * staging area); one killed during step 3 is finished by the next run (`recoverTransaction`).
 * Refuses, before touching anything, to overwrite a file it did not generate.
 */
export function writeLayout(rootDir: string, files: LayoutFiles, managedRoots: readonly string[], hooks: WriteHooks = {}): LayoutPlan {
  recoverTransaction(rootDir);
  const plan = planLayout(rootDir, files, managedRoots);
  if (plan.conflicts.length > 0) {
    throw new LayoutWriteError(
      `Refusing to write: ${plan.conflicts.length === 1 ? 'this path holds' : 'these paths hold'} something cdk8s-flux did not generate ` +
      `(generated files start with "${GENERATED_MARKER.slice(0, 30)}…"):\n${plan.conflicts.map(c => `  ${c}`).join('\n')}\n` +
      'Move or delete it, or rename the construct that wants that path. Nothing was written.',
    );
  }
  if (plan.writes.length === 0 && plan.deletes.length === 0) return plan;

  const txDir = path.join(rootDir, TRANSACTION_DIR);
  fs.mkdirSync(path.join(txDir, STAGED), { recursive: true });
  const moves = plan.writes.map((w, i) => {
    const from = `${TRANSACTION_DIR}/${STAGED}/${i}`;
    writeDurably(path.join(rootDir, from), w.content);
    return { from, to: w.path };
  });
  hooks.afterStaged?.();

  const journal: Journal = { moves, deletes: plan.deletes.map(d => d.path) };
  writeDurably(path.join(txDir, `${JOURNAL}.tmp`), JSON.stringify(journal));
  fs.renameSync(path.join(txDir, `${JOURNAL}.tmp`), path.join(txDir, JOURNAL)); // commit point
  applyJournal(rootDir, journal, hooks);
  return plan;
}

/**
 * Finishes or discards a transaction left by a killed synth: a committed journal is applied
 * (every step is idempotent); staged files without a committed journal are thrown away.
 * Returns whether anything was found.
 */
export function recoverTransaction(rootDir: string): boolean {
  const txDir = path.join(rootDir, TRANSACTION_DIR);
  if (!fs.existsSync(txDir)) return false;
  const journalPath = path.join(txDir, JOURNAL);
  if (fs.existsSync(journalPath)) {
    applyJournal(rootDir, JSON.parse(fs.readFileSync(journalPath, 'utf8')) as Journal);
  } else {
    fs.rmSync(txDir, { recursive: true, force: true });
  }
  return true;
}

function applyJournal(rootDir: string, journal: Journal, hooks: WriteHooks = {}): void {
  journal.moves.forEach((move, i) => {
    hooks.beforeApply?.(i);
    const from = path.join(rootDir, move.from);
    if (!fs.existsSync(from)) return; // already moved by an earlier, interrupted run
    const to = path.join(rootDir, move.to);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.renameSync(from, to);
  });
  for (const del of journal.deletes) {
    fs.rmSync(path.join(rootDir, del), { force: true });
    removeEmptyParents(rootDir, path.dirname(del));
  }
  fs.rmSync(path.join(rootDir, TRANSACTION_DIR), { recursive: true, force: true });
  removeEmptyParents(rootDir, path.dirname(TRANSACTION_DIR));
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

function writeDurably(file: string, content: string): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** A unified diff of everything a plan would change, `a/` being the disk and `b/` a fresh synth. */
export function diffPlan(plan: LayoutPlan): string {
  const parts: string[] = [];
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
