import { FieldChecks } from '../field-checks';
import { FluxReference } from '../flux-object';
import { nameOf, ServiceAccountReference } from '../object-refs';
import { ISecretRef, nameRef, secretReference } from './source';

/** An enum prop's type: the enum member or its string value (`ProviderType.AWS` or `'aws'`). */
export type EnumValue<E extends string> = E | `${E}`;

/** Who a source authenticates as with a cloud provider's workload identity. */
export enum SourceProvider {
  /** Static credentials from `secretRef` (Flux's default). */
  GENERIC = 'generic',
  /** AWS (IRSA / EKS Pod Identity). */
  AWS = 'aws',
  /** Azure workload identity. */
  AZURE = 'azure',
  /** Google Cloud workload identity (OCI, Helm and Bucket sources). */
  GCP = 'gcp',
  /** A GitHub App (Git sources). */
  GITHUB = 'github',
}

/** Which signature technology signed an OCI artifact or chart. */
export enum SignatureProvider {
  /** Sigstore cosign (Flux's default). */
  COSIGN = 'cosign',
  /** Notary Project notation. */
  NOTATION = 'notation',
}

/** An OIDC identity a keyless cosign signature must match (regular expressions). */
export interface OidcIdentity {
  /** The issuer, e.g. `^https://token.actions.githubusercontent.com$`. */
  readonly issuer: string;
  /** The subject, e.g. `^https://github.com/org/repo.*$`. */
  readonly subject: string;
}

/** Signature verification of an OCI artifact or Helm chart. */
export interface ArtifactVerification {
  /** @default SignatureProvider.COSIGN */
  readonly provider?: EnumValue<SignatureProvider>;
  /** Public keys (cosign) or trust policy and certificates (notation). @default keyless verification (cosign only) */
  readonly secretRef?: ISecretRef;
  /** Keyless: the identities a signature must match. @default any identity */
  readonly matchOidcIdentity?: readonly OidcIdentity[];
  /** A custom Sigstore trusted root (OCIRepository only). @default the public Sigstore instance */
  readonly trustedRootSecretRef?: ISecretRef;
}

/** Renders `spec.verify` of an OCI artifact or chart. */
export function renderVerification(v: ArtifactVerification | undefined): Record<string, unknown> | undefined {
  if (!v) return undefined;
  return {
    provider: v.provider ?? SignatureProvider.COSIGN,
    secretRef: nameRef(v.secretRef),
    matchOidcIdentity: v.matchOidcIdentity?.map(i => ({ issuer: i.issuer, subject: i.subject })),
    trustedRootSecretRef: nameRef(v.trustedRootSecretRef),
  };
}

/** Checks `spec.verify`: notation needs its trust policy, OIDC identities only apply to keyless cosign. */
export function checkVerification(c: FieldChecks, v: ArtifactVerification | undefined): void {
  if (!v) return;
  c.oneOf('spec.verify.provider', v.provider, Object.values(SignatureProvider));
  if (v.provider === SignatureProvider.NOTATION && !v.secretRef) {
    c.add('spec.verify.secretRef is missing: notation verification needs a Secret holding the trust policy (trustpolicy.json) and the CA certificates');
  }
  if (v.provider === SignatureProvider.NOTATION && (v.matchOidcIdentity?.length ?? 0) > 0) {
    c.add('spec.verify.matchOidcIdentity only applies to keyless cosign verification: remove it, or use provider cosign');
  }
  (v.matchOidcIdentity ?? []).forEach((id, i) => {
    c.regex(`spec.verify.matchOIDCIdentity[${i}].issuer`, id.issuer).regex(`spec.verify.matchOIDCIdentity[${i}].subject`, id.subject);
  });
}

/** The Secret references of `spec.verify`, for the construct-level checks. */
export function verificationReferences(v: ArtifactVerification | undefined): FluxReference[] {
  return [...secretReference('spec.verify.secretRef', v?.secretRef), ...secretReference('spec.verify.trustedRootSecretRef', v?.trustedRootSecretRef)];
}

/** Checks a source's `provider` against the values its kind accepts, and `serviceAccountName` against the providers that use it (any, when not given). */
export function checkProvider(
  c: FieldChecks, provider: string | undefined, allowed: readonly SourceProvider[], serviceAccount?: ServiceAccountReference, serviceAccountProviders?: readonly SourceProvider[],
): void {
  c.oneOf('spec.provider', provider, allowed);
  const sa = nameOf(serviceAccount);
  c.objectName('spec.serviceAccountName', sa);
  if (sa !== undefined && serviceAccountProviders && !serviceAccountProviders.includes(provider as SourceProvider)) {
    c.add(`spec.serviceAccountName ${JSON.stringify(sa)} is only used with provider ${serviceAccountProviders.join(' or ')} (workload identity): set provider, or remove serviceAccountName`);
  }
}
