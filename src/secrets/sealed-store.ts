import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeFsError, isFileSystemError, remedyFor } from '../core/fs-errors';
import { parse } from 'yaml';
import { readBlockYaml } from '../core/block-yaml-reader';
import { replaceFileAtomically } from '../core/durable-file';
import { compareKeys, toYaml } from '../core/render';
import { SealingCertificate } from './certificate';
import { encryptionLabel, SealingScope, sealValue } from './seal';

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** One sealed value and the certificate it was sealed for. */
export interface SealedValue {
  /** Fingerprint of the certificate the value was sealed with (`sha256:…`). */
  readonly certificate: string;
  /** The kubeseal ciphertext, base64. */
  readonly ciphertext: string;
}

/** The sealed values of one Secret. */
export interface SealedEntry {
  /** The Secret's namespace. */
  readonly namespace: string;
  /** The Secret's name. */
  readonly name: string;
  /** The scope every value of the Secret was sealed with. */
  readonly scope: SealingScope;
  /** Secret key → sealed value. */
  readonly data: Readonly<Record<string, SealedValue>>;
}

/** What to seal into a store. */
export interface SealRequest {
  /** The Secret's namespace. */
  readonly namespace: string;
  /** The Secret's name. */
  readonly name: string;
  /** @default SealingScope.STRICT */
  readonly scope?: SealingScope;
  /** Key → plaintext. Never stored; only its ciphertext is. */
  readonly values: Readonly<Record<string, Buffer>>;
  /** Replace values that are already sealed (and allow a scope change). @default false */
  readonly rotate?: boolean;
}

/** A certificate an environment's store has sealed for. */
export interface StoreCertificate {
  /** Its fingerprint (`sha256:…`). */
  readonly fingerprint: string;
  /** When it expires (ISO 8601), for people reading the store. */
  readonly validTo?: string;
}

/** A value sealed for a certificate other than the environment's current one. */
export interface StaleValue {
  /** The Secret's namespace. */
  readonly namespace: string;
  /** The Secret's name. */
  readonly name: string;
  /** The Secret key. */
  readonly key: string;
  /** The fingerprint it was sealed for. */
  readonly certificate: string;
  /** Whether that certificate is in the environment's history (an earlier key the controller keeps): the value still decrypts. */
  readonly known: boolean;
}

/** A Secret that `importSealedSecrets` brought into the store. */
export interface ImportedSecret {
  /** `namespace/name`. */
  readonly id: string;
  /** Its keys, sorted. */
  readonly keys: string[];
}

/** Thrown by `SealedStore.seal` for a request that would lose or silently replace sealed values. */
export class SealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealError';
  }
}

const HEADER = '# Sealed values, written by `npm run seal` and read by synth. Ciphertext only: each value\n' +
  '# can be decrypted only by the Sealed Secrets controller that holds the certificate\'s private key.\n';

/**
 * The committed store of one environment's sealed values (`sealed-secrets/<env>.yaml`). Sealing
 * is randomized, so synth never seals: it emits what `npm run seal` stored here, unchanged, and
 * checks that every value was sealed for the environment's current certificate and for the
 * SealedSecret's namespace, name and scope.
 */
export class SealedStore {
  /**
   * Reads a store; a missing file is an empty store. A malformed store (a merge conflict, a hand
   * edit) is refused with the file, entry and field.
   * @param environment the environment's name, for the `npm run seal` commands messages suggest
   */
  public static load(file: string, certificate: SealingCertificate, environment = '<env>'): SealedStore {
    if (!fs.existsSync(file)) return new SealedStore(file, certificate, environment, new Map(), []);
    if (!fs.statSync(file).isFile()) throw new SealError(`the sealed store ${file} is not a file (it is a directory or a special file): remove it, or point the environment's store at a file`);
    const { entries, certificates } = parseStore(file, fs.readFileSync(file, 'utf8'));
    return new SealedStore(file, certificate, environment, entries, certificates);
  }

  /**
   * Loads the store under an exclusive lock, lets `change` seal into it, and saves it before
   * releasing the lock, so that two seals at once never lose each other's values.
   */
  public static update<T>(file: string, certificate: SealingCertificate, environment: string, change: (store: SealedStore) => T, options: { record?: boolean } = {}): T {
    const lock = `${file}.lock`;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    let fd: number;
    try {
      fd = fs.openSync(lock, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new SealError(`${displayPath(file)} is being written by another seal (${displayPath(lock)} exists); wait for it, or delete the lock if no seal is running`);
      }
      throw e;
    }
    try {
      const store = SealedStore.load(file, certificate, environment);
      store.recording = options.record ?? true;
      const result = change(store);
      store.save();
      return result;
    } finally {
      fs.closeSync(fd);
      fs.rmSync(lock, { force: true });
    }
  }

