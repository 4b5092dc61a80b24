import { constants, createCipheriv, publicEncrypt, randomBytes } from 'node:crypto';
import { SealingCertificate } from './certificate';

/** Where a sealed value may be unsealed (kubeseal `--scope`). */
export enum SealingScope {
  /** Only as a Secret of this exact name in this namespace (kubeseal's default). */
  STRICT = 'strict',
  /** As a Secret of any name in this namespace. */
  NAMESPACE_WIDE = 'namespace-wide',
  /** As a Secret of any name in any namespace. */
  CLUSTER_WIDE = 'cluster-wide',
}

/** The annotation that marks a SealedSecret's scope, if not strict. */
export function scopeAnnotation(scope: SealingScope): Record<string, string> {
  if (scope === SealingScope.NAMESPACE_WIDE) return { 'sealedsecrets.bitnami.com/namespace-wide': 'true' };
  if (scope === SealingScope.CLUSTER_WIDE) return { 'sealedsecrets.bitnami.com/cluster-wide': 'true' };
  return {};
}

/**
 * The RSA-OAEP label that binds a sealed value to its place: `<namespace>/<name>` (strict),
 * `<namespace>` (namespace-wide) or empty (cluster-wide), as the controller computes it.
 */
export function encryptionLabel(namespace: string, name: string, scope: SealingScope): Buffer {
  if (scope === SealingScope.CLUSTER_WIDE) return Buffer.alloc(0);
  if (scope === SealingScope.NAMESPACE_WIDE) return Buffer.from(namespace);
  return Buffer.from(`${namespace}/${name}`);
}

const SESSION_KEY_BYTES = 32;
const GCM_NONCE_BYTES = 12;

/**
 * Seals one value exactly as kubeseal v0.36 does (`crypto.HybridEncrypt`): a random 32-byte
 * session key encrypts the value with AES-256-GCM under an all-zero 12-byte nonce (safe because
 * each key is used once), the session key is encrypted with RSA-OAEP (SHA-256 for hash and MGF1)
 * under the scope's label, and the result is `uint16 big-endian length of the RSA ciphertext ‖
 * RSA ciphertext ‖ AES ciphertext ‖ GCM tag`, in standard base64.
 */
export function sealValue(certificate: SealingCertificate, plaintext: Buffer, label: Buffer): string {
  const sessionKey = randomBytes(SESSION_KEY_BYTES);
  const rsaCiphertext = publicEncrypt({
    key: certificate.publicKey,
    padding: constants.RSA_PKCS1_OAEP_PADDING,
    oaepHash: 'sha256',
    oaepLabel: label,
  }, sessionKey);
  const cipher = createCipheriv('aes-256-gcm', sessionKey, Buffer.alloc(GCM_NONCE_BYTES));
  const aesCiphertext = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(rsaCiphertext.length);
  return Buffer.concat([length, rsaCiphertext, aesCiphertext]).toString('base64');
}
