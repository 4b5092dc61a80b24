// The package as npm would publish it, and fresh projects that install it offline from the local
// npm cache (filled by `npm ci`): shared by the package and init tests.
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Runs npm with our own environment minus what `npm test` set for this project (it would leak into the temp project). */
export function npm(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_(package|lifecycle|config_(prefix|local_prefix|global))/i.test(k) && k !== 'INIT_CWD'));
  return spawnSync(NPM, [...args], { cwd, encoding: 'utf8', env: { ...clean, ...env }, timeout: 300_000 });
}

/** Every input of the build, hashed: a tarball is rebuilt only when one changes. */
function inputsHash(): string {
  const hash = createHash('sha256');
  const add = (rel: string) => {
    const abs = path.join(PROJECT_ROOT, rel);
    const st = fs.statSync(abs);
    if (st.isDirectory()) for (const e of fs.readdirSync(abs).sort()) add(path.join(rel, e));
    else hash.update(`${rel}\0`).update(fs.readFileSync(abs)).update('\0');
  };
  for (const rel of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md', 'src', 'templates', 'crds']) add(rel);
  return hash.digest('hex').slice(0, 16);
}

/** Sleeps without a busy loop (test helpers are synchronous). */
function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export interface PackedTarball {
  /** Absolute path of the .tgz. */
  readonly file: string;
  /** Paths inside the package, as `npm pack --json` lists them. */
  readonly files: readonly string[];
}

/**
 * `npm pack` of this repository (its prepack builds lib/), once per content: test files run in
 * parallel workers, so the first one packs under a lock and the others reuse its tarball.
 */
export function packedTarball(): PackedTarball {
  const dir = path.join(os.tmpdir(), `cdk8s-flux-pack-${inputsHash()}`);
  const done = path.join(dir, 'pack.json');
  const lock = `${dir}.lock`;
  for (let waited = 0; !fs.existsSync(done); waited += 200) {
    try {
      fs.mkdirSync(lock);
    } catch {
      // a lock older than any pack takes was left by a killed run
      if (Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 300_000) fs.rmSync(lock, { recursive: true, force: true });
      if (waited > 240_000) throw new Error(`waited 4 minutes for another test's npm pack (${lock}); remove the lock if no test runs`);
      sleep(200);
      continue;
    }
    try {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true });
      const r = npm(['pack', '--json', '--pack-destination', dir], PROJECT_ROOT);
      if (r.status !== 0) throw new Error(`npm pack failed:\n${r.stderr}`);
      const [info] = JSON.parse(r.stdout.slice(r.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
      fs.writeFileSync(done, JSON.stringify({ file: path.join(dir, info.filename), files: info.files.map(f => f.path) }));
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
  return JSON.parse(fs.readFileSync(done, 'utf8')) as PackedTarball;
}

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

/**
 * Writes `package-lock.json` for a project whose package.json depends on the tarball
 * (`file:<tarball>`) and on packages this repository also uses: every package at exactly the
 * version our own lockfile has, so `npm ci --offline` finds each tarball in the cache that our
 * `npm ci` filled (a plain `npm install --offline` would pick the newest version the cached
 * registry metadata lists, which need not be cached).
 */
export function writeOfflineLockfile(projectDir: string, tarball: string): void {
  const manifest = JSON.parse(fs.readFileSync(path.join(projectDir, 'package.json'), 'utf8')) as Record<string, any>;
  const ours = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package-lock.json'), 'utf8')).packages as Record<string, LockEntry>;
  const self = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as Record<string, any>;
  const packages: Record<string, LockEntry> = {
    '': { name: manifest.name, version: manifest.version, dependencies: manifest.dependencies, devDependencies: manifest.devDependencies },
    'node_modules/cdk8s-flux': {
      version: self.version,
      resolved: `file:${path.relative(projectDir, tarball)}`,
      integrity: `sha512-${createHash('sha512').update(fs.readFileSync(tarball)).digest('base64')}`,
      license: self.license,
      dependencies: self.dependencies,
      peerDependencies: self.peerDependencies,
      peerDependenciesMeta: self.peerDependenciesMeta,
      bin: self.bin,
      engines: self.engines,
    },
  };
  // node's resolution: from a package's directory upwards, the first node_modules/<name> our lockfile has
  const resolve = (from: string, name: string): string | undefined => {
    for (let dir = from; ; dir = dir.includes('/node_modules/') ? dir.slice(0, dir.lastIndexOf('/node_modules/')) : '') {
      const candidate = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
      if (ours[candidate]) return candidate;
      if (!dir) return undefined;
    }
  };
  // npm installs a package's peers with it, except the optional ones (the bootstrap's cdktf)
  const requiredPeers = Object.fromEntries(Object.entries(self.peerDependencies ?? {}).filter(([n]) => !self.peerDependenciesMeta?.[n]?.optional));
  const queue: [string, LockEntry][] = [['', { ...packages[''], dependencies: { ...manifest.dependencies, ...manifest.devDependencies, ...self.dependencies, ...requiredPeers } }]];
  delete queue[0][1].dependencies!['cdk8s-flux'];
  while (queue.length > 0) {
    const [at, entry] = queue.shift()!;
    const optionalPeers = Object.entries(entry.peerDependenciesMeta ?? {}).filter(([, m]) => m.optional).map(([n]) => n);
    const names = [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {}),
      ...Object.keys(entry.peerDependencies ?? {}).filter(n => !optionalPeers.includes(n))];
    for (const name of names) {
      const found = resolve(at, name);
      if (!found) {
        if (entry.optionalDependencies?.[name] !== undefined) continue;
        throw new Error(`${name} (needed by ${at || 'the project'}) is not in our package-lock.json: run npm install in the repository`);
      }
      if (packages[found]) continue;
      const { dev: _dev, devOptional: _devOptional, peer: _peer, ...copy } = ours[found];
      packages[found] = copy;
      queue.push([found, ours[found]]);
    }
  }
  const lock = { name: manifest.name, version: manifest.version, lockfileVersion: 3, requires: true, packages };
  fs.writeFileSync(path.join(projectDir, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
}

/** `npm ci --offline` in a project: only cached tarballs, no network. */
export function installOffline(projectDir: string): SpawnSyncReturns<string> {
  return npm(['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], projectDir);
}
