// Test-only helpers: build throwaway X.509 certificates with node:crypto (a minimal DER encoder),
// and unseal values the way the Sealed Secrets controller does. Never used by the library.
import {
  constants, createDecipheriv, createSign, generateKeyPairSync, KeyObject, privateDecrypt, randomBytes,
} from 'node:crypto';

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, content: Buffer) => Buffer.concat([Buffer.from([tag]), length(content.length), content]);
const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const integer = (bytes: Buffer) => tlv(0x02, bytes[0] & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [40 * a + b];
  for (const part of rest) {
    const chunk = [part & 0x7f];
    for (let v = part >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}
const time = (d: Date) => d.getUTCFullYear() < 2050
  ? tlv(0x17, Buffer.from(`${d.toISOString().replace(/[-:T]/g, '').slice(2, 14)}Z`))
  : tlv(0x18, Buffer.from(`${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`));
const SHA256_WITH_RSA = seq(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));
const name = (cn: string) => seq(set(seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn)))));

/** An RSA key pair (2048 bits unless told). */
export function rsaKeyPair(bits = 2048) {
  return generateKeyPairSync('rsa', { modulusLength: bits });
}

/** A PEM certificate for `subject`'s public key, signed by an RSA key (self-signed by default). */
export function makeCertificate(opts: {
  subject: KeyObject;
  signer: KeyObject;
  notBefore?: Date;
  notAfter?: Date;
  commonName?: string;
}): string {
  const notBefore = opts.notBefore ?? new Date(Date.now() - 86_400_000);
  const notAfter = opts.notAfter ?? new Date(Date.now() + 365 * 86_400_000);
  const tbs = seq(
    tlv(0xa0, integer(Buffer.from([2]))),
    integer(randomBytes(8)),
    SHA256_WITH_RSA,
    name(opts.commonName ?? 'sealed-secret'),
    seq(time(notBefore), time(notAfter)),
    name(opts.commonName ?? 'sealed-secret'),
    opts.subject.export({ type: 'spki', format: 'der' }),
  );
  const signature = createSign('sha256').update(tbs).sign(opts.signer);
  const der = seq(tbs, SHA256_WITH_RSA, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const body = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${body}-----END CERTIFICATE-----\n`;
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
