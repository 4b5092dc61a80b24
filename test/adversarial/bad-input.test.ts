/**
 * Bad input, generated: fleet code with one wrong value in a field of a Flux object (names,
 * namespaces, durations, URLs, versions; also values of the wrong type, as from JavaScript or a
 * cast), and command lines made of random commands, flags and values. A wrong fleet fails at
 * synth with every problem named (construct path, field, value) and nothing written; a command
 * line never crashes, never prints a stack trace unasked, and exits 0, 1 or 2.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IConstruct } from 'constructs';
import { stateLeft } from '../helpers';
import { describe, expect, it } from 'vitest';
import { FleetValidationError, GitRepository, HelmRelease, HelmRepository, Kustomization, ManifestFile, runCli } from '../../src';
import { fluxFleet } from '../flux-fixture';
import { captureIo, expectUserError, failureOf, Rng, seeds, STACK_LINE, visibleTree } from './support';

// ---------------------------------------------------------------------------------------------
// bad values

const LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A random string with at least one character no Kubernetes name allows (or a bad shape). */
function badName(rng: Rng, max: number): string {
  const body = Array.from({ length: rng.int(1, 12) }, () => rng.pick([...LOWER])).join('');
  switch (rng.int(0, 7)) {
    case 0: return body.toUpperCase() + 'X';
    case 1: return `${body}_${body}`;
    case 2: return `-${body}`;
    case 3: return `${body}-`;
    case 4: return 'a'.repeat(max + 1 + rng.int(0, 10));
    case 5: return `${body} ${body}`;
    case 6: return `${body}ü`;
    default: return '';
  }
}

function badDuration(rng: Rng): string {
  return rng.pick(['5 minutes', '1d', '-1m', '', '10', 'm5', '1h30', '1.m', '∞', `${rng.int(1, 99)}sec`, '1w']);
}

function badVersion(rng: Rng): string {
  return rng.pick(['latest', 'v1..2', '1.2.3.4.5', '>= <', '~>', 'stable', '^']);
}

function badUrl(rng: Rng, kind: 'git' | 'helm'): string {
  const host = `example${rng.int(0, 9)}.org/repo`;
  return rng.pick(['', host, `ftp://${host}`, `http//${host}`, `//${host}`, kind === 'git' ? `oci://${host}` : `ssh://${host}`, `file:///${host}`]);
}

/** A value of the wrong type, as JavaScript code or a cast lets through. */
function wrongType(rng: Rng): unknown {
  return rng.pick([42, true, {}, [], null]);
}

interface FieldCase {
  readonly kind: string;
  /** The field as the problem names it. */
  readonly field: string;
  /** Makes the object with `value` in the field, under `scope`, with id `bad` (named `name` unless the name is the field). */
  readonly make: (scope: IConstruct, f: ReturnType<typeof fluxFleet>, value: any, name: string) => IConstruct;
  readonly bad: (rng: Rng) => unknown;
}

const meta = (name: string, namespace = 'flux-system') => ({ name, namespace });

