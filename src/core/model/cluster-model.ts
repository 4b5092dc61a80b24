import { BuildOverlay, BuildProblem, BuiltObject, describeSource, KustomizeBuilder } from './kustomize-build';
import { describeDoc, groupOf, namespaceOf, objectId } from './identity';
import { Doc, RepoTree, TreeDocument } from './repo-tree';

/** One object as one cluster gets it. */
export interface Application {
  /** The cluster's name (`clusters/<name>`). */
  readonly cluster: string;
  /** The object as applied: the build's patches, the applier's namespace and substitution done. */
  readonly doc: Doc;
  /** Its namespace in the cluster (undefined: cluster-scoped, or none stated). */
  readonly namespace?: string;
  /** The object as its directory's build outputs it, with the file and patches it came from. */
  readonly built: BuiltObject;
  /** Repository path of the directory whose build yields it. */
  readonly directory: string;
  /** The object that applies it (a Flux Kustomization); undefined for the cluster directory itself, which the bootstrap sync applies. */
  readonly appliedBy?: Application;
  /** Who applies it, for messages: `clusters/<name>` or e.g. `Kustomization flux-system/apps`. */
  readonly by: string;
}

/** A directory an applied object makes the cluster build and apply. */
export interface DirectoryApplication {
  /** Repository path of the directory. */
  readonly path: string;
  /** What the controller adds to the directory's kustomization (namespace, patches). */
  readonly overlay: BuildOverlay;
  /** What the controller does to each built object before applying it (variable substitution). */
  readonly transform?: (doc: Doc) => Doc;
}

/** What an applier says about one applied object. */
export interface ApplierResult {
  /** The directory of this repository it applies. */
  readonly applies?: DirectoryApplication;
  /** Why it cannot be followed although it builds this repository (a path that does not exist…). */
  readonly problem?: string;
}

/** What an applier may ask while a cluster is walked. */
export interface ClusterWalk {
  /** The cluster's name. */
  readonly name: string;
  /** Repository path of the cluster directory. */
  readonly directory: string;
  /** The tree. */
  readonly tree: RepoTree;
  /** What the cluster directory itself yields (the bootstrap sync applies it). */
  readonly bootstrap: readonly Application[];
  /** Everything applied so far, in discovery order. */
  readonly applications: readonly Application[];
  /**
   * Everything a first walk of the cluster found, when the walk is repeated because an applier
   * needed an object discovered later (Flux reads `substituteFrom` from the cluster, whenever it
   * got there); undefined in the first walk.
   */
  readonly previous?: readonly Application[];
  /** Asks for a second walk: an applier looked for an object that may only be discovered later. */
  needsAnotherWalk(): void;
}

/**
 * Something that, once applied, makes the cluster apply a directory of the repository: Flux's
 * Kustomization (registered by the Flux module). The model knows nothing of Flux itself.
 */
export interface IApplier {
  /** The API group of the kind it handles. */
  readonly group: string;
  /** The kind it handles. */
  readonly kind: string;
  /** The directory an applied object of that kind applies, if it applies one of this repository. */
  applies(application: Application, walk: ClusterWalk): ApplierResult | undefined;
}

/** One build a cluster applies: a directory, with what its applier adds. */
export interface ClusterBuild {
  /** Repository path of the directory. */
  readonly directory: string;
  /** Who applies it (`clusters/<name>` or `Kustomization ns/name`). */
  readonly by: string;
  /** What the applier adds to the directory's kustomization; undefined for the cluster directory. */
  readonly overlay?: BuildOverlay;
  /** Its objects, as the cluster gets them. */
  readonly applications: readonly Application[];
}

/** A problem found while walking a cluster. */
export interface ClusterProblem extends BuildProblem {
  /** The cluster. */
  readonly cluster: string;
}

/**
 * What one cluster applies: its directory (applied by the bootstrap sync), then every directory
 * an applied object applies (each Flux Kustomization's path, with its namespace, patches and
 * substitution), transitively, in discovery order.
 */
export class ClusterModel {
  /** Everything the cluster applies, in discovery order. */
  public readonly applications: readonly Application[];
  /** What could not be built or followed. */
  public readonly problems: readonly ClusterProblem[];
  /** The directories built, in discovery order. */
  public readonly directories: readonly string[];
  /** The builds, in discovery order. */
  public readonly builds: readonly ClusterBuild[];
  private readonly index = new Map<string, Application[]>();

