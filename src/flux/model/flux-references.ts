import { KindReferences, ReferenceField, ReferenceResolution, ReferenceScope } from '../../core/model/references';

const SOURCE = 'source.toolkit.fluxcd.io';
const SOURCE_EXTENSIONS = 'source.extensions.fluxcd.io';
const KUSTOMIZE = 'kustomize.toolkit.fluxcd.io';
const HELM = 'helm.toolkit.fluxcd.io';
const NOTIFICATION = 'notification.toolkit.fluxcd.io';
const IMAGE = 'image.toolkit.fluxcd.io';

const INFO = ReferenceResolution.INFORMATIONAL;

/** A Secret of the object's own namespace. */
function secret(path: string, role = 'secret'): ReferenceField {
  return { path, role, kinds: ['Secret'], scope: ReferenceScope.OWN_NAMESPACE };
}

/** The account the controller impersonates or authenticates as: read for tenancy and lockdown, which decide whether it must exist. */
function serviceAccount(path = 'spec.serviceAccountName'): ReferenceField {
  return { path, role: 'serviceAccount', kinds: ['ServiceAccount'], scope: ReferenceScope.OWN_NAMESPACE, nameKey: '', resolution: INFO };
}

/** The TLS, proxy and verification secrets every source kind may name. */
const SOURCE_SECRETS = [secret('spec.secretRef'), secret('spec.certSecretRef'), secret('spec.proxySecretRef'), secret('spec.verify.secretRef')];

/**
 * The reference fields of every Flux 2.9 kind, read from the documents as the cluster gets them
 * (whoever wrote them: a construct, an L1 class, a raw object, a patch, a file the user owns).
 * Lockdown: Flux's `--no-cross-namespace-refs` refuses every stated namespace but `dependsOn`'s
 * and health checks'.
 */
export const FLUX_REFERENCES: readonly KindReferences[] = [
  {
    group: KUSTOMIZE, kind: 'Kustomization', fields: [
      { path: 'spec.sourceRef', role: 'source', kinds: ['GitRepository', 'OCIRepository', 'Bucket', 'ExternalArtifact'], scope: ReferenceScope.STATED_OR_OWN },
      { path: 'spec.dependsOn[]', role: 'dependsOn', kinds: ['Kustomization'], scope: ReferenceScope.STATED_OR_OWN, lockedDown: false, dependsOn: true },
      secret('spec.decryption.secretRef'),
      serviceAccount('spec.decryption.serviceAccountName'),
      secret('spec.kubeConfig.secretRef'),
      { path: 'spec.postBuild.substituteFrom[]', role: 'substitute', kinds: ['ConfigMap', 'Secret'], scope: ReferenceScope.OWN_NAMESPACE, optionalKey: 'optional' },
      { path: 'spec.healthChecks[]', role: 'healthCheck', kinds: [], scope: ReferenceScope.STATED_OR_OWN, lockedDown: false, resolution: INFO },
      serviceAccount(),
    ],
  },
  {
    group: HELM, kind: 'HelmRelease', fields: [
      { path: 'spec.chart.spec.sourceRef', role: 'source', kinds: ['HelmRepository', 'GitRepository', 'Bucket'], scope: ReferenceScope.STATED_OR_OWN },
      { path: 'spec.chartRef', role: 'source', kinds: ['OCIRepository', 'HelmChart', 'ExternalArtifact'], scope: ReferenceScope.STATED_OR_OWN },
      { path: 'spec.dependsOn[]', role: 'dependsOn', kinds: ['HelmRelease'], scope: ReferenceScope.STATED_OR_OWN, lockedDown: false, dependsOn: true },
      { path: 'spec.valuesFrom[]', role: 'values', kinds: ['ConfigMap', 'Secret'], scope: ReferenceScope.OWN_NAMESPACE, optionalKey: 'optional' },
      secret('spec.kubeConfig.secretRef'),
      serviceAccount(),
    ],
  },
  { group: SOURCE, kind: 'GitRepository', fields: [...SOURCE_SECRETS, { path: 'spec.include[].repository', role: 'include', kinds: ['GitRepository'], scope: ReferenceScope.OWN_NAMESPACE }, serviceAccount()] },
  { group: SOURCE, kind: 'HelmRepository', fields: SOURCE_SECRETS },
  { group: SOURCE, kind: 'OCIRepository', fields: [...SOURCE_SECRETS, secret('spec.verify.trustedRootSecretRef'), serviceAccount()] },
  { group: SOURCE, kind: 'Bucket', fields: [...SOURCE_SECRETS, secret('spec.sts.secretRef'), secret('spec.sts.certSecretRef'), serviceAccount()] },
  {
    group: SOURCE, kind: 'HelmChart', fields: [
      { path: 'spec.sourceRef', role: 'source', kinds: ['HelmRepository', 'GitRepository', 'Bucket'], scope: ReferenceScope.OWN_NAMESPACE },
      secret('spec.verify.secretRef'),
    ],
  },
  {
    group: SOURCE, kind: 'ExternalArtifact', fields: [
      // written by the controller that generates it (source-watcher's ArtifactGenerator): informational
      { path: 'spec.sourceRef', role: 'generator', kinds: ['ArtifactGenerator'], scope: ReferenceScope.STATED_OR_OWN, resolution: INFO },
    ],
  },
  {
    group: SOURCE_EXTENSIONS, kind: 'ArtifactGenerator', fields: [
      { path: 'spec.sources[]', role: 'source', kinds: ['GitRepository', 'OCIRepository', 'Bucket', 'HelmChart', 'ExternalArtifact'], scope: ReferenceScope.STATED_OR_OWN },
    ],
  },
  {
    group: NOTIFICATION, kind: 'Provider', fields: [
      secret('spec.secretRef'), secret('spec.certSecretRef'), secret('spec.proxySecretRef'), serviceAccount(),
    ],
  },
  {
    group: NOTIFICATION, kind: 'Alert', fields: [
      { path: 'spec.providerRef', role: 'provider', kinds: ['Provider'], scope: ReferenceScope.OWN_NAMESPACE },
      { path: 'spec.eventSources[]', role: 'event', kinds: [], scope: ReferenceScope.STATED_OR_OWN, wildcard: true },
    ],
  },
  {
    group: NOTIFICATION, kind: 'Receiver', fields: [
      { path: 'spec.resources[]', role: 'resource', kinds: [], scope: ReferenceScope.STATED_OR_OWN, wildcard: true },
      secret('spec.secretRef'),
    ],
  },
  { group: IMAGE, kind: 'ImageRepository', fields: [secret('spec.secretRef'), secret('spec.certSecretRef'), secret('spec.proxySecretRef'), serviceAccount()] },
  {
    group: IMAGE, kind: 'ImagePolicy', fields: [
      { path: 'spec.imageRepositoryRef', role: 'source', kinds: ['ImageRepository'], scope: ReferenceScope.STATED_OR_OWN },
    ],
  },
  {
    group: IMAGE, kind: 'ImageUpdateAutomation', fields: [
      { path: 'spec.sourceRef', role: 'source', kinds: ['GitRepository'], scope: ReferenceScope.STATED_OR_OWN },
      secret('spec.git.commit.signingKey.secretRef'),
    ],
  },
];
