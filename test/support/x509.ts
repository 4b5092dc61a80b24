// Test-only helpers: build throwaway X.509 certificates with node:crypto (a minimal DER encoder),
// and unseal values the way the Sealed Secrets controller does. Never used by the library.
import { constants, createDecipheriv, generateKeyPairSync, KeyObject, privateDecrypt } from 'node:crypto';
import { makeCertificate } from '../../src/bench/self-signed';

export { makeCertificate };

/** An RSA key pair (2048 bits unless told). */
export function rsaKeyPair(bits = 2048) {
  return generateKeyPairSync('rsa', { modulusLength: bits });
}

/** A throwaway sealing key: the private key stays in the test's memory. */
export function sealingKey(bits = 2048) {
  const { publicKey, privateKey } = rsaKeyPair(bits);
  return { privateKey, certificatePem: makeCertificate({ subject: publicKey, signer: privateKey }) };
}

/** Decrypts a kubeseal value as the controller does (`crypto.HybridDecrypt`). */
export function unseal(privateKey: KeyObject | string, sealedBase64: string, label: Buffer): Buffer {
  const sealed = Buffer.from(sealedBase64, 'base64');
  const rsaLength = sealed.readUInt16BE(0);
  const sessionKey = privateDecrypt(
    { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: label },
    sealed.subarray(2, 2 + rsaLength),
  );
  const rest = sealed.subarray(2 + rsaLength);
  const decipher = createDecipheriv('aes-256-gcm', sessionKey, Buffer.alloc(12));
  decipher.setAuthTag(rest.subarray(rest.length - 16));
  return Buffer.concat([decipher.update(rest.subarray(0, rest.length - 16)), decipher.final()]);
}
