import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { FileRole, ILayoutFile, markLayoutFile, PatchTarget } from './layout-file';
import { FILE_NAME_PATTERN, KUSTOMIZATION_FILE } from './names';
import { orderDocument } from './render';
import { strategicMergeProblems } from './strategic-merge';

/** The part of an object a strategic-merge patch changes. */
export interface PatchContent {
  /** Labels and annotations to add or override. */
  readonly metadata?: {
    /** Labels to add or override. @default none */
    readonly labels?: Record<string, string>;
    /** Annotations to add or override. @default none */
    readonly annotations?: Record<string, string>;
  };
  /** Any other top-level field (`spec`, `data`, …) merged into the target. */
  readonly [field: string]: unknown;
}

/**
 * The key of the phantom member through which a target states the type of its patches. It is
 * never set at run time: a class declares it (`declare readonly [PATCH_TYPE]?: MyPatch`) so that
 * `ObjectPatch` derives the type of `patch` from the type of `target`.
 */
export const PATCH_TYPE: unique symbol = Symbol.for('cdk8s-flux.PatchType');

/**
 * An object whose patches have a type of their own (e.g. a HelmRelease typed by its chart's
 * values): `ObjectPatch` accepts only patches of that type for it, so a typo fails `tsc`.
 */
export interface IPatchable<Patch extends object = PatchContent> extends IConstruct {
  /** Phantom: the type of a patch of this object (never set at run time). */
  readonly [PATCH_TYPE]?: Patch;
}

/** The type of a patch of a target: the one it declares through `IPatchable`, else any `PatchContent`. */
export type PatchOf<Target> = Target extends { readonly [PATCH_TYPE]?: infer Patch } ? (unknown extends Patch ? PatchContent : Patch) : PatchContent;

/**
 * A recursive partial: every field optional at every level, arrays replaced whole (as a strategic
 * merge replaces a list without a merge key).
 */
export type DeepPartial<T> = T extends readonly unknown[] ? T
  : T extends object ? { readonly [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** Props of an `ObjectPatch`. */
export interface ObjectPatchProps<Target extends ApiObject | IConstruct = ApiObject | IConstruct> {
  /**
   * The object to patch: the object itself (an API object, or a construct that renders one such
   * as a Flux or cdk8s-plus construct), never its name.
   */
  readonly target: Target;
  /**
   * The fields to merge into the target (kustomize strategic merge). Typed by the target where it
   * declares a patch type (`IPatchable`), e.g. a typed HelmRelease's values.
   */
  readonly patch: PatchOf<Target>;
  /**
   * The file's name inside its directory.
   * @default `${id}.yaml`
   */
  readonly fileName?: string;
}

/**
 * A strategic-merge patch of one object, written as its own file and listed under `patches:`
 * of its directory's `kustomization.yaml` with a precise `target` (group, version, kind, name,
 * namespace). Because the target is an object reference, the writer checks at synth that the
 * object is part of the directory's build: kustomize silently ignores a targeted patch that
 * matches nothing.
 */
export class ObjectPatch<Target extends ApiObject | IConstruct = ApiObject | IConstruct> extends Construct implements ILayoutFile {
  public readonly fileName: string;
  public readonly role = FileRole.PATCH;
  private readonly resolvedTarget?: ApiObject;
  private readonly patch: PatchContent;

  /** Whether the target resolved to an API object (if not, synth reports it). */
  public get hasTarget(): boolean {
    return this.resolvedTarget !== undefined;
  }

  /** The patched object. */
  public get target(): ApiObject {
    if (!this.resolvedTarget) throw new Error(`${this.node.path}: the patch target has no API object`);
    return this.resolvedTarget;
  }

  constructor(scope: Construct, id: string, props: ObjectPatchProps<Target>) {
    super(scope, id);
    markLayoutFile(this);
    this.fileName = props.fileName ?? `${id}.yaml`;
    this.patch = props.patch as PatchContent;
    let target: ApiObject | undefined;
    try {
      target = ApiObject.of(props.target);
    } catch {
      // reported with the other problems at synth, rather than thrown here
    }
    this.resolvedTarget = target;
    this.node.addValidation({ validate: () => this.validatePatch() });
  }

  public get patchTarget(): PatchTarget {
    const [group, version] = this.target.apiVersion.includes('/')
      ? this.target.apiVersion.split('/')
      : [undefined, this.target.apiVersion];
    return {
      group,
      version: version!,
      kind: this.target.kind,
      name: this.target.name,
      namespace: this.target.metadata.namespace,
    };
  }

  public renderDocuments(): Record<string, unknown>[] {
    if (!this.resolvedTarget) return [];
    const { metadata, ...fields } = this.patch;
    return [orderDocument({
      apiVersion: this.target.apiVersion,
      kind: this.target.kind,
      metadata: { name: this.target.name, namespace: this.target.metadata.namespace, ...metadata },
      ...fields,
    })];
  }

  private validatePatch(): string[] {
    if (!this.resolvedTarget) {
      return ['target is not an API object nor a construct with one (e.g. a cdk8s-plus ServiceAccount or a Flux HelmRelease): pass the object to patch'];
    }
    const problems: string[] = [];
    if (this.fileName === KUSTOMIZATION_FILE || !FILE_NAME_PATTERN.test(this.fileName)) {
      problems.push(`fileName "${this.fileName}" is not a valid patch file name: use lowercase letters, digits, '-', '.' or '_', end with ".yaml", and do not use "kustomization.yaml" (e.g. "dns-patch.yaml")`);
    }
    for (const field of ['apiVersion', 'kind']) {
      if (field in this.patch) {
        problems.push(`patch.${field} is set to ${JSON.stringify(this.patch[field])}: a patch cannot change the ${field} of its target; leave it out (it is taken from the target object)`);
      }
    }
    const directive = findDirective(this.patch, 'patch');
    if (directive) {
      problems.push(`${directive} is a kustomize patch directive, which this library does not model (its checks would not see the result): express the change as plain fields to merge`);
    }
    for (const problem of strategicMergeProblems(this.target.apiVersion, this.target.kind, this.patch as Record<string, unknown>)) {
      problems.push(`patch.${problem}`);
    }
    const meta = this.patch.metadata as Record<string, unknown> | undefined;
    for (const field of ['name', 'namespace']) {
      if (meta && field in meta) {
        problems.push(`patch.metadata.${field} is set to ${JSON.stringify(meta[field])}: a patch cannot rename or move its target; leave it out (it is taken from the target object)`);
      }
    }
    return problems;
  }
}

/** The path of the first `$…` key (a strategic-merge directive such as `$patch`), if any. */
function findDirective(value: unknown, path: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [k, v] of Object.entries(value)) {
    const here = Array.isArray(value) ? `${path}[${k}]` : `${path}.${k}`;
    if (!Array.isArray(value) && k.startsWith('$')) return here;
    const found = findDirective(v, here);
    if (found) return found;
  }
  return undefined;
}
