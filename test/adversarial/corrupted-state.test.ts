/**
 * Corrupted state, generated: committed generated files (truncated, bytes flipped, marker line
 * lost, binary, replaced by a directory or a symlink), the lock (garbage, a directory, a dead or
 * impossible process), the journal of an interrupted synth (truncated, wrong shapes, paths out of
 * the layout, hashes that do not match) and sealed stores (truncated, wrong shapes, garbage).
 * Synth either repairs what it owns or stops with a message that names the path, never a crash;
 * nothing outside the layout roots is touched, and a refused synth changes nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATED_MARKER, GitOpsRepo, SealedStore, SealingCertificate } from '../../src';
import { createExampleFleet } from '../../src/example-fleet';
import { FleetTesting } from '../../src/testing';
import { readTree, writeFile, stateLeft } from '../helpers';
import { sealingKey } from '../support/x509';
import { expectUserError, failureOf, Rng, scratch, seeds, visibleTree } from './support';

const expected = FleetTesting.synth(createExampleFleet());

/** A written example fleet with a hand-written file and a canary outside the layout roots. */
function written(): { root: string; repo: () => GitOpsRepo } {
  const root = scratch('corrupt');
  createExampleFleet({ rootDir: root }).write();
  writeFile(root, 'clusters/NOTES.md', 'ours\n');
  writeFile(root, '.git/hooks/pre-commit', '#!/bin/sh\nexit 0\n');
  writeFile(root, 'outside/keep.yaml', `${GENERATED_MARKER}\nkind: ConfigMap\n`);
  return { root, repo: () => createExampleFleet({ rootDir: root }) };
}

function flipByte(rng: Rng, text: string): string {
  const i = rng.int(0, Math.max(0, text.length - 1));
  return text.slice(0, i) + String.fromCharCode(rng.int(0, 255)) + text.slice(i + 1);
}

type Corruption = (rng: Rng, root: string, file: string) => string;

/** Ways a committed generated file gets damaged. */
const FILE_CORRUPTIONS: Readonly<Record<string, Corruption>> = {
  truncated: (rng, root, file) => { const t = fs.readFileSync(path.join(root, file), 'utf8'); fs.writeFileSync(path.join(root, file), t.slice(0, rng.int(0, t.length - 1))); return 'truncated'; },
  'byte flipped': (rng, root, file) => {
    const t = fs.readFileSync(path.join(root, file), 'utf8');
    const marker = t.indexOf('\n') + 1; // the marker line intact: still recognizably ours
    fs.writeFileSync(path.join(root, file), t.slice(0, marker) + flipByte(rng, t.slice(marker)));
    return 'a byte flipped';
  },
  'marker lost': (_rng, root, file) => { const t = fs.readFileSync(path.join(root, file), 'utf8'); fs.writeFileSync(path.join(root, file), t.split('\n').slice(1).join('\n')); return 'its first line (the marker) lost'; },
  binary: (rng, root, file) => { fs.writeFileSync(path.join(root, file), Buffer.from(Array.from({ length: rng.int(1, 64) }, () => rng.int(0, 255)))); return 'binary garbage'; },
  directory: (_rng, root, file) => { fs.rmSync(path.join(root, file)); fs.mkdirSync(path.join(root, file)); return 'a directory'; },
  symlink: (_rng, root, file) => { fs.rmSync(path.join(root, file)); fs.symlinkSync(path.join(root, 'outside/keep.yaml'), path.join(root, file)); return 'a symlink out of the layout'; },
  emptied: (_rng, root, file) => { fs.writeFileSync(path.join(root, file), ''); return 'empty'; },
  crlf: (_rng, root, file) => { fs.writeFileSync(path.join(root, file), fs.readFileSync(path.join(root, file), 'utf8').replace(/\n/g, '\r\n')); return 'CRLF line ends'; },
};

/** The outside of the layout as it was: the hook and the canary. */
function expectOutsideUntouched(root: string, context: string): void {
  expect(fs.readFileSync(path.join(root, '.git/hooks/pre-commit'), 'utf8'), context).toBe('#!/bin/sh\nexit 0\n');
  expect(fs.readFileSync(path.join(root, 'outside/keep.yaml'), 'utf8'), context).toBe(`${GENERATED_MARKER}\nkind: ConfigMap\n`);
  expect(readTree(path.join(root, '.git')), context).toEqual({ 'hooks/pre-commit': '#!/bin/sh\nexit 0\n' });
}

