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

/** One frame of a stack: where it is as printed, and as a file path (undefined for a `file://` URL that is not a path). */
interface StackFrame {
  readonly location: string;
  readonly file?: string;
  readonly line: string;
  readonly column: string;
}

/** The frames of a stack that name a place (`at fn (where:line:col)` or `at where:line:col`), top first. */
function stackFrames(stack: string): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const text of stack.split('\n').slice(1)) {
    const m = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/.exec(text);
    if (!m) continue;
    let file: string | undefined = m[1];
    if (file.startsWith('file://')) {
      try {
        file = fileURLToPath(file);
      } catch {
        file = undefined;
      }
    }
    frames.push({ location: m[1], file, line: m[2], column: m[3] });
  }
  return frames;
}

/** Whether a file is the user's code: an absolute path, not under node_modules, not this library's own. */
function isUserFile(file: string): boolean {
  return path.isAbsolute(file) && !file.split(path.sep).includes('node_modules') && !isLibraryFile(file);
}

/**
 * The first frame of a stack that is the user's code: not Node's, not a package's under
 * node_modules, not this library's own (its example fleet counts as a user's). Shown relative to
 * the working directory: `src/fleet.ts:12:7`.
 */
export function userFrame(stack: string, cwd: string = process.cwd()): string | undefined {
  const frame = stackFrames(stack).find(f => f.file !== undefined && isUserFile(f.file));
  if (!frame) return undefined;
  const rel = path.relative(cwd, frame.file!);
  return `${rel && !rel.startsWith('..') ? rel : frame.file}:${frame.line}:${frame.column}`;
}

/** Whether the frame that threw (the first one in a file, Node's own skipped) is the user's code, or unknown. */
function thrownInUserCode(stack: string): boolean {
  const top = stackFrames(stack).find(f => !f.location.startsWith('node:'));
  // no frame, or one that names no path: say nothing of where
  if (!top || top.file === undefined || !path.isAbsolute(top.file)) return true;
  return isUserFile(top.file);
}

function isLibraryFile(file: string): boolean {
  const rel = path.relative(LIBRARY_ROOT, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return false;
  const top = rel.split(path.sep)[0];
  return !['example-fleet', 'main.ts', 'main.js'].includes(top);
}
