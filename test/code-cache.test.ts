import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FleetTesting } from '../src/testing';
import { runWithHookStats } from './helpers';

const PROJECT_ROOT = path.resolve(__dirname, '..');
const CODE_CACHE = path.join(PROJECT_ROOT, 'src/cli/code-cache.js');

interface Stats { cached: number; compiled: number; written: boolean; native: boolean }

/** Runs `node -r register-ts.js main.ts` in `dir` (transpile cache in dir/ts, code cache in dir/ts/v8); the code cache's stats as the process exited. */
function run(dir: string, env: NodeJS.ProcessEnv = {}) {
  return runWithHookStats<Stats>(dir, CODE_CACHE, ['main.ts'], { CDK8S_FLUX_TS_CACHE: path.join(dir, 'ts'), ...env });
}

function project(): string {
  const dir = FleetTesting.tempDir();
  fs.writeFileSync(path.join(dir, 'lib.ts'), 'export const answer: number = 41;\n');
  fs.mkdirSync(path.join(dir, 'node_modules', 'dep'), { recursive: true });
  // a package module with a shebang, and one that imports dynamically (compiled by Node's own loader)
  fs.writeFileSync(path.join(dir, 'node_modules', 'dep', 'index.js'), "#!/usr/bin/env node\n'use strict';\nexports.twice = n => n * 2;\nexports.resolved = require.resolve('./late');\n");
  fs.writeFileSync(path.join(dir, 'node_modules', 'dep', 'late.js'), "exports.load = () => import('node:path').then(p => typeof p.join);\n");
  fs.writeFileSync(path.join(dir, 'main.ts'), [
    "import { answer } from './lib';",
    "const dep = require('dep');",
    "const late = require('dep/late');",
    'late.load().then((kind: string) => console.log(`answer ${dep.twice(answer)}`, require.main === module, dep.resolved.endsWith("late.js"), kind));',
  ].join('\n'));
  return dir;
}

