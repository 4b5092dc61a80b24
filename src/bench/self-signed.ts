// A minimal X.509 builder for throwaway self-signed certificates (benchmarks and tests make their
// own sealing keys; node:crypto parses certificates but cannot create them).
import { createSign, KeyObject, randomBytes } from 'node:crypto';

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

/** A PEM certificate for `subject`'s public key, signed by an RSA key. */
export function makeCertificate(opts: { subject: KeyObject; signer: KeyObject; notBefore?: Date; notAfter?: Date; commonName?: string }): string {
  const notBefore = opts.notBefore ?? new Date(Date.now() - 86_400_000);
  const notAfter = opts.notAfter ?? new Date(Date.now() + 365 * 86_400_000);
  const tbs = seq(
    tlv(0xa0, integer(Buffer.from([2]))),
    integer(positiveSerial()),
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

/** A random 8-byte serial in minimal DER form: a leading zero byte would be illegal padding. */
function positiveSerial(): Buffer {
  const serial = randomBytes(8);
  serial[0] = (serial[0] & 0x7f) | 0x01;
  return serial;
}

/** A self-signed certificate of an RSA key pair. */
export function selfSignedCertificate(publicKey: KeyObject, privateKey: KeyObject): string {
  return makeCertificate({ subject: publicKey, signer: privateKey });
}
