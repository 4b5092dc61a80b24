import { X509Certificate, KeyObject } from 'node:crypto';
import * as fs from 'node:fs';

/** Thrown when a sealing certificate cannot be used; the message says why and what to do. */
export class CertificateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CertificateError';
  }
}

/** How a certificate is checked. */
export interface CertificateOptions {
  /**
   * Check that the certificate is valid at `now`. Sealing needs it; synth does not (it never
   * seals, and the controller decrypts regardless of the certificate's dates), so a committed
   * fleet keeps synthesizing the same bytes after the certificate expires.
   * @default true
   */
  readonly checkValidity?: boolean;
  /** @default the current time */
  readonly now?: Date;
}

/** The smallest RSA key the library seals for. */
export const MIN_RSA_BITS = 2048;

/**
 * A Sealed Secrets controller's public certificate (what `kubeseal --fetch-cert` prints),
 * checked to be usable: an X.509 certificate with an RSA key of at least 2048 bits that is valid
 * now. Anyone may hold it; only the controller holds the private key.
 */
export class SealingCertificate {
  /** Reads and checks a PEM certificate file (see `fromPem`). */
  public static fromFile(file: string, options: CertificateOptions = {}): SealingCertificate {
    let pem: string;
    try {
      pem = fs.readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new CertificateError(`the sealing certificate ${file} does not exist: fetch the controller's certificate into it with \`kubeseal --fetch-cert --controller-name=sealed-secrets-controller --controller-namespace=flux-system > ${file}\` (or copy the certificate file your cluster's admin gives you), then commit it`);
      }
      throw new CertificateError(`cannot read sealing certificate ${file}: ${(e as Error).message}`);
    }
    return SealingCertificate.fromPem(pem, file, options);
  }

  /**
   * Parses and checks a PEM certificate: exactly one or more CERTIFICATE blocks and nothing else
   * (the first is the controller's, as kubeseal uses it); an RSA key of at least 2048 bits; and,
   * unless `checkValidity` is false, valid now.
   * @param source where the PEM came from, for messages (a file path)
   */
  public static fromPem(pem: string, source: string, options: CertificateOptions = {}): SealingCertificate {
    const fetchHint = 'fetch the controller\'s certificate with `kubeseal --fetch-cert --controller-name=sealed-secrets-controller --controller-namespace=flux-system`';
    const blocks = [...pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g)];
    const labels = blocks.map(b => b[1]);
    if (labels.some(l => l.includes('PRIVATE KEY'))) {
      throw new CertificateError(`${source} contains a PRIVATE KEY: never commit it. Remove it (and rotate the controller's key if it was ever pushed); the file must hold only the certificate: ${fetchHint}`);
    }
    if (!labels.includes('CERTIFICATE')) {
      throw new CertificateError(`${source} is not a certificate${labels.length > 0 ? ` (it holds a ${labels[0]})` : ''}: ${fetchHint}`);
    }
    const outside = blocks.reduce((rest, b) => rest.replace(b[0], ''), pem).trim();
    if (labels.some(l => l !== 'CERTIFICATE') || outside !== '') {
      throw new CertificateError(`${source} holds more than certificates (${outside !== '' ? 'text outside the PEM blocks' : labels.filter(l => l !== 'CERTIFICATE').join(', ')}): keep only what ${fetchHint.replace('fetch', 'prints the command to fetch')}`);
    }
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(blocks.find(b => b[1] === 'CERTIFICATE')![0]);
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
    if (options.checkValidity !== false) {
      const now = options.now ?? new Date();
      const notAfter = new Date(cert.validTo);
      const notBefore = new Date(cert.validFrom);
      if (notAfter.getTime() < now.getTime()) {
        throw new CertificateError(`${source} expired on ${notAfter.toISOString()}: the controller has renewed its key since; ${fetchHint}`);
      }
      if (notBefore.getTime() > now.getTime()) {
        throw new CertificateError(`${source} is not valid before ${notBefore.toISOString()}: check the clock, or ${fetchHint}`);
      }
    }
    return new SealingCertificate(cert, source);
  }

  /** `sha256:` and the hex SHA-256 of the certificate's DER encoding. */
  public readonly fingerprint: string;

  private constructor(
    /** The parsed X.509 certificate. */
    public readonly certificate: X509Certificate,
    /** Where the certificate was read from, for messages. */
    public readonly source: string,
  ) {
    this.fingerprint = `sha256:${certificate.fingerprint256.replace(/:/g, '').toLowerCase()}`;
  }

  /** The certificate in PEM form (public: what `kubeseal --fetch-cert` prints). */
  public get pem(): string {
    return this.certificate.toString();
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
