/**
 * The types kustomize v5 knows to be cluster-scoped, as `[apiVersion, kind]`: its built-in schema
 * (Kubernetes 1.21) matched by exact apiVersion. Every other type, custom resources included, is
 * treated as namespaced. So `flowcontrol.apiserver.k8s.io/v1 FlowSchema`,
 * `admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy`, `rbac.authorization.k8s.io/v1alpha1
 * ClusterRole` or cert-manager's `ClusterIssuer` get a namespace from kustomize.
 */
export const CLUSTER_SCOPED_TYPES: readonly (readonly [apiVersion: string, kind: string])[] = [
  ['admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration'],
  ['admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration'],
  ['admissionregistration.k8s.io/v1beta1', 'MutatingWebhookConfiguration'],
  ['admissionregistration.k8s.io/v1beta1', 'ValidatingWebhookConfiguration'],
  ['apiextensions.k8s.io/v1', 'CustomResourceDefinition'],
  ['apiextensions.k8s.io/v1beta1', 'CustomResourceDefinition'],
  ['apiregistration.k8s.io/v1', 'APIService'],
  ['apiregistration.k8s.io/v1beta1', 'APIService'],
  ['certificates.k8s.io/v1', 'CertificateSigningRequest'],
  ['certificates.k8s.io/v1beta1', 'CertificateSigningRequest'],
  ['flowcontrol.apiserver.k8s.io/v1beta1', 'FlowSchema'],
  ['flowcontrol.apiserver.k8s.io/v1beta1', 'PriorityLevelConfiguration'],
  ['networking.k8s.io/v1', 'IngressClass'],
  ['networking.k8s.io/v1beta1', 'IngressClass'],
  ['node.k8s.io/v1', 'RuntimeClass'],
  ['node.k8s.io/v1beta1', 'RuntimeClass'],
  ['policy/v1beta1', 'PodSecurityPolicy'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'],
  ['rbac.authorization.k8s.io/v1beta1', 'ClusterRole'],
  ['rbac.authorization.k8s.io/v1beta1', 'ClusterRoleBinding'],
  ['scheduling.k8s.io/v1', 'PriorityClass'],
  ['scheduling.k8s.io/v1beta1', 'PriorityClass'],
  ['storage.k8s.io/v1', 'CSIDriver'],
  ['storage.k8s.io/v1', 'CSINode'],
  ['storage.k8s.io/v1', 'StorageClass'],
  ['storage.k8s.io/v1', 'VolumeAttachment'],
  ['storage.k8s.io/v1beta1', 'CSIDriver'],
  ['storage.k8s.io/v1beta1', 'CSINode'],
  ['storage.k8s.io/v1beta1', 'StorageClass'],
  ['storage.k8s.io/v1beta1', 'VolumeAttachment'],
  ['v1', 'ComponentStatus'],
  ['v1', 'Namespace'],
  ['v1', 'Node'],
  ['v1', 'NodeProxyOptions'],
  ['v1', 'PersistentVolume'],
];

const CLUSTER_SCOPED = new Set(CLUSTER_SCOPED_TYPES.map(([apiVersion, kind]) => `${apiVersion} ${kind}`));

/** A document the namespace transformer cannot handle (kustomize fails on it too). */
export class KustomizeNamespaceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KustomizeNamespaceError';
  }
}

/**
 * Whether kustomize (v5) treats the type as cluster-scoped: listed in {@link CLUSTER_SCOPED_TYPES}
 * with this exact apiVersion (group and version as kustomize splits them at the first `/`). Unknown
 * types, custom resources included, are namespaced.
 */
export function isClusterScoped(apiVersion: string, kind: string): boolean {
  const { group, version } = splitApiVersion(apiVersion);
  return CLUSTER_SCOPED.has(`${group === '' ? version : `${group}/${version}`} ${kind}`);
}

