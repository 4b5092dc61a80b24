import { isNamespaced } from '../flux/cluster-scoped';
import { clusterContents, effectiveDocOf } from '../flux/cluster-contents';
import { LayoutDirectory } from '../core/layout-directory';
import { LayoutAnalysis, objectId } from '../core/layout-model';

/** One object as an environment's cluster gets it. */
export interface EnvironmentObject {
  /** kustomize's identity: `Kind.group namespace/name`, with the namespace the object ends up in. */
  readonly id: string;
  /** The object with every patch applied and the applier's `targetNamespace` set. */
  readonly doc: Record<string, unknown>;
  /** Who applies it: `clusters/<name>` or `Kustomization ns/name`. */
  readonly appliedBy: string;
  /** Repository path of the file it comes from (before patches). */
  readonly file: string;
}

/**
 * The effective objects of one environment: everything its cluster directory makes Flux apply
 * (the directory itself and, transitively, every Kustomization's path), each as kustomize builds
 * it (patches applied) and moved into the Kustomization's `targetNamespace`. Sorted by identity.
 *
 * Not modelled: `postBuild` variable substitution (`${VAR}` stays as written).
 */
export function environmentObjects(analysis: LayoutAnalysis, cluster: LayoutDirectory): ReadonlyMap<string, EnvironmentObject> {
  const out = new Map<string, EnvironmentObject>();
  for (const application of clusterContents(cluster, analysis).applications) {
    let doc = effectiveDocOf(application, analysis);
    const targetNamespace = application.kustomization?.targetNamespace;
    if (targetNamespace && isNamespaced(String(doc.kind))) {
      doc = { ...doc, metadata: { ...(doc.metadata as Record<string, unknown>), namespace: targetNamespace } };
    }
    const id = objectId(doc);
    // an object applied twice is a fleet error reported at synth; keep the first
    if (!out.has(id)) out.set(id, { id, doc, appliedBy: application.by, file: application.entry.file });
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