const FIELDS: readonly FieldCase[] = [
  { kind: 'GitRepository', field: 'metadata.name', bad: r => badName(r, 253), make: (s, _f, v, n) => new GitRepository(s, 'bad', { metadata: { name: v, namespace: 'flux-system' }, url: 'https://example.org/r', ref: { branch: 'main' } }) },
  { kind: 'GitRepository', field: 'metadata.namespace', bad: r => badName(r, 63), make: (s, _f, v, n) => new GitRepository(s, 'bad', { metadata: { name: n, namespace: v }, url: 'https://example.org/r', ref: { branch: 'main' } }) },
  { kind: 'GitRepository', field: 'spec.url', bad: r => badUrl(r, 'git'), make: (s, _f, v, n) => new GitRepository(s, 'bad', { metadata: meta(n), url: v, ref: { branch: 'main' } }) },
  { kind: 'GitRepository', field: 'spec.interval', bad: badDuration, make: (s, _f, v, n) => new GitRepository(s, 'bad', { metadata: meta(n), url: 'https://example.org/r', ref: { branch: 'main' }, interval: v }) },
  { kind: 'GitRepository', field: 'spec.ref.semver', bad: badVersion, make: (s, _f, v, n) => new GitRepository(s, 'bad', { metadata: meta(n), url: 'https://example.org/r', ref: { semver: v } }) },
  { kind: 'HelmRepository', field: 'spec.url', bad: r => badUrl(r, 'helm'), make: (s, _f, v, n) => new HelmRepository(s, 'bad', { metadata: meta(n), url: v }) },
  { kind: 'HelmRepository', field: 'spec.interval', bad: badDuration, make: (s, _f, v, n) => new HelmRepository(s, 'bad', { metadata: meta(n), url: 'https://charts.example.org', interval: v }) },
  { kind: 'HelmRelease', field: 'spec.chart.spec.version', bad: badVersion, make: (s, f, v, n) => new HelmRelease(s, 'bad', { metadata: meta(n), chart: { repository: f.podinfo, name: 'podinfo', version: v } }) },
  { kind: 'HelmRelease', field: 'spec.interval', bad: badDuration, make: (s, f, v, n) => new HelmRelease(s, 'bad', { metadata: meta(n), chart: { repository: f.podinfo, name: 'podinfo' }, interval: v }) },
  { kind: 'HelmRelease', field: 'spec.targetNamespace', bad: r => badName(r, 63), make: (s, f, v, n) => new HelmRelease(s, 'bad', { metadata: meta(n), chart: { repository: f.podinfo, name: 'podinfo' }, targetNamespace: v }) },
  { kind: 'HelmRelease', field: 'spec.releaseName', bad: r => badName(r, 53), make: (s, f, v, n) => new HelmRelease(s, 'bad', { metadata: meta(n), chart: { repository: f.podinfo, name: 'podinfo' }, releaseName: v }) },
  { kind: 'Kustomization', field: 'spec.interval', bad: badDuration, make: (s, f, v, n) => new Kustomization(s, 'bad', { metadata: meta(n), sourceRef: f.gitRepo, path: f.apps, interval: v }) },
  { kind: 'Kustomization', field: 'spec.timeout', bad: badDuration, make: (s, f, v, n) => new Kustomization(s, 'bad', { metadata: meta(n), sourceRef: f.gitRepo, path: f.apps, timeout: v }) },
  { kind: 'Kustomization', field: 'spec.targetNamespace', bad: r => badName(r, 63), make: (s, f, v, n) => new Kustomization(s, 'bad', { metadata: meta(n), sourceRef: f.gitRepo, path: f.apps, targetNamespace: v }) },
  { kind: 'Kustomization', field: 'spec.path', bad: r => r.pick(['/abs/path', '../outside', 'apps/../..', 'no-dot-slash']), make: (s, f, v, n) => new Kustomization(s, 'bad', { metadata: meta(n), sourceRef: f.gitRepo, externalPath: v }) },
];

