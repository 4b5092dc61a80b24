import { FleetValidationError, formatWarnings, LayoutWriteError } from '../core/errors';
import { GitOpsRepo } from '../fleet/gitops-repo';

/** Where the synth command prints; injectable for tests. */
export interface SynthIo {
  /** Writes to standard output. */
  readonly out: (text: string) => void;
  /** Writes to standard error. */
  readonly err: (text: string) => void;
  /** Environment variables (for `CI`). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Help of the synth command. */
export const SYNTH_USAGE = `Usage: cdk8s-flux synth [--check] [--validate] [--strict] [--verbose]      (npm run synth -- …)

Writes the fleet's Flux repository layout (clusters/, infrastructure/, apps/). It is the default
command: \`cdk8s-flux --check\` and \`npx cdk8s synth\` run it too.

  --check    write nothing; print a unified diff of what a synth would change and exit 1 if
             the repository differs from a fresh synth (0 when it is up to date)
  --validate also validate every object against its CRD's schema, strictly (always on when the
             CI environment variable is "true" or "1")
  --strict   make the rules' warnings errors (always on when CI is "true" or "1"); without it
             they are printed on standard error and the synth goes on
  --verbose  print stack traces of unexpected errors
  --help     show this help

Exit codes: 0 success, 1 the layout differs (--check only), 2 the fleet is invalid or cannot be written.`;

const defaultIo: SynthIo = {
  out: t => process.stdout.write(t),
  err: t => process.stderr.write(t),
};

/**
 * Runs the synth command for a fleet: writes the layout, or with `--check` compares it with
 * the repository. Returns the process exit code; never throws for a user's mistake.
 */
export function runSynth(repo: GitOpsRepo, argv: readonly string[], io: SynthIo = defaultIo): number {
  const unknown = argv.filter(a => !['--check', '--validate', '--strict', '--verbose', '--help', '-h'].includes(a));
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(`${SYNTH_USAGE}\n`);
    return 0;
  }
  if (unknown.length > 0) {
    io.err(`Unknown argument${unknown.length > 1 ? 's' : ''}: ${unknown.join(' ')} (cdk8s-flux synth --help lists the options)\n`);
    return 2;
  }
  const ci = (io.env ?? process.env).CI;
  if (argv.includes('--validate') || ci === 'true' || ci === '1') repo.enableSchemaValidation();
  if (argv.includes('--strict') || ci === 'true' || ci === '1') repo.enableStrictRules();
  const warn = () => {
    if (repo.warnings.length > 0) io.err(`${formatWarnings(repo.warnings)}\n`);
  };
  try {
    if (argv.includes('--check')) {
      const result = repo.check();
      warn();
      if (result.clean) {
        io.out(`Layout is up to date (${result.plan.unchanged} files).\n`);
        return 0;
      }
      io.out(result.diff);
      const { writes, deletes, conflicts } = result.plan;
      io.err(`\nThe committed layout differs from a fresh synth: ${writes.length} to write, ${deletes.length} to remove, ${conflicts.length} in conflict. Run \`npm run synth\` and commit the result.\n`);
      return 1;
    }
    const plan = repo.write();
    warn();
    io.out(`Synthesized the layout into ${repo.rootDir}: ${plan.writes.length} written, ${plan.deletes.length} removed, ${plan.unchanged} unchanged.\n`);
    return 0;
  } catch (e) {
    if (e instanceof FleetValidationError || e instanceof LayoutWriteError) {
      io.err(`${e.message}\n`);
      return 2;
    }
    const err = e as Error;
    io.err(argv.includes('--verbose') ? `${err.stack ?? err.message}\n` : `Synth failed: ${err.message}\n(run with --verbose for details)\n`);
    return 2;
  }
}
