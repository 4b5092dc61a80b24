import { Construct } from 'constructs';
import * as l1 from '../imports/image-automation-image.toolkit.fluxcd.io';
import { LayoutDirectory } from '../core/layout-directory';
import { FieldChecks } from '../flux/field-checks';
import { explicitNamespace, FluxObject, FluxObjectProps, FluxReference } from '../flux/flux-object';
import { checkGitRef, GitRef, IGitRepository } from '../flux/sources/git-repository';
import { ISecretRef, nameRef, secretReference } from '../flux/sources/source';
import { FluxDuration, goDuration } from '../flux/duration';
import { checkRequirement, PolicySelector } from './policy-selector';

export { LabelSelectorOperator } from './policy-selector';
export type { LabelSelectorRequirement, PolicySelector } from './policy-selector';

/** How files are updated; Flux has one strategy. */
export enum UpdateStrategy {
  /** Rewrite the fields marked with `# {"$imagepolicy": …}` comments. */
  SETTERS = 'Setters',
}

/** What the automation updates. */
export interface ImageUpdate {
  /**
   * The directory of this repository whose files are updated (and its sub-directories), as a
   * layout object: its path is taken from the layout writer, never typed by hand.
   * @default none: give this or `externalPath`
   */
  readonly path?: LayoutDirectory;
  /**
   * For an automation that commits to another repository (a tenant's): the directory there,
   * relative to its root (`./deploy/kubernetes/overlays/development`). Give `path` or this.
   * @default none: give this or `path`
   */
  readonly externalPath?: string;
  /** @default UpdateStrategy.SETTERS (the only one) */
  readonly strategy?: UpdateStrategy | `${UpdateStrategy}`;
}

/** Format of a commit signing key. */
export enum SigningKeyType {
  /** An ASCII-armored OpenPGP key pair in key `git.asc` (and optionally `passphrase`). */
  GPG = 'gpg',
  /** An SSH private key in key `identity` (and optionally `password`). */
  SSH = 'ssh',
}

/** How the automation commits. */
export interface ImageUpdateCommit {
  /** The commit author. */
  readonly author: {
    /** The author's email address. */
    readonly email: string;
    /** The author's name. @default none (the commit names the email alone) */
    readonly name?: string;
  };
  /**
   * A Go template for the commit message; it gets `.Changed` (the changes made), `.AutomationObject`
   * and `.Values` (messageTemplateValues).
   * @default the controller's message
   */
  readonly messageTemplate?: string;
  /** Values available to the template as `.Values`. @default none */
  readonly messageTemplateValues?: Readonly<Record<string, string>>;
  /** Sign commits with a key from a Secret of the automation's namespace. @default unsigned */
  readonly signingKey?: {
    /** The Secret (or SealedSecret) holding the key: `git.asc` for gpg, `identity` for ssh. */
    readonly secretRef: ISecretRef;
    /** The key's format. @default SigningKeyType.GPG (Flux's default) */
    readonly type?: SigningKeyType | `${SigningKeyType}`;
  };
}

/** Where the automation pushes. */
export interface ImageUpdatePush {
  /** Push to this branch (created from the checkout branch if missing), e.g. for a pull-request flow. @default the checkout branch */
  readonly branch?: string;
  /** Also push with this refspec. @default none */
  readonly refspec?: string;
  /** Git push options. @default none */
  readonly options?: Readonly<Record<string, string>>;
}

/** Props of an `ImageUpdateAutomation`. */
export interface ImageUpdateAutomationProps extends FluxObjectProps {
  /**
   * The GitRepository of this repository, as the cluster syncs it (the object, never its name):
   * the automation clones it, commits and pushes with its credentials (which need write access).
   */
  readonly sourceRef: IGitRepository;
  /** The directory whose marked fields are updated. */
  readonly update: ImageUpdate;
  /** Commit author, message and signing. */
  readonly commit: ImageUpdateCommit;
  /**
   * The revision to clone and commit onto.
   * @default the GitRepository's `ref`
   */
  readonly checkout?: GitRef;
  /** @default push back to the checkout branch */
  readonly push?: ImageUpdatePush;
  /**
   * Only the ImagePolicies of its namespace that this selector selects are applied.
   * @default every ImagePolicy of its namespace
   */
  readonly policySelector?: PolicySelector;
  /**
   * How often the automation runs.
   * @default '30m'
   */
  readonly interval?: FluxDuration;
  /** @default false */
  readonly suspend?: boolean;
}

