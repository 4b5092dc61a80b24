/**
 * Shared pieces of the adversarial suite (test/adversarial/): how many generated cases to run,
 * the layout as a user sees it, and the invariants every failure must keep.
 *
 * `npm test` runs a budget of cases per property; `npm run test:adversarial` runs many more
 * (`ADVERSARIAL_CASES`, and `ADVERSARIAL_SEED` to replay one failing case: every failure
 * message names its seed).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'vitest';
import { FleetValidationError, LayoutWriteError, SealError } from '../../src';
import { CertificateError } from '../../src/secrets/certificate';
import { UnknownEnvironmentError } from '../../src/fleet/gitops-repo';
import { captureCli, readTree } from '../helpers';

export { Rng } from '../support/fleet-mutations';

/** The seeds of a generated property: `ADVERSARIAL_SEED` alone, or `count` of them (times `ADVERSARIAL_CASES / 10` when set). */
export function seeds(count: number, salt: number): number[] {
  const only = process.env.ADVERSARIAL_SEED;
  if (only !== undefined && only !== '') return [Number(only)];
  const scale = Number(process.env.ADVERSARIAL_CASES ?? '10') / 10;
  const n = Math.max(1, Math.round(count * scale));
  return Array.from({ length: n }, (_, i) => salt * 1000 + i + 1);
}

/** Every file under the root except cdk8s-flux's own working state; a symbolic link as `-> target`, never followed. */
export function visibleTree(root: string): Record<string, string> {
  return Object.fromEntries(Object.entries(readTree(root, { showLinks: true })).filter(([p]) => !p.startsWith('.cdk8s-flux/')));
}

/** The errors that are the user's to fix: each is one message, meant to be read as it is. */
export const USER_ERRORS = [FleetValidationError, LayoutWriteError, SealError, CertificateError, UnknownEnvironmentError];

/** A failure is a user error, not a crash of the library (`TypeError`, a raw `ENOENT`…). */
export function expectUserError(e: unknown, context: string): asserts e is Error {
  expect(e, `${context}: expected an error`).toBeInstanceOf(Error);
  const err = e as Error;
  expect(USER_ERRORS.some(c => err instanceof c), `${context}: not a user error but ${err.name}: ${err.message}\n${err.stack}`).toBe(true);
  expect(err.message, `${context}: a raw system error reached the user`).not.toMatch(/^E[A-Z]+: /);
}

/** Runs `fn`, returning its error (or undefined when it succeeded). */
export function failureOf(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e;
  }
}

/** What a CLI run printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Standard streams captured in memory (`run` holds what was printed), with a standard input made of `stdin`, and CI unset. */
export function captureIo(stdin: string | Buffer = '') {
  const { io: run, sink } = captureCli({ stdin });
  return { run, io: { ...sink, env: { CI: undefined } } };
}

/** A stack trace line: never shown to a user who did not ask for it (`--verbose`). */
export const STACK_LINE = /^\s+at .+\(?.*:\d+:\d+\)?$/m;

/** Every file below `dir` whose content contains `needle` (relative paths). */
export function filesContaining(dir: string, needle: string): string[] {
  return Object.entries(readTree(dir)).filter(([, c]) => c.includes(needle)).map(([p]) => p);
}

/** A fresh directory under the system's temporary directory. */
export function scratch(prefix: string): string {
  return fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), `cdk8s-flux-${prefix}-`));
}
