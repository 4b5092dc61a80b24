import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { GENERATED_MARKER, GitRepository, HelmRelease, LayoutDirectory, ManifestFile, runGraph, SealedStore } from '../src';
import { createExampleFleet } from '../src/example-fleet';
import { ENVIRONMENTS } from '../src/example-fleet/environments';
import { FleetTesting } from '../src/testing';
import { problemsOf, stateLeft } from './helpers';
import { replaceFileAtomically } from '../src/core/durable-file';
import { writeLayout } from '../src/core/tree-writer';
import { failureOf } from './adversarial/support';
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

  it('a directory without files where a generated file goes gives way; one holding a file is refused before anything is written', () => {
    const f = fluxFleet();
    f.repo.write();
    const target = path.join(f.repo.rootDir, 'apps/base/releases.yaml');
    fs.rmSync(target);
    fs.mkdirSync(path.join(target, 'empty/emptier'), { recursive: true });
    f.repo.write();
    expect(fs.readFileSync(target, 'utf8')).toContain('kind: HelmRelease');
    fs.rmSync(target);
    fs.mkdirSync(path.join(target, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(target, 'sub/mine.txt'), 'mine');
    expect(() => f.repo.write()).toThrow(/Refusing to write: this path holds something cdk8s-flux did not generate[^]*apps\/base\/releases\.yaml[^]*Nothing was written/);
    expect(fs.readFileSync(path.join(target, 'sub/mine.txt'), 'utf8')).toBe('mine');
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
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-flux-atomic-'));
    const target = path.join(dir, 'store.yaml');
    fs.mkdirSync(target); // renaming a file over a directory fails
    expect(() => replaceFileAtomically(target, 'x')).toThrow();
    expect(fs.readdirSync(dir)).toEqual(['store.yaml']);
  });
});

