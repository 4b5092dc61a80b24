import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as kplus from 'cdk8s-plus-27';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { createExampleFleet } from '../src/example-fleet';
import { GitRepository, HelmRelease, LayoutDirectory, ManifestFile, ObjectPatch, runSeal, runSynth, SealedSecret, SealedStore, SealingCertificate, SealingScope } from '../src';
import { encryptionLabel, sealValue } from '../src/secrets/seal';
import { FleetTesting } from '../src/testing';
import { fluxFleet } from './flux-fixture';
import { readTree } from './helpers';
import { makeCertificate, rsaKeyPair, sealingKey, unseal } from './support/x509';

const VECTOR = path.join(__dirname, 'fixtures/sealed-secrets');
const PROJECT_ROOT = path.resolve(__dirname, '..');

/** A throwaway controller key, its certificate in a temp file, and an empty store for it. */
function environment(name = 'dev') {
  const key = sealingKey();
  const dir = FleetTesting.tempDir();
  const certificate = path.join(dir, `${name}.pem`);
  fs.writeFileSync(certificate, key.certificatePem);
  const store = path.join(dir, `${name}.yaml`);
  return { name, key, dir, certificate, store, load: () => SealedStore.load(store, SealingCertificate.fromFile(certificate), name) };
}

function seal(env: ReturnType<typeof environment>, argv: string[], stdin = '') {
  const io = { out: '', err: '' };
  const code = runSeal({ [env.name]: { certificate: env.certificate, store: env.store } }, argv, {
    out: t => { io.out += t; }, err: t => { io.err += t; }, stdin: () => Buffer.from(stdin),
  });
  return { code, ...io };
}

describe('kubeseal compatibility (known answer made by the real kubeseal; the format is unchanged through v0.36)', () => {
  const vector = parse(fs.readFileSync(path.join(VECTOR, 'sealed-secret.yaml'), 'utf8'));
  const token: string = vector.spec.encryptedData.token;

  it('decrypts the SealedSecret kubeseal made, with the strict-scope label', () => {
    const privateKey = fs.readFileSync(path.join(VECTOR, 'private-key.pem'), 'utf8');
    expect(unseal(privateKey, token, encryptionLabel('foo', 'credentials', SealingScope.STRICT)).toString('utf8')).toBe('sealed-secrets-example');
  });

  it('seals under the same certificate to output of the same shape and length', () => {
    const cert = SealingCertificate.fromPem(fs.readFileSync(path.join(VECTOR, 'cert.pem'), 'utf8'), 'cert.pem', { now: new Date('2026-11-24T00:00:00Z') });
    const mine = sealValue(cert, Buffer.from('sealed-secrets-example'), encryptionLabel('foo', 'credentials', SealingScope.STRICT));
    expect(mine).toHaveLength(token.length);
    expect(mine).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    const [a, b] = [Buffer.from(mine, 'base64'), Buffer.from(token, 'base64')];
    expect(a.readUInt16BE(0)).toBe(b.readUInt16BE(0)); // RSA ciphertext length: 512 bytes for 4096 bits
    expect(a.length).toBe(b.length); // 2 + 512 + plaintext + 16-byte GCM tag
    expect(mine).not.toBe(token); // randomized session key
    const privateKey = fs.readFileSync(path.join(VECTOR, 'private-key.pem'), 'utf8');
    expect(unseal(privateKey, mine, encryptionLabel('foo', 'credentials', SealingScope.STRICT)).toString()).toBe('sealed-secrets-example');
  });
});

describe('sealing round trip, per scope', () => {
  const env = environment();
  const store = env.load();
  store.seal({ namespace: 'apps', name: 'db', scope: SealingScope.STRICT, values: { password: Buffer.from('s3cret') } });
  store.seal({ namespace: 'apps', name: 'ns-wide', scope: SealingScope.NAMESPACE_WIDE, values: { password: Buffer.from('s3cret') } });
  store.seal({ namespace: 'apps', name: 'anywhere', scope: SealingScope.CLUSTER_WIDE, values: { password: Buffer.from('s3cret') } });
  const ciphertext = (name: string) => store.entry('apps', name)!.data.password.ciphertext;
  const open = (name: string, label: string) => unseal(env.key.privateKey, ciphertext(name), Buffer.from(label)).toString();

  it('strict: decrypts only as its own namespace and name', () => {
    expect(open('db', 'apps/db')).toBe('s3cret');
    expect(() => open('db', 'apps/other')).toThrow();
    expect(() => open('db', 'other/db')).toThrow();
  });

  it('namespace-wide: any name in its namespace', () => {
    expect(open('ns-wide', 'apps')).toBe('s3cret');
    expect(() => open('ns-wide', 'other')).toThrow();
    expect(() => open('ns-wide', 'apps/ns-wide')).toThrow();
  });

  it('cluster-wide: anywhere (empty label)', () => {
    expect(open('anywhere', '')).toBe('s3cret');
    expect(() => open('anywhere', 'apps')).toThrow();
  });
});

