import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileRole, ILayoutFile, Kustomization, LayoutDirectory, ManifestFile, ObjectPatch, runSeal, SealedSecret, SealedStore, SealingCertificate, SealingScope, sealedSecrets } from '../src';
import { markLayoutFile } from '../src/core/layout-file';
import { FleetTesting } from '../src/testing';
import { Construct } from 'constructs';
import { fluxFleet } from './flux-fixture';
import { problemsOf as problemsOfRepo } from './helpers';
import { makeCertificate, rsaKeyPair, sealingKey } from './support/x509';

type Fleet = ReturnType<typeof fluxFleet>;

const problemsOf = (f: Fleet) => problemsOfRepo(f.repo);

function environment() {
  const key = sealingKey();
  const dir = FleetTesting.tempDir();
  const certificate = path.join(dir, 'dev.pem');
  fs.writeFileSync(certificate, key.certificatePem);
  const store = path.join(dir, 'dev.yaml');
  const seal = (argv: string[], stdin = '', tty = false) => {
    const io = { out: '', err: '' };
    const code = runSeal({ dev: { certificate, store } }, argv, {
      out: t => { io.out += t; }, err: t => { io.err += t; }, stdin: () => Buffer.from(stdin), stdinIsTerminal: () => tty,
    });
    return { code, ...io };
  };
  return { key, dir, certificate, store, seal, load: () => SealedStore.load(store, SealingCertificate.fromFile(certificate), 'dev') };
}

describe('plaintext guard on what is rendered, whatever renders it', () => {
  it('refuses a SealedSecret (L1 or patched) whose template carries data, and a custom file rendering a plaintext Secret', () => {
    const f = fluxFleet();
    new sealedSecrets.SealedSecret(new ManifestFile(f.apps, 'l1'), 'l1', {
      metadata: { name: 'l1', namespace: 'apps' }, spec: { encryptedData: {}, template: { data: { password: 'aHVudGVyMg==' } } },
    });
    class RawFile extends Construct implements ILayoutFile {
      public readonly fileName = 'raw.yaml';
      public readonly role = FileRole.RESOURCE;
      constructor(scope: Construct) { super(scope, 'raw'); markLayoutFile(this); }
      public renderDocuments() { return [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'raw', namespace: 'apps' }, stringData: { token: 'x' } }]; }
    }
    new RawFile(f.apps);
    expect(problemsOf(f)).toEqual([
      '[apps/base/l1/l1] SealedSecret apps/l1 carries plaintext spec.template data ("password"); the files of this repository are committed to git, so its values would leak: seal them with `npm run seal` and use a SealedSecret instead (or encrypt the file with SOPS and decrypt it with the Kustomization\'s spec.decryption)',
      '[apps/base/raw] Secret apps/raw carries plaintext stringData ("token"); the files of this repository are committed to git, so its values would leak: seal them with `npm run seal` and use a SealedSecret instead (or encrypt the file with SOPS and decrypt it with the Kustomization\'s spec.decryption)',
    ]);
  });

  it('refuses patches of a SealedSecret that add template data, replace its ciphertext or change its scope', () => {
    const env = environment();
    env.seal(['--env', 'dev', '-n', 'apps', '--name', 'db', '--from-literal', 'password=x']);
    const f = fluxFleet();
    const secret = new SealedSecret(new ManifestFile(f.apps, 'db'), 'db', { metadata: { name: 'db', namespace: 'apps' }, store: env.load(), keys: ['password'] });
    const overlay = new LayoutDirectory(f.repo.apps, 'dev');
    overlay.addResource(f.apps);
    new ObjectPatch(overlay, 'leak', { target: secret, patch: { spec: { template: { data: { password: 'eA==' } }, encryptedData: { password: 'AgB' } } } });
    new ObjectPatch(overlay, 'scope', { target: secret, patch: { metadata: { annotations: { 'sealedsecrets.bitnami.com/cluster-wide': 'true' } } } });
    expect(problemsOf(f)).toEqual([
      '[apps/dev/leak] SealedSecret apps/db carries plaintext spec.template data ("password"); the files of this repository are committed to git, so its values would leak: seal them with `npm run seal` and use a SealedSecret instead (or encrypt the file with SOPS and decrypt it with the Kustomization\'s spec.decryption)',
      '[apps/dev/leak] patch of SealedSecret apps/db changes spec.encryptedData: sealed values come from the environment\'s store only (npm run seal); give the environment its own SealedSecret instead',
      '[apps/dev/scope] patch of SealedSecret apps/db sets a scope annotation, which would change the scope behind the sealed values\' back: set the SealedSecret\'s scope and re-seal instead',
    ]);
  });

  it('refuses scope annotations set by hand on the construct', () => {
    const env = environment();
    env.seal(['--env', 'dev', '-n', 'apps', '--name', 'db', '--from-literal', 'password=x']);
    const f = fluxFleet();
    new SealedSecret(new ManifestFile(f.apps, 'db'), 'db', {
      metadata: { name: 'db', namespace: 'apps', annotations: { 'sealedsecrets.bitnami.com/cluster-wide': 'true' } }, store: env.load(), keys: ['password'],
    });
    expect(problemsOf(f)).toEqual([
      '[apps/base/db/db] metadata.annotations sets "sealedsecrets.bitnami.com/cluster-wide", which would change the scope behind the sealed values\' back (the controller could not decrypt them): set scope: SealingScope.CLUSTER_WIDE instead, and re-seal with that scope',
    ]);
  });
});

