/**
 * A full disk at generated points: a small tmpfs (mounted when the suite runs as root; skipped
 * with a message otherwise) filled so that the synth or the seal runs out of space somewhere.
 * The previous tree and store are kept exactly, nothing staged is left to fill the disk, the
 * message says the disk is full, and once space is freed the next run completes.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SealedStore, SealingCertificate } from '../../src';
import { createExampleFleet } from '../../src/example-fleet';
import { FleetTesting } from '../../src/testing';
import { writeFile, stateLeft } from '../helpers';
import { sealingKey } from '../support/x509';
import { expectUserError, failureOf, Rng, scratch, seeds, visibleTree } from './support';

const mounts: string[] = [];

/** A tmpfs of `bytes` mounted on a fresh directory, or the reason there is none. */
function tmpfs(bytes: number): string {
  const dir = scratch('tmpfs');
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mount failed: ${r.stderr}`);
  mounts.push(dir);
  return dir;
}

/** Whether this run can mount a tmpfs (root, with the mount capability). */
const canMount = (() => {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  try {
    tmpfs(64 * 1024);
    return true;
  } catch {
    return false;
  }
})();
if (!canMount) console.warn('SKIPPED full-disk cases: mounting a small tmpfs needs root on Linux (the suite fills it to test a full disk)');

afterAll(() => {
  for (const m of mounts) spawnSync('umount', ['-l', m]);
});

/** Leaves about `free` bytes free on the file system of `dir`. */
function fillLeaving(dir: string, free: number): string {
  const filler = path.join(dir, 'filler.bin');
  const { bavail, bsize } = fs.statfsSync(dir);
  const size = Math.max(0, bavail * bsize - free);
  const fd = fs.openSync(filler, 'w');
  try {
    const chunk = Buffer.alloc(64 * 1024, 1);
    for (let written = 0; written < size;) {
      try {
        written += fs.writeSync(fd, chunk, 0, Math.min(chunk.length, size - written));
      } catch {
        break; // already full
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return filler;
}

const NO_SPACE = /no space left on the device \(ENOSPC/;

describe.skipIf(!canMount)('a full disk', () => {
  const overlays = FleetTesting.synth(createExampleFleet());
  const flattened = FleetTesting.synth(createExampleFleet({ flattenOverlays: true }));
  let full = 0;

  it.each(seeds(6, 4))('seed %i: a synth that runs out of space keeps the previous tree and frees what it staged', seed => {
    const rng = new Rng(seed);
    const disk = tmpfs(4 * 1024 * 1024);
    const root = path.join(disk, 'fleet');
    const first = rng.chance(0.3) ? undefined : createExampleFleet({ rootDir: root });
    first?.write();
    writeFile(root, 'clusters/NOTES.md', 'ours\n');
    const before = visibleTree(root);
    const filler = fillLeaving(disk, rng.int(0, 160) * 1024);
    const context = `seed ${seed} (${first ? 'over the overlays layout' : 'into an empty repository'})`;
    const error = failureOf(() => createExampleFleet({ rootDir: root, flattenOverlays: true }).write());
    if (error) {
      full++;
      expectUserError(error, context);
      expect((error as Error).message, context).toMatch(NO_SPACE);
      expect((error as Error).message, context).toContain('Nothing was written: the previous layout is intact');
      expect(visibleTree(root), context).toEqual(before);
      expect(stateLeft(root), `${context}: the staging area was left to fill the disk`).toEqual([]);
    } else {
      expect(visibleTree(root), context).toEqual({ ...flattened, 'clusters/NOTES.md': 'ours\n' });
    }
    fs.rmSync(filler);
    createExampleFleet({ rootDir: root, flattenOverlays: true }).write();
    expect(visibleTree(root), context).toEqual({ ...flattened, 'clusters/NOTES.md': 'ours\n' });
    expect(overlays).not.toEqual(flattened);
  });

  it.skipIf(process.env.ADVERSARIAL_SEED)('the generated free space ran out in some of the synths', () => {
    expect(full).toBeGreaterThan(0);
  });

  it('sealing on a full disk keeps the store as it was, with no temporary file, and says why', () => {
    const disk = tmpfs(1024 * 1024);
    const key = sealingKey();
    const certificate = SealingCertificate.fromPem(key.certificatePem, 'test certificate');
    const file = path.join(disk, 'sealed-secrets/dev.yaml');
    SealedStore.update(file, certificate, 'dev', s => s.seal({ namespace: 'apps', name: 'db', values: { user: Buffer.from('admin') } }));
    const before = fs.readFileSync(file, 'utf8');
    const filler = fillLeaving(disk, 0);
    const error = failureOf(() => SealedStore.update(file, certificate, 'dev', s => s.seal({
      namespace: 'apps', name: 'db', values: { password: Buffer.from('x'.repeat(64 * 1024)) },
    })));
    expectUserError(error, 'seal on a full disk');
    expect((error as Error).message).toMatch(NO_SPACE);
    expect((error as Error).message).toContain('sealed-secrets/dev.yaml');
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['dev.yaml']);
    fs.rmSync(filler);
  });
});
