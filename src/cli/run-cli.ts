import * as fs from 'node:fs';
import * as path from 'node:path';
import { FleetValidationError, LayoutWriteError } from '../core/errors';
import { GitOpsRepo, UnknownEnvironmentError } from '../fleet/gitops-repo';
import { CertificateError } from '../secrets/certificate';
import { SealError } from '../secrets/sealed-store';
import { GRAPH_USAGE, runGraph } from './graph';
import { runSeal, SEAL_USAGE, SealingEnvironment, SealIo } from './seal';
import { runSynth, SYNTH_USAGE } from './synth';
import { runValidate, VALIDATE_USAGE } from './validate';
import { DIFF_USAGE, runDiff } from './diff';
import { runVerify, VERIFY_USAGE } from './verify';

/** Where the CLI reads and prints; injectable for tests. */
export interface CliIo extends SealIo {
  /** Environment variables (`CI`). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
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
interface CommandContext {
  readonly io: CliIo;
  /** The fleet, built on first use. */
  repo(): GitOpsRepo;
  /** The sealing files of every environment. */
  sealing(): Readonly<Record<string, SealingEnvironment>>;
  /** Whether the app passed the sealing files (listing them then needs no fleet). */
  readonly sealingGiven: boolean;
}

interface CliCommand {
  readonly summary: string;
  /** Printed by `--help` without building the fleet; a command without one prints its own. */
  readonly usage?: (ctx: CommandContext) => string;
  readonly run: (ctx: CommandContext, args: readonly string[]) => number;
}

/** The commands, in the order `--help` lists them. */
const COMMANDS: Readonly<Record<string, CliCommand>> = {
  synth: {
    summary: 'write the layout (clusters/, infrastructure/, apps/); --check compares instead (the default command)',
    usage: () => SYNTH_USAGE,
    run: (ctx, args) => runSynth(ctx.repo(), args, ctx.io),
  },
  diff: {
    summary: 'compare what two environments\' clusters reconcile, object by object',
    usage: () => DIFF_USAGE,
    run: (ctx, args) => runDiff(ctx.repo(), args, ctx.io),
  },
  seal: {
    summary: 'seal Secret values for one environment, offline, into its store of sealed values',
    usage: ctx => SEAL_USAGE + (ctx.sealingGiven ? `\n\nEnvironments: ${Object.keys(ctx.sealing()).join(', ')}` : ''),
    run: (ctx, args) => runSeal(ctx.sealing(), args, ctx.io),
  },
  validate: {
    summary: 'validate every object against its CRD schema and run every synth check, writing nothing',
    usage: () => VALIDATE_USAGE,
    run: (ctx, args) => runValidate(ctx.repo(), args, ctx.io),
  },
  graph: {
    summary: 'write a Mermaid diagram of each environment\'s Flux objects to docs/fleet-<env>.md',
    usage: () => GRAPH_USAGE,
    run: (ctx, args) => runGraph(ctx.repo(), args, ctx.io),
  },
  verify: {
    summary: 'check online that every chart version, source ref and image range the fleet names exists',
    usage: () => VERIFY_USAGE,
    run: (ctx, args) => runVerify(ctx.repo(), args, ctx.io),
  },
};

/** Errors that are the user's to fix: their message is the whole story, no stack trace needed. */
const USER_ERRORS = [FleetValidationError, LayoutWriteError, UnknownEnvironmentError, CertificateError, SealError];

const defaultIo: CliIo = {
  out: t => process.stdout.write(t),
  err: t => process.stderr.write(t),
  stdin: () => fs.readFileSync(0),
  stdinIsTerminal: () => process.stdin.isTTY === true,
};

/** The usage of the whole CLI, listing every command of the dispatcher (and `init`, which the launcher handles). */
export function cliUsage(): string {
  const width = Math.max(...[...Object.keys(COMMANDS), 'init'].map(c => c.length));
  const line = (name: string, summary: string) => `  ${name.padEnd(width)}  ${summary}`;
  return [
    'Usage: cdk8s-flux <command> [options]        (in this repository: npm run <command> -- [options])',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => line(name, c.summary)),
    line('init', 'scaffold a new fleet repository (cdk8s-flux init [dir])'),
    '',
    'Run `cdk8s-flux <command> --help` for a command\'s options. Every command accepts --verbose',
    '(stack traces of unexpected errors). Exit codes (each command\'s --help has its own): 0 success;',
    '1 a --check found differences, or validate found the fleet invalid; 2 anything else that failed.',
  ].join('\n');
}

/** The version of this library. */
export function cliVersion(): string {
  // lib/cli/ and src/cli/ both sit two levels below the package root
  return (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
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
 * `validate` and `graph` are the others, each with `--help`. Every failure is one message on
 * standard error and a non-zero exit code; a stack trace only with `--verbose`. Never throws.
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
  if (first === undefined || (first.startsWith('-') && !['--help', '-h', '--version'].includes(first))) {
    [name, args] = ['synth', argv];
  } else if (first === '--help' || first === '-h' || first === 'help') {
    if (rest[0] === undefined || rest[0].startsWith('-')) {
      io.out(`${cliUsage()}\n`);
      return 0;
    }
    [name, args] = [rest[0], ['--help']];
  } else if (first === '--version') {
    io.out(`${cliVersion()}\n`);
    return 0;
  } else {
    [name, args] = [first, rest];
  }
  const command = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.err(`Unknown command "${name}": use ${Object.keys(COMMANDS).join(', ')} (cdk8s-flux --help lists them)\n`);
    return 2;
  }
  try {
    if (command.usage && (args.includes('--help') || args.includes('-h'))) {
      io.out(`${command.usage(ctx)}\n`);
      return 0;
    }
    return command.run(ctx, args);
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    if (verbose) io.err(`${err.stack ?? err.message}\n`);
    else if (USER_ERRORS.some(c => err instanceof c)) io.err(`${err.message}\n`);
    else io.err(`${name} failed: ${err.message}\n(run with --verbose for the stack trace)\n`);
    return 2;
  }
}

/** By convention, `sealed-secrets/certs/<env>.pem` and `sealed-secrets/<env>.yaml` of each registered environment. */
function conventionalSealing(repo: GitOpsRepo): Record<string, SealingEnvironment> {
  return Object.fromEntries(repo.environments.map(({ env }) => [env.name, {
    certificate: path.join(repo.rootDir, 'sealed-secrets', 'certs', `${env.name}.pem`),
    store: path.join(repo.rootDir, 'sealed-secrets', `${env.name}.yaml`),
  }]));
}