describe('a SealedSecret must stay in the namespace it was sealed for', () => {
  it('refuses a strict SealedSecret moved by targetNamespace; a cluster-wide one may move', () => {
    const env = environment();
    env.seal(['--env', 'dev', '-n', 'apps', '--name', 'db', '--from-literal', 'password=x']);
    env.seal(['--env', 'dev', '-n', 'apps', '--name', 'shared', '--scope', 'cluster-wide', '--from-literal', 'password=x']);
    const f = fluxFleet();
    const dir = new LayoutDirectory(f.repo.apps, 'moved');
    const file = new ManifestFile(dir, 'secrets');
    new SealedSecret(file, 'db', { metadata: { name: 'db', namespace: 'apps' }, store: env.load(), keys: ['password'] });
    new SealedSecret(file, 'shared', { metadata: { name: 'shared', namespace: 'apps' }, store: env.load(), keys: ['password'], scope: SealingScope.CLUSTER_WIDE });
    new Kustomization(new ManifestFile(f.cluster, 'moved'), 'k', { metadata: { name: 'moved', namespace: 'flux-system' }, sourceRef: f.gitRepo, path: dir, targetNamespace: 'elsewhere' });
    expect(problemsOf(f)).toEqual([
      '[apps/moved/secrets/db] is sealed for namespace "apps" (scope strict), but a Kustomization\'s targetNamespace moves it to "elsewhere", where the controller cannot decrypt it: apply it without targetNamespace, or seal it with scope cluster-wide (cluster "dev", applied by Kustomization flux-system/moved)',
    ]);
  });
});

describe('throwaway certificates of tests and benchmarks', () => {
  it('are always valid DER (a random serial never has illegal leading-zero padding)', () => {
    const { publicKey, privateKey } = rsaKeyPair(1024 * 2);
    for (let i = 0; i < 1500; i++) {
      expect(() => SealingCertificate.fromPem(makeCertificate({ subject: publicKey, signer: privateKey }), 'x', { checkValidity: false })).not.toThrow();
    }
  });
});

