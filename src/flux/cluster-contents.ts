import { ApiObject } from 'cdk8s';
import { LayoutDirectory } from '../core/layout-directory';
import { BuildEntry, LayoutAnalysis, objectId } from '../core/layout-model';
import { isNamespaced } from './cluster-scoped';
import { Kustomization } from './kustomization';

/** One object as one Flux Kustomization applies it to a cluster. */
export interface ClusterApplication {
  /** The API object. */
  readonly object: ApiObject;
  /** The object as its directory's build yields it (before patches). */
  readonly entry: BuildEntry;
  /** Who applies it: `clusters/<name>` (the bootstrap sync) or `Kustomization ns/name`. */
  readonly by: string;
  /** The Flux Kustomization that applies it (undefined for the cluster directory itself). */
  readonly kustomization?: Kustomization;
  /** The directory whose build yields it (the cluster directory or a Kustomization's path). */
  readonly directory: LayoutDirectory;
  /** Its namespace in the cluster, after the applier's `targetNamespace`. */
  readonly namespace?: string;
}

/** What one cluster reconciles. */
export interface ClusterContents {
  /** The cluster directory's name (`clusters/<name>`). */
  readonly name: string;
  /** The cluster directory. */
  readonly directory: LayoutDirectory;
  /** Every object applied, in the order Flux's Kustomizations are discovered. */
  readonly applications: ClusterApplication[];
  /** Applications by API object. */
  readonly byObject: Map<ApiObject, ClusterApplication[]>;
}

/**
 * What a cluster reconciles: its directory (applied by the bootstrap sync), then the directory of
 * every Flux Kustomization found there, transitively, each with its own `targetNamespace`.
 */
export function clusterContents(clusterDir: LayoutDirectory, analysis: LayoutAnalysis): ClusterContents {
  // several checks and tools walk the same clusters of one analysis: walk each once
  let perAnalysis = walked.get(analysis);
  if (!perAnalysis) walked.set(analysis, perAnalysis = new Map());
  let contents = perAnalysis.get(clusterDir);
  if (!contents) perAnalysis.set(clusterDir, contents = walkCluster(clusterDir, analysis));
  return contents;
}

/** Every cluster of the fleet: the built directories directly under `clustersDir` (`clusters/`). */
export function clustersOf(analysis: LayoutAnalysis, clustersDir: LayoutDirectory): ClusterContents[] {
  return analysis.directories
    .filter(d => LayoutDirectory.enclosing(d) === clustersDir && d.kustomize)
    .map(d => clusterContents(d, analysis));
}

/** An applied object as its directory's build outputs it: every patch applied. */
export function effectiveDocOf(application: ClusterApplication, analysis: LayoutAnalysis): Record<string, unknown> {
  return analysis.effectiveBuild(application.directory).get(objectId(application.entry.doc))?.doc ?? application.entry.doc;
}

const walked = new WeakMap<LayoutAnalysis, Map<LayoutDirectory, ClusterContents>>();

function walkCluster(clusterDir: LayoutDirectory, analysis: LayoutAnalysis): ClusterContents {
  const applications: ClusterApplication[] = [];
  const followed = new Set<Kustomization>();
  const queue: { dir: LayoutDirectory; by: string; kustomization?: Kustomization }[] = [{ dir: clusterDir, by: `clusters/${clusterDir.dirName}` }];
  while (queue.length > 0) {
    const { dir, by, kustomization } = queue.shift()!;
    const targetNamespace = kustomization?.targetNamespace;
    for (const entry of analysis.build(dir).values()) {
      if (!entry.object) continue;
      const own = (entry.doc.metadata as { namespace?: string } | undefined)?.namespace;
      const namespace = targetNamespace && isNamespaced(String(entry.doc.kind)) ? targetNamespace : own;
      applications.push({ object: entry.object, entry, by, kustomization, directory: dir, namespace });
      const owner = entry.object.node.scope;
      // the Kustomization of the cluster directory itself is the sync that applies it: not a second applier
      if (owner instanceof Kustomization && owner.directory && owner.directory !== clusterDir && !followed.has(owner)) {
        followed.add(owner);
        queue.push({ dir: owner.directory, by: `Kustomization ${describeNamespaced(owner)}`, kustomization: owner });
      }
    }
  }
  const byObject = new Map<ApiObject, ClusterApplication[]>();
  for (const a of applications) byObject.set(a.object, [...byObject.get(a.object) ?? [], a]);
  return { name: clusterDir.dirName, directory: clusterDir, applications, byObject };
}

function describeNamespaced(o: { namespace?: string; name: string }): string {
  return `${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}
