/**
 * One problem found while validating a fleet, tied to the construct that caused it.
 */
export interface FleetProblem {
  /** Construct path of the offending construct (e.g. `fleet/infrastructure/base/dns/release`). */
  readonly path: string;
  /** What is wrong, naming the field, the bad value and what would be valid. */
  readonly message: string;
  /**
   * `warning`: a rule's finding that synth prints and passes (an error with `--strict`).
   * @default 'error'
   */
  readonly severity?: 'error' | 'warning';
  /** The id of the rule that found it, when a rule did. */
  readonly rule?: string;
}

/** Problems sorted by construct path, then message, in code-point order: the report reads the same on every machine, whatever its locale. */
export function sortProblems(problems: readonly FleetProblem[]): FleetProblem[] {
  const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...problems].sort((a, b) => byCodePoint(a.path, b.path) || byCodePoint(a.message, b.message));
}

/**
 * Thrown by synthesis when the fleet is invalid. Carries every problem at once so that
 * a user fixes them in one pass rather than one synth at a time. Nothing has been
 * written to disk when this is thrown.
 */
export class FleetValidationError extends Error {
  /** Every problem, sorted by construct path and message. */
  public readonly problems: readonly FleetProblem[];

  constructor(problems: readonly FleetProblem[]) {
    const sorted = sortProblems(problems);
    const count = sorted.length === 1 ? '1 problem' : `${sorted.length} problems`;
    super(`The fleet has ${count}; nothing was written:\n${sorted.map(p => `  [${p.path || "GitOpsRepo"}] ${p.message}`).join('\n')}`);
    this.name = 'FleetValidationError';
    this.problems = sorted;
  }
}

/**
 * Thrown when writing the layout would overwrite a file that cdk8s-flux did not generate,
 * or when the repository is otherwise not in a state that can be written safely.
 */
export class LayoutWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LayoutWriteError';
  }
}