/** After the synth: either the layout is whole again, or it was refused (with the path named) and nothing changed. */
function expectRepairedOrRefused(root: string, before: Record<string, string>, names: readonly string[], context: string, repo: () => GitOpsRepo): 'repaired' | 'refused' {
  const error = failureOf(() => repo().write());
  expectOutsideUntouched(root, context);
  if (error === undefined) {
    // a CRLF checkout of a generated file is the generated file (git normalizes it): left as it is
    const lf = (tree: Record<string, string>) => Object.fromEntries(Object.entries(tree).map(([p, c]) => [p, c.replace(/\r\n/g, '\n')]));
    expect(lf(visibleTree(root)), context).toEqual({ ...expected, 'clusters/NOTES.md': 'ours\n', '.git/hooks/pre-commit': '#!/bin/sh\nexit 0\n', 'outside/keep.yaml': `${GENERATED_MARKER}\nkind: ConfigMap\n` });
    return 'repaired';
  }
  expectUserError(error, context);
  expect(names.some(n => (error as Error).message.includes(n)), `${context}: the message names none of ${names.join(', ')}:\n${(error as Error).message}`).toBe(true);
  expect(visibleTree(root), context).toEqual(before);
  return 'refused';
}

describe('corrupted generated files', () => {
  const outcomes = { repaired: 0, refused: 0 };
  it.each(seeds(16, 7))('seed %i: synth rewrites what it owns or names the path it will not touch', seed => {
    const rng = new Rng(seed);
    const { root, repo } = written();
    const files = Object.keys(expected).filter(f => f.endsWith('.yaml'));
    const damaged = rng.sample(files, 1, 3);
    // half the cases keep every damaged file recognizably generated (its marker line intact)
    const kinds = rng.chance(0.5) ? ['byte flipped', 'crlf'] : Object.keys(FILE_CORRUPTIONS);
    const log = damaged.map(f => `${f}: ${FILE_CORRUPTIONS[rng.pick(kinds)](rng, root, f)}`);
    const context = `seed ${seed}: ${log.join('; ')}`;
    const before = visibleTree(root);
    // check() reads the same files: it must report, not crash
    const check = failureOf(() => repo().check());
    if (check !== undefined) expectUserError(check, `${context} (check)`);
    outcomes[expectRepairedOrRefused(root, before, damaged, context, repo)]++;
  });

  it.skipIf(process.env.ADVERSARIAL_SEED)('both repaired and refused', () => {
    expect(outcomes.repaired, JSON.stringify(outcomes)).toBeGreaterThan(0);
    expect(outcomes.refused, JSON.stringify(outcomes)).toBeGreaterThan(0);
  });
});

describe('a corrupted lock', () => {
  const LOCKS: ((rng: Rng) => string | 'dir')[] = [
    rng => Array.from({ length: rng.int(1, 40) }, () => String.fromCharCode(rng.int(1, 255))).join(''),
    () => 'dir',
    () => '0', () => '-1', () => '99999999999', () => '4194304\n4194304', () => ' 1 ', () => 'NaN', () => '1e3',
  ];
  it.each(seeds(12, 8))('seed %i: taken over when stale, refused with its path when not, never a crash', seed => {
    const rng = new Rng(seed);
    const { root, repo } = written();
    const lock = rng.pick(LOCKS)(rng);
    const lockPath = path.join(root, '.cdk8s-flux/lock');
    fs.mkdirSync(path.dirname(lockPath), { recursive: true });
    if (lock === 'dir') fs.mkdirSync(lockPath);
    else fs.writeFileSync(lockPath, lock);
    // an old lock: one that names no process is stale only once old
    if (rng.chance(0.5) && lock !== 'dir') fs.utimesSync(lockPath, new Date(0), new Date(0));
    fs.rmSync(path.join(root, 'clusters/development/infrastructure.yaml'), { force: true });
    const before = visibleTree(root);
    const context = `seed ${seed}: lock ${JSON.stringify(lock)}`;
    const outcome = expectRepairedOrRefused(root, before, ['.cdk8s-flux/lock'], context, repo);
    if (outcome === 'repaired') expect(stateLeft(root), context).toEqual([]);
  });
});

