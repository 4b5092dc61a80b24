import * as fs from 'node:fs';
import * as path from 'node:path';
import { GitOpsRepo } from '../fleet/gitops-repo';
import { CommandSpec, ExitCode, formatUsage, parseSpec } from './args';
import { bashCompletion, COMPLETION_COMMAND, COMPLETION_SHELLS, zshCompletion } from './completion';
import { commandModule } from './command-modules';
import { DIFF_COMMAND, GRAPH_COMMAND, IMPORT_COMMAND, VALIDATE_COMMAND, VERIFY_COMMAND } from './command-specs';
import { describeFailure, exitCodeOf } from './failure';
import { INIT_COMMAND } from './init';
import { runSeal, SEAL_COMMAND, SEAL_USAGE, SealingEnvironment, SealIo } from './seal';
import { runSynth, SYNTH_COMMAND } from './synth';

/** Where the CLI reads and prints; injectable for tests. */
export interface CliIo extends SealIo {
  /** Environment variables (`CI`). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Whether standard error is a terminal (long runs then show progress). @default false */
  readonly errIsTerminal?: () => boolean;
}

/** A fleet, or a function that builds it: building it lazily lets `--help` and `seal` work on a fleet that cannot be built yet. */
export type FleetSource = GitOpsRepo | (() => GitOpsRepo);

/** Options of `runCli`. */
export interface CliOptions {
  /**
   * Each environment's Sealed Secrets certificate and store, for `seal`.
   * @default for every registered environment, `sealed-secrets/certs/<env>.pem` and
   * `sealed-secrets/<env>.yaml` under the fleet's `rootDir` (the fleet is built to list them)
   */
  readonly sealing?: Readonly<Record<string, SealingEnvironment>>;
  /** Where the commands read and print. @default the process's standard streams and environment */
  readonly io?: CliIo;
}

/** What a command gets from the dispatcher. */
export interface CommandContext {
  /** Where it reads and prints. */
  readonly io: CliIo;
  /** The fleet, built on first use. */
  repo(): GitOpsRepo;
  /** The sealing files of every environment. */
  sealing(): Readonly<Record<string, SealingEnvironment>>;
  /** Whether the app passed the sealing files (listing them then needs no fleet). */
  readonly sealingGiven: boolean;
}

/**
 * A command of the CLI: its declared interface (flags, positionals, what exit code 1 means),
 * from which the dispatcher refuses a bad command line before building the fleet, and `--help`
 * and the shell completion are made; and what it runs. Adding a command is one entry of COMMANDS.
 */
export interface CliCommand {
  /** Its declared interface. */
  readonly spec: CommandSpec;
  /** Its help. @default made from the spec */
  readonly usage?: (ctx: CommandContext) => string;
  /** Runs it with its arguments (already checked against the spec); returns the exit code (see `ExitCode`). */
  readonly run: (ctx: CommandContext, args: readonly string[]) => number;
}

/** The commands, in the order `--help` lists them (a command's module loads when it runs: see command-modules.ts). */
const COMMANDS: Readonly<Record<string, CliCommand>> = {
  synth: { spec: SYNTH_COMMAND, run: (ctx, args) => runSynth(ctx.repo(), args, ctx.io) },
  diff: { spec: DIFF_COMMAND, run: (ctx, args) => commandModule('diff').runDiff(ctx.repo(), args, ctx.io) },
  seal: {
    spec: SEAL_COMMAND,
    usage: ctx => SEAL_USAGE + (ctx.sealingGiven ? `\n\nEnvironments: ${Object.keys(ctx.sealing()).join(', ')}` : ''),
    run: (ctx, args) => runSeal(ctx.sealing(), args, ctx.io),
  },
  validate: { spec: VALIDATE_COMMAND, run: (ctx, args) => commandModule('validate').runValidate(ctx.repo(), args, ctx.io) },
  graph: { spec: GRAPH_COMMAND, run: (ctx, args) => commandModule('graph').runGraph(ctx.repo(), args, ctx.io) },
  verify: { spec: VERIFY_COMMAND, run: (ctx, args) => commandModule('verify').runVerify(ctx.repo(), args, ctx.io) },
  completion: { spec: COMPLETION_COMMAND, run: (ctx, args) => runCompletion(args, ctx.io, () => ctx.repo().environments.map(e => e.env.name)) },
  import: { spec: IMPORT_COMMAND, run: (ctx, args) => commandModule('import').runImport(args, ctx.io) },
};

/** Every command's spec, `init` (which the launcher runs) included: for help, completion and tests. */
export function cliCommands(): CommandSpec[] {
  return [...Object.values(COMMANDS).map(c => c.spec), INIT_COMMAND];
}

const defaultIo: CliIo = {
  out: t => process.stdout.write(t),
  err: t => process.stderr.write(t),
  stdin: () => fs.readFileSync(0),
  stdinIsTerminal: () => process.stdin.isTTY === true,
  errIsTerminal: () => process.stderr.isTTY === true,
};

