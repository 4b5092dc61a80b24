import * as semver from 'semver';
import { Construct } from 'constructs';
import { isMastermindsRange, satisfiesMastermindsRange } from '../flux/field-checks';

/** A stage that takes whatever version an earlier stage has. */
export interface Follow<S extends string> {
  /** The earlier stage followed. */
  readonly follows: S;
}

/** `production: follows('staging')`: the stage runs what `staging` runs. */
export function follows<S extends string>(stage: S): Follow<S> {
  return { follows: stage };
}

/**
 * A stage's version: an exact version (`'6.5.3'`, pinned), a range (`'>=6.0.0 <7'`, only for the
 * first stage: it takes new releases, e.g. through image automation), or `follows(stage)`.
 */
export type VersionChoice<S extends string> = string | Follow<S>;

/** Props of a `Promotion`. */
export interface PromotionProps<S extends string> {
  /** The stages (environment names) in promotion order: a version reaches a stage only through the ones before it. */
  readonly stages: readonly S[];
  /** Each stage's version. Promoting is a one-line change here. */
  readonly versions: { readonly [K in S]: VersionChoice<S> };
}

/**
 * The version of one thing (a chart, an image) in each environment, promoted in order:
 *
 * ```ts
 * const podinfo = new Promotion(repo, 'podinfo', {
 *   stages: ['development', 'staging', 'production'],
 *   versions: { development: '>=6.0.0 <7', staging: '6.5.3', production: follows('staging') },
 * });
 * podinfo.version('production'); // '6.5.3'
 * ```
 *
 * Checked at synth, on what each stage really runs (pinned or followed): a range only in the first
 * stage and in stages that follow it through every stage between; a stage follows only an earlier
 * one; and a version must have been validated before — inside the range of the stage before it,
 * or not newer than that stage's version. Skipping a stage is a synth error.
 */
export class Promotion<S extends string> extends Construct {
  /** The stages in promotion order. */
  public readonly stages: readonly S[];
  private readonly versions: { readonly [K in S]: VersionChoice<S> };

  constructor(scope: Construct, id: string, props: PromotionProps<S>) {
    super(scope, id);
    this.stages = [...props.stages];
    this.versions = props.versions;
    this.node.addValidation({ validate: () => this.validatePromotion() });
  }

  /** The version `stage` runs (an exact version, or the first stage's range). */
  public version(stage: S): string {
    return this.resolve(stage).version;
  }

  /**
   * The version of the last stage (production, usually): what a shared base carries, so that
   * only the stages ahead of it need an overlay patch.
   */
  public get baseline(): string {
    return this.version(this.stages[this.stages.length - 1]);
  }

  /** The version `stage` runs when it differs from the `baseline` (what its overlay must patch), else undefined. */
  public override(stage: S): string | undefined {
    const version = this.version(stage);
    return version === this.baseline ? undefined : version;
  }

  /** Whether `stage` runs one exact version (not a range). */
  public isPinned(stage: S): boolean {
    return semver.valid(this.version(stage)) !== null;
  }

  /** The stage whose line in `versions` decides what `stage` runs (itself, unless it follows). */
  public decidedBy(stage: S): S {
    return this.resolve(stage).by;
  }

  private resolve(stage: S): { version: string; by: S } {
    let current = stage;
    for (let hops = 0; hops <= this.stages.length; hops++) {
      const choice = this.versions[current];
      if (choice === undefined) throw new Error(`${this.node.path}: no version for stage "${String(current)}"; stages are ${this.stages.join(', ')}`);
      if (typeof choice === 'string') return { version: choice, by: current };
      current = choice.follows;
    }
    throw new Error(`${this.node.path}: versions.${String(stage)} follows stages in a cycle`);
  }

  private validatePromotion(): string[] {
    const problems: string[] = [];
    const order = this.stages.join(' → ');
    if (new Set(this.stages).size !== this.stages.length) problems.push(`stages ${JSON.stringify(this.stages)} name a stage twice: list each environment once, in promotion order`);
    for (const key of Object.keys(this.versions)) {
      if (!this.stages.includes(key as S)) problems.push(`versions.${key} is not a stage (${order}): remove it or add the stage`);
    }
    this.stages.forEach((stage, i) => {
      const choice = this.versions[stage];
      const field = `versions.${stage}`;
      if (choice === undefined) {
        problems.push(`${field} is missing: give every stage a version, a range (first stage only) or follows(stage)`);
      } else if (typeof choice !== 'string') {
        const at = this.stages.indexOf(choice.follows);
        if (at < 0 || at >= i) {
          problems.push(`${field} follows "${choice.follows}", which ${at < 0 ? 'is not a stage' : 'does not come before it'} in the promotion order (${order}): a stage can only follow an earlier one`);
        } else {
          problems.push(...this.checkResolved(stage, i, `follows ${choice.follows}, which runs`));
        }
      } else if (semver.valid(choice) === null && !isMastermindsRange(choice)) {
        problems.push(`${field} ${JSON.stringify(choice)} is not a semantic version or range: use e.g. "6.5.3", or for the first stage ">=6.0.0 <7"`);
      } else if (i > 0) {
        problems.push(...this.checkResolved(stage, i, 'is'));
      }
    });
    return problems;
  }

  /**
   * What a later stage runs (pinned or followed) must have run in the stage before it: a range
   * only where every stage before takes the same range, a version no newer than the previous
   * stage's, or inside its range.
   */
  private checkResolved(stage: S, i: number, how: string): string[] {
    let version: string;
    let before: string;
    try {
      version = this.version(stage);
      before = this.version(this.stages[i - 1]);
    } catch {
      return []; // a broken follows chain is reported on its own
    }
    const previous = this.stages[i - 1];
    if (semver.valid(version) === null) {
      if (version === before) return []; // following the range the stage before takes too
      return [`versions.${stage} ${how} the range ${JSON.stringify(version)}, but ${previous} runs ${JSON.stringify(before)}: only the first stage (${this.stages[0]}) may take new versions by range, a later stage would run versions ${previous} never validated; pin an exact version or use follows('${previous}')`];
    }
    return this.checkValidated(stage, version, previous, how === 'is' ? 'pins' : how);
  }

  /** A pinned version must have been through the stage before. */
  private checkValidated(stage: S, pinned: string, previous: S, how: string): string[] {
    let before: string;
    try {
      before = this.version(previous);
    } catch {
      return []; // the broken follows chain is reported on its own
    }
    if (semver.valid(before) !== null) {
      return semver.gt(pinned, before)
        ? [`versions.${stage} ${how} ${pinned}, newer than ${previous}'s ${before}: a version reaches ${stage} only after ${previous} has run it; promote ${previous} to ${pinned} first, or pin ${stage} to ${before} or older`]
        : [];
    }
    return isMastermindsRange(before) && !satisfiesMastermindsRange(pinned, before)
      ? [`versions.${stage} ${how} ${pinned}, outside ${previous}'s range ${JSON.stringify(before)}, so ${previous} never ran it: pin a version that range takes`]
      : [];
  }
}
