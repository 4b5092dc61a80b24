import { isMap } from '../../core/json-values';
import { Doc } from '../../core/model/repo-tree';

/**
 * Whether an applied document is the ArtifactGenerator that makes ExternalArtifact `namespace/name`:
 * source-watcher makes each of its `artifacts` in the generator's own namespace.
 */
export function makesArtifact(doc: Doc, docNamespace: string | undefined, namespace: string | undefined, name: string): boolean {
  return doc.kind === 'ArtifactGenerator' && docNamespace === namespace
    && Array.isArray(doc.spec?.artifacts) && doc.spec.artifacts.some((x: unknown) => isMap(x) && x.name === name);
}
