import { ModelCheck } from './fleet-model';
import { ProblemSet } from './problem-set';
import { Doc, TreeDocument } from './repo-tree';
import { describeSource } from './kustomize-build';
import { ownerOfDocument } from './cluster-model';

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Kinds whose names the API server validates as RFC 1123 labels (they become DNS labels or label values). */
const LABEL_NAMED = new Set(['Namespace', 'Service']);
/** RBAC objects may have any name that is a valid path segment. */
const PATH_SEGMENT_NAMED = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

/** Why the API server would refuse an object's name or namespace, if it would. */
export function nameProblem(doc: Doc): string | undefined {
  const kind = String(doc.kind);
  const name = doc.metadata?.name;
  const namespace = doc.metadata?.namespace;
  if (namespace !== undefined && (typeof namespace !== 'string' || namespace.length > 63 || !LABEL.test(namespace))) {
    return `metadata.namespace ${JSON.stringify(namespace)} is not a valid namespace name: the API server accepts at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit (e.g. "${suggest(String(namespace))}")`;
  }
  if (typeof name !== 'string') return undefined; // kustomize reports an object without a name
  if (PATH_SEGMENT_NAMED.has(kind)) {
    return name === '.' || name === '..' || /[/%]/.test(name) ? `metadata.name ${JSON.stringify(name)} is not a valid ${kind} name: it may not be "." or ".." nor contain "/" or "%"` : undefined;
  }
  if (LABEL_NAMED.has(kind)) {
    return name.length <= 63 && LABEL.test(name) ? undefined
      : `metadata.name ${JSON.stringify(name)} is not a valid ${kind} name: the API server accepts at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit (e.g. "${suggest(name)}")`;
  }
  return name.length <= 253 && SUBDOMAIN.test(name) ? undefined
    : `metadata.name ${JSON.stringify(name)} is not a valid ${kind} name: the API server accepts at most 253 lowercase letters, digits, '-' or '.', starting and ending with a letter or digit (e.g. "${suggest(name)}")`;
}

function suggest(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '') || 'my-object';
}

/**
 * Every object's name and namespace are ones the API server accepts, whatever made the object
 * (cdk8s-plus, an L1 class, a raw object, a file the user owns) and as each cluster gets it (a
 * `targetNamespace` or a substituted variable can change them). Constructs that check their own
 * names (the Flux constructs) have already said so in their words.
 */
export function nameCheck(): ModelCheck {
  return {
    id: 'core/names',
    description: 'every object name and namespace is one the API server accepts',
    check: model => {
      const problems = new ProblemSet();
      const report = (d: TreeDocument, doc: Doc, where: string) => {
        const message = nameProblem(doc);
        if (!message) return;
        const path = d.origin.constructPath ?? d.file;
        const owner = ownerOfDocument(d);
        if (model.reported.has(path) || model.reported.has(owner)) return;
        problems.add(owner, `${d.origin.constructPath ? '' : `${String(doc.kind)} in ${describeSource(d)}: `}${message}${where}`);
      };
      for (const e of model.documents()) if (!e.patch) report(e.source, e.doc, '');
      for (const cluster of model.clusters) {
        for (const a of cluster.applications) {
          const before = a.built.source.doc.metadata;
          if (a.doc !== a.built.source.doc && (a.doc.metadata?.name !== before?.name || a.doc.metadata?.namespace !== before?.namespace)) {
            report(a.built.source, a.doc, ` (as cluster "${cluster.name}" gets it from ${a.by})`);
          }
        }
      }
      return problems.list;
    },
  };
}
