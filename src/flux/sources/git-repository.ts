import { Construct } from 'constructs';
import * as l1 from '../../imports/source-source.toolkit.fluxcd.io';
import { FieldChecks } from '../field-checks';
import { ImportedObject, ImportedObjectProps } from '../flux-object';
import { FluxSource } from './flux-source';
import { IKustomizationSource, SourceProps } from './source';
import { FluxDuration, goDuration } from '../duration';

/**
 * Which revision of a Git repository to check out: one of these (a branch may be combined with
 * a commit on it, as Flux documents).
 */
export type GitRef =
  | {
    /** A branch, e.g. `main`. */
    readonly branch: string;
    /** A commit on that branch to check out instead of its head. @default the head */
    readonly commit?: string;
  }
  | {
    /** A tag, e.g. `v1.2.0`. */
    readonly tag: string;
  }
  | {
    /** The newest tag in a semver range, e.g. `>=1.0.0 <2.0.0`. */
    readonly semver: string;
  }
  | {
    /** A commit SHA. */
    readonly commit: string;
  }
  | {
    /** A Git reference name, e.g. `refs/pull/42/head`. */
    readonly name: string;
  };

/** Props of a `GitRepository`. */
export interface GitRepositoryProps extends SourceProps {
  /** Repository URL: `https://`, `http://` or `ssh://`. */
  readonly url: string;
  /**
   * The revision to check out.
   * @default { branch: 'master' } (Flux's default)
   */
  readonly ref?: GitRef;
  /**
   * How often Flux checks for new revisions.
   * @default '1m'
   */
  readonly interval?: FluxDuration;
  /** `.sourceignore`-style exclusions. @default Flux's defaults */
  readonly ignore?: string;
}

/** A GitRepository of the fleet or imported by name (what an `ImageUpdateAutomation` commits to). */
export interface IGitRepository extends IKustomizationSource {
  /** Brand: only GitRepository implements it. */
  readonly isGitRepository: true;
}

/** A Flux `GitRepository` (source.toolkit.fluxcd.io/v1). */
export class GitRepository extends FluxSource implements IGitRepository {
  /** References a GitRepository defined outside the fleet. */
  public static fromName(scope: Construct, id: string, props: ImportedObjectProps): IGitRepository {
    return Object.assign(new ImportedObject(scope, id, l1.GitRepository.GVK, props), { isKustomizationSource: true as const, isGitRepository: true as const });
  }

  public readonly isKustomizationSource = true as const;
  public readonly isGitRepository = true as const;

  constructor(scope: Construct, id: string, private readonly props: GitRepositoryProps) {
    super(scope, id, l1.GitRepository, props);
  }

  /** The name of the credentials Secret, if any (the bootstrap creates it for the fleet's own repository). */
  public get secretRefName(): string | undefined {
    return this.props.secretRef?.name;
  }

  protected renderSourceSpec() {
    const p = this.props;
    return {
      url: p.url,
      interval: goDuration(p.interval) ?? '1m',
      ref: p.ref,
      ignore: p.ignore,
    };
  }

  protected validateSourceSpec(c: FieldChecks): void {
    const p = this.props;
    c.urlScheme('spec.url', p.url, ['https', 'http', 'ssh'], 'ssh://git@github.com/org/repo');
    c.duration('spec.interval', p.interval);
    checkGitRef(c, 'spec.ref', p.ref);
  }
}

/** Checks a Git reference: exactly one of branch, tag, semver, commit or name (or a branch with a commit). */
export function checkGitRef(c: FieldChecks, field: string, ref: GitRef | undefined): void {
  if (!ref) return;
  const keys = Object.keys(ref).filter(k => (ref as Record<string, unknown>)[k] !== undefined).sort();
  if (keys.length !== 1 && keys.join(',') !== 'branch,commit') {
    c.add(`${field} sets ${keys.map(k => `"${k}"`).join(', ') || 'nothing'}: set exactly one of branch, tag, semver, commit or name (or a branch with a commit)`);
  }
  if ('semver' in ref) c.semverRange(`${field}.semver`, ref.semver);
}
