import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import Module = require('node:module');
import * as path from 'node:path';
import { parse } from 'yaml';
import { INIT_USAGE, runInit } from './init';
import { commandModule } from './command-modules';
import { IMPORT_COMMAND } from './command-specs';
import { ExitCode, formatUsage } from './args';
import { describeFailure } from './failure';
import { cliUsage, cliVersion, CliIo, runCli, runCompletion } from './run-cli';

/** Options of `launch`, for tests. */
export interface LaunchOptions {
  /** Where the command runs (where cdk8s.yaml is looked for). @default process.cwd() */
  readonly cwd?: string;
  /** Where messages go. @default the process's standard streams */
  readonly io?: CliIo;
  /** Environment of the app. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Run an app that is a TypeScript or JavaScript file started by `tsx` or `node` in this
   * process (its `.ts` files through a content-keyed transpile cache, see register-ts.js), rather
   * than in a second process; any other app is still spawned. Only for the real executable: the app
   * then owns this process (its exit code, its working directory). @default false
   */
  readonly inProcess?: boolean;
}

const CDK8S_YAML = 'cdk8s.yaml';

/**
 * The `cdk8s-flux` executable: runs `init` itself and every other command through the fleet's
 * app, `<app of cdk8s.yaml> <command> <args…>` in the current directory (standard streams
 * inherited, so `seal --from-stdin` reads the pipe). Returns the exit code.
 */
export function launch(argv: readonly string[], options: LaunchOptions = {}): number {
  const io: CliIo = options.io ?? {
    out: t => process.stdout.write(t),
    err: t => process.stderr.write(t),
    stdin: () => fs.readFileSync(0),
    stdinIsTerminal: () => process.stdin.isTTY === true,
    errIsTerminal: () => process.stderr.isTTY === true,
  };
  const cwd = options.cwd ?? process.cwd();
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || (command === 'help' && rest.length === 0)) {
    io.out(`${cliUsage()}\n`);
    return 0;
  }
  if (command === '--version' || command === '-v') {
    io.out(`${cliVersion()}\n`);
    return 0;
  }
  if (command === 'completion' && rest[0] !== 'environments') {
    // a shell's completion script needs no fleet (only `completion environments` does)
    return runCompletion(rest, io);
  }
  if (command === 'init' || (command === 'help' && rest[0] === 'init')) {
    try {
      return command === 'help' ? (io.out(`${INIT_USAGE}\n`), 0) : runInit(rest, io, cwd);
    } catch (e) {
      return failed('init', e, argv, io);
    }
  }
  if (command === 'import' || (command === 'help' && rest[0] === 'import')) {
    // import writes a new fleet from a Flux repository: it needs none to start from
    try {
      return command === 'help' ? (io.out(`${formatUsage(IMPORT_COMMAND)}\n`), 0) : commandModule('import').runImport(rest, io, cwd);
    } catch (e) {
      return failed('import', e, argv, io);
    }
  }
  const config = path.join(cwd, CDK8S_YAML);
  if (!fs.existsSync(config)) {
    if (argv.includes('--help') || argv.includes('-h')) {
      // a command's help needs no fleet: the dispatcher prints it without building one
      return runCli(() => { throw new Error(`no ${CDK8S_YAML} in ${cwd}`); }, argv, { io });
    }
    io.err(`No ${CDK8S_YAML} in ${cwd}: run cdk8s-flux in the root of a fleet repository (its cdk8s.yaml names the app to run), or create one with \`cdk8s-flux init\`\n`);
    return ExitCode.ERROR;
  }
  let app: unknown;
  try {
    app = (parse(fs.readFileSync(config, 'utf8')) as { app?: unknown } | null)?.app;
  } catch (e) {
    io.err(`${config} is not valid YAML: ${(e as Error).message.split('\n')[0]}\n`);
    return ExitCode.ERROR;
  }
  if (typeof app !== 'string' || app.trim() === '') {
    io.err(`${config} has no \`app\`: set it to the command that runs the fleet (e.g. app: npx tsx src/main.ts)\n`);
    return ExitCode.ERROR;
  }
  const entry = options.inProcess && cwd === process.cwd() && options.env === undefined ? inProcessEntry(app, cwd) : undefined;
  if (entry !== undefined) {
    try {
      return runInProcess(entry, argv);
    } catch (e) {
      return failed(command ?? 'synth', e, argv, io);
    }
  }
  const result = spawnSync(`${app} ${argv.map(shellQuote).join(' ')}`.trim(), {
    cwd, shell: true, stdio: 'inherit', env: options.env ?? process.env,
  });
  if (result.error) return failed(command ?? 'synth', result.error, argv, io, `cannot run the app "${app}": `);
  if (result.signal) {
    io.err(`The app "${app}" was stopped by ${result.signal}\n`);
    return ExitCode.ERROR;
  }
  return result.status ?? 2;
}

/** Programs that run a TypeScript or JavaScript file as Node would, which this process can do itself. */
const IN_PROCESS_RUNNERS: readonly (readonly string[])[] = [['npx', 'tsx'], ['tsx'], ['node'], ['npx', 'node']];
const OUR_HOOK = /(^|[\\/])register-ts\.js$/;

/**
 * The file an app runs, when this process can run it the same way: `[npx] tsx <file>`,
 * `node <file>` or `node -r <…/register-ts.js> <file>` (a `tsx` or `node` given by path too), the
 * file a `.ts`, `.js` or `.cjs` inside `cwd`'s tree. Anything else (flags, shell syntax, another
 * runner) is left to the shell.
 */
export function inProcessEntry(app: string, cwd: string): string | undefined {
  if (/["'`$;&|<>(){}\\*?~]/.test(app)) return undefined;
  let words = app.trim().split(/\s+/);
  const runner = IN_PROCESS_RUNNERS.find(r => r.every((w, i) => i < words.length && path.basename(words[i]) === w && (i === r.length - 1 || w === 'npx')));
  if (!runner) return undefined;
  words = words.slice(runner.length);
  if (runner[runner.length - 1] === 'node' && (words[0] === '-r' || words[0] === '--require') && words[1] !== undefined && OUR_HOOK.test(words[1])) words = words.slice(2);
  if (words.length !== 1 || words[0].startsWith('-') || !/\.(ts|js|cjs)$/.test(words[0])) return undefined;
  const entry = path.resolve(cwd, words[0]);
  if (!fs.existsSync(entry)) return undefined;
  // ES modules (a package of "type": "module") need a loader: their runner starts them
  try {
    if ((JSON.parse(fs.readFileSync(path.join(cwd, 'package.json'), 'utf8')) as { type?: unknown }).type === 'module') return undefined;
  } catch {
    // no package.json, or not JSON: CommonJS
  }
  return entry;
}

/**
 * Runs `entry` as this process's main module with `argv` as its arguments (as `node entry …argv`
 * would), TypeScript through the transpile cache; returns the exit code the app set.
 */
function runInProcess(entry: string, argv: readonly string[]): number {
  require('./register-ts');
  process.argv = [process.argv[0], entry, ...argv];
  Module.runMain(entry);
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}

function failed(command: string, e: unknown, argv: readonly string[], io: CliIo, prefix = ''): number {
  const err = e instanceof Error ? e : new Error(String(e));
  if (prefix) err.message = `${prefix}${err.message}`;
  io.err(describeFailure(command, err, argv.includes('--verbose')));
  return ExitCode.ERROR;
}

/** Quotes an argument for the POSIX shell that runs the app. */
function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