  private constructor(
    /** The store's file. */
    public readonly file: string,
    /** The environment's certificate: what every value must be sealed for. */
    public readonly certificate: SealingCertificate,
    /** The environment's name. */
    public readonly environment: string,
    private readonly entries: Map<string, SealedEntry>,
    private readonly history: StoreCertificate[],
  ) {}

  /**
   * The certificates this environment's store has sealed for, oldest first (the current one
   * last once a value is sealed for it). A value sealed for one of them still decrypts: the
   * controller keeps every key it generated. A store written before the history existed has none.
   */
  public get certificates(): readonly StoreCertificate[] {
    return [...this.history];
  }

  /** Whether the store has sealed for a certificate (by fingerprint). */
  public knows(fingerprint: string): boolean {
    return this.history.some(c => c.fingerprint === fingerprint);
  }

  /** Every value sealed for a certificate other than the current one, sorted by Secret and key. */
  public staleValues(): StaleValue[] {
    return this.all.flatMap(e => Object.keys(e.data).sort(compareKeys)
      .filter(key => e.data[key].certificate !== this.certificate.fingerprint)
      .map(key => ({ namespace: e.namespace, name: e.name, key, certificate: e.data[key].certificate, known: this.knows(e.data[key].certificate) })));
  }

  /**
   * Brings the SealedSecrets of kubeseal output into the store, ciphertext unchanged: namespace,
   * name and scope (from the scope annotations) from each document, values from its
   * \`spec.encryptedData\`. They are recorded as sealed for this store's certificate: the
   * ciphertext does not say which certificate it was sealed with, so import with the certificate
   * kubeseal used. Refuses a key already sealed unless \`replace\`; returns \`ns/name\` and keys.
   * @param source the file, for messages
   */
  public importSealedSecrets(docs: readonly unknown[], source: string, replace = false): ImportedSecret[] {
    const imported: ImportedSecret[] = [];
    const sealed = docs.filter(d => isRecord(d) && d.kind === 'SealedSecret');
    if (sealed.length === 0) throw new SealError(`${source} holds no SealedSecret (kind: SealedSecret, apiVersion: bitnami.com/v1alpha1): give the YAML kubeseal wrote (kubeseal -o yaml)`);
    sealed.forEach((raw, i) => {
      const d = raw as Record<string, any>;
      const at = `${source}: SealedSecret #${i + 1}`;
      if (d.apiVersion !== 'bitnami.com/v1alpha1') throw new SealError(`${at} has apiVersion ${JSON.stringify(d.apiVersion)}, not bitnami.com/v1alpha1`);
      const name = d.metadata?.name;
      const annotations: Record<string, string> = { ...d.metadata?.annotations, ...d.spec?.template?.metadata?.annotations };
      const scope = annotations['sealedsecrets.bitnami.com/cluster-wide'] === 'true' ? SealingScope.CLUSTER_WIDE
        : annotations['sealedsecrets.bitnami.com/namespace-wide'] === 'true' ? SealingScope.NAMESPACE_WIDE : SealingScope.STRICT;
      const namespace = d.metadata?.namespace;
      if (typeof name !== 'string' || name === '') throw new SealError(`${at} has no metadata.name`);
      if (typeof namespace !== 'string' || namespace === '') throw new SealError(`${at} (${name}) has no metadata.namespace: kubeseal binds strict values to it; add the namespace the Secret lives in`);
      const data = d.spec?.encryptedData;
      if (!isRecord(data) || Object.keys(data).length === 0) throw new SealError(`${at} (${namespace}/${name}) has no spec.encryptedData`);
      for (const [key, value] of Object.entries(data)) {
        if (typeof value !== 'string' || !isSealedValue(value)) throw new SealError(`${at} (${namespace}/${name}): spec.encryptedData.${key} is not a sealed value (base64 of an RSA-wrapped key and AES-GCM ciphertext)`);
      }
      const id = `${namespace}/${name}`;
      const existing = this.entries.get(id);
      if (existing && !replace) {
        const already = Object.keys(data).filter(k => k in existing.data);
        if (already.length > 0) throw new SealError(`${id} already has sealed ${already.map(k => `"${k}"`).join(', ')} in ${this.displayPath}: pass --rotate to replace ${already.length === 1 ? 'it' : 'them'} with the imported values`);
        if (existing.scope !== scope) throw new SealError(`${id} is sealed with scope ${existing.scope} in ${this.displayPath}, but ${source} seals it ${scope}: pass --rotate to replace the whole secret`);
      }
      const kept = existing && existing.scope === scope ? existing.data : {};
      const values: Record<string, SealedValue> = { ...kept };
      for (const [key, value] of Object.entries(data as Record<string, string>)) values[key] = { certificate: this.certificate.fingerprint, ciphertext: value };
      this.entries.set(id, { namespace, name, scope, data: values });
      this.remember();
      imported.push({ id, keys: Object.keys(data).sort(compareKeys) });
    });
    return imported;
  }

