/**
 * Secrets are never echoed, generated: a random token is put where fleet code or a user puts
 * secrets by mistake (a source URL's password or user name, a plaintext Secret under any spelling
 * of its kind, in a file synth writes, a List, or a file the user owns; `data` or `stringData`),
 * and into `seal` command lines, valid or mistyped. Synth refuses the plaintext, and neither the
 * token nor its base64 appears in any message, any output of any command, or any file written.
 */
import * as path from 'node:path';
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { describe, expect, it } from 'vitest';
import { FleetValidationError, GitRepository, HelmRepository, ManifestFile, OCIRepository, runCli } from '../../src';
import { fluxFleet } from '../flux-fixture';
import { writeFile } from '../helpers';
import { sealingKey } from '../support/x509';
import { captureIo, failureOf, filesContaining, Rng, scratch, seeds } from './support';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A token no fixture contains by chance, with a recognisable prefix. */
function token(rng: Rng): string {
  return `${rng.pick(['ghp_', 'glpat-', 'xoxb-', 'tok'])}${Array.from({ length: 24 }, () => rng.pick([...ALPHABET])).join('')}`;
}

/** The token and the encodings a leak would show it in. */
function forms(secret: string): string[] {
  return [secret, Buffer.from(secret).toString('base64'), encodeURIComponent(secret)];
}

function expectNoLeak(secret: string, text: string, context: string): void {
  for (const form of forms(secret)) expect(text.includes(form), `${context}: the secret (${form === secret ? 'plain' : 'encoded'}) was echoed:\n${text}`).toBe(false);
}

type Placement = (rng: Rng, f: ReturnType<typeof fluxFleet>, secret: string) => string;

const PLACEMENTS: readonly Placement[] = [
  (_r, f, s) => { new GitRepository(new ManifestFile(f.apps, 'leak'), 'leak', { metadata: { name: 'leak', namespace: 'flux-system' }, url: `https://bot:${s}@github.com/org/private`, ref: { branch: 'main' } }); return 'GitRepository URL password'; },
  (_r, f, s) => { new GitRepository(new ManifestFile(f.apps, 'leak'), 'leak', { metadata: { name: 'leak', namespace: 'flux-system' }, url: `https://${s}@github.com/org/private`, ref: { branch: 'main' } }); return 'GitRepository URL token as user'; },
  (_r, f, s) => { new HelmRepository(new ManifestFile(f.apps, 'leak'), 'leak', { metadata: { name: 'leak', namespace: 'flux-system' }, url: `https://u:${s}@charts.example.org` }); return 'HelmRepository URL password'; },
  (_r, f, s) => { new OCIRepository(new ManifestFile(f.apps, 'leak'), 'leak', { metadata: { name: 'leak', namespace: 'flux-system' }, url: `oci://${s}@ghcr.io/org/manifests`, ref: { tag: 'latest' } }); return 'OCIRepository URL token as user'; },
  (rng, f, s) => {
    const secret = new kplus.Secret(new ManifestFile(f.apps, 'leak'), 'leak', { metadata: { name: 'leak', namespace: 'apps' } });
    secret.addStringData(rng.pick(['password', 'token', 'x']), s);
    return 'cdk8s-plus Secret stringData';
  },
  (rng, f, s) => {
    const kind = rng.pick(['Secret', 'secret', 'SECRET', 'sEcReT']);
    const field = rng.pick(['data', 'stringData']);
    new ApiObject(new ManifestFile(f.apps, 'leak'), 'leak', { apiVersion: 'v1', kind, metadata: { name: 'leak', namespace: 'apps' }, [field]: { k: field === 'data' ? Buffer.from(s).toString('base64') : s } } as any);
    return `ApiObject kind ${kind} ${field}`;
  },
  (rng, f, s) => {
    const field = rng.pick(['data', 'stringData']);
    const value = field === 'data' ? Buffer.from(s).toString('base64') : s;
    new ApiObject(new ManifestFile(f.apps, 'leak'), 'leak', { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'leak', namespace: 'apps' }, [field]: { k: value } }] } as any);
    return `Secret in a List (${field})`;
  },
  (rng, f, s) => {
    const field = rng.pick(['data', 'stringData']);
    const value = field === 'data' ? Buffer.from(s).toString('base64') : s;
    // a file the user added by hand to a directory synth writes (its generated kustomization lists it)
    writeFile(f.repo.rootDir, 'apps/base/by-hand.yaml', `apiVersion: v1\nkind: Secret\nmetadata:\n  name: by-hand\n  namespace: apps\n${field}:\n  k: ${JSON.stringify(value)}\n`);
    return `hand-written Secret file (${field})`;
  },
];

