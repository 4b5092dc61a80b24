import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { INIT_USAGE, runInit } from './init';
import { IMPORT_COMMAND, runImport } from './import';
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
      return command === 'help' ? (io.out(`${formatUsage(IMPORT_COMMAND)}\n`), 0) : runImport(rest, io, cwd);
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