/**
 * kustomize's namespace transformer on one document: the `namespace:` of a kustomization.yaml, and
 * so Flux's `spec.targetNamespace`. Returns a new document; an empty `namespace` changes nothing,
 * as kustomize then skips the transformer.
 *
 * - `metadata.namespace` is set (created or overwritten) unless {@link isClusterScoped}; a
 *   cluster-scoped object keeps any namespace it has.
 * - RoleBinding and ClusterRoleBinding (any group): every subject named `default`, whatever its kind,
 *   gets `namespace` set, overwriting another; other subjects are left alone, even those in the
 *   binding's old namespace. (`kubectl kustomize` also moves a ServiceAccount subject whose
 *   ServiceAccount is in the same build, but that is its name-reference step, not this one.)
 * - `v1` Namespace: `metadata.name` becomes the namespace.
 * - apiregistration.k8s.io APIService: `spec.service.namespace` is set, created if missing.
 * - apiextensions.k8s.io CustomResourceDefinition: `spec.conversion.webhook.clientConfig.service.namespace`
 *   is set when that key exists.
 *
 * Webhook configurations' `clientConfig.service.namespace` is not touched.
 *
 * @throws KustomizeNamespaceError where kustomize fails (e.g. `subjects` that is not a list)
 */
export function setNamespace(doc: Record<string, unknown>, namespace: string): Record<string, unknown> {
  const out = structuredClone(doc);
  if (namespace === '' || Object.keys(out).length === 0) return out;
  const apiVersion = scalarText(out.apiVersion);
  const kind = scalarText(out.kind);
  const { group } = splitApiVersion(apiVersion);

  if (!isClusterScoped(apiVersion, kind)) setField(out, ['metadata', 'namespace'], namespace, true);
  if (kind === 'RoleBinding' || kind === 'ClusterRoleBinding') setDefaultSubjects(out, namespace);
  // kustomize's field specs for the namespace; the Namespace one applies to apiVersion `v1` only
  if (kind === 'Namespace' && apiVersion === 'v1') setField(out, ['metadata', 'name'], namespace, true);
  if (group === 'apiregistration.k8s.io' && kind === 'APIService') setField(out, ['spec', 'service', 'namespace'], namespace, true);
  if (group === 'apiextensions.k8s.io' && kind === 'CustomResourceDefinition') {
    setField(out, ['spec', 'conversion', 'webhook', 'clientConfig', 'service', 'namespace'], namespace, false);
  }
  return out;
}

/** kustomize's default `setRoleBindingSubjects: defaultOnly`. */
function setDefaultSubjects(doc: Record<string, unknown>, namespace: string): void {
  const subjects = doc.subjects;
  if (subjects === null || subjects === undefined) return;
  if (!Array.isArray(subjects)) throw new KustomizeNamespaceError(`${describe(doc)}: subjects is not a list`);
  subjects.forEach((subject, i) => {
    if (subject === null || subject === undefined) return;
    if (!isMap(subject)) throw new KustomizeNamespaceError(`${describe(doc)}: subjects[${i}] is not an object`);
    if (isMap(subject.name) || Array.isArray(subject.name)) {
      throw new KustomizeNamespaceError(`${describe(doc)}: subjects[${i}].name is not a string`);
    }
    if (subject.name === 'default') subject.namespace = namespace;
  });
}

/**
 * Sets a scalar field. With `create`, missing or null maps on the way are created; without, the
 * field is set only when its key exists (even holding null).
 */
function setField(doc: Record<string, unknown>, path: readonly string[], value: string, create: boolean): void {
  let node = doc;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === null || next === undefined) {
      if (!create) return;
      node[key] = {};
    } else if (!isMap(next)) {
      throw new KustomizeNamespaceError(`${describe(doc)}: ${path.join('.')} cannot be set, ${key} is not an object`);
    }
    node = node[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  if (!create && !Object.prototype.hasOwnProperty.call(node, last)) return;
  const current = node[last];
  if (isMap(current) || Array.isArray(current)) {
    throw new KustomizeNamespaceError(`${describe(doc)}: ${path.join('.')} is not a scalar`);
  }
  node[last] = value;
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

function describe(doc: Record<string, unknown>): string {
  const metadata = isMap(doc.metadata) ? doc.metadata : {};
  return `${scalarText(doc.kind) || 'object'} ${scalarText(metadata.name) || '(unnamed)'}`;
}

function scalarText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
