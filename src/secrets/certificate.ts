import { X509Certificate, KeyObject } from 'node:crypto';
import * as fs from 'node:fs';

/** Thrown when a sealing certificate cannot be used; the message says why and what to do. */
export class CertificateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CertificateError';
  }
}

/** The smallest RSA key the library seals for. */
export const MIN_RSA_BITS = 2048;

/**
 * A Sealed Secrets controller's public certificate (what `kubeseal --fetch-cert` prints),
 * checked to be usable: an X.509 certificate with an RSA key of at least 2048 bits that is valid
 * now. Anyone may hold it; only the controller holds the private key.
 */
export class SealingCertificate {
  /** Reads and checks a PEM certificate file. */
  public static fromFile(file: string, now: Date = new Date()): SealingCertificate {
    let pem: string;
    try {
      pem = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new CertificateError(`cannot read sealing certificate ${file}: ${(e as Error).message}`);
    }
    return SealingCertificate.fromPem(pem, file, now);
  }

  /**
   * Parses and checks a PEM certificate.
   * @param source where the PEM came from, for messages (a file path)
   */
  public static fromPem(pem: string, source: string, now: Date = new Date()): SealingCertificate {
    const fetchHint = 'fetch the controller\'s certificate with `kubeseal --fetch-cert --controller-name=sealed-secrets-controller --controller-namespace=flux-system`';
    if (!/-----BEGIN CERTIFICATE-----/.test(pem)) {
      const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem)?.[1];
      throw new CertificateError(`${source} is not a certificate${label ? ` (it holds a ${label})` : ''}: ${fetchHint}`);
    }
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch (e) {
      throw new CertificateError(`${source} is not a valid X.509 certificate (${(e as Error).message}): ${fetchHint}`);
    }
    const key: KeyObject = cert.publicKey;
    if (key.asymmetricKeyType !== 'rsa') {
      throw new CertificateError(`${source} holds a ${key.asymmetricKeyType?.toUpperCase() ?? 'non-RSA'} key; Sealed Secrets seals with RSA-OAEP only: use the controller's RSA certificate (${fetchHint})`);
    }
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) {
      throw new CertificateError(`${source} has a ${bits}-bit RSA key; at least ${MIN_RSA_BITS} bits are required (the controller generates 4096-bit keys)`);
    }
    const notAfter = new Date(cert.validTo);
    const notBefore = new Date(cert.validFrom);
    if (notAfter.getTime() < now.getTime()) {
      throw new CertificateError(`${source} expired on ${notAfter.toISOString()}: the controller has renewed its key since; ${fetchHint}`);
    }
    if (notBefore.getTime() > now.getTime()) {
      throw new CertificateError(`${source} is not valid before ${notBefore.toISOString()}: check the clock, or ${fetchHint}`);
    }
    return new SealingCertificate(cert, source);
  }

  /** `sha256:` and the hex SHA-256 of the certificate's DER encoding. */
  public readonly fingerprint: string;

  private constructor(public readonly certificate: X509Certificate, public readonly source: string) {
    this.fingerprint = `sha256:${certificate.fingerprint256.replace(/:/g, '').toLowerCase()}`;
  }

  /** The RSA public key values are sealed with. */
  public get publicKey(): KeyObject {
    return this.certificate.publicKey;
  }

  /** The key size in bits. */
  public get bits(): number {
    return this.certificate.publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  }
}
