/** A JSON schema node as found in a CRD's openAPIV3Schema. */
export type SchemaNode = Record<string, unknown>;

/**
 * The object metadata every resource may carry, strictly: what a GitOps repository writes
 * (server-set fields such as `uid` or `resourceVersion` do not belong in Git).
 */
export const OBJECT_META: SchemaNode = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 253 },
    namespace: { type: 'string', minLength: 1, maxLength: 63 },
    generateName: { type: 'string' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
    finalizers: { type: 'array', items: { type: 'string' } },
    // kubeseal writes `creationTimestamp: null`; harmless
    creationTimestamp: { type: 'null' },
  },
};

/**
 * Turns a CRD's structural schema into a strict JSON schema, the way `kubeconform -strict` reads
 * it: an object that lists its properties rejects any other field unless it is marked
 * `x-kubernetes-preserve-unknown-fields`; `x-kubernetes-int-or-string` accepts an integer or a
 * string; `x-kubernetes-embedded-resource` also accepts `apiVersion`, `kind` and `metadata`.
 * CEL rules (`x-kubernetes-validations`) are not evaluated.
 */
export function strictSchema(node: SchemaNode, root = true): SchemaNode {
  const out: SchemaNode = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-kubernetes-') || key === 'description' || key === 'format') continue;
    out[key] = value;
  }
  if (node['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  const properties = node.properties as Record<string, SchemaNode> | undefined;
  if (properties) {
    out.properties = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, strictSchema(v, false)]));
    if (node['x-kubernetes-embedded-resource'] === true) {
      Object.assign(out.properties as object, { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } });
    }
    if (node.additionalProperties === undefined && node['x-kubernetes-preserve-unknown-fields'] !== true) {
      out.additionalProperties = false;
    }
  }
  if (node.additionalProperties && typeof node.additionalProperties === 'object') {
    out.additionalProperties = strictSchema(node.additionalProperties as SchemaNode, false);
  }
  if (node.items && typeof node.items === 'object') out.items = strictSchema(node.items as SchemaNode, false);
  for (const combinator of ['allOf', 'anyOf', 'oneOf']) {
    if (Array.isArray(node[combinator])) out[combinator] = (node[combinator] as SchemaNode[]).map(s => strictSchema(s, false));
  }
  if (root && properties) {
    (out.properties as Record<string, SchemaNode>).metadata = OBJECT_META;
    out.required = [...new Set([...(node.required as string[] | undefined) ?? [], 'apiVersion', 'kind', 'metadata'])];
  }
  return out;
}