describe('a corrupted journal', () => {
  /** A committed transaction of the flattened example over the overlays one, interrupted after its commit point. */
  function interrupted(root: string): string {
    expect(() => createExampleFleet({ rootDir: root, flattenOverlays: true }).write({ beforeApply: i => { if (i === 2) throw new Error('killed'); } })).toThrow('killed');
    return path.join(root, '.cdk8s-flux/transaction/journal.json');
  }
  const CORRUPT: ((rng: Rng, journal: any, text: string, root?: string) => string)[] = [
    (rng, _j, text) => text.slice(0, rng.int(0, text.length - 1)),
    (rng, _j, text) => flipByte(rng, text),
    () => 'null', () => '[]', () => '{}', () => '{"moves": "x", "deletes": 1}',
    (rng, j) => { j.moves[rng.int(0, j.moves.length - 1)].to = rng.pick(['../outside/keep.yaml', '.git/hooks/pre-commit', '/etc/passwd', 'clusters/../../x', 'outside/keep.yaml']); return JSON.stringify(j); },
    (rng, j) => { j.deletes.push(rng.pick(['outside/keep.yaml', '.git/hooks/pre-commit', '../x', 'clusters'])); return JSON.stringify(j); },
    (rng, j) => { j.moves[rng.int(0, j.moves.length - 1)].sha256 = '0'.repeat(64); return JSON.stringify(j); },
    (rng, j) => { j.moves[rng.int(0, j.moves.length - 1)].from = rng.pick(['clusters/NOTES.md', '.cdk8s-flux/transaction/staged/../../../outside/keep.yaml', 42]); return JSON.stringify(j); },
    (_rng, j) => { j.dirs = [{ from: '.cdk8s-flux/transaction/staged/clusters', to: '.git' }]; return JSON.stringify(j); },
    (_rng, j) => { j.moves = j.moves.map((m: any) => ({ ...m, sha256: undefined })); return JSON.stringify(j); },
    // inside a root as a string, out of it through a symbolic link on the way
    (rng, j, _text, root) => {
      fs.symlinkSync('../.git/hooks', path.join(root!, 'clusters/shared'));
      const m = j.moves[rng.int(0, j.moves.length - 1)];
      m.to = 'clusters/shared/pre-commit';
      return JSON.stringify(j);
    },
  ];
  it.each(seeds(14, 9))('seed %i: recovery refuses what the journal cannot vouch for, names it, and touches nothing', seed => {
    const rng = new Rng(seed);
    const { root } = written();
    const journalPath = interrupted(root);
    const text = fs.readFileSync(journalPath, 'utf8');
    // the first seeds take each corruption in turn, so that every one runs under npm test; then at random
    const corrupt = seed % 1000 <= CORRUPT.length ? CORRUPT[seed % 1000 - 1] : rng.pick(CORRUPT);
    fs.writeFileSync(journalPath, corrupt(rng, JSON.parse(text), text, root));
    const context = `seed ${seed}: journal ${fs.readFileSync(journalPath, 'utf8').slice(0, 200)}`;
    const before = visibleTree(root);
    const repo = () => createExampleFleet({ rootDir: root, flattenOverlays: true });
    const error = failureOf(() => repo().write());
    expectOutsideUntouched(root, context);
    if (error !== undefined) {
      expectUserError(error, context);
      expect((error as Error).message, context).toContain('.cdk8s-flux/transaction/');
      expect(visibleTree(root), context).toEqual(before);
      // the way out the message gives works
      fs.rmSync(path.join(root, '.cdk8s-flux/transaction'), { recursive: true });
    }
    if (fs.lstatSync(path.join(root, 'clusters/shared'), { throwIfNoEntry: false })?.isSymbolicLink()) fs.unlinkSync(path.join(root, 'clusters/shared'));
    repo().write();
    expect(visibleTree(root), context).toEqual({
      ...FleetTesting.synth(createExampleFleet({ flattenOverlays: true })),
      'clusters/NOTES.md': 'ours\n', '.git/hooks/pre-commit': '#!/bin/sh\nexit 0\n', 'outside/keep.yaml': `${GENERATED_MARKER}\nkind: ConfigMap\n`,
    });
  });
});

describe('a corrupted sealed store', () => {
  const key = sealingKey();
  const certificate = SealingCertificate.fromPem(key.certificatePem, 'test certificate');
  const CORRUPT: ((rng: Rng, text: string) => string)[] = [
    (rng, text) => text.slice(0, rng.int(0, text.length - 1)),
    (rng, text) => flipByte(rng, text),
    () => '', () => 'null', () => '- 1\n- 2\n', () => 'secrets: 42\n', () => 'secrets:\n  - name: db\n',
    () => 'secrets:\n  - namespace: apps\n    name: db\n    scope: strict\n    data:\n      password: {certificate: "x", ciphertext: 42}\n',
    () => 'secrets:\n  - namespace: apps\n    name: db\n    scope: galaxy-wide\n    data: {}\n',
    (rng) => Buffer.from(Array.from({ length: rng.int(1, 64) }, () => rng.int(0, 255))).toString('latin1'),
    () => 'secrets: [&a [*a]]\n',
  ];
  it.each(seeds(12, 10))('seed %i: loading or sealing into it names the store, never crashes, and never overwrites it', seed => {
    const rng = new Rng(seed);
    const dir = scratch('store');
    const file = path.join(dir, 'sealed-secrets/dev.yaml');
    SealedStore.update(file, certificate, 'dev', s => s.seal({ namespace: 'apps', name: 'db', values: { user: Buffer.from('admin') } }));
    const corrupted = rng.pick(CORRUPT)(rng, fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, corrupted);
    const context = `seed ${seed}: store ${JSON.stringify(corrupted.slice(0, 120))}`;
    const load = failureOf(() => SealedStore.load(file, certificate, 'dev'));
    if (load !== undefined) {
      expectUserError(load, context);
      expect((load as Error).message, context).toContain('dev.yaml');
    }
    const update = failureOf(() => SealedStore.update(file, certificate, 'dev', s => s.seal({ namespace: 'apps', name: 'other', values: { k: Buffer.from('v') } })));
    if (update !== undefined) {
      expectUserError(update, context);
      expect(fs.readFileSync(file, 'utf8'), `${context}: a refused update rewrote the store`).toBe(corrupted);
    }
    expect(fs.readdirSync(path.dirname(file)), context).toEqual(['dev.yaml']);
  });
});
