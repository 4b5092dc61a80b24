import { Construct, IConstruct } from 'constructs';
import { DIRECTORY_NAME_PATTERN } from './names';
import { JsonPatchOperation } from './kustomize/json-patch';
import { TargetSelector } from './kustomize/selector';

const LAYOUT_DIRECTORY = Symbol.for('cdk8s-flux.LayoutDirectory');

/** A kustomize patch written inline into a generated `kustomization.yaml`. */
export interface InlinePatch {
  /** The objects it applies to. */
  readonly target: TargetSelector;
  /** A strategic-merge document, or JSON 6902 operations. */
  readonly patch: Readonly<Record<string, unknown>> | readonly JsonPatchOperation[];
}

/** Props of a `LayoutDirectory`. */
export interface LayoutDirectoryProps {
  /**
   * The directory's name, one path segment.
   * @default the construct id
   */
  readonly dirName?: string;

  /**
   * Whether kustomize (or Flux) builds this directory, so that it gets a `kustomization.yaml`
   * listing its files and sub-directories. Grouping directories such as `clusters/` or
   * `infrastructure/overlays/` are not built.
   * @default true
   */
  readonly kustomize?: boolean;

  /**
   * Whether the parent directory's `kustomization.yaml` lists this directory under `resources:`.
   * Only meaningful when both this directory and its parent are built by kustomize.
   * @default true
   */
  readonly includeInParent?: boolean;

  /**
   * Write this directory fully rendered: every object of its build (its own files, its
   * sub-directories and the directories added with `addResource`) is written into it as it comes
   * out of kustomize, with all patches already applied, and its `kustomization.yaml` lists those
   * files and no patches. For teams that prefer to review each environment's objects in full; the
   * directories it builds can then live under `GitOpsRepo.templates`, which is never written.
   * @default false: resources plus targeted patches, as kustomize overlays usually are
   */
  readonly flatten?: boolean;

  /**
   * A directory that is never written: its objects exist only to be built into `flatten`ed
   * directories. Sub-directories inherit it. `GitOpsRepo.templates` is such a directory.
   * @default false
   */
  readonly virtual?: boolean;
}

/**
 * A directory of the Flux repository layout. Every file construct (`ManifestFile`,
 * `ObjectPatch`) is written into the directory of its nearest `LayoutDirectory` ancestor,
 * and nested directories nest on disk. Constructs that are not directories (a component,
 * a helper) add no path segment, so code can be grouped freely without changing the layout.
 */
export class LayoutDirectory extends Construct {
  /** Whether a construct is a `LayoutDirectory`. */
  public static isLayoutDirectory(x: unknown): x is LayoutDirectory {
    return typeof x === 'object' && x !== null && LAYOUT_DIRECTORY in x;
  }

  /** The nearest `LayoutDirectory` that contains `c` (not `c` itself), if any. */
  public static enclosing(c: IConstruct): LayoutDirectory | undefined {
    for (let scope = c.node.scope; scope; scope = scope.node.scope) {
      if (LayoutDirectory.isLayoutDirectory(scope)) return scope;
    }
    return undefined;
  }

  /** This directory's name (one path segment). */
  public readonly dirName: string;
  /** Whether this directory has a `kustomization.yaml`. */
  public readonly kustomize: boolean;
  /** Whether a kustomize-built parent lists this directory under `resources:`. */
  public readonly includeInParent: boolean;

  /** Whether this directory is written fully rendered (see `LayoutDirectoryProps.flatten`). */
  public readonly flatten: boolean;

  private readonly virtual: boolean;
  private readonly extraResources: LayoutDirectory[] = [];
  private readonly inlinePatches: InlinePatch[] = [];

  constructor(scope: Construct, id: string, props: LayoutDirectoryProps = {}) {
    super(scope, id);
    Object.defineProperty(this, LAYOUT_DIRECTORY, { value: true });
    this.dirName = props.dirName ?? id;
    this.kustomize = props.kustomize ?? true;
    this.includeInParent = props.includeInParent ?? true;
    this.flatten = props.flatten ?? false;
    this.virtual = props.virtual ?? false;

    this.node.addValidation({
      validate: () => {
        if (!DIRECTORY_NAME_PATTERN.test(this.dirName)) {
          return [`dirName "${this.dirName}" is not a valid directory name: use lowercase letters, digits, '-', '.' or '_', starting and ending with a letter or digit (e.g. "external-dns")`];
        }
        if (/\.ya?ml$/.test(this.dirName)) {
          return [`dirName "${this.dirName}" ends like a YAML file, which would collide with generated files: drop the extension (e.g. "${this.dirName.replace(/\.ya?ml$/, '')}")`];
        }
        return [];
      },
    });
  }

  /** Whether this directory is never written (it, or a directory that contains it, is `virtual`). */
  public get isVirtual(): boolean {
    return this.virtual || (LayoutDirectory.enclosing(this)?.isVirtual ?? false);
  }

  /** Path of this directory relative to the repository root, with `/` separators (e.g. `infrastructure/base/dns`). */
  public get repoPath(): string {
    const segments: string[] = [this.dirName];
    for (let dir = LayoutDirectory.enclosing(this); dir; dir = LayoutDirectory.enclosing(dir)) {
      segments.unshift(dir.dirName);
    }
    return segments.join('/');
  }

  /** The path as a Flux `Kustomization.spec.path` wants it: relative to the source root, `./`-prefixed. */
  public get fluxPath(): string {
    return `./${this.repoPath}`;
  }

  /**
   * Builds another directory into this one: it is listed under `resources:` with a relative
   * path (an overlay lists its base as `../../base`). Takes the directory object, never a path string.
   */
  public addResource(directory: LayoutDirectory): void {
    if (!this.extraResources.includes(directory)) this.extraResources.push(directory);
  }

  /** Directories added with `addResource`, in the order they were added. */
  public get resources(): readonly LayoutDirectory[] {
    return [...this.extraResources];
  }

  /**
   * Adds a patch to this directory's generated `kustomization.yaml`, inline, for every object of
   * its build that the target selects (kind, name and namespace as regular expressions, label
   * and annotation selectors): what `ObjectPatch` cannot say, such as one JSON 6902 operation for
   * several Deployments of a file you own. Synth refuses a patch that selects nothing.
   */
  public addPatch(patch: InlinePatch): void {
    this.inlinePatches.push(patch);
  }

  /** Patches added with `addPatch`, in the order they were added (and kustomize applies them). */
  public get patches(): readonly InlinePatch[] {
    return [...this.inlinePatches];
  }
}