describe('a secret put where it does not belong', () => {
  it.each(seeds(24, 11))('seed %i: synth refuses it, and no message, output or file shows it', seed => {
    const rng = new Rng(seed);
    const secret = token(rng);
    const f = fluxFleet();
    f.repo.addEnvironment({ name: 'dev', cluster: 'dev' }, f.cluster);
    f.repo.write();
    const placement = rng.pick(PLACEMENTS)(rng, f, secret);
    const context = `seed ${seed}: ${placement}`;
    const error = failureOf(() => f.repo.write());
    expect(error, `${context}: synth accepted it`).toBeInstanceOf(FleetValidationError);
    expectNoLeak(secret, (error as Error).message, context);
    expect(filesContaining(f.repo.rootDir, secret).filter(p => p !== 'apps/base/by-hand.yaml'), context).toEqual([]);
    // every command of the CLI, on the same fleet
    for (const argv of [[], ['--check'], ['validate'], ['validate', '--strict'], ['diff', 'dev', 'dev'], ['graph'], ['synth', '--verbose']]) {
      const { io, run } = captureIo();
      const code = runCli(f.repo, argv, { io });
      expect(code, `${context}: ${argv.join(' ')}`).not.toBe(0);
      expectNoLeak(secret, run.out + run.err, `${context}: cdk8s-flux ${argv.join(' ')}`);
    }
  });
});

describe('seal command lines', () => {
  const key = sealingKey();
  const FLAGS = ['--env', '--namespace', '--name', '--from-literal', '--from-stdin', '--from-file', '--scope', '--rotate', '--from-litteral', '--form-literal', '--value', '--', '-'];

  it.each(seeds(20, 12))('seed %i: a value typed on the command line or standard input is never printed, whatever the mistake', seed => {
    const rng = new Rng(seed);
    const secret = token(rng);
    const root = scratch('seal');
    writeFile(root, 'certs/dev.pem', key.certificatePem);
    const sealing = { dev: { certificate: path.join(root, 'certs/dev.pem'), store: path.join(root, 'sealed-secrets/dev.yaml') } };
    const argv = ['seal'];
    const valid = rng.chance(0.4);
    if (valid) argv.push('--env', 'dev', '--namespace', 'apps', '--name', 'db', '--from-literal', `password=${secret}`);
    else {
      for (let i = rng.int(1, 6); i > 0; i--) {
        argv.push(rng.pick(FLAGS));
        if (rng.chance(0.7)) argv.push(rng.pick(['dev', 'apps', 'db', `password=${secret}`, secret, `=${secret}`, `${secret}=x`, 'strict']));
      }
      if (!argv.some(a => a.includes(secret))) argv.push(`password=${secret}`);
    }
    if (rng.chance(0.3)) argv.push(`--from-literal=password=${secret}`, `--from-litteral=password=${secret}`)
    const fixed = argv;
    const { io, run } = captureIo(rng.chance(0.5) ? secret : '');
    const context = `seed ${seed}: ${fixed.map(a => a.split(secret).join('<secret>')).join(' ')}`;
    let code: number | undefined;
    expect(() => { code = runCli(() => { throw new Error('seal needs no fleet'); }, fixed, { io, sealing }); }, context).not.toThrow();
    expect([0, 1, 2], context).toContain(code);
    expectNoLeak(secret, run.out + run.err, context);
    expect(filesContaining(root, secret), context).toEqual([]);
  });
});
