import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inProcessEntry } from '../src/cli/launcher';
import { FleetTesting } from '../src/testing';
import { runWithHookStats } from './helpers';

const PROJECT_ROOT = path.resolve(__dirname, '..');
const HOOK = path.join(PROJECT_ROOT, 'src/cli/register-ts.js');

/** Runs `node -r register-ts.js <args>` in `cwd` with its own transpile cache; the hook's `stats` as the process exited. */
function runWithHook(cwd: string, cache: string, args: string[]) {
  return runWithHookStats<{ hits: number; transpiled: number }>(cwd, HOOK, args, { CDK8S_FLUX_TS_CACHE: cache });
}

describe('the transpile cache of register-ts.js', () => {
  it('transpiles a file once, keyed by its content: a second run only reads the cache, an edit transpiles that file again, a torn entry is repaired', () => {
    const dir = FleetTesting.tempDir();
    const cache = path.join(dir, 'cache');
    fs.writeFileSync(path.join(dir, 'lib.ts'), 'export const answer: number = 41;\n');
    fs.writeFileSync(path.join(dir, 'main.ts'), "import { answer } from './lib';\nconst text: string = `answer ${answer + 1}`;\nconsole.log(text, __filename.endsWith('main.ts'));\n");
    const first = runWithHook(dir, cache, ['main.ts']);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toBe('answer 42 true\n');
    expect(first.stats).toEqual({ hits: 0, transpiled: 2 });
    expect(runWithHook(dir, cache, ['main.ts']).stats).toEqual({ hits: 2, transpiled: 0 });

    // a changed value with the same size and the same modification time is still seen: the key is the content
    const stat = fs.statSync(path.join(dir, 'lib.ts'));
    fs.writeFileSync(path.join(dir, 'lib.ts'), 'export const answer: number = 51;\n');
    fs.utimesSync(path.join(dir, 'lib.ts'), stat.atime, stat.mtime);
    const edited = runWithHook(dir, cache, ['main.ts']);
    expect(edited.stdout).toBe('answer 52 true\n');
    expect(edited.stats).toEqual({ hits: 1, transpiled: 1 });

    // every entry cut short (a crash, a full disk): transpiled again, and rewritten whole
    const entries = fs.readdirSync(cache, { recursive: true, withFileTypes: true }).filter(e => e.isFile() && e.name.endsWith('.js')).map(e => path.join(e.parentPath, e.name));
    expect(entries.length).toBe(3);
    for (const e of entries) fs.writeFileSync(e, fs.readFileSync(e, 'utf8').slice(0, 20));
    const repaired = runWithHook(dir, cache, ['main.ts']);
    expect(repaired.stdout).toBe('answer 52 true\n');
    expect(repaired.stats).toEqual({ hits: 0, transpiled: 2 });
    expect(runWithHook(dir, cache, ['main.ts']).stats).toEqual({ hits: 2, transpiled: 0 });
  });

  it('ends a finished process at once, with its exit code and exit listeners, and leaves a program that listens for beforeExit alone', () => {
    const dir = FleetTesting.tempDir();
    fs.writeFileSync(path.join(dir, 'main.ts'), [
      "process.on('exit', code => console.log(`exit listener ${code}`));",
      "setTimeout(() => console.log('timer ran'), 20);",
      'process.exitCode = 3;',
    ].join('\n'));
    const done = runWithHook(dir, path.join(dir, 'cache'), ['main.ts']);
    expect(done.status).toBe(3);
    expect(done.stdout).toBe('timer ran\nexit listener 3\n');
    // a program's own beforeExit listener may schedule more work: it runs, and so does that work
    fs.writeFileSync(path.join(dir, 'main.ts'), [
      'let rounds = 0;',
      "process.on('beforeExit', () => { if (rounds++ < 2) setTimeout(() => console.log(`round ${rounds}`), 5); });",
      "process.on('exit', code => console.log(`exit listener ${code}`));",
    ].join('\n'));
    const own = runWithHook(dir, path.join(dir, 'cache'), ['main.ts']);
    expect(own.status).toBe(0);
    expect(own.stdout).toBe('round 1\nround 2\nexit listener 0\n');
  });

  it('maps stack traces to the TypeScript lines', () => {
    const dir = FleetTesting.tempDir();
    fs.writeFileSync(path.join(dir, 'main.ts'), [
      'interface Env { readonly replicas?: { readonly count: number } }',
      'type Unused = { a: string };',
      'function f(env: Env): number {',
      '  return env.replicas!.count; // line 4',
      '}',
      'f({});',
    ].join('\n'));
    const r = runWithHook(dir, path.join(dir, 'cache'), ['main.ts']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`${path.join(dir, 'main.ts')}:4:`);
  });
});

describe('the cdk8s-flux executable', () => {
  it('runs an app started by tsx or node in its own process, with the command appended and its exit code', () => {
    const dir = FleetTesting.tempDir();
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), 'app: npx tsx src/main.ts\n');
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'src/main.ts'), [
      "import * as fs from 'node:fs';",
      'const main: boolean = require.main === module;',
      "fs.writeFileSync('ran.json', JSON.stringify({ pid: process.pid, argv: process.argv.slice(2), main }));",
      'process.exitCode = 3;',
    ].join('\n'));
    // the library's own files come from the project's transpile cache (warm), the app's from the system's temporary one
    const r = spawnSync(process.execPath, ['-r', HOOK, path.join(PROJECT_ROOT, 'src/cli/bin.ts'), 'seal', '--from-literal', "it's=a $HOME"], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(3);
    // the pid of the app is the bin's own: no second process
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'ran.json'), 'utf8'))).toEqual({ pid: r.pid, argv: ['seal', '--from-literal', "it's=a $HOME"], main: true });
  });

  it('runs in process only a plain file started by tsx or node, and leaves any other app to the shell', () => {
    const dir = FleetTesting.tempDir();
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'src/main.ts'), '');
    fs.writeFileSync(path.join(dir, 'app.js'), '');
    const main = path.join(dir, 'src/main.ts');
    expect(inProcessEntry('npx tsx src/main.ts', dir)).toBe(main);
    expect(inProcessEntry('tsx  src/main.ts', dir)).toBe(main);
    expect(inProcessEntry(`${path.join(PROJECT_ROOT, 'node_modules/.bin/tsx')} src/main.ts`, dir)).toBe(main);
    expect(inProcessEntry('node -r ./src/cli/register-ts.js src/main.ts', dir)).toBe(main);
    expect(inProcessEntry(`${process.execPath} app.js`, dir)).toBe(path.join(dir, 'app.js'));
    for (const other of ['npx tsx src/other.ts', 'node --inspect app.js', 'node -r ts-node/register src/main.ts', 'npx ts-node src/main.ts',
      'tsx src/main.ts && echo done', 'FOO=1 tsx src/main.ts', 'python app.py', 'npx tsx watch src/main.ts']) {
      expect(inProcessEntry(other, dir), other).toBeUndefined();
    }
    fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
    expect(inProcessEntry('npx tsx src/main.ts', dir)).toBeUndefined(); // ES modules need tsx's loader
  });
});