describe('fleet code with a wrong value', () => {
  it.each(seeds(40, 5))('seed %i: synth names the construct, the field and the value, and writes nothing', seed => {
    const rng = new Rng(seed);
    const f = fluxFleet();
    f.repo.write();
    const before = visibleTree(f.repo.rootDir);
    const cases = rng.sample(FIELDS, 1, 3);
    const made = cases.map((c, i) => {
      const typed = rng.chance(0.85);
      const value = typed ? c.bad(rng) : wrongType(rng);
      const scope = new ManifestFile(f.apps, `bad-${i}`);
      const context = `seed ${seed}: ${c.kind} ${c.field} = ${JSON.stringify(value)}`;
      // a value of the wrong type may be refused as the object is made: then with a user's message
      const construction = failureOf(() => c.make(scope, f, value, `x${i}`));
      if (construction !== undefined) {
        expect(construction, context).toBeInstanceOf(Error);
        expect((construction as Error).message, `${context}: a crash, not a message`).not.toMatch(/Cannot read prop|is not a function|undefined is not/);
        expect((construction as Error).message, context).toContain(c.field.split('.').pop()!);
        return undefined;
      }
      return { c, value, path: `${scope.node.path}/bad`, context };
    });
    const live = made.filter(m => m !== undefined);
    const error = failureOf(() => f.repo.write());
    if (live.length === 0 || (error === undefined && live.every(m => m.value === null))) return;
    const context = live.map(m => m.context).join('; ');
    expectUserError(error, context);
    expect(error, context).toBeInstanceOf(FleetValidationError);
    const problems = (error as FleetValidationError).problems;
    for (const m of live) {
      // null in an optional field reads as "left out" (a default applies) where the library defaults it
      if (m.value === null && !['spec.url', 'spec.chart.spec.version', 'spec.path', 'spec.ref.semver'].includes(m.c.field)) continue;
      const mine = problems.filter(p => p.path === m.path);
      expect(mine.length, `${m.context}: no problem names ${m.path}\n${(error as Error).message}`).toBeGreaterThan(0);
      const text = mine.map(p => p.message).join('\n');
      expect(text, m.context).toContain(m.c.field);
      if (typeof m.value === 'string') expect(text, m.context).toContain(JSON.stringify(m.value));
    }
    expect(visibleTree(f.repo.rootDir), context).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------
// bad command lines

const COMMANDS = ['synth', 'diff', 'seal', 'validate', 'graph', 'help', 'snyth', '', '-', '--', 'ünïcode', 'SYNTH'];
const FLAGS = ['--check', '--env', '--env=', '--env=dev', '--json', '--strict', '--help', '-h', '--exit-code', '--base', '--output', '--namespace', '--name',
  '--from-literal', '--from-stdin', '--from-file', '--scope', '--rotate', '--allow-empty', '--chart-schemas', '--version', '-v', '--', '-', '---', '--=', '-xyz', '--no-such-flag'];
const VALUES = ['dev', 'production', '', ' ', '../../etc/passwd', 'a=b', 'KEY=', '=v', 'x'.repeat(300), 'ü', '--env', '-', 'strict', 'cluster-wide', 'nope', '/dev/null', 'text', 'json', 'markdown'];

const TEMPLATES: readonly string[][] = [
  ['synth', '--check'], ['--check'], ['validate'], ['validate', '--strict'], ['diff', 'dev', 'dev'], ['graph'],
  ['seal', '--env', 'dev', '--namespace', 'apps', '--name', 'db', '--from-stdin', 'password'], ['synth'],
];

describe('random command lines', () => {
  const exits = new Map<number, number>();
  it.each(seeds(30, 6))('seed %i: exit 0, 1 or 2; a message on failure; no stack trace; nothing outside the layout written', seed => {
    const rng = new Rng(seed);
    const f = fluxFleet();
    f.repo.addEnvironment({ name: 'dev', cluster: 'dev' }, f.cluster);
    const root = f.repo.rootDir;
    fs.writeFileSync(path.join(root, 'canary.txt'), 'untouched\n');
    for (let run = 0; run < 8; run++) {
      // a near-valid command line, perturbed, or random words
      const argv: string[] = rng.chance(0.4) ? [...rng.pick(TEMPLATES)] : [];
      if (argv.length === 0 && rng.chance(0.85)) argv.push(rng.pick(COMMANDS));
      for (let i = rng.int(0, argv.length > 0 ? 2 : 5); i > 0; i--) {
        argv.push(rng.pick(FLAGS));
        if (rng.chance(0.6)) argv.push(rng.pick(VALUES));
      }
      const verbose = argv.includes('--verbose');
      const { io, run: out } = captureIo(rng.chance(0.5) ? 'stdin-value' : '');
      const context = `seed ${seed}: cdk8s-flux ${argv.map(a => JSON.stringify(a)).join(' ')}`;
      let code: number | undefined;
      expect(() => { code = runCli(f.repo, argv, { io }); }, context).not.toThrow();
      expect([0, 1, 2], `${context}\n${out.err}`).toContain(code);
      exits.set(code!, (exits.get(code!) ?? 0) + 1);
      // a failure says why: on standard error, or as the JSON report asked for
      if (code !== 0) expect((out.err + (argv.includes('--json') ? out.out : '')).trim().length, `${context}: failed without a word`).toBeGreaterThan(0);
      if (!verbose) expect(out.err + out.out, context).not.toMatch(STACK_LINE);
      expect(out.err, context).not.toMatch(/TypeError|ReferenceError|Cannot read prop|undefined is not/);
      expect(fs.readFileSync(path.join(root, 'canary.txt'), 'utf8'), context).toBe('untouched\n');
      // only the layout roots, docs/ (graph) and sealed-secrets/ (seal) are ever written
      for (const top of fs.readdirSync(root)) {
        expect(['clusters', 'infrastructure', 'apps', 'docs', 'sealed-secrets', 'canary.txt', '.cdk8s-flux'], `${context}: wrote ${top}`).toContain(top);
      }
      expect(stateLeft(root), `${context}: left its state behind`).toEqual([]);
    }
  });

  it.skipIf(process.env.ADVERSARIAL_SEED)('reached success, findings and usage errors alike', () => {
    expect([...exits.keys()].sort(), JSON.stringify([...exits])).toEqual([0, 1, 2]);
  });
});
