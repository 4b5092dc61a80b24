import { LayoutDirectory } from '../core/layout-directory';
import { FleetModel } from '../core/model/fleet-model';
import { objectId } from '../core/model/identity';
import { compareKeys } from '../core/render';

/** One object as an environment's cluster gets it. */
export interface EnvironmentObject {
  /** kustomize's identity: `Kind.group namespace/name`, with the namespace the object ends up in. */
  readonly id: string;
  /** The object as the cluster gets it: every patch applied, the applier's namespace set, variables substituted where known. */
  readonly doc: Record<string, unknown>;
  /** Who applies it: `clusters/<name>` or `Kustomization ns/name`. */
  readonly appliedBy: string;
  /** Repository path of the file it comes from (before patches). */
  readonly file: string;
}

/**
 * The effective objects of one environment, read from the model of what its cluster applies:
 * everything its cluster directory makes Flux apply (the directory itself and, transitively, every
 * Kustomization's path), whatever wrote it (constructs, L1 classes, raw objects, files the user
 * owns), as kustomize builds it and kustomize-controller applies it (patches, `targetNamespace`,
 * `spec.patches`, post-build substitution where the values are known). Sorted by identity.
 */
export function environmentObjects(model: FleetModel, cluster: LayoutDirectory | string): ReadonlyMap<string, EnvironmentObject> {
  const directory = typeof cluster === 'string' ? cluster : cluster.repoPath;
  const contents = model.clusters.find(c => c.directory === directory);
  if (!contents) throw new Error(`"${directory}" is not a cluster directory of this fleet (one directly under clusters/ with something to apply)`);
  const out = new Map<string, EnvironmentObject>();
  for (const application of contents.applications) {
    const id = objectId(application.doc);
    // an object applied twice is a fleet error reported at synth; keep the first
    if (!out.has(id)) out.set(id, { id, doc: application.doc, appliedBy: application.by, file: application.built.source.file });
  }
  return new Map([...out].sort(([a], [b]) => compareKeys(a, b)));
}