  /**
   * Whether sealing records the certificate in the environment's history: only the environment's
   * committed certificate belongs there (`seal --cert` with another one records nothing, so synth
   * refuses those values until that certificate is committed).
   */
  private recording = true;

  /** Adds the current certificate to the history. */
  private remember(): void {
    if (this.recording && !this.knows(this.certificate.fingerprint)) {
      this.history.push({ fingerprint: this.certificate.fingerprint, validTo: new Date(this.certificate.certificate.validTo).toISOString() });
    }
  }

  /** The store's path as messages show it: relative to the working directory when inside it. */
  public get displayPath(): string {
    return displayPath(this.file);
  }

  /** The entry of a Secret, if sealed. */
  public entry(namespace: string, name: string): SealedEntry | undefined {
    return this.entries.get(`${namespace}/${name}`);
  }

  /** Every entry, sorted by namespace and name. */
  public get all(): SealedEntry[] {
    return [...this.entries.keys()].sort(compareKeys).map(k => this.entries.get(k)!);
  }

  /**
   * Seals values into the store (in memory; call `save`). Refuses to replace a sealed value
   * without `rotate`, and to change an entry's scope unless every key is sealed again.
   * Returns the keys sealed.
   */
  public seal(request: SealRequest): string[] {
    const scope = request.scope ?? SealingScope.STRICT;
    const keys = Object.keys(request.values).sort(compareKeys);
    if (keys.length === 0) throw new SealError('nothing to seal: give at least one --from-literal, --from-file or --from-stdin');
    const id = `${request.namespace}/${request.name}`;
    const existing = this.entries.get(id);
    if (existing && !request.rotate) {
      const already = keys.filter(k => k in existing.data);
      if (already.length > 0) {
        throw new SealError(`${id} already has sealed ${already.map(k => `"${k}"`).join(', ')} in ${this.displayPath}: pass --rotate to replace ${already.length === 1 ? 'it' : 'them'}`);
      }
      if (existing.scope !== scope) {
        throw new SealError(`${id} is sealed with scope ${existing.scope} in ${this.displayPath}, not ${scope}: changing the scope re-seals the whole secret; pass --rotate and every key (${Object.keys(existing.data).sort(compareKeys).join(', ')})`);
      }
    }
    const kept = existing && existing.scope === scope ? existing.data : {};
    if (existing && existing.scope !== scope) {
      const missing = Object.keys(existing.data).filter(k => !keys.includes(k)).sort(compareKeys);
      if (missing.length > 0) {
        throw new SealError(`changing the scope of ${id} from ${existing.scope} to ${scope} re-seals the whole secret: also give ${missing.map(k => `"${k}"`).join(', ')}`);
      }
    }
    const label = encryptionLabel(request.namespace, request.name, scope);
    const data: Record<string, SealedValue> = { ...kept };
    for (const key of keys) {
      data[key] = { certificate: this.certificate.fingerprint, ciphertext: sealValue(this.certificate, request.values[key], label) };
    }
    this.entries.set(id, { namespace: request.namespace, name: request.name, scope, data });
    this.remember();
    return keys;
  }

