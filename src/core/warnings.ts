import { IConstruct } from 'constructs';
import { FleetProblem } from './errors';

const WARNINGS = new WeakMap<IConstruct, Set<string>>();
const CHECK_WARNINGS = new WeakMap<IConstruct, Map<string, FleetProblem>>();

/** Forgets the warnings the checks found in an earlier synth of this fleet. */
export function clearProblemWarnings(root: IConstruct): void {
  CHECK_WARNINGS.delete(root);
}

/** Records a warning found by a check of severity `warning`, with its own location, on the fleet's root. */
export function addProblemWarning(root: IConstruct, problem: FleetProblem): void {
  let map = CHECK_WARNINGS.get(root);
  if (!map) CHECK_WARNINGS.set(root, map = new Map());
  map.set(`${problem.path}\n${problem.message}`, problem);
}

/**
 * Records a warning on a construct: something that synthesizes, but that the user should act on
 * (a value sealed for an earlier certificate). Synth prints warnings; `synth --strict` and
 * `validate --strict` treat them as problems. Recording the same message twice keeps one.
 */
export function addWarning(scope: IConstruct, message: string): void {
  let set = WARNINGS.get(scope);
  if (!set) WARNINGS.set(scope, set = new Set());
  set.add(message);
}

/** Every warning recorded on `root` and the constructs under it, sorted by construct path. */
export function warningsOf(root: IConstruct): FleetProblem[] {
  const out: FleetProblem[] = [];
  for (const c of root.node.findAll()) {
    for (const message of WARNINGS.get(c) ?? []) out.push({ path: c.node.path, message });
    out.push(...CHECK_WARNINGS.get(c)?.values() ?? []);
  }
  const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return out.sort((a, b) => byCodePoint(a.path, b.path) || byCodePoint(a.message, b.message));
}

/** Warnings as the CLI prints them, one a line. */
export function formatWarnings(warnings: readonly FleetProblem[]): string {
  return warnings.map(w => `warning: [${w.path}] ${w.message}\n`).join('');
}
