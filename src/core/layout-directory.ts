import { Construct, IConstruct } from 'constructs';
import { DIRECTORY_NAME_PATTERN } from './names';
import { JsonPatchOperation } from './kustomize/json-patch';
import { TargetSelector } from './kustomize/selector';
import { ILayoutFile } from './layout-file';

const LAYOUT_DIRECTORY = Symbol.for('cdk8s-flux.LayoutDirectory');

/** A kustomize patch written inline into a generated `kustomization.yaml`. */
export interface InlinePatch {
  /** The objects it applies to. */
  readonly target: TargetSelector;
  /** A strategic-merge document, or JSON 6902 operations. */
  readonly patch: Readonly<Record<string, unknown>> | readonly JsonPatchOperation[];
}

/** A file of a `configMapGenerator` under a key other than its file name. */
export interface ConfigMapGeneratorFile {
  /** The ConfigMap key (e.g. `values.yaml`, which Flux's `valuesFrom` reads by default). */
  readonly key: string;
  /** The file (a `ValuesFile` in this directory or below). */
  readonly file: ILayoutFile;
}

/** A kustomize `configMapGenerator` entry of a generated `kustomization.yaml`. */
export interface ConfigMapGenerator {
  /** The ConfigMap's name (before kustomize's hash suffix, unless `disableNameSuffixHash`). */
  readonly name: string;
  /**
   * The ConfigMap's namespace.
   * @default the directory's `namespace`, else none (the Flux Kustomization's targetNamespace, or the default)
   */
  readonly namespace?: string;
  /**
   * Files whose whole content becomes one key each: a `ValuesFile` of this directory or below
   * (its key is its file name), or `{ key, file }`.
   * @default none
   */
  readonly files?: readonly (ILayoutFile | ConfigMapGeneratorFile)[];
  /** Literal keys and values. @default none */
  readonly literals?: Readonly<Record<string, string>>;
  /**
   * Keep the name as given: kustomize otherwise appends a hash of the content (`podinfo-values-7b5f…`)
   * and renames the references of workloads in its build, but not a HelmRelease's `valuesFrom`
   * (hence Flux's examples set it, and the checks report a `valuesFrom` that names the unhashed name).
   * @default false
   */
  readonly disableNameSuffixHash?: boolean;
  /** Labels of the ConfigMap (e.g. Flux's `reconcile.fluxcd.io/watch: Enabled`). @default none */
  readonly labels?: Readonly<Record<string, string>>;
  /** Annotations of the ConfigMap. @default none */
  readonly annotations?: Readonly<Record<string, string>>;
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

  /**
   * The namespace its `kustomization.yaml` moves every namespaced object of its build into
   * (`namespace:`), as a Flux Kustomization's `targetNamespace` would.
   * @default none: objects keep their own namespaces
   */
  readonly namespace?: string;

  /**
   * Make this directory a kustomize Component (`kind: Component`, apiVersion
   * `kustomize.config.k8s.io/v1alpha1`): a reusable set of resources, generators and patches that
   * other directories list under `components:` (`addComponent`), and whose patches apply to the
   * objects of the directory that lists it. Its parent never lists it under `resources:`.
   * @default false
   */
  readonly component?: boolean;
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

  /** The namespace its kustomization moves objects into (`namespace:`), if any (see `LayoutDirectoryProps.namespace`). */
  public readonly kustomizationNamespace?: string;
  /** Whether this directory is a kustomize Component (see `LayoutDirectoryProps.component`). */
  public readonly component: boolean;

  private readonly virtual: boolean;
  private readonly extraResources: LayoutDirectory[] = [];
  private readonly inlinePatches: InlinePatch[] = [];
  private readonly componentList: LayoutDirectory[] = [];
  private readonly generators: ConfigMapGenerator[] = [];

  constructor(scope: Construct, id: string, props: LayoutDirectoryProps = {}) {
    super(scope, id);
    Object.defineProperty(this, LAYOUT_DIRECTORY, { value: true });
    this.dirName = props.dirName ?? id;
    this.kustomize = props.kustomize ?? true;
    this.component = props.component ?? false;
    // a Component is listed under components: of the directories that use it, never as a resource
    this.includeInParent = this.component ? false : props.includeInParent ?? true;
    this.kustomizationNamespace = props.namespace;
    this.flatten = props.flatten ?? false;
    this.virtual = props.virtual ?? false;

    this.node.addValidation({
      validate: () => {
        if (!DIRECTORY_NAME_PATTERN.test(this.dirName)) {
          return [`dirName "${this.dirName}" is not a valid directory name: use lowercase letters, digits, '-', '.' or '_', starting and ending with a letter or digit (e.g. "external-dns")`];
        }
        if (this.kustomizationNamespace !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(this.kustomizationNamespace)) {
          return [`namespace "${this.kustomizationNamespace}" is not a valid namespace: use lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters (e.g. "team-a")`];
        }
        if (this.kustomizationNamespace !== undefined && this.kustomizationNamespace.length > 63) {
          return [`namespace "${this.kustomizationNamespace}" is longer than 63 characters: shorten it`];
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

  /**
   * Lists a kustomize Component (a directory made with `component: true`) under this directory's
   * `components:`: its resources join this directory's build, and its generators and patches apply
   * to all of the build. Takes the directory object, never a path string.
   */
  public addComponent(component: LayoutDirectory): void {
    if (!this.componentList.includes(component)) this.componentList.push(component);
  }

  /** Components added with `addComponent`, in the order they were added (and kustomize applies them). */
  public get components(): readonly LayoutDirectory[] {
    return [...this.componentList];
  }

  /**
   * Adds a `configMapGenerator` entry to this directory's `kustomization.yaml`: a ConfigMap made
   * from files of this directory (a `ValuesFile`) and literals, which the model builds as kustomize
   * does, hash suffix included, so that the checks see the ConfigMap each cluster gets.
   */
  public addConfigMapGenerator(generator: ConfigMapGenerator): void {
    this.generators.push(generator);
  }

  /** Generators added with `addConfigMapGenerator`, in the order they were added. */
  public get configMapGenerators(): readonly ConfigMapGenerator[] {
    return [...this.generators];
  }
}
