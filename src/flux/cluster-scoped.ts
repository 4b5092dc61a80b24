/**
 * Kinds that have no namespace: a Kustomization's `targetNamespace` does not move them.
 * Core and common extension kinds; a CRD-defined cluster-scoped kind not listed here is treated
 * as namespaced.
 */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'CSIDriver', 'CSINode', 'VolumeAttachment',
  'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'APIService', 'PriorityClass', 'RuntimeClass',
  'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding', 'IngressClass', 'ClusterIssuer', 'ClusterPolicy', 'ClusterSecretStore',
]);

/** Whether objects of a kind live in a namespace. */
export function isNamespaced(kind: string): boolean {
  return !CLUSTER_SCOPED.has(kind);
}
