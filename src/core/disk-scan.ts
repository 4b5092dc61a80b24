import * as fs from 'node:fs';
import * as path from 'node:path';
import { DiskLayout } from './model/repo-tree';
import { GENERATED_MARKER } from './render';

/** Whether a file's content carries the generated-file marker. */
export function isGenerated(content: string): boolean {
  return content.startsWith(`${GENERATED_MARKER}\n`);
}

/**
 * What the managed top-level directories hold: the files a synth generated (by their marker) and
 * every other entry, read once and shared by the model (which reads the files the user owns) and
 * the writer (which never touches them). Only real directories are scanned (a symlinked `apps/`
 * is never followed).
 */
export function scanLayout(rootDir: string, managedRoots: readonly string[]): DiskLayout {
  const generated = new Map<string, string>();
  const foreign = new Map<string, string | undefined>();
  for (const top of managedRoots) {
    const st = lstatOrUndefined(path.join(rootDir, top));
    if (st?.isDirectory()) scan(rootDir, top, generated, foreign);
    else if (st) foreign.set(top, undefined);
  }
  return { generated, foreign };
}

function scan(rootDir: string, rel: string, generated: Map<string, string>, foreign: Map<string, string | undefined>): void {
  for (const entry of fs.readdirSync(path.join(rootDir, rel), { withFileTypes: true })) {
    const child = `${rel}/${entry.name}`;
    if (entry.isDirectory()) {
      scan(rootDir, child, generated, foreign);
    } else if (entry.isFile()) {
      const content = fs.readFileSync(path.join(rootDir, child), 'utf8');
      if (isGenerated(content)) generated.set(child, content);
      else foreign.set(child, content);
    } else {
      foreign.set(child, undefined); // symlinks, sockets…: never ours, never followed
    }
  }
}

function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch {
    return undefined;
  }
}