  /** Writes the store atomically (temporary file, fsync, rename), sorted, so diffs show only real changes. */
  public save(): void {
    const secrets = this.all.map(e => ({
      namespace: e.namespace,
      name: e.name,
      scope: e.scope,
      data: Object.fromEntries(Object.keys(e.data).sort(compareKeys).map(k => [k, { certificate: e.data[k].certificate, ciphertext: e.data[k].ciphertext }])),
    }));
    const certificates = this.history.map(c => ({ fingerprint: c.fingerprint, ...c.validTo ? { validTo: c.validTo } : {} }));
    try {
      replaceFileAtomically(this.file, HEADER + toYaml([{ certificates, secrets }]));
    } catch (e) {
      if (!isFileSystemError(e)) throw e;
      throw new SealError(`Could not write ${this.displayPath}: ${describeFsError(path.dirname(this.file), e)}. The store was left as it was. ${remedyFor(e)}`);
    }
  }
}

/** A path relative to the working directory when it lies inside it, else as given. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

const SCOPES = ['strict', 'namespace-wide', 'cluster-wide'];

/** Parses and checks a store file, naming the file, entry and field of any problem. */
function parseStore(file: string, text: string): { entries: Map<string, SealedEntry>; certificates: StoreCertificate[] } {
  const where = displayPath(file);
  const fail = (what: string) => new SealError(`${where} is not a valid store of sealed values: ${what}; restore it from git (or re-seal with npm run seal)`);
  if (/^(<<<<<<<|=======|>>>>>>>)( |$)/m.test(text)) throw fail('it has unresolved merge-conflict markers');
  let doc: unknown;
  try {
    // the store as seal writes it is read by the fast reader; anything else (a hand edit) by yaml
    doc = readBlockYaml(text) ?? parse(text);
  } catch (e) {
    throw fail(`it is not YAML (${(e as Error).message.split('\n')[0]})`);
  }
  const secrets = (doc ?? {}) as { secrets?: unknown; certificates?: unknown };
  if (secrets.secrets !== undefined && !Array.isArray(secrets.secrets)) throw fail('"secrets" must be a list');
  if (secrets.certificates !== undefined && !Array.isArray(secrets.certificates)) throw fail('"certificates" must be a list');
  const certificates: StoreCertificate[] = [];
  ((secrets.certificates ?? []) as unknown[]).forEach((raw, i) => {
    const c = (raw ?? {}) as Record<string, unknown>;
    if (typeof c.fingerprint !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(c.fingerprint)) throw fail(`certificates[${i}].fingerprint is not a sha256 fingerprint`);
    certificates.push({ fingerprint: c.fingerprint, ...typeof c.validTo === 'string' ? { validTo: c.validTo } : {} });
  });
  const entries = new Map<string, SealedEntry>();
  ((secrets.secrets ?? []) as unknown[]).forEach((raw, i) => {
    const e = (raw ?? {}) as Record<string, unknown>;
    const at = `secrets[${i}]`;
    for (const field of ['namespace', 'name'] as const) {
      if (typeof e[field] !== 'string' || e[field] === '') throw fail(`${at}.${field} is missing`);
    }
    if (!SCOPES.includes(e.scope as string)) throw fail(`${at}.scope ${JSON.stringify(e.scope)} is not one of ${SCOPES.join(', ')}`);
    if (typeof e.data !== 'object' || e.data === null || Array.isArray(e.data)) throw fail(`${at}.data must map keys to sealed values`);
    for (const [key, value] of Object.entries(e.data as Record<string, unknown>)) {
      const v = (value ?? {}) as Record<string, unknown>;
      if (typeof v.certificate !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(v.certificate)) throw fail(`${at}.data.${key}.certificate is not a sha256 fingerprint`);
      if (typeof v.ciphertext !== 'string' || !isSealedValue(v.ciphertext)) throw fail(`${at}.data.${key}.ciphertext is not a sealed value (base64 of an RSA-wrapped key and AES-GCM ciphertext)`);
    }
    const id = `${e.namespace}/${e.name}`;
    if (entries.has(id)) throw fail(`${id} is listed twice`);
    entries.set(id, e as unknown as SealedEntry);
  });
  // A store written before the history records none: the fingerprints its values name are not
  // taken for earlier certificates of this environment (a value copied from another environment's
  // store names that one), so only values sealed for the current certificate synthesize.
  return { entries, certificates };
}

/** Whether a string has the shape of a kubeseal value: standard base64 of `uint16 n ‖ n bytes ‖ ≥16 bytes`. */
function isSealedValue(text: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return false;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length >= 2 && bytes.length >= 2 + bytes.readUInt16BE(0) + 16 && bytes.readUInt16BE(0) >= 256;
}
