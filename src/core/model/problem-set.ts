import { FleetProblem } from '../errors';

/** Problems, each reported once however many clusters find it. */
export class ProblemSet {
  private readonly found = new Map<string, FleetProblem>();

  /** Adds a problem (`key` dedupes problems that read differently but are one). */
  public add(path: string, message: string, key = `${path}\n${message}`): void {
    if (!this.found.has(key)) this.found.set(key, { path, message });
  }

  /** The problems, in the order found. */
  public get list(): FleetProblem[] {
    return [...this.found.values()];
  }
}