  /** @internal (the model builds its clusters) */
  constructor(public readonly name: string, public readonly directory: string, builder: KustomizeBuilder, tree: RepoTree, appliers: readonly IApplier[]) {
    let result = this.walk(builder, tree, appliers);
    if (result.again) result = this.walk(builder, tree, appliers, result.applications);
    this.applications = result.applications;
    this.problems = result.problems;
    this.directories = result.builds.map(b => b.directory);
    this.builds = result.builds;
    for (const a of result.applications) {
      const key = ClusterModel.key(String(a.doc.kind), a.namespace, String(a.doc.metadata?.name));
      const list = this.index.get(key);
      if (list) list.push(a);
      else this.index.set(key, [a]);
    }
  }

  private walk(builder: KustomizeBuilder, tree: RepoTree, appliers: readonly IApplier[], previous?: readonly Application[]) {
    const { name, directory } = this;
    const applications: Application[] = [];
    const problems: ClusterProblem[] = [];
    const builds: ClusterBuild[] = [];
    let again = false;
    const walk: ClusterWalk = { name, directory, tree, bootstrap: [], applications, previous, needsAnotherWalk: () => { again = previous === undefined; } };
    const seen = new Set<string>();
    const byKind = new Map(appliers.map(a => [`${a.group}/${a.kind}`, a]));
    const queue: { dir: string; appliedBy?: Application; overlay?: BuildOverlay; transform?: (d: Doc) => Doc; by: string }[] = [
      { dir: directory, by: `clusters/${name}` },
    ];
    for (let next = queue.shift(); next; next = queue.shift()) {
      const build = builder.build(next.dir, next.overlay);
      for (const p of build.problems) problems.push({ ...p, cluster: name });
      const fresh: Application[] = [];
      for (const built of build.objects) {
        const doc = next.transform ? next.transform(built.doc) : built.doc;
        const application: Application = { cluster: name, doc, namespace: namespaceOf(doc), built, directory: next.dir, appliedBy: next.appliedBy, by: next.by };
        applications.push(application);
        fresh.push(application);
        if (!next.appliedBy) (walk.bootstrap as Application[]).push(application);
      }
      builds.push({ directory: next.dir, by: next.by, overlay: next.overlay, applications: fresh });
      // follow what this build applies, in the order the objects appear
      for (const application of fresh) {
        const applier = byKind.get(`${groupOf(application.doc.apiVersion)}/${String(application.doc.kind)}`);
        const result = applier?.applies(application, walk);
        if (result?.problem) {
          problems.push({ cluster: name, file: application.built.source.file, constructPath: ownerOf(application), message: result.problem });
        }
        const key = result?.applies ? `${objectId(application.doc)} -> ${result.applies.path}` : undefined;
        if (result?.applies && !seen.has(key!)) {
          seen.add(key!); // an object that applies its own directory again (a sync of itself) is followed once
          const a = result.applies;
          queue.push({ dir: a.path, appliedBy: application, overlay: a.overlay, transform: a.transform, by: a.overlay.by });
        }
      }
    }
    return { applications, problems, builds, again };
  }

  /** The applications of an object of a kind, namespace and name (several when applied twice). */
  public find(kind: string, namespace: string | undefined, name: string): readonly Application[] {
    return this.index.get(ClusterModel.key(kind, namespace, name)) ?? [];
  }

  /** The applications of a kind in a namespace (any namespace when `namespace` is `null`). */
  public ofKind(kind: string, namespace?: string | null): Application[] {
    return this.applications.filter(a => a.doc.kind === kind && (namespace === null || a.namespace === namespace));
  }

  private static key(kind: string, namespace: string | undefined, name: string): string {
    return `${kind}\0${namespace ?? ''}\0${name}`;
  }
}

/** `Kind namespace/name` of an application, for messages. */
export function describeApplication(a: Application): string {
  return describeDoc(a.doc);
}


/**
 * Where problems about an application are reported: the construct that declared the object (the
 * Flux or cdk8s-plus construct around its API object, or the API object itself), else its file.
 */
export function ownerOf(a: Application): string {
  return ownerOfDocument(a.built.source);
}

/** Like `ownerOf`, for a document of the repository. */
export function ownerOfDocument(d: TreeDocument): string {
  const object = d.origin.object;
  if (!object) return d.origin.constructPath ?? d.file;
  const scope = object.node.scope;
  return object.node.id === 'Resource' && scope ? scope.node.path : object.node.path;
}

/** For an object no construct declared (a file the user owns), `Kind ns/name (in file) `, so that the message names it; else nothing. */
export function subjectOf(a: Application): string {
  if (a.built.source.origin.constructPath) return '';
  return `${describeDoc(a.doc)} (in ${describeSource(a.built.source)}) `;
}
