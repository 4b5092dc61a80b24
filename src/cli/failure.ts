import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FleetValidationError, LayoutWriteError } from '../core/errors';
import { UnknownEnvironmentError } from '../fleet/gitops-repo';
import { CertificateError } from '../secrets/certificate';
import { SealError } from '../secrets/sealed-store';
import { ExitCode, UsageError } from './args';

/** Errors that are the user's to fix: their message is the whole story, no stack trace needed. */
const USER_ERRORS = [FleetValidationError, LayoutWriteError, UnknownEnvironmentError, CertificateError, SealError, UsageError];

/** This library's own sources (src/ or lib/); the example fleet and its app are a user's code like any other. */
const LIBRARY_ROOT = path.resolve(__dirname, '..');

/** The exit code of a failure, from the one table: an invalid fleet is a finding (1), anything else kept the command from running (2). */
export function exitCodeOf(e: unknown): number {
  return e instanceof FleetValidationError ? ExitCode.FINDINGS : ExitCode.ERROR;
}

/**
 * A failure as the CLI prints it: a user error's message alone; an unexpected error (a bug in the
 * fleet's code, most often) with its type, message and the first frame of the user's own code —
 * the file and line to look at — and the whole stack only with `--verbose`.
 */
export function describeFailure(command: string, e: unknown, verbose: boolean, cwd: string = process.cwd()): string {
  const err = e instanceof Error ? e : new Error(String(e));
  if (verbose && !(err instanceof UsageError)) return `${err.stack ?? err.message}\n`;
  if (USER_ERRORS.some(c => err instanceof c)) return `${err.message}\n`;
  const kind = err.name && err.name !== 'Error' ? `${err.name}: ` : '';
  // only when it was thrown in the user's code: a library's error (or a raw file-system error of
  // ours) must not point at the user's `runCli(…)` line, the first user frame below it
  if (!thrownInUserCode(err.stack ?? '')) {
    return `${command} failed: ${kind}${err.message}\nThis is an error of cdk8s-flux (or a package it uses), not of your fleet code: run with --verbose for the stack trace, and report it.\n`;
  }
  const frame = userFrame(err.stack ?? '', cwd);
  return `${command} failed: ${kind}${err.message}\n${frame ? `    at ${frame} (your code)\n` : ''}(run with --verbose for the stack trace)\n`;
}

/**
 * The first frame of a stack that is the user's code: not Node's, not a package's under
 * node_modules, not this library's own (its example fleet counts as a user's). Shown relative to
 * the working directory: `src/fleet.ts:12:7`.
 */
export function userFrame(stack: string, cwd: string = process.cwd()): string | undefined {
  for (const line of stack.split('\n').slice(1)) {
    const m = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/.exec(line);
    if (!m) continue;
    let file = m[1];
    if (file.startsWith('file://')) {
      try {
        file = fileURLToPath(file);
      } catch {
        continue;
      }
    }
    if (!path.isAbsolute(file) || file.split(path.sep).includes('node_modules')) continue;
    if (isLibraryFile(file)) continue;
    const rel = path.relative(cwd, file);
    return `${rel && !rel.startsWith('..') ? rel : file}:${m[2]}:${m[3]}`;
  }
  return undefined;
}

/** Whether the frame that threw (the first one in a file, Node's own skipped) is the user's code, or unknown. */
function thrownInUserCode(stack: string): boolean {
  for (const line of stack.split('\n').slice(1)) {
    const m = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/.exec(line);
    if (!m || m[1].startsWith('node:')) continue;
    let file = m[1];
    if (file.startsWith('file://')) {
      try {
        file = fileURLToPath(file);
      } catch {
        return true;
      }
    }
    if (!path.isAbsolute(file)) return true;
    return !file.split(path.sep).includes('node_modules') && !isLibraryFile(file);
  }
  return true; // no frame to tell: say nothing of where
}

function isLibraryFile(file: string): boolean {
  const rel = path.relative(LIBRARY_ROOT, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return false;
  const top = rel.split(path.sep)[0];
  return !['example-fleet', 'main.ts', 'main.js'].includes(top);
}