describe('the V8 code cache of register-ts.js', () => {
  it('compiles each module once: a second run uses the cached code, an edit recompiles only that module, keyed by content', () => {
    const dir = project();
    const first = run(dir);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toBe('answer 82 true true function\n');
    // main.ts, lib.ts, dep/index.js and the stats reporter (late.js uses import(): Node compiles it)
    expect(first.stats).toEqual({ cached: 0, compiled: 4, written: true, native: false });
    expect(fs.readdirSync(path.join(dir, 'ts', 'v8')).filter(f => f.endsWith('.bin'))).toHaveLength(1);

    const warm = run(dir);
    expect(warm.stdout).toBe('answer 82 true true function\n');
    expect(warm.stats).toEqual({ cached: 4, compiled: 0, written: false, native: false });

    // same size, same modification time: the content decides
    const lib = path.join(dir, 'lib.ts');
    const stat = fs.statSync(lib);
    fs.writeFileSync(lib, 'export const answer: number = 51;\n');
    fs.utimesSync(lib, stat.atime, stat.mtime);
    const edited = run(dir);
    expect(edited.stdout).toBe('answer 102 true true function\n');
    expect(edited.stats).toEqual({ cached: 3, compiled: 1, written: true, native: false });
    expect(run(dir).stats).toEqual({ cached: 4, compiled: 0, written: false, native: false });
  });

  it('ignores a torn cache file and data V8 rejects, and writes the cache anew', () => {
    const dir = project();
    run(dir);
    const [file] = fs.readdirSync(path.join(dir, 'ts', 'v8')).filter(f => f.endsWith('.bin')).map(f => path.join(dir, 'ts', 'v8', f));
    const whole = fs.readFileSync(file);

    fs.writeFileSync(file, whole.subarray(0, whole.length - 100)); // cut short
    const torn = run(dir);
    expect(torn.stdout).toBe('answer 82 true true function\n');
    expect(torn.stats).toEqual({ cached: 0, compiled: 4, written: true, native: false });

    // the index intact, every byte of the data changed: V8 refuses it, the module is compiled
    const header = whole.indexOf(10, whole.indexOf(10) + 1) + 1;
    const garbled = Buffer.from(whole);
    for (let i = header; i < garbled.length; i++) garbled[i] ^= 0x5a;
    fs.writeFileSync(file, garbled);
    const rejected = run(dir);
    expect(rejected.stdout).toBe('answer 82 true true function\n');
    expect(rejected.stats).toEqual({ cached: 0, compiled: 4, written: true, native: false });
    expect(run(dir).stats).toEqual({ cached: 4, compiled: 0, written: false, native: false });
  });

  it('leaves ES modules (require(esm)), syntax errors, import ( and source-mapped or debugged processes to Node', () => {
    const dir = project();
    fs.mkdirSync(path.join(dir, 'node_modules', 'esm'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'node_modules', 'esm', 'package.json'), '{"name":"esm","type":"module","main":"index.js"}');
    fs.writeFileSync(path.join(dir, 'node_modules', 'esm', 'index.js'), "export const kind = 'esm';\n");
    fs.writeFileSync(path.join(dir, 'node_modules', 'dep', 'spaced.js'), 'exports.load = () => import ("node:path").then(p => typeof p.join);\n');
    fs.writeFileSync(path.join(dir, 'node_modules', 'dep', 'broken.js'), 'exports.x = ;\n');
    fs.writeFileSync(path.join(dir, 'main.ts'), [
      "const esm = require('esm');",
      "let broken = 'loaded';",
      "try { require('dep/broken'); } catch (e) { broken = (e as Error).name; }",
      "require('dep/spaced').load().then((kind: string) => console.log(esm.kind, kind, broken));",
    ].join('\n'));
    for (let i = 0; i < 2; i++) {
      const r = run(dir);
      expect(r.stdout, r.stderr).toBe('esm function SyntaxError\n');
      expect(r.stats.cached + r.stats.compiled).toBeGreaterThan(0);
    }
    const mapped = run(dir, { NODE_OPTIONS: '--enable-source-maps' });
    expect(mapped.stdout).toBe('esm function SyntaxError\n');
    expect(mapped.stats).toEqual({ cached: 0, compiled: 0, written: false, native: false });
  });

  it('never reads a cache directory someone else could write, and keeps at most 8 cache files', () => {
    const dir = project();
    run(dir);
    const v8 = path.join(dir, 'ts', 'v8');
    fs.chmodSync(v8, 0o777);
    expect(run(dir).stats).toEqual({ cached: 0, compiled: 0, written: false, native: false });
    fs.chmodSync(v8, 0o700);
    expect(run(dir).stats).toEqual({ cached: 4, compiled: 0, written: false, native: false });
    for (let i = 0; i < 10; i++) fs.writeFileSync(path.join(v8, `old-${i}.bin`), 'x');
    fs.writeFileSync(path.join(dir, 'lib.ts'), 'export const answer: number = 42;\n'); // a change: the cache is written
    expect(run(dir).stats.written).toBe(true);
    expect(fs.readdirSync(v8).filter(f => f.endsWith('.bin'))).toHaveLength(8);
  });

  it('is off with CDK8S_FLUX_CODE_CACHE=0', () => {
    const dir = project();
    const r = run(dir, { CDK8S_FLUX_CODE_CACHE: '0' });
    expect(r.stdout).toBe('answer 82 true true function\n');
    expect(r.stats).toEqual({ cached: 0, compiled: 0, written: false, native: false });
    expect(fs.existsSync(path.join(dir, 'ts', 'v8'))).toBe(false);
  });

  it('keeps stack traces on the TypeScript lines', () => {
    const dir = project();
    fs.writeFileSync(path.join(dir, 'main.ts'), ['interface Env { readonly replicas?: { readonly count: number } }', 'type Unused = { a: string };', 'function f(env: Env): number {', '  return env.replicas!.count; // line 4', '}', 'f({});'].join('\n'));
    for (let i = 0; i < 2; i++) {
      const r = run(dir);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain(`${path.join(dir, 'main.ts')}:4:`);
    }
  });
});