describe('the lock', () => {
  it('on a file system without hard links, is created exclusively instead, and still keeps a second synth out', () => {
    // no hard links here: node's fs, as every module sees it (CommonJS and ES module views)
    const cjsFs = createRequire(__filename)('node:fs') as typeof fs;
    const realLink = cjsFs.linkSync;
    const spy = vi.fn(() => { throw Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM' }); });
    cjsFs.linkSync = spy as unknown as typeof fs.linkSync;
    syncBuiltinESMExports();
    try {
      const root = FleetTesting.tempDir();
      const file = (v: string) => new Map([['clusters/c/a.yaml', `${GENERATED_MARKER}\n# Source: test\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${v}\n`]]);
      let second: unknown = 'not run';
      writeLayout(root, file('one'), ['clusters'], {
        afterStaged: () => { second = failureOf(() => writeLayout(root, file('two'), ['clusters'])); },
      });
      expect(spy).toHaveBeenCalled();
      expect(String(second)).toMatch(/Another synth \(process \d+\) is writing this repository/);
      expect(fs.readFileSync(path.join(root, 'clusters/c/a.yaml'), 'utf8')).toContain('name: one');
      expect(stateLeft(root)).toEqual([]);
      writeLayout(root, file('two'), ['clusters']);
      expect(fs.readFileSync(path.join(root, 'clusters/c/a.yaml'), 'utf8')).toContain('name: two');
    } finally {
      cjsFs.linkSync = realLink;
      syncBuiltinESMExports();
    }
  });


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
    expect(stateLeft(f.repo.rootDir)).toEqual([]); // no lock, no temporary owner file
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

describe('accepted silently no more', () => {
  it('a source URL with a password is refused, and the password is not echoed', () => {
    const f = fluxFleet();
    new GitRepository(f.sources, 'private', { metadata: { name: 'private', namespace: 'flux-system' }, url: 'https://bot:s3cr3t-t0ken@github.com/org/private', ref: { branch: 'main' } });
    const problems = problemsOf(f.repo);
    expect(problems).toEqual([
      '[apps/base/sources/private] spec.url "https://bot:***@github.com/org/private" carries a password, which would be committed to git with the file: remove it from the URL and give the credentials in spec.secretRef (a SealedSecret sealed with npm run seal)',
    ]);
    expect(problems.join('\n')).not.toContain('s3cr3t');
  });

  it('a Secret whose kind is written in lower case is a Secret: its plaintext is refused', () => {
    const f = fluxFleet();
    new ApiObject(new ManifestFile(f.apps, 'lower'), 'lower', { apiVersion: 'v1', kind: 'secret', metadata: { name: 'db', namespace: 'flux-system' }, stringData: { password: 'x' } } as never);
    expect(problemsOf(f.repo).some(p => p.includes('Secret (written "kind: secret", which the API server reads as Secret) flux-system/db carries plaintext stringData ("password")'))).toBe(true);
  });
});

describe('line endings and byte-order marks', () => {
  it('a checkout with CRLF line ends (core.autocrlf) or a BOM is still the generated layout: check is clean, nothing is foreign', () => {
    const f = fluxFleet();
    f.repo.write();
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(path.join(f.repo.rootDir, d), { withFileTypes: true })) {
        if (e.isDirectory()) walk(`${d}/${e.name}`);
        else files.push(`${d}/${e.name}`);
      }
    };
    for (const top of ['clusters', 'apps']) walk(top);
    files.forEach((file, i) => {
      const abs = path.join(f.repo.rootDir, file);
      const crlf = fs.readFileSync(abs, 'utf8').replace(/\n/g, '\r\n');
      fs.writeFileSync(abs, i === 0 ? `\ufeff${crlf}` : crlf);
    });
    const check = f.repo.check();
    expect(check.plan.conflicts).toEqual([]);
    expect(check.clean).toBe(true);
    expect(f.repo.write().writes).toEqual([]);
  });

  it('the repository and the scaffold keep the generated layout at LF (.gitattributes)', () => {
    for (const file of [path.join(__dirname, '..', '.gitattributes'), path.join(__dirname, '..', 'templates', 'init', 'gitattributes')]) {
      const text = fs.readFileSync(file, 'utf8');
      // everything synth and graph compare byte for byte
      for (const pattern of ['clusters/**', 'infrastructure/**', 'apps/**', 'docs/fleet-*.md']) expect(text.split('\n'), `${file}: ${pattern}`).toContain(`${pattern} text eol=lf`);
    }
  });
});

describe('recovery trusts no journal blindly', () => {
  const tampered = (journal: object, staged?: { path: string; content: string }) => {
    const f = fluxFleet();
    f.repo.write();
    const root = f.repo.rootDir;
    const tx = path.join(root, '.cdk8s-flux/transaction');
    fs.mkdirSync(path.join(tx, 'staged'), { recursive: true });
    if (staged) {
      fs.mkdirSync(path.dirname(path.join(root, staged.path)), { recursive: true });
      fs.writeFileSync(path.join(root, staged.path), staged.content);
    }
    fs.writeFileSync(path.join(tx, 'journal.json'), JSON.stringify(journal));
    return { f, root };
  };

  it('refuses a journal that would write into .git/hooks or delete outside the layout roots, and touches nothing', () => {
    const hook = '.cdk8s-flux/transaction/staged/x';
    const { f, root } = tampered({ moves: [{ from: hook, to: '.git/hooks/pre-commit', sha256: 'x' }], deletes: ['README.md'], dirs: [] }, { path: hook, content: '#!/bin/sh\necho pwned\n' });
    fs.writeFileSync(path.join(root, 'README.md'), `${GENERATED_MARKER}\nkeep me\n`);
    expect(() => f.repo.write()).toThrow(/its journal cannot be trusted: it names paths outside clusters\/, infrastructure\/, apps\/ or the staging area \(delete "README.md", move to "\.git\/hooks\/pre-commit"\); nothing was moved or deleted/);
    expect(fs.existsSync(path.join(root, '.git/hooks/pre-commit'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'README.md'))).toBe(true);
  });

  it('refuses a staged file whose content its hash does not vouch for', () => {
    const staged = '.cdk8s-flux/transaction/staged/apps/base/evil.yaml';
    const { f, root } = tampered({ moves: [{ from: staged, to: 'apps/base/evil.yaml', sha256: '0'.repeat(64) }], deletes: [], dirs: [] }, { path: staged, content: 'apiVersion: v1\nkind: Secret\n' });
    expect(() => f.repo.write()).toThrow(/the staged copy of apps\/base\/evil\.yaml does not hold the content its hash vouches for/);
    expect(fs.existsSync(path.join(root, 'apps/base/evil.yaml'))).toBe(false);
  });
});

describe('nothing is half-written', () => {
  const chattr = (flag: '+i' | '-i', p: string) => spawnSync('chattr', [flag, p], { encoding: 'utf8' });
  const CAN_IMMUTABLE = (() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-flux-chattr-'));
    const ok = chattr('+i', dir).status === 0;
    if (ok) chattr('-i', dir);
    fs.rmSync(dir, { recursive: true, force: true });
    return ok || process.getuid?.() !== 0;
  })();
  if (!CAN_IMMUTABLE) console.warn('reliability.test.ts: SKIPPED the unwritable-directory case: running as root where chattr +i is not supported, so no directory can be made unwritable');

  it.skipIf(!CAN_IMMUTABLE)('a directory that cannot be written stops the synth before the commit point: every file old, a message that says so', () => {
    const f = fluxFleet();
    f.repo.write();
    const before = readAll(f.repo.rootDir);
    new HelmRelease(f.releases, 'more', { metadata: { name: 'more', namespace: 'flux-system' }, chart: { repository: f.podinfo, name: 'more' } });
    new kplus.ConfigMap(new ManifestFile(f.cluster, 'extra'), 'extra', { metadata: { name: 'extra', namespace: 'flux-system' } });
    const locked = path.join(f.repo.rootDir, 'apps/base');
    const root = process.getuid?.() === 0;
    if (root) chattr('+i', locked);
    else fs.chmodSync(locked, 0o555);
    try {
      expect(() => f.repo.write()).toThrow(/Refusing to write: this path cannot be written \(read-only, immutable or on a read-only file system\):\n {2}apps\/base\/\n.*Nothing was written\./s);
    } finally {
      if (root) chattr('-i', locked);
      else fs.chmodSync(locked, 0o755);
    }
    expect(readAll(f.repo.rootDir)).toEqual(before);
    expect(fs.existsSync(path.join(f.repo.rootDir, '.cdk8s-flux/transaction'))).toBe(false);
    f.repo.write(); // writable again: the synth goes through
    expect(fs.existsSync(path.join(f.repo.rootDir, 'clusters/dev/extra.yaml'))).toBe(true);
  });
});

function readAll(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(path.join(root, d), { withFileTypes: true })) {
      const p = d ? `${d}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else out[p] = fs.readFileSync(path.join(root, p), 'utf8');
    }
  };
  walk('');
  return out;
}

describe('messages a user can act on', () => {
  it('an environment listed twice, or two environments on one cluster, in the example fleet', () => {
    const dev = ENVIRONMENTS[0];
    expect(() => createExampleFleet({ rootDir: FleetTesting.tempDir(), environments: [dev, dev] })).toThrow(`environment "${dev.name}" is listed twice: give each environment its own name`);
    expect(() => createExampleFleet({ rootDir: FleetTesting.tempDir(), environments: [dev, { ...ENVIRONMENTS[1], cluster: dev.cluster }] }))
      .toThrow(`environments "${dev.name}" and "${ENVIRONMENTS[1].name}" share the cluster "${dev.cluster}": give each environment its own cluster`);
  });

  it('an environment registered with an empty cluster directory', () => {
    const f = fluxFleet();
    f.repo.addEnvironment({ name: 'prod', cluster: 'prod' }, new LayoutDirectory(f.repo.clusters, 'prod'));
    expect(problemsOf(f.repo)).toEqual([
      '[] environment "prod": its cluster directory "clusters/prod" holds nothing, so Flux would apply nothing there (and synth writes no such directory): add the cluster\'s Flux sync and its Kustomizations to it',
    ]);
  });

  it('a sealed store path that is a directory is named', () => {
    const dir = FleetTesting.tempDir();
    const store = path.join(dir, 'dev.yaml');
    fs.mkdirSync(store);
    expect(() => SealedStore.load(store, undefined as never, 'dev')).toThrow(`the sealed store ${store} is not a file (it is a directory or a special file)`);
  });
});

describe('automation-owned values', () => {
  it('a corrupted value under a setter marker in a committed file is refused, naming the file and the marker', () => {
    const repo = createExampleFleet({ rootDir: FleetTesting.tempDir() });
    repo.write();
    const patch = 'apps/overlays/development/podinfo/release-patch.yaml';
    const file = path.join(repo.rootDir, patch);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/tag: [^ ]+ # \{"\$imagepolicy"/, 'tag: "not a tag!" # {"$imagepolicy"'));
    const problems = problemsOf(createExampleFleet({ rootDir: repo.rootDir }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`the value committed in ${patch}, "not a tag!" is not an image tag`);
  });
});

describe('graph writes only inside the repository', () => {
  it('refuses a symbolic link on the way to --out (even a dangling docs/), and an --out outside the repository, writing nothing', () => {
    const f = fluxFleet();
    f.repo.addEnvironment({ name: 'dev', cluster: 'dev' }, f.cluster);
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-flux-outside-'));
    fs.symlinkSync(outside, path.join(f.repo.rootDir, 'docs'));
    const run = (args: string[]) => {
      const io = { out: '', err: '' };
      const code = runGraph(f.repo, args, { out: t => { io.out += t; }, err: t => { io.err += t; } });
      return { code, ...io };
    };
    expect(run(['--out', 'docs/sub'])).toMatchObject({ code: 2, err: 'Refusing to write the fleet graphs: docs is a symbolic link, which graph never writes through. Pass --out with a directory of the repository. Nothing was written.\n' });
    expect(run([]).code).toBe(2);
    expect(fs.readdirSync(outside)).toEqual([]);
    fs.unlinkSync(path.join(f.repo.rootDir, 'docs'));
    fs.symlinkSync(path.join(outside, 'gone'), path.join(f.repo.rootDir, 'docs')); // dangling
    expect(run([]).err).toContain('docs is a symbolic link');
    expect(run(['--out', outside]).err).toContain(`${outside} is outside the repository`);
    expect(run(['--out', '../elsewhere']).code).toBe(2);
    expect(fs.readdirSync(outside)).toEqual([]);
  });
});