describe('certificates', () => {
  const { publicKey, privateKey } = rsaKeyPair();
  const day = 86_400_000;
  const check = (pem: string) => () => SealingCertificate.fromPem(pem, 'certs/dev.pem');

  it('accepts an RSA certificate of at least 2048 bits that is valid now, and fingerprints it', () => {
    const cert = SealingCertificate.fromPem(makeCertificate({ subject: publicKey, signer: privateKey }), 'certs/dev.pem');
    expect(cert.bits).toBe(2048);
    expect(cert.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('rejects a PEM that is not a certificate', () => {
    expect(check(publicKey.export({ type: 'spki', format: 'pem' }) as string)).toThrowError(
      'certs/dev.pem is not a certificate (it holds a PUBLIC KEY): fetch the controller\'s certificate with `kubeseal --fetch-cert --controller-name=sealed-secrets-controller --controller-namespace=flux-system`',
    );
    expect(check('hello')).toThrowError(/^certs\/dev.pem is not a certificate: fetch/);
    expect(check('-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n')).toThrowError(/^certs\/dev.pem is not a valid X.509 certificate \(/);
  });

  it('rejects a non-RSA key', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    expect(check(makeCertificate({ subject: ec.publicKey, signer: privateKey }))).toThrowError(
      /^certs\/dev.pem holds a EC key; Sealed Secrets seals with RSA-OAEP only: use the controller's RSA certificate/,
    );
  });

  it('rejects a key under 2048 bits', () => {
    const small = rsaKeyPair(1024);
    expect(check(makeCertificate({ subject: small.publicKey, signer: small.privateKey }))).toThrowError(
      'certs/dev.pem has a 1024-bit RSA key; at least 2048 bits are required (the controller generates 4096-bit keys)',
    );
  });

  it('rejects an expired certificate and one not yet valid', () => {
    const expired = makeCertificate({ subject: publicKey, signer: privateKey, notBefore: new Date(Date.now() - 400 * day), notAfter: new Date(Date.now() - day) });
    expect(check(expired)).toThrowError(/^certs\/dev.pem expired on \d{4}-\d\d-\d\dT.*: the controller has renewed its key since; fetch/);
    const future = makeCertificate({ subject: publicKey, signer: privateKey, notBefore: new Date(Date.now() + day), notAfter: new Date(Date.now() + 400 * day) });
    expect(check(future)).toThrowError(/^certs\/dev.pem is not valid before /);
  });

  it('the example fleet\'s committed certificates are usable and hold no private key', () => {
    for (const env of ['development', 'staging', 'production']) {
      const pem = fs.readFileSync(path.join(PROJECT_ROOT, `sealed-secrets/certs/${env}.pem`), 'utf8');
      expect(pem).not.toContain('PRIVATE KEY');
      expect(SealingCertificate.fromPem(pem, env).bits).toBe(4096);
    }
  });
});

describe('SealedSecret construct', () => {
  function fleetWith(env: ReturnType<typeof environment>, props: Partial<ConstructorParameters<typeof SealedSecret>[2]> = {}) {
    const f = fluxFleet();
    const secret = new SealedSecret(new ManifestFile(f.apps, 'secret'), 'secret', {
      metadata: { name: 'db', namespace: 'apps' },
      store: env.load(),
      keys: ['password'],
      ...props,
    });
    return { ...f, secret };
  }

  it('emits the stored ciphertext unchanged, in all three scopes, with template metadata and type', () => {
    const env = environment();
    for (const [name, scope] of [['strict', SealingScope.STRICT], ['ns', SealingScope.NAMESPACE_WIDE], ['cluster', SealingScope.CLUSTER_WIDE]] as const) {
      expect(seal(env, ['--env', 'dev', '-n', 'apps', '--name', name, '--scope', scope, '--from-literal', 'password=x']).code).toBe(0);
    }
    const f = fluxFleet();
    const file = new ManifestFile(f.apps, 'secrets');
    for (const [name, scope] of [['strict', SealingScope.STRICT], ['ns', SealingScope.NAMESPACE_WIDE], ['cluster', SealingScope.CLUSTER_WIDE]] as const) {
      new SealedSecret(file, name, {
        metadata: { name, namespace: 'apps', labels: { team: 'a' } }, store: env.load(), keys: ['password'], scope,
        type: 'kubernetes.io/basic-auth', template: { labels: { app: 'db' }, annotations: { note: 'x' } },
      });
    }
    const docs = FleetTesting.synthDocuments(f.repo)['apps/base/secrets.yaml'];
    const stored = env.load();
    expect(docs.map(d => d.spec.encryptedData.password)).toEqual(['strict', 'ns', 'cluster'].map(n => stored.entry('apps', n)!.data.password.ciphertext));
    expect(docs[0].metadata.annotations).toBeUndefined();
    expect(docs[1].metadata.annotations).toEqual({ 'sealedsecrets.bitnami.com/namespace-wide': 'true' });
    expect(docs[2].spec.template.metadata.annotations).toEqual({ note: 'x', 'sealedsecrets.bitnami.com/cluster-wide': 'true' });
    const redacted = docs.map(d => ({ ...d, spec: { ...d.spec, encryptedData: { password: '<ciphertext>' } } }));
    expect(redacted).toMatchSnapshot();
  });

  it('synth is stable: it never re-seals, so two synths are identical and the store is untouched', () => {
    const env = environment();
    seal(env, ['--env', 'dev', '-n', 'apps', '--name', 'db', '--from-literal', 'password=x']);
    const before = fs.readFileSync(env.store, 'utf8');
    const first = FleetTesting.synth(fleetWith(env).repo);
    const second = FleetTesting.synth(fleetWith(env).repo);
    expect(second).toEqual(first);
    expect(fs.readFileSync(env.store, 'utf8')).toBe(before);
  });

  it('fails synth when nothing is sealed for it, naming the command to run', () => {
    const env = environment();
    seal(env, ['--env', 'dev', '-n', 'other', '--name', 'db', '--from-literal', 'password=x']);
    expect(() => fleetWith(env).repo.synthLayout()).toThrowError(
      `[apps/base/secret/secret] spec.encryptedData: apps/db has no sealed values in ${env.store} (it has other/db: sealed values are bound to their namespace and name); seal them with npm run seal -- --env dev --namespace apps --name db --from-file password=<file>`,
    );
  });

  it('fails synth when a key is missing, or the scope no longer matches', () => {
    const env = environment();
    seal(env, ['--env', 'dev', '-n', 'apps', '--name', 'db', '--from-literal', 'password=x']);
    expect(() => fleetWith(env, { keys: ['password', 'username'] }).repo.synthLayout()).toThrowError(
      `[apps/base/secret/secret] spec.encryptedData: apps/db has no sealed "username" in ${env.store}; seal it with npm run seal -- --env dev --namespace apps --name db --from-file username=<file>`,
    );
    expect(() => fleetWith(env, { scope: SealingScope.NAMESPACE_WIDE }).repo.synthLayout()).toThrowError(
      `[apps/base/secret/secret] spec.encryptedData: apps/db is sealed with scope strict in ${env.store}, but this SealedSecret has scope namespace-wide, so the controller could not decrypt it: re-seal with --rotate (npm run seal -- --env dev --namespace apps --name db --scope namespace-wide --from-file password=<file> --rotate) or set scope: SealingScope.STRICT`,
    );
  });

  it('after a key renewal, values sealed for the earlier certificate still synthesize, with a warning naming them and seal --rotate', () => {
    const env = environment();
    seal(env, ['--env', 'dev', '-n', 'apps', '--name', 'db', '--from-literal', 'password=x']);
    const old = env.load().certificate.fingerprint;
    const renewed = sealingKey();
    fs.writeFileSync(env.certificate, renewed.certificatePem);
    const now = env.load().certificate.fingerprint;
    expect(env.load().certificates.map(c => c.fingerprint)).toEqual([old]);
    const { repo } = fleetWith(env);
    const io = { out: '', err: '' };
    expect(runSynth(repo, [], { out: t => { io.out += t; }, err: t => { io.err += t; }, env: {} })).toBe(0);
    // (the fixture's rule warnings aside)
    expect(io.err.split('\n').filter(l => l.includes('sealed for an earlier')).join('\n') + '\n').toBe(`warning: [apps/base/secret/secret] "password" of apps/db was sealed for an earlier certificate of dev (${old}), not its current one (${env.certificate}, ${now}); the controller still decrypts it with its old key: re-seal with \`cdk8s-flux seal --rotate --env dev\` (it lists every value to re-seal), e.g. npm run seal -- --env dev --namespace apps --name db --from-file password=<file> --rotate\n`);
    // the committed ciphertext is emitted unchanged
    expect(parse(fs.readFileSync(path.join(repo.rootDir, 'apps/base/secret.yaml'), 'utf8')).spec.encryptedData.password).toBe(env.load().entry('apps', 'db')!.data.password.ciphertext);
    // --strict makes the warning a finding, and writes nothing
    const strict = fleetWith(env).repo;
    expect(runSynth(strict, ['--strict'], { out: () => undefined, err: () => undefined, env: {} })).toBe(1);
    expect(readTree(strict.rootDir)).toEqual({});

    // seal --rotate alone lists what to re-seal (exit 1: a finding), with the command
    const listed = seal(env, ['--rotate', '--env', 'dev']);
    expect(listed.code).toBe(1);
    expect(listed.out).toContain(`1 value of ${env.store} is sealed for an earlier certificate than dev's current one (${now}).`);
    expect(listed.out).toContain('    cdk8s-flux seal --env dev --namespace apps --name db --from-file password=<file> --rotate\n');
    expect(seal(env, ['--env', 'dev', '-n', 'apps', '--name', 'db', '--from-literal', 'password=x', '--rotate']).code).toBe(0);
    expect(env.load().certificates.map(c => c.fingerprint)).toEqual([old, now]);
    expect(seal(env, ['--rotate', '--env', 'dev'])).toMatchObject({ code: 0, out: expect.stringContaining('nothing to re-seal') });
    const after = fleetWith(env).repo;
    const clean = { out: '', err: '' };
    expect(runSynth(after, [], { out: t => { clean.out += t; }, err: t => { clean.err += t; }, env: {} })).toBe(0);
    expect(clean.err).not.toContain('sealed for an earlier'); // (the fixture's rule warnings aside)
    expect(unseal(renewed.privateKey, env.load().entry('apps', 'db')!.data.password.ciphertext, Buffer.from('apps/db')).toString()).toBe('x');
  });

  it('fails synth for a value sealed for a certificate the environment\'s store never sealed for', () => {
    const env = environment();
    const other = environment('other');
    seal(env, ['--env', 'dev', '-n', 'apps', '--name', 'db', '--from-literal', 'password=x']);
    // a value copied from another environment's store: its certificate is not in this store's history
    const text = fs.readFileSync(env.store, 'utf8');
    const foreign = other.load().certificate.fingerprint;
    fs.writeFileSync(env.store, text.replace(/(password:\n\s+certificate: )sha256:[0-9a-f]+/, `$1${foreign}`));
    expect(() => fleetWith(env).repo.synthLayout()).toThrowError(
      `"password" of apps/db was sealed for certificate ${foreign}, which is not one ${env.store} has sealed for`,
    );
  });

  it('a store written before the certificate history takes no value\'s certificate for an earlier one of its environment', () => {
    const env = environment();
    const other = environment('other');
    seal(other, ['--env', 'other', '-n', 'apps', '--name', 'db', '--from-literal', 'password=x']);
    // another environment's value, copied into an old-format store (no certificates: list)
    const copied = fs.readFileSync(other.store, 'utf8').replace(/^certificates:\n(\s+- .*\n(\s{4}.*\n)*)+/m, '');
    expect(copied).not.toContain('certificates:');
    fs.writeFileSync(env.store, copied);
    expect(env.load().certificates).toEqual([]);
    expect(() => fleetWith(env).repo.synthLayout()).toThrowError(`which is not one ${env.store} has sealed for`);
  });

  it('names the missing certificate file and the kubeseal --fetch-cert command', () => {
    const env = environment();
    fs.rmSync(env.certificate);
    const r = seal(env, ['--env', 'dev', '-n', 'apps', '--name', 'db', '--from-literal', 'password=x']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`the sealing certificate ${env.certificate} does not exist: fetch the controller's certificate into it with \`kubeseal --fetch-cert --controller-name=sealed-secrets-controller --controller-namespace=flux-system > ${env.certificate}\` (or copy the certificate file your cluster's admin gives you), then commit it\n`);
  });

  it('seal --cert seals with another certificate file', () => {
    const env = environment();
    const other = sealingKey();
    const file = path.join(env.dir, 'fetched.pem');
    fs.writeFileSync(file, other.certificatePem);
    expect(seal(env, ['--env', 'dev', '-n', 'apps', '--name', 'db', '--from-literal', 'password=x', '--cert', file]).code).toBe(0);
    const value = env.load().entry('apps', 'db')!.data.password;
    expect(value.certificate).toBe(SealingCertificate.fromFile(file).fingerprint);
    expect(unseal(other.privateKey, value.ciphertext, Buffer.from('apps/db')).toString()).toBe('x');
    // not dev's committed certificate: not recorded as one of dev's, so synth refuses the value
    // (another environment's certificate must never pass for an earlier one of dev's)
    expect(env.load().certificates.map(c => c.fingerprint)).not.toContain(value.certificate);
    expect(() => fleetWith(env).repo.synthLayout()).toThrowError(`"password" of apps/db was sealed for certificate ${value.certificate}, which is not one ${env.store} has sealed for`);
    // once committed as dev's certificate, the same value synthesizes
    fs.copyFileSync(file, env.certificate);
    expect(() => fleetWith(env).repo.synthLayout()).not.toThrow();
    expect(seal(env, ['--env', 'dev', '-n', 'apps', '--name', 'db', '--from-literal', 'a=1', '--cert', path.join(env.dir, 'missing.pem')]).err)
      .toContain(`the sealing certificate ${path.join(env.dir, 'missing.pem')} does not exist`);
  });

  it('seal import brings kubeseal output into the store with its ciphertext unchanged, and synth emits it', () => {
    const env = environment('foo-env');
    fs.copyFileSync(path.join(VECTOR, 'cert.pem'), env.certificate); // the certificate kubeseal used for the vector
    const vector = parse(fs.readFileSync(path.join(VECTOR, 'sealed-secret.yaml'), 'utf8'));
    const r = seal(env, ['import', path.join(VECTOR, 'sealed-secret.yaml'), '--env', 'foo-env']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Imported foo/credentials ("token") for foo-env, ciphertext unchanged');
    const store = SealedStore.load(env.store, SealingCertificate.fromFile(env.certificate, { checkValidity: false }), 'foo-env');
    const entry = store.entry('foo', 'credentials')!;
    expect(entry.scope).toBe(SealingScope.STRICT);
    expect(entry.data.token.ciphertext).toBe(vector.spec.encryptedData.token);
    expect(entry.data.token.certificate).toBe(store.certificate.fingerprint);
    // the imported value still decrypts with the controller's key (known answer)
    const privateKey = fs.readFileSync(path.join(VECTOR, 'private-key.pem'), 'utf8');
    expect(unseal(privateKey, entry.data.token.ciphertext, encryptionLabel('foo', 'credentials', SealingScope.STRICT)).toString()).toBe('sealed-secrets-example');
    // importing again is refused without --rotate; a file with no SealedSecret is refused
    expect(seal(env, ['import', path.join(VECTOR, 'sealed-secret.yaml'), '--env', 'foo-env']).err).toContain('foo/credentials already has sealed "token"');
    expect(seal(env, ['import', path.join(VECTOR, 'sealed-secret.yaml'), '--env', 'foo-env', '--rotate']).code).toBe(0);
    const notSealed = path.join(env.dir, 'plain.yaml');
    fs.writeFileSync(notSealed, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n');
    expect(seal(env, ['import', notSealed, '--env', 'foo-env'])).toMatchObject({ code: 2, err: expect.stringContaining('holds no SealedSecret') });
    expect(seal(env, ['import', notSealed, '--env', 'foo-env', '-n', 'x'])).toMatchObject({ code: 2, err: expect.stringContaining('drop --namespace') });
  });

  it('is usable as a secretRef and in valuesFrom (as a Secret, its keys checked)', () => {
    const env = environment();
    seal(env, ['--env', 'dev', '-n', 'flux-system', '--name', 'auth', '--from-literal', 'values.yaml=a: 1', '--from-literal', 'identity=key']);
    const f = fluxFleet();
    const file = new ManifestFile(f.apps, 'auth');
    const secret = new SealedSecret(file, 'auth', { metadata: { name: 'auth', namespace: 'flux-system' }, store: env.load(), keys: ['values.yaml', 'identity'] });
    new GitRepository(file, 'git', { metadata: { name: 'private', namespace: 'flux-system' }, url: 'ssh://git@github.com/org/private', secretRef: secret });
    new HelmRelease(file, 'release', { metadata: { name: 'x', namespace: 'flux-system' }, chart: { repository: f.podinfo, name: 'podinfo' }, valuesFrom: [{ source: secret }] });
    const docs = FleetTesting.synthDocuments(f.repo)['apps/base/auth.yaml'];
    expect(docs[1].spec.secretRef).toEqual({ name: 'auth' });
    expect(docs[2].spec.valuesFrom).toEqual([{ kind: 'Secret', name: 'auth' }]);

    new HelmRelease(file, 'bad', { metadata: { name: 'bad', namespace: 'flux-system' }, chart: { repository: f.podinfo, name: 'podinfo' }, valuesFrom: [{ source: secret, valuesKey: 'token' }] });
    expect(() => f.repo.synthLayout()).toThrowError('[apps/base/auth/bad] spec.valuesFrom[0].valuesKey "token" is not a key of Secret auth: it has "identity", "values.yaml"');
  });
});

describe('plaintext guard', () => {
  it('refuses a core Secret carrying data or stringData, pointing to SealedSecret, and writes nothing', () => {
    const f = fluxFleet();
    const file = new ManifestFile(f.apps, 'secret');
    new kplus.Secret(file, 'plain', { metadata: { name: 'db', namespace: 'apps' }, stringData: { password: 'hunter2' } });
    expect(() => f.repo.write()).toThrowError(
      '[apps/base/secret/plain/Resource] Secret apps/db carries plaintext stringData ("password"); the files of this repository are committed to git, so its values would leak: seal them with `npm run seal` and use a SealedSecret instead (or encrypt the file with SOPS and decrypt it with the Kustomization\'s spec.decryption)',
    );
    expect(readTree(f.repo.rootDir)).toEqual({});
  });

  it('refuses a patch that adds data to a Secret, and allows a Secret without data', () => {
    const f = fluxFleet();
    const empty = new kplus.Secret(new ManifestFile(f.apps, 'secret'), 'empty', { metadata: { name: 'token', namespace: 'apps' }, type: 'kubernetes.io/service-account-token' });
    expect(() => f.repo.synthLayout()).not.toThrow();
    const overlay = new LayoutDirectory(f.repo.apps, 'dev');
    overlay.addResource(f.apps);
    new ObjectPatch(overlay, 'leak', { target: empty, patch: { data: { token: 'c2VjcmV0' } } });
    expect(() => f.repo.synthLayout()).toThrowError(
      '[apps/dev/leak] patch of Secret apps/token adds plaintext data ("token"); the files of this repository are committed to git, so its values would leak: seal them with `npm run seal` and use a SealedSecret instead (or encrypt the file with SOPS and decrypt it with the Kustomization\'s spec.decryption)',
    );
  });
});

describe('npm run seal', () => {
  it('seals --from-literal, --from-file and --from-stdin, storing only ciphertext', () => {
    const env = environment();
    const file = path.join(env.dir, 'cert.txt');
    fs.writeFileSync(file, 'file-secret\n');
    const result = seal(env, ['--env', 'dev', '--namespace', 'apps', '--name', 'db', '--from-literal', 'user=admin', '--from-file', `tls=${file}`, '--from-stdin', 'password'], 'stdin-secret');
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain('Sealed "password", "tls", "user" of apps/db (scope strict) for dev with certificate sha256:');
    const stored = fs.readFileSync(env.store, 'utf8');
    for (const plain of ['admin', 'file-secret', 'stdin-secret']) expect(stored).not.toContain(plain);
    const entry = env.load().entry('apps', 'db')!;
    const label = Buffer.from('apps/db');
    expect(unseal(env.key.privateKey, entry.data.password.ciphertext, label).toString()).toBe('stdin-secret');
    expect(unseal(env.key.privateKey, entry.data.tls.ciphertext, label).toString()).toBe('file-secret\n');
    expect(unseal(env.key.privateKey, entry.data.user.ciphertext, label).toString()).toBe('admin');
  });

  it('refuses to replace a sealed value without --rotate, and to change scope without every key', () => {
    const env = environment();
    seal(env, ['--env', 'dev', '-n', 'apps', '--name', 'db', '--from-literal', 'a=1', '--from-literal', 'b=2']);
    const again = seal(env, ['--env', 'dev', '-n', 'apps', '--name', 'db', '--from-literal', 'a=9']);
    expect(again.code).toBe(2);
    expect(again.err).toBe(`apps/db already has sealed "a" in ${env.store}: pass --rotate to replace it\n`);
    const scope = seal(env, ['--env', 'dev', '-n', 'apps', '--name', 'db', '--scope', 'cluster-wide', '--rotate', '--from-literal', 'a=9']);
    expect(scope.err).toBe('changing the scope of apps/db from strict to cluster-wide re-seals the whole secret: also give "b"\n');
    expect(seal(env, ['--env', 'dev', '-n', 'apps', '--name', 'db', '--from-literal', 'c=3']).code).toBe(0);
    expect(Object.keys(env.load().entry('apps', 'db')!.data)).toEqual(['a', 'b', 'c']);
  });

  it('reports usage errors and unusable certificates with exit code 2', () => {
    const env = environment();
    expect(seal(env, ['--env', 'prod', '-n', 'apps', '--name', 'db', '--from-literal', 'a=1']).err)
      .toContain('--env is not an environment of this fleet: use dev');
    expect(seal(env, ['--env', 'dev', '--name', 'db', '--from-literal', 'a=1']).err).toContain('--namespace is required');
    expect(seal(env, ['--env', 'dev', '-n', 'apps', '--name', 'db']).err).toContain('nothing to seal');
    expect(seal(env, ['--env', 'dev', '-n', 'apps', '--name', 'db', '--from-literal', 'a']).err).toContain('--from-literal (value 1) takes KEY=VALUE');
    expect(seal(env, ['--env', 'dev', '-n', 'apps', '--name', 'db', '--scope', 'global', '--from-literal', 'a=1']).err)
      .toContain('seal: --scope is not one of strict, namespace-wide, cluster-wide');
    fs.writeFileSync(env.certificate, 'not a certificate');
    const bad = seal(env, ['--env', 'dev', '-n', 'apps', '--name', 'db', '--from-literal', 'a=1']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^.*dev.pem is not a certificate: fetch/);
    expect(fs.existsSync(env.store)).toBe(false);
  });
});

describe('example fleet', () => {
  it('seals the MariaDB passwords and the Slack webhook per environment, for that environment\'s certificate', () => {
    const docs = FleetTesting.synthDocuments(createExampleFleet());
    for (const env of ['development', 'staging', 'production']) {
      const [mariadb] = docs[`infrastructure/overlays/${env}/secrets/prestashop-mariadb-secrets.yaml`];
      expect(mariadb.metadata).toEqual({ name: 'prestashop-mariadb', namespace: 'mariadb' });
      expect(Object.keys(mariadb.spec.encryptedData)).toEqual(['mariadb-password', 'mariadb-replication-password', 'mariadb-root-password']);
      const [slack] = docs[`infrastructure/overlays/${env}/secrets/slack-sealed-secrets.yaml`];
      expect(Object.keys(slack.spec.encryptedData)).toEqual(['address']);
      const store = parse(fs.readFileSync(path.join(PROJECT_ROOT, `sealed-secrets/${env}.yaml`), 'utf8'));
      const cert = SealingCertificate.fromFile(path.join(PROJECT_ROOT, `sealed-secrets/certs/${env}.pem`));
      for (const s of store.secrets) for (const v of Object.values<any>(s.data)) expect(v.certificate).toBe(cert.fingerprint);
    }
    const values = parse(docs['infrastructure/base/mariadb/prestashop-values.yaml'][0].data['values.yaml']);
    expect(values.auth.existingSecret).toBe('prestashop-mariadb');
  });
});