/** Template fields the controller removed, and what replaces them. */
const REMOVED_TEMPLATE_FIELDS = [
  ['.Updated', '.Changed (e.g. "{{ range .Changed.Changes }}{{ .OldValue }} -> {{ .NewValue }} {{ end }}")'],
  ['.Changed.ImageResult', '.Changed.FileChanges or .Changed.Objects'],
] as const;
/** An email address as far as a commit needs one: something@host. */
const EMAIL = /^[^\s@<>]+@[^\s@<>]+$/;
/** The parts of a branch name `git check-ref-format --branch` refuses. */
const BAD_BRANCH = /(^[-/.]|[/.]$|\.\.|\/\/|@\{|[\s~^:?*[\\\x00-\x1f\x7f]|\.lock(\/|$)|\/\.)/;

/**
 * A Flux `ImageUpdateAutomation` (image.toolkit.fluxcd.io/v1): commits the latest images that the
 * ImagePolicies of its namespace pick into the marked fields of the files under `update.path`.
 */
export class ImageUpdateAutomation extends FluxObject {
  constructor(scope: Construct, id: string, private readonly props: ImageUpdateAutomationProps) {
    super(scope, id, l1.ImageUpdateAutomation, props);
  }

  /** The repository it commits to. */
  public get source(): IGitRepository {
    return this.props.sourceRef;
  }

  /** The directory of this repository whose files it updates (undefined: it updates another repository). */
  public get updatePath(): LayoutDirectory | undefined {
    return this.props.update.path;
  }

  /** The labels its policySelector requires (`{}`: none; its matchExpressions are in `policySelector`). */
  public get policyLabels(): Readonly<Record<string, string>> {
    return this.props.policySelector?.matchLabels ?? {};
  }

  /** Which ImagePolicies of its namespace it applies (`{}`: every one). */
  public get policySelector(): PolicySelector {
    return this.props.policySelector ?? {};
  }

  /** Whether it updates the file at `repoPath` (a repository-relative path). */
  public covers(repoPath: string): boolean {
    const path = this.props.update.path;
    return path !== undefined && repoPath.startsWith(`${path.repoPath}/`);
  }

  public override fluxReferences(): FluxReference[] {
    const p = this.props;
    return [
      { field: 'spec.sourceRef', target: p.sourceRef, explicitNamespace: explicitNamespace(p.sourceRef, this) },
      ...secretReference('spec.git.commit.signingKey.secretRef', p.commit.signingKey?.secretRef),
    ];
  }

  protected renderSpec() {
    const p = this.props;
    return {
      sourceRef: { kind: p.sourceRef.kind, name: p.sourceRef.name, namespace: explicitNamespace(p.sourceRef, this) },
      interval: goDuration(p.interval) ?? '30m',
      git: {
        checkout: p.checkout ? { ref: p.checkout } : undefined,
        commit: {
          author: p.commit.author,
          messageTemplate: p.commit.messageTemplate,
          messageTemplateValues: p.commit.messageTemplateValues,
          signingKey: p.commit.signingKey
            ? { secretRef: nameRef(p.commit.signingKey.secretRef), type: p.commit.signingKey.type }
            : undefined,
        },
        push: p.push,
      },
      update: { path: p.update.path?.fluxPath ?? p.update.externalPath, strategy: p.update.strategy ?? UpdateStrategy.SETTERS },
      policySelector: p.policySelector && {
        matchLabels: p.policySelector.matchLabels,
        matchExpressions: p.policySelector.matchExpressions?.map(e => ({ key: e.key, operator: e.operator, values: e.values })),
      },
      suspend: p.suspend,
    };
  }

  protected validateSpec(c: FieldChecks): void {
    const p = this.props;
    if (p.sourceRef.kind !== 'GitRepository') {
      c.add(`spec.sourceRef is a ${p.sourceRef.kind}: the image-automation-controller commits only to a GitRepository`);
    }
    c.duration('spec.interval', p.interval);
    checkGitRef(c, 'spec.git.checkout.ref', p.checkout);
    if (!EMAIL.test(p.commit.author.email)) {
      c.add(`spec.git.commit.author.email ${JSON.stringify(p.commit.author.email)} is not an email address: use e.g. "fluxcdbot@users.noreply.github.com"`);
    }
    for (const [removed, instead] of REMOVED_TEMPLATE_FIELDS) {
      if (p.commit.messageTemplate !== undefined && new RegExp(`\\{\\{[^}]*${removed.replace(/\./g, '\\.')}\\b`).test(p.commit.messageTemplate)) {
        c.add(`spec.git.commit.messageTemplate uses ${removed}, which the image-automation-controller no longer provides (it would refuse to commit): use ${instead}`);
      }
    }
    const types = Object.values(SigningKeyType) as string[];
    const type = p.commit.signingKey?.type;
    if (type !== undefined && !types.includes(type)) {
      c.add(`spec.git.commit.signingKey.type ${JSON.stringify(type)} is not a key type: use "gpg" or "ssh"`);
    }
    for (const [field, branch] of [['spec.git.push.branch', p.push?.branch], ['spec.git.checkout.ref.branch', (p.checkout as { branch?: string } | undefined)?.branch]] as const) {
      if (branch !== undefined && (branch === '' || BAD_BRANCH.test(branch))) {
        c.add(`${field} ${JSON.stringify(branch)} is not a valid branch name: use e.g. "main" or "image-updates/staging" (no spaces, "..", "~", "^", ":", "?", "*", "[" or "\\\\")`);
      }
    }
    (p.policySelector?.matchExpressions ?? []).forEach((e, i) => checkRequirement(c, `spec.policySelector.matchExpressions[${i}]`, e));
    const strategies = Object.values(UpdateStrategy) as string[];
    if ((p.update.path === undefined) === (p.update.externalPath === undefined)) {
      c.add(p.update.path
        ? `spec.update.path is given twice (path: directory "${p.update.path.repoPath}" and externalPath: ${JSON.stringify(p.update.externalPath)}): use path for a directory of this repository, externalPath only for another repository`
        : 'spec.update.path is missing: pass update.path (a LayoutDirectory of this repository) or, for another repository, update.externalPath (e.g. "./deploy/overlays/development")');
    }
    if (p.update.externalPath !== undefined && (!p.update.externalPath.startsWith('./') || p.update.externalPath.split('/').includes('..'))) {
      c.add(`spec.update.path ${JSON.stringify(p.update.externalPath)} must be relative to the repository root, start with "./" and not contain "..": e.g. "./deploy/overlays/development"`);
    }
    if (p.update.strategy !== undefined && !strategies.includes(p.update.strategy)) {
      c.add(`spec.update.strategy ${JSON.stringify(p.update.strategy)} is not a strategy: use UpdateStrategy.SETTERS`);
    }
  }
}
