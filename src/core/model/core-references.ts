import { KindReferences, ReferenceField, ReferenceResolution, ReferenceScope } from './references';

const INFO = ReferenceResolution.INFORMATIONAL;

/** The references a pod spec makes, under `prefix` (e.g. `spec.template.spec`). */
function podSpec(prefix: string): ReferenceField[] {
  const own = (path: string, kind: string, role: string, nameKey?: string): ReferenceField => ({
    path: `${prefix}.${path}`, role, kinds: [kind], scope: ReferenceScope.OWN_NAMESPACE, resolution: INFO, optionalKey: 'optional', ...nameKey !== undefined ? { nameKey } : {},
  });
  const containers = ['containers[]', 'initContainers[]', 'ephemeralContainers[]'];
  return [
    own('serviceAccountName', 'ServiceAccount', 'serviceAccount', ''),
    own('imagePullSecrets[]', 'Secret', 'secret'),
    own('volumes[].secret', 'Secret', 'secret', 'secretName'),
    own('volumes[].configMap', 'ConfigMap', 'configMap'),
    own('volumes[].projected.sources[].secret', 'Secret', 'secret'),
    own('volumes[].projected.sources[].configMap', 'ConfigMap', 'configMap'),
    ...containers.flatMap(c => [
      own(`${c}.envFrom[].secretRef`, 'Secret', 'secret'),
      own(`${c}.envFrom[].configMapRef`, 'ConfigMap', 'configMap'),
      own(`${c}.env[].valueFrom.secretKeyRef`, 'Secret', 'secret'),
      own(`${c}.env[].valueFrom.configMapKeyRef`, 'ConfigMap', 'configMap'),
    ]),
  ];
}

/**
 * The references of the core Kubernetes kinds the checks and the graph read: RBAC bindings (their
 * role and subjects, which tenant isolation reads), the pod templates of workloads (their
 * ServiceAccount, Secrets and ConfigMaps), ServiceAccounts' Secrets and Ingress certificates.
 * They are informational: a chart or an operator may create what they name.
 */
export const CORE_REFERENCES: readonly KindReferences[] = [
  ...['RoleBinding', 'ClusterRoleBinding'].map(kind => ({
    group: 'rbac.authorization.k8s.io', kind, fields: [
      { path: 'roleRef', role: 'role', kinds: ['ClusterRole', 'Role'], scope: kind === 'RoleBinding' ? ReferenceScope.OWN_NAMESPACE : ReferenceScope.CLUSTER, resolution: INFO },
      { path: 'subjects[]', role: 'subject', kinds: ['ServiceAccount'], scope: ReferenceScope.STATED_OR_OWN, resolution: INFO },
    ],
  })),
  ...['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].map(kind => ({ group: 'apps', kind, fields: podSpec('spec.template.spec') })),
  { group: 'batch', kind: 'Job', fields: podSpec('spec.template.spec') },
  { group: 'batch', kind: 'CronJob', fields: podSpec('spec.jobTemplate.spec.template.spec') },
  { group: '', kind: 'Pod', fields: podSpec('spec') },
  {
    group: '', kind: 'ServiceAccount', fields: [
      { path: 'secrets[]', role: 'secret', kinds: ['Secret'], scope: ReferenceScope.OWN_NAMESPACE, resolution: INFO },
      { path: 'imagePullSecrets[]', role: 'secret', kinds: ['Secret'], scope: ReferenceScope.OWN_NAMESPACE, resolution: INFO },
    ],
  },
  { group: 'networking.k8s.io', kind: 'Ingress', fields: [{ path: 'spec.tls[]', role: 'secret', kinds: ['Secret'], scope: ReferenceScope.OWN_NAMESPACE, nameKey: 'secretName', resolution: INFO }] },
];