describe('certificates hold nothing but certificates', () => {
  const { publicKey, privateKey } = rsaKeyPair();
  const cert = makeCertificate({ subject: publicKey, signer: privateKey });
  const key = privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;

  it('refuses a PEM that also holds a private key, loudly', () => {
    expect(() => SealingCertificate.fromPem(cert + key, 'certs/dev.pem')).toThrowError(
      /^certs\/dev.pem contains a PRIVATE KEY: never commit it. Remove it \(and rotate the controller's key if it was ever pushed\)/,
    );
  });

  it('refuses text outside the PEM blocks, and accepts a chain (using the first certificate)', () => {
    expect(() => SealingCertificate.fromPem(`${cert}trailing junk\n`, 'certs/dev.pem')).toThrowError(/^certs\/dev.pem holds more than certificates \(text outside the PEM blocks\)/);
    const other = rsaKeyPair();
    const chain = SealingCertificate.fromPem(cert + makeCertificate({ subject: other.publicKey, signer: other.privateKey }), 'certs/dev.pem');
    expect(chain.fingerprint).toBe(SealingCertificate.fromPem(cert, 'x').fingerprint);
  });

  it('synth does not depend on the clock: an expired certificate still synthesizes, but sealing refuses it', () => {
    const day = 86_400_000;
    const expired = makeCertificate({ subject: publicKey, signer: privateKey, notBefore: new Date(Date.now() - 400 * day), notAfter: new Date(Date.now() - day) });
    expect(() => SealingCertificate.fromPem(expired, 'certs/dev.pem')).toThrowError(/expired/);
    expect(SealingCertificate.fromPem(expired, 'certs/dev.pem', { checkValidity: false }).bits).toBe(2048);
  });
});

describe('the store', () => {
  it('refuses malformed stores with the file, entry and field', () => {
    const env = environment();
    const cert = SealingCertificate.fromFile(env.certificate);
    const cases: [string, RegExp][] = [
      ['secrets:\n<<<<<<< HEAD\n  - a\n=======\n  - b\n>>>>>>> x\n', /has unresolved merge-conflict markers/],
      ['secrets: {}\n', /"secrets" must be a list/],
      ['secrets:\n  - namespace: apps\n    name: db\n    scope: bogus\n    data: {}\n', /secrets\[0\].scope "bogus" is not one of strict, namespace-wide, cluster-wide/],
      ['secrets:\n  - namespace: apps\n    name: db\n    scope: strict\n', /secrets\[0\].data must map keys to sealed values/],
      [`secrets:\n  - namespace: apps\n    name: db\n    scope: strict\n    data:\n      password:\n        certificate: ${cert.fingerprint}\n        ciphertext: "not base64 !!"\n`, /secrets\[0\].data.password.ciphertext is not a sealed value/],
    ];
    for (const [text, message] of cases) {
      fs.writeFileSync(env.store, text);
      expect(() => env.load(), text).toThrowError(message);
      expect(env.seal(['--env', 'dev', '-n', 'apps', '--name', 'x', '--from-literal', 'a=1']).err).toMatch(message);
    }
  });

  it('updates under a lock, re-reading the store, so concurrent seals keep each other\'s values', () => {
    const env = environment();
    const cert = SealingCertificate.fromFile(env.certificate);
    SealedStore.update(env.store, cert, 'dev', outer => {
      outer.seal({ namespace: 'apps', name: 'first', values: { a: Buffer.from('1') } });
      const blocked = env.seal(['--env', 'dev', '-n', 'apps', '--name', 'second', '--from-literal', 'b=2']);
      expect(blocked.code).toBe(2);
      expect(blocked.err).toMatch(/is being written by another seal \(.*dev.yaml.lock exists\)/);
    });
    expect(env.seal(['--env', 'dev', '-n', 'apps', '--name', 'second', '--from-literal', 'b=2']).code).toBe(0);
    expect(env.load().all.map(e => e.name)).toEqual(['first', 'second']);
  });
});

describe('the seal command keeps values out of sight', () => {
  it('refuses empty values unless --allow-empty, and a terminal on stdin', () => {
    const env = environment();
    expect(env.seal(['--env', 'dev', '-n', 'apps', '--name', 'db', '--from-stdin', 'password'], '').err)
      .toContain('--from-stdin: the value of a key is empty (an unset variable?); pass --allow-empty to seal an empty value on purpose');
    const allowed = env.seal(['--env', 'dev', '-n', 'apps', '--name', 'db', '--from-stdin', 'password', '--allow-empty'], '');
    expect(allowed.code, allowed.err).toBe(0);
    const tty = env.seal(['--env', 'dev', '-n', 'apps', '--name', 'tty', '--from-stdin', 'password'], 'typed', true);
    expect(tty.code).toBe(2);
    expect(tty.err).toContain('--from-stdin reads a pipe, but standard input is a terminal');
  });

  it('never echoes a value in an error', () => {
    const env = environment();
    for (const argv of [
      ['--env', 'dev', '-n', 'apps', '--name', 'db', '--from-literal', '=hunter2'],
      ['--env', 'dev', '-n', 'apps', '--name', 'db', '--from-literal', 'pw=', 'hunter2'],
      ['--env', 'dev', '-n', 'apps', '--name', 'db', '--from-literal', 'bad key=hunter2'],
    ]) {
      const r = env.seal(argv);
      expect(r.code).toBe(2);
      expect(r.err + r.out).not.toContain('hunter2');
    }
  });
});

