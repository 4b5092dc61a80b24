import { ModelCheck } from '../core/model/fleet-model';
import { ProblemSet } from '../core/model/problem-set';
import { ownerOf, subjectOf } from '../core/model/cluster-model';

const CLUSTER_WIDE = 'sealedsecrets.bitnami.com/cluster-wide';
const NAMESPACE_WIDE = 'sealedsecrets.bitnami.com/namespace-wide';

/**
 * A SealedSecret decrypts only in the namespace it was sealed for (unless sealed cluster-wide), so
 * no Kustomization's `targetNamespace` (or a directory's `namespace:`) may move it. Read from the
 * documents: the namespace it is written with, the scope its template's annotations state, and the
 * namespace the cluster gets it in.
 */
export function sealedNamespaceCheck(): ModelCheck {
  return {
    id: 'secrets/sealed-namespace',
    description: 'a SealedSecret is applied in the namespace it was sealed for',
    check: model => {
      const problems = new ProblemSet();
      for (const cluster of model.clusters) {
        for (const a of cluster.applications) {
          if (a.doc.kind !== 'SealedSecret') continue;
          const annotations = { ...a.built.source.doc.metadata?.annotations, ...a.built.source.doc.spec?.template?.metadata?.annotations };
          if (annotations[CLUSTER_WIDE] === 'true') continue;
          const sealedFor = a.built.source.doc.metadata?.namespace;
          if (a.namespace === sealedFor) continue;
          const scope = annotations[NAMESPACE_WIDE] === 'true' ? 'namespace-wide' : 'strict';
          problems.add(ownerOf(a), `${subjectOf(a)}is sealed for namespace "${String(sealedFor)}" (scope ${scope}), but a Kustomization's targetNamespace moves it to ${a.namespace === undefined ? 'no namespace' : `"${a.namespace}"`}, where the controller cannot decrypt it: apply it without targetNamespace, or seal it with scope cluster-wide (cluster "${cluster.name}", applied by ${a.by})`);
        }
      }
      return problems.list;
    },
  };
}
