import { Construct } from 'constructs';
import * as l1 from '../../imports/source-source.toolkit.fluxcd.io';
import { FieldChecks } from '../field-checks';
import { FluxReference, ImportedObject, ImportedObjectProps } from '../flux-object';
import { FluxSource } from './flux-source';
import { FluxDuration, goDuration } from '../duration';
import { nameOf, ServiceAccountReference } from '../object-refs';
import { checkProvider, EnumValue, SourceProvider } from './source-options';
import { IChartSource, IKustomizationSource, ISecretRef, nameRef, secretReference, SourceProps } from './source';

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
  /** How to authenticate: static credentials, or a cloud identity (aws, azure, github App). @default SourceProvider.GENERIC */
  readonly provider?: EnumValue<SourceProvider.GENERIC | SourceProvider.AWS | SourceProvider.AZURE | SourceProvider.GITHUB>;
  /** The ServiceAccount whose workload identity is used (provider azure or aws). @default the controller's */
  readonly serviceAccountName?: ServiceAccountReference;
  /** An HTTP/S proxy: a Secret with `address` (and `username`, `password`). @default no proxy */
  readonly proxySecretRef?: ISecretRef;
  /** Check out the repository's submodules too. @default false */
  readonly recurseSubmodules?: boolean;
  /** Only these directories are checked out (e.g. `['deploy/']`). @default the whole repository */
  readonly sparseCheckout?: readonly string[];
  /** OpenPGP verification of the commit and/or tag. @default not verified */
  readonly verify?: GitVerification;
  /** Other GitRepositories whose content is copied into this one's artifact. @default none */
  readonly include?: readonly GitInclude[];
}

/** What an OpenPGP-verified GitRepository checks. */
export enum GitVerifyMode {
  /** The commit HEAD points to (Flux's default). */
  HEAD = 'HEAD',
  /** The tag of `ref.tag` or `ref.semver`. */
  TAG = 'Tag',
  /** Both the tag and the commit it points to. */
  TAG_AND_HEAD = 'TagAndHEAD',
}

/** OpenPGP verification of a GitRepository. */
export interface GitVerification {
  /** @default GitVerifyMode.HEAD */
  readonly mode?: EnumValue<GitVerifyMode>;
  /** A Secret with the trusted public keys (any keys). */
  readonly secretRef: ISecretRef;
}

/** Another GitRepository's content copied into this one's artifact. */
export interface GitInclude {
  /** The repository (the object, in the same namespace). */
  readonly repository: IGitRepository;
  /** Path in the included repository to copy. @default its root */
  readonly fromPath?: string;
  /** Where to put it in this artifact. @default the included repository's name */
  readonly toPath?: string;
}

/** A GitRepository of the fleet or imported by name (what an `ImageUpdateAutomation` commits to). */
export interface IGitRepository extends IKustomizationSource, IChartSource {
  /** Brand: only GitRepository implements it. */
  readonly isGitRepository: true;
}

/** A Flux `GitRepository` (source.toolkit.fluxcd.io/v1). */
export class GitRepository extends FluxSource implements IGitRepository {
  /** References a GitRepository defined outside the fleet. */
  public static fromName(scope: Construct, id: string, props: ImportedObjectProps): IGitRepository {
    return Object.assign(new ImportedObject(scope, id, l1.GitRepository.GVK, props), { isKustomizationSource: true as const, isGitRepository: true as const, isChartSource: true as const });
  }

  public readonly isKustomizationSource = true as const;
  public readonly isGitRepository = true as const;
  /** A HelmRelease or HelmChart can take a chart from a path of the repository. */
  public readonly isChartSource = true as const;

  constructor(scope: Construct, id: string, private readonly props: GitRepositoryProps) {
    super(scope, id, l1.GitRepository, props);
  }

  /** The name of the credentials Secret, if any (the bootstrap creates it for the fleet's own repository). */
  public get secretRefName(): string | undefined {
    return this.props.secretRef?.name;
  }

  public override fluxReferences(): FluxReference[] {
    const p = this.props;
    return [
      ...super.fluxReferences(),
      ...secretReference('spec.proxySecretRef', p.proxySecretRef),
      ...secretReference('spec.verify.secretRef', p.verify?.secretRef),
      ...(p.include ?? []).map((inc, i) => ({ field: `spec.include[${i}].repository`, target: inc.repository, crossNamespace: false })),
    ];
  }

  protected renderSourceSpec() {
    const p = this.props;
    return {
      url: p.url,
      interval: goDuration(p.interval) ?? '1m',
      ref: p.ref,
      ignore: p.ignore,
      provider: p.provider,
      serviceAccountName: nameOf(p.serviceAccountName),
      proxySecretRef: nameRef(p.proxySecretRef),
      recurseSubmodules: p.recurseSubmodules,
      sparseCheckout: p.sparseCheckout,
      verify: p.verify ? { mode: p.verify.mode, secretRef: nameRef(p.verify.secretRef) } : undefined,
      include: p.include?.map(inc => ({ repository: { name: inc.repository.name }, fromPath: inc.fromPath, toPath: inc.toPath })),
    };
  }

  protected validateSourceSpec(c: FieldChecks): void {
    const p = this.props;
    c.urlScheme('spec.url', p.url, ['https', 'http', 'ssh'], 'ssh://git@github.com/org/repo');
    c.duration('spec.interval', p.interval);
    checkGitRef(c, 'spec.ref', p.ref);
    checkProvider(c, p.provider, [SourceProvider.GENERIC, SourceProvider.AWS, SourceProvider.AZURE, SourceProvider.GITHUB], p.serviceAccountName, [SourceProvider.AZURE, SourceProvider.AWS]);
    c.oneOf('spec.verify.mode', p.verify?.mode, Object.values(GitVerifyMode));
    if (p.verify?.mode !== undefined && p.verify.mode !== GitVerifyMode.HEAD && p.ref && !('tag' in p.ref) && !('semver' in p.ref)) {
      c.add(`spec.verify.mode "${p.verify.mode}" verifies a tag, but spec.ref names no tag: check out a tag or semver range, or use mode HEAD`);
    }
    (p.sparseCheckout ?? []).forEach((d, i) => c.relativePath(`spec.sparseCheckout[${i}]`, d, 'deploy/'));
    (p.include ?? []).forEach((inc, i) => {
      c.relativePath(`spec.include[${i}].fromPath`, inc.fromPath, 'deploy').relativePath(`spec.include[${i}].toPath`, inc.toPath, 'vendor/lib');
      if (inc.repository === this) c.add(`spec.include[${i}].repository is this GitRepository itself: include another repository`);
    });
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
