import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATED_MARKER, runGraph } from '../src';
import { replaceFileAtomically } from '../src/core/durable-file';
import { fluxFleet } from './flux-fixture';

/** Failure classes found by adversarial probing (issue #22), each closed with a test. */
describe('reliability', () => {
  it('a synth that only deletes (a stray generated file, nothing else to write) succeeds and leaves --check clean', () => {
    const f = fluxFleet();
    f.repo.write();
    const stray = path.join(f.repo.rootDir, 'apps/base/stray.yaml');
    fs.writeFileSync(stray, `${GENERATED_MARKER}\n# Source: gone\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stray\n`);
    const plan = f.repo.write();
    expect(plan.deletes.map(d => d.path)).toEqual(['apps/base/stray.yaml']);
    expect(fs.existsSync(stray)).toBe(false);
    expect(fs.existsSync(path.join(f.repo.rootDir, '.cdk8s-flux/transaction'))).toBe(false);
    expect(f.repo.check().clean).toBe(true);
  });

  it('graph never writes through a symbolic link', () => {
    const f = fluxFleet();
    f.repo.addEnvironment({ name: 'dev', cluster: 'dev' }, f.cluster);
    const outside = path.join(f.repo.rootDir, '..', `outside-${path.basename(f.repo.rootDir)}.md`);
    fs.mkdirSync(path.join(f.repo.rootDir, 'docs'), { recursive: true });
    fs.symlinkSync(outside, path.join(f.repo.rootDir, 'docs/fleet-dev.md')); // dangling
    const io = { out: '', err: '' };
    const code = runGraph(f.repo, [], { out: t => { io.out += t; }, err: t => { io.err += t; } });
    expect(code).toBe(2);
    expect(io.err).toContain('docs/fleet-dev.md is a symbolic link, which graph never writes through');
    expect(fs.existsSync(outside)).toBe(false);
  });

  it('an atomic replace that fails (a full disk, a rename refused) leaves no temporary file', () => {
    const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'cdk8s-flux-atomic-'));
    const target = path.join(dir, 'store.yaml');
    fs.mkdirSync(target); // renaming a file over a directory fails
    expect(() => replaceFileAtomically(target, 'x')).toThrow();
    expect(fs.readdirSync(dir)).toEqual(['store.yaml']);
  });
});

describe('the lock', () => {
  it('an empty lock (another synth between creating it and naming itself, in older versions) is not taken for stale while it is fresh', () => {
    const f = fluxFleet();
    const lock = path.join(f.repo.rootDir, '.cdk8s-flux/lock');
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    fs.writeFileSync(lock, '');
    expect(() => f.repo.write()).toThrow(/\.cdk8s-flux\/lock is held but does not name its process \(it is empty\)/);
    expect(fs.existsSync(path.join(f.repo.rootDir, 'clusters'))).toBe(false);
    // once old, it is stale
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, old, old);
    f.repo.write();
    expect(fs.existsSync(lock)).toBe(false);
    const state = path.join(f.repo.rootDir, '.cdk8s-flux');
    expect(fs.existsSync(state) ? fs.readdirSync(state) : []).toEqual([]); // no lock, no temporary owner file
  });

  it('a lock held by a live process is refused; a lock path that is a directory is named', () => {
    const f = fluxFleet();
    const lock = path.join(f.repo.rootDir, '.cdk8s-flux/lock');
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    fs.writeFileSync(lock, String(process.pid));
    expect(() => f.repo.write()).toThrow(`Another synth (process ${process.pid}) is writing this repository`);
    fs.rmSync(lock);
    fs.mkdirSync(lock);
    expect(() => f.repo.write()).toThrow(`${lock} is not a file (it is a directory), so no synth can take the lock: remove it.`);
  });
});
