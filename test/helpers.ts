import { spawnSync } from 'node:child_process';
import { FleetValidationError, GitOpsRepo } from '../src';
import { FleetTesting } from '../src/testing';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The transpile hook that npm scripts and the bin run TypeScript with. */
export const REGISTER_TS = path.resolve(__dirname, '..', 'src/cli/register-ts.js');

/**
 * Runs `node -r register-ts.js <args>` in `cwd` with `env` added, and returns the `stats` that
 * the module `statsModule` (the hook, the code cache) exports, as they were when the process exited.
 */
export function runWithHookStats<S>(cwd: string, statsModule: string, args: readonly string[], env: NodeJS.ProcessEnv) {
  const report = path.join(cwd, 'report-stats.js');
  fs.writeFileSync(report, `process.on('exit', () => process.stderr.write('STATS ' + JSON.stringify(require(${JSON.stringify(statsModule)}).stats) + '\\n'));\n`);
  const r = spawnSync(process.execPath, ['-r', REGISTER_TS, '-r', report, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  const stats = JSON.parse(/STATS (.*)/.exec(r.stderr)?.[1] ?? '{}') as S;
  return { ...r, stats };
}

/** The layout cache a successful synth leaves in the state directory (see src/core/layout-cache.ts). */
export const LAYOUT_CACHE = '.cdk8s-flux/layout-cache.json';

/**
 * Every file under `dir` (recursively): relative path → content, the layout cache left out (it
 * is the writer's working state, with file stamps that differ from run to run). With `showLinks`,
 * a symbolic link is `-> target` instead of followed (a dangling one, or one to a directory,
 * cannot be read).
 */
export function readTree(dir: string, options: { showLinks?: boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (child === LAYOUT_CACHE) continue;
      if (options.showLinks && e.isSymbolicLink()) out[child] = `-> ${fs.readlinkSync(path.join(dir, child))}`;
      else if (e.isDirectory()) walk(child);
      else out[child] = fs.readFileSync(path.join(dir, child), 'utf8');
    }
  };
  if (fs.existsSync(dir)) walk('');
  return out;
}

/**
 * What a synth left in the state directory `.cdk8s-flux/` besides the layout cache (a lock, a
 * transaction, a temporary file…): empty once a synth has finished or failed cleanly.
 */
export function stateLeft(root: string): string[] {
  const state = path.join(root, '.cdk8s-flux');
  if (!fs.existsSync(state)) return [];
  return fs.readdirSync(state, { recursive: true, encoding: 'utf8' }).filter(p => p !== path.basename(LAYOUT_CACHE)).sort();
}

/** Writes a file, creating its parent directories. */
export function writeFile(dir: string, rel: string, content: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), content);
}

/** The problems synth reports for a fleet, as `[construct path] message` lines; empty when it is valid. */
export function problemsOf(repo: GitOpsRepo): string[] {
  try {
    repo.synthLayout();
    return [];
  } catch (e) {
    if (!(e instanceof FleetValidationError)) throw e;
    return e.problems.map(p => `[${p.path}] ${p.message}`);
  }
}

/** README.md's text. */
export function readme(): string {
  return fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
}

/**
 * Runs the first ```ts block of a README section as a program against this checkout, writing its
 * layout into a fresh directory (the example's `${__dirname}/..`); returns that directory and the run.
 */
export function runReadmeExample(section: string): { root: string; status: number | null; output: string } {
  const projectRoot = path.resolve(__dirname, '..');
  const start = section.indexOf('```ts') + '```ts'.length;
  const root = FleetTesting.tempDir();
  const code = section.slice(start, section.indexOf('```', start))
    .replace("from 'cdk8s-flux'", `from ${JSON.stringify(path.join(projectRoot, 'src'))}`)
    .replace('`${__dirname}/..`', JSON.stringify(root));
  const file = path.join(FleetTesting.tempDir(), 'example.ts');
  fs.writeFileSync(file, code);
  const result = spawnSync(path.join(projectRoot, 'node_modules/.bin/tsx'), [file], {
    encoding: 'utf8', env: { ...process.env, NODE_PATH: path.join(projectRoot, 'node_modules') },
  });
  return { root, status: result.status, output: result.stderr + result.stdout };
}

/**
 * A CLI's standard streams captured in memory (`io` collects what was printed, `sink` is the CliIo
 * to pass), with `stdin` as standard input and a terminal or not on standard error.
 */
export function captureCli(options: { stdin?: string | Buffer; terminal?: boolean } = {}) {
  const io = { out: '', err: '' };
  return {
    io,
    sink: {
      out: (t: string) => { io.out += t; },
      err: (t: string) => { io.err += t; },
      env: {} as Record<string, string | undefined>,
      stdin: () => Buffer.from(options.stdin ?? ''),
      stdinIsTerminal: () => false,
      errIsTerminal: () => options.terminal ?? false,
    },
  };
}
