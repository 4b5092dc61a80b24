import { IConstruct } from 'constructs';

const LAYOUT_FILE = Symbol.for('cdk8s-flux.LayoutFile');

/** How a file takes part in its directory's `kustomization.yaml`. */
export enum FileRole {
  /** Listed under `resources:`: the file holds whole Kubernetes objects. */
  RESOURCE = 'resource',
  /** Listed under `patches:`: the file holds a patch applied to an object of the build. */
  PATCH = 'patch',
  /**
   * Not listed as a resource or a patch: the file holds data a generator of its directory reads
   * (a Helm values file under `configMapGenerator`), and is not a Kubernetes object.
   */
  DATA = 'data',
}

/** A kustomize patch selector, as written under `patches[].target`. */
export interface PatchTarget {
  /** The API group; undefined for the core group. */
  readonly group?: string;
  /** The API version within the group, e.g. `v2`. */
  readonly version: string;
  /** The kind. */
  readonly kind: string;
  /** The object's name. */
  readonly name: string;
  /** The object's namespace; undefined for cluster-scoped objects. */
  readonly namespace?: string;
}

/**
 * A file the layout writer places in the directory of its nearest `LayoutDirectory` ancestor.
 * Implemented by `ManifestFile` (whole objects) and `ObjectPatch` (a patch of one object).
 */
export interface ILayoutFile extends IConstruct {
  /** File name inside its directory, e.g. `release.yaml`. */
  readonly fileName: string;
  /** Whether the file is a resource or a patch in the directory's kustomization. */
  readonly role: FileRole;
  /** The documents of the file, in a stable order; an empty list means the file is not written. */
  renderDocuments(): Record<string, unknown>[];
  /** For a patch: the object it targets, precisely (group, version, kind, name, namespace). */
  readonly patchTarget?: PatchTarget;
}

/** Marks a construct as a layout file (symbol-based, so it survives duplicate module copies). */
export function markLayoutFile(file: ILayoutFile): void {
  Object.defineProperty(file, LAYOUT_FILE, { value: true });
}

/** Whether a construct is a file of the layout. */
export function isLayoutFile(x: unknown): x is ILayoutFile {
  return typeof x === 'object' && x !== null && LAYOUT_FILE in x;
}
