/** A JSON schema node as found in a CRD's openAPIV3Schema. */
export type SchemaNode = Record<string, unknown>;

/**
 * The object metadata every resource may carry, strictly: what a GitOps repository writes
 * (server-set fields such as `uid` or `resourceVersion` do not belong in Git).
 */
const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** A label or annotation key: an optional DNS-subdomain prefix and a name of at most 63 characters. */
const QUALIFIED_KEY = '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$';
const LABEL_VALUE = '^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$';

function objectMeta(nameRequired: boolean): SchemaNode {
  return {
    type: 'object',
    additionalProperties: false,
    ...nameRequired ? { required: ['name'] } : {},
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 253, pattern: '^[^/]+$' },
      namespace: { type: 'string', maxLength: 63, pattern: DNS_LABEL },
      generateName: { type: 'string' },
      labels: { type: 'object', propertyNames: { maxLength: 316, pattern: QUALIFIED_KEY }, additionalProperties: { type: 'string', maxLength: 63, pattern: LABEL_VALUE } },
      annotations: { type: 'object', propertyNames: { maxLength: 316, pattern: QUALIFIED_KEY }, additionalProperties: { type: 'string' } },
      finalizers: { type: 'array', items: { type: 'string' } },
      // kubeseal writes `creationTimestamp: null`; harmless
      creationTimestamp: { type: 'null' },
    },
  };
}

/**
 * The object metadata every resource may carry, strictly: what a GitOps repository writes
 * (server-set fields such as `uid` or `resourceVersion` do not belong in Git), with the API
 * server's rules for namespaces, label keys and values, and annotation keys.
 */
export const OBJECT_META: SchemaNode = objectMeta(true);

/** Metadata of an embedded resource (a template): the same rules, the name optional. */
export const EMBEDDED_META: SchemaNode = objectMeta(false);

/** The schema core objects get, having no schema of their own here: strict metadata only. */
export const METADATA_ONLY: SchemaNode = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata'],
  properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: OBJECT_META },
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
    if (key.startsWith('x-kubernetes-') || key === 'description' || key === 'format' || key === 'nullable' || key === 'default') continue;
    out[key] = value;
  }
  if (node['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  const properties = node.properties as Record<string, SchemaNode> | undefined;
  if (properties) {
    out.properties = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, strictSchema(v, false)]));
    // the API server fills defaults before validating: a defaulted field is never missing
    const required = (node.required as string[] | undefined)?.filter(r => properties[r]?.default === undefined);
    if (required) {
      if (required.length > 0) out.required = required;
      else delete out.required;
    }
    if (node.additionalProperties === undefined && node['x-kubernetes-preserve-unknown-fields'] !== true) {
      out.additionalProperties = false;
    }
  }
  if (node['x-kubernetes-embedded-resource'] === true) {
    out.properties = { ...out.properties as object, apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: EMBEDDED_META };
    out.required = [...new Set([...(out.required as string[] | undefined) ?? [], 'apiVersion', 'kind'])];
  }
  if (node.additionalProperties && typeof node.additionalProperties === 'object') {
    out.additionalProperties = strictSchema(node.additionalProperties as SchemaNode, false);
  }
  if (node.items && typeof node.items === 'object') out.items = strictSchema(node.items as SchemaNode, false);
  for (const combinator of ['allOf', 'anyOf', 'oneOf']) {
    if (Array.isArray(node[combinator])) out[combinator] = (node[combinator] as SchemaNode[]).map(s => strictSchema(s, false));
  }
  if (node.nullable === true) {
    // OpenAPI's nullable is not JSON Schema: allow null explicitly
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
    if (Array.isArray(out.anyOf)) out.anyOf = [...out.anyOf as SchemaNode[], { type: 'null' }];
  }
  if (root && properties) {
    (out.properties as Record<string, SchemaNode>).metadata = OBJECT_META;
    out.required = [...new Set([...(out.required as string[] | undefined) ?? [], 'apiVersion', 'kind', 'metadata'])];
  }
  return out;
}
