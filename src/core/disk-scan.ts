import * as fs from 'node:fs';
import * as path from 'node:path';
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
  const generated = new Map<string, string>();
  const foreign = new Map<string, string | undefined>();
  for (const top of managedRoots) {
    const st = lstatOrUndefined(path.join(rootDir, top));
    if (st?.isDirectory()) scan(rootDir, top, generated, foreign, full);
    else if (st) foreign.set(top, undefined);
  }
  return { generated, foreign };
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

function scan(rootDir: string, rel: string, generated: Map<string, string>, foreign: Map<string, string | undefined>, full: boolean): void {
  for (const entry of fs.readdirSync(path.join(rootDir, rel), { withFileTypes: true })) {
    const child = `${rel}/${entry.name}`;
    if (entry.isDirectory()) {
      scan(rootDir, child, generated, foreign, full);
    } else if (entry.isFile()) {
      const read = readFile(path.join(rootDir, child), full);
      if (read.generated) generated.set(child, read.content ?? '');
      else foreign.set(child, read.content);
    } else {
      foreign.set(child, undefined); // symlinks, sockets…: never ours, never followed
    }
  }
}

/** The entry at a path, not following a symbolic link, or undefined when there is none. */
export function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
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
