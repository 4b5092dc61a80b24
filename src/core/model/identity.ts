import { Doc } from './repo-tree';

/** kustomize's identity of an object: `Kind.group namespace/name` (the core group has no suffix). */
export function objectId(doc: Record<string, unknown>): string {
  const apiVersion = String(doc.apiVersion ?? '');
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  const meta = (doc.metadata ?? {}) as Record<string, unknown>;
  const ns = meta.namespace ? `${String(meta.namespace)}/` : '';
  return `${String(doc.kind)}${group ? `.${group}` : ''} ${ns}${String(meta.name)}`;
}

/** kustomize's identity of a patch's target (group, kind, namespace, name), as `objectId` gives it for objects. */
export function patchTargetId(t: { readonly group?: string; readonly kind?: string; readonly name?: string; readonly namespace?: string }): string {
  return `${String(t.kind)}${t.group ? `.${t.group}` : ''} ${t.namespace ? `${t.namespace}/` : ''}${String(t.name)}`;
}

/** The API group of an apiVersion (`''` for the core group). */
export function groupOf(apiVersion: unknown): string {
  const s = String(apiVersion ?? '');
  return s.includes('/') ? s.slice(0, s.indexOf('/')) : '';
}

/** `Kind namespace/name` of a document, for messages. */
export function describeDoc(doc: Doc): string {
  const ns = doc.metadata?.namespace;
  return `${String(doc.kind)} ${ns ? `${String(ns)}/` : ''}${String(doc.metadata?.name)}`;
}

/** A document's namespace, if it states one. */
export function namespaceOf(doc: Doc): string | undefined {
  const ns = doc.metadata?.namespace;
  return typeof ns === 'string' && ns !== '' ? ns : undefined;
}