/** The usage of the whole CLI, listing every command of the dispatcher (and `init`, which the launcher handles). */
export function cliUsage(): string {
  const specs = cliCommands();
  const width = Math.max(...specs.map(c => c.name.length));
  return [
    'Usage: cdk8s-flux <command> [options]        (in this repository: npm run <command> -- [options])',
    '       cdk8s-flux -h|--help | -v|--version',
    '',
    'Commands:',
    ...specs.map(c => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `cdk8s-flux <command> --help` for a command\'s options. Flags take their value as --flag VALUE',
    'or --flag=VALUE; a flag given twice is refused unless its help says "repeatable". Every command',
    'accepts --verbose (stack traces of unexpected errors).',
    '',
    `Exit codes, the same for every command: ${ExitCode.CLEAN} clean; ${ExitCode.FINDINGS} findings (an invalid fleet, a difference`,
    `with --check or --exit-code, warnings with --strict); ${ExitCode.ERROR} a usage error, or the command could not run.`,
  ].join('\n');
}

/** The version of this library. */
export function cliVersion(): string {
  // lib/cli/ and src/cli/ both sit two levels below the package root
  return (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/** `completion bash|zsh` prints the script; `completion environments` the fleet's environments (for the scripts). */
export function runCompletion(argv: readonly string[], io: CliIo, environments?: () => readonly string[]): number {
  let parsed;
  try {
    parsed = parseSpec(COMPLETION_COMMAND, argv);
  } catch (e) {
    io.err(`${(e as Error).message}\n`);
    return ExitCode.ERROR;
  }
  if (parsed.values.help) {
    io.out(`${formatUsage(COMPLETION_COMMAND)}\n`);
    return ExitCode.CLEAN;
  }
  const shell = parsed.positionals[0];
  if (shell === 'bash') io.out(bashCompletion(cliCommands()));
  else if (shell === 'zsh') io.out(zshCompletion(cliCommands()));
  else if (shell === 'environments' && environments) io.out(environments().map(e => `${e}\n`).join(''));
  else {
    io.err(`completion: ${JSON.stringify(shell)} is not a shell: use ${COMPLETION_SHELLS.join(' or ')} (cdk8s-flux completion --help)\n`);
    return ExitCode.ERROR;
  }
  return ExitCode.CLEAN;
}

/**
 * The command line of a fleet app: a fleet's `src/main.ts` builds its `GitOpsRepo` and hands
 * control here, so that `npx cdk8s synth`, `cdk8s-flux <command>` and `npm run <command>` all run
 * the same code:
 *
 * ```ts
 * process.exitCode = runCli(() => createFleet(), process.argv.slice(2));
 * ```
 *
 * `synth` is the default command (the cdk8s CLI runs the app without arguments); `diff`, `seal`,
 * `validate`, `graph` and `completion` are the others, each with `--help`. Every failure is one
 * message on standard error (an error in the fleet's code names its file and line) and an exit
 * code of the one table (0 clean, 1 findings, 2 usage or internal error); a stack trace only with
 * `--verbose`. Never throws.
 *
 * @param fleet the fleet, or a function that builds it (preferred: building errors are reported
 *   like any other, and `--help` and `seal` do not need the fleet)
 * @param argv the arguments after the program name
 * @returns the process exit code
 */
export function runCli(fleet: FleetSource, argv: readonly string[], options: CliOptions = {}): number {
  const io = options.io ?? defaultIo;
  const verbose = argv.includes('--verbose');
  let built: GitOpsRepo | undefined;
  const repo = () => (built ??= typeof fleet === 'function' ? fleet() : fleet);
  const ctx: CommandContext = {
    io,
    repo,
    sealingGiven: options.sealing !== undefined,
    sealing: () => options.sealing ?? conventionalSealing(repo()),
  };
  const [first, ...rest] = argv;
  let name: string;
  let args: readonly string[];
  if (first === '--help' || first === '-h' || first === 'help') {
    if (rest[0] === undefined || rest[0].startsWith('-')) {
      io.out(`${cliUsage()}\n`);
      return ExitCode.CLEAN;
    }
    [name, args] = [rest[0], ['--help']];
  } else if (first === '--version' || first === '-v') {
    io.out(`${cliVersion()}\n`);
    return ExitCode.CLEAN;
  } else if (first === undefined || first.startsWith('-')) {
    [name, args] = ['synth', argv];
  } else {
    [name, args] = [first, rest];
  }
  const command = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    const hint = name === 'init' ? ': init runs from the cdk8s-flux launcher (npx cdk8s-flux init <dir>), not from a fleet app' : '';
    io.err(`Unknown command "${name}"${hint}: use ${Object.keys(COMMANDS).join(', ')} (cdk8s-flux --help lists them)\n`);
    return ExitCode.ERROR;
  }
  try {
    // the command line is checked before the fleet is built: a typo costs no synth
    const parsed = parseSpec(command.spec, args);
    if (parsed.values.help) {
      io.out(`${(command.usage ?? (() => formatUsage(command.spec)))(ctx)}\n`);
      return ExitCode.CLEAN;
    }
    return command.run(ctx, args);
  } catch (e) {
    io.err(describeFailure(name, e, verbose));
    return exitCodeOf(e);
  }
}

/** By convention, `sealed-secrets/certs/<env>.pem` and `sealed-secrets/<env>.yaml` of each registered environment. */
function conventionalSealing(repo: GitOpsRepo): Record<string, SealingEnvironment> {
  return Object.fromEntries(repo.environments.map(({ env }) => [env.name, {
    certificate: path.join(repo.rootDir, 'sealed-secrets', 'certs', `${env.name}.pem`),
    store: path.join(repo.rootDir, 'sealed-secrets', `${env.name}.yaml`),
  }]));
}
