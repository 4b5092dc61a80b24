import { KindReferences, ReferenceField, ReferenceResolution, ReferenceScope } from './references';

const INFO = ReferenceResolution.INFORMATIONAL;

/** Options of `certManagerReferences`. */
export interface CertManagerReferencesOptions {
  /**
   * cert-manager's cluster-resource namespace (its `--cluster-resource-namespace`), where the
   * Secrets a ClusterIssuer names live.
   * @default 'cert-manager'
   */
  readonly clusterResourceNamespace?: string;
}

/** The Secrets an Issuer or ClusterIssuer names, found in `scope` (its own namespace, or the cluster-resource namespace). */
function issuerSecrets(secret: (path: string, resolution?: ReferenceResolution, nameKey?: string) => ReferenceField): ReferenceField[] {
  return [
    // cert-manager creates the ACME account key when it is missing: informational
    secret('spec.acme.privateKeySecretRef', INFO),
    secret('spec.acme.externalAccountBinding.keySecretRef'),
    secret('spec.acme.solvers[].dns01.cloudflare.apiTokenSecretRef'),
    secret('spec.acme.solvers[].dns01.cloudflare.apiKeySecretRef'),
    secret('spec.acme.solvers[].dns01.route53.secretAccessKeySecretRef'),
    secret('spec.acme.solvers[].dns01.azureDNS.clientSecretSecretRef'),
    secret('spec.acme.solvers[].dns01.cloudDNS.serviceAccountSecretRef'),
    secret('spec.acme.solvers[].dns01.digitalocean.tokenSecretRef'),
    secret('spec.acme.solvers[].dns01.rfc2136.tsigSecretSecretRef'),
    secret('spec.ca.secretName', undefined, ''),
    secret('spec.vault.auth.tokenSecretRef'),
    secret('spec.vault.auth.appRole.secretRef'),
    secret('spec.venafi.tpp.credentialsRef'),
    secret('spec.venafi.cloud.apiTokenSecretRef'),
  ];
}

/**
 * The references of cert-manager's kinds (`cert-manager.io/v1`), for `GitOpsRepo.registerReferences`:
 * a Certificate's `issuerRef` (an Issuer of its namespace, or a ClusterIssuer), an Issuer's Secrets
 * in its own namespace, and a ClusterIssuer's Secrets in cert-manager's cluster-resource namespace.
 * The ACME account key is informational (cert-manager creates it); every other Secret must exist.
 *
 * @example
 * certManagerReferences().forEach(entry => repo.registerReferences(entry));
 */
export function certManagerReferences(options: CertManagerReferencesOptions = {}): KindReferences[] {
  const clusterNamespace = options.clusterResourceNamespace ?? 'cert-manager';
  const own = (path: string, resolution?: ReferenceResolution, nameKey?: string): ReferenceField => ({
    path, role: 'secret', kinds: ['Secret'], scope: ReferenceScope.OWN_NAMESPACE, ...resolution ? { resolution } : {}, ...nameKey !== undefined ? { nameKey } : {},
  });
  const fixed = (path: string, resolution?: ReferenceResolution, nameKey?: string): ReferenceField => ({
    ...own(path, resolution, nameKey), scope: ReferenceScope.FIXED, namespace: clusterNamespace,
  });
  return [
    {
      group: 'cert-manager.io', kind: 'Certificate', fields: [
        { path: 'spec.issuerRef', role: 'issuer', kinds: ['Issuer', 'ClusterIssuer'], scope: ReferenceScope.OWN_NAMESPACE },
        // the Secret it writes is its output, not a reference; a keystore password is read
        own('spec.keystores.pkcs12.passwordSecretRef'),
        own('spec.keystores.jks.passwordSecretRef'),
      ],
    },
    { group: 'cert-manager.io', kind: 'Issuer', fields: issuerSecrets(own) },
    { group: 'cert-manager.io', kind: 'ClusterIssuer', clusterScoped: true, fields: issuerSecrets(fixed) },
  ];
}

/**
 * The references of the Gateway API's kinds (`gateway.networking.k8s.io/v1`), for
 * `GitOpsRepo.registerReferences`: a Gateway's `gatewayClassName` (a GatewayClass, which must
 * exist) and its listeners' certificates; a route's `parentRefs` (Gateways, which must exist) and
 * `backendRefs` (Services, informational: a chart often makes them). Certificates are
 * informational: cert-manager writes them from a Certificate.
 */
export function gatewayApiReferences(): KindReferences[] {
  const GROUP = 'gateway.networking.k8s.io';
  const routeFields: ReferenceField[] = [
    { path: 'spec.parentRefs[]', role: 'parent', kinds: ['Gateway'], scope: ReferenceScope.STATED_OR_OWN, lockedDown: false },
    { path: 'spec.rules[].backendRefs[]', role: 'backend', kinds: ['Service'], scope: ReferenceScope.STATED_OR_OWN, lockedDown: false, resolution: INFO },
  ];
  return [
    { group: GROUP, kind: 'GatewayClass', clusterScoped: true, fields: [] },
    {
      group: GROUP, kind: 'Gateway', fields: [
        { path: 'spec.gatewayClassName', role: 'class', kinds: ['GatewayClass'], scope: ReferenceScope.CLUSTER, nameKey: '' },
        { path: 'spec.listeners[].tls.certificateRefs[]', role: 'certificate', kinds: ['Secret'], scope: ReferenceScope.STATED_OR_OWN, lockedDown: false, resolution: INFO },
      ],
    },
    ...['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute'].map(kind => ({ group: GROUP, kind, fields: routeFields })),
  ];
}
