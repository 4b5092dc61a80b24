import { FleetValidationError } from '../core/errors';
import { formatWarnings, warningsOf } from '../core/warnings';
import { GitOpsRepo } from '../fleet/gitops-repo';
import { CommandSpec, ExitCode, formatUsage, parseSpec } from './args';
import { describeFailure, exitCodeOf } from './failure';
import { Progress } from './progress';

/** Where the synth command prints; injectable for tests. */
export interface SynthIo {
  /** Writes to standard output. */
  readonly out: (text: string) => void;
  /** Writes to standard error. */
  readonly err: (text: string) => void;
  /** Environment variables (for `CI`). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Whether standard error is a terminal (long runs then show progress). @default false */
  readonly errIsTerminal?: () => boolean;
}

/** The synth command's interface. */
export const SYNTH_COMMAND: CommandSpec = {
  name: 'synth',
  summary: 'write the layout (clusters/, infrastructure/, apps/); --check compares instead (the default command)',
  synopsis: '[--check] [--strict] [--validate] [--json]',
  description: `Writes the fleet's Flux repository layout (clusters/, infrastructure/, apps/). It is the default
command: \`cdk8s-flux --check\` and \`npx cdk8s synth\` run it too. Warnings (values sealed for an
earlier certificate, …) are printed on standard error; --strict makes them problems.`,
  flags: {
    check: { type: 'boolean', description: 'write nothing; print a unified diff of what a synth would change' },
    strict: { type: 'boolean', description: 'treat warnings (the rules\' among them) as problems: exit 1 and write nothing when there is one (always on when CI is "true" or "1")' },
    validate: { type: 'boolean', description: 'also validate every object against its CRD\'s schema (always on when CI is "true" or "1")' },
    json: { type: 'boolean', description: 'print the result as JSON on standard output (for --check in CI)' },
  },
  findings: 'the fleet is invalid, the layout differs from a fresh synth (--check), or there are warnings (--strict)',
};

/** Help of the synth command. */
export const SYNTH_USAGE = formatUsage(SYNTH_COMMAND);

const defaultIo: SynthIo = {
  out: t => process.stdout.write(t),
  err: t => process.stderr.write(t),
  errIsTerminal: () => process.stderr.isTTY === true,
};

/**
 * Runs the synth command for a fleet: writes the layout, or with `--check` compares it with
 * the repository. Returns the exit code (see `ExitCode`); never throws.
 */
export function runSynth(repo: GitOpsRepo, argv: readonly string[], io: SynthIo = defaultIo): number {
  let values;
  try {
    values = parseSpec(SYNTH_COMMAND, argv).values;
  } catch (e) {
    io.err(`${(e as Error).message}\n`);
    return ExitCode.ERROR;
  }
  if (values.help) {
    io.out(`${SYNTH_USAGE}\n`);
    return ExitCode.CLEAN;
  }
  const json = values.json === true;
  const ci = (io.env ?? process.env).CI;
  if (values.validate || ci === 'true' || ci === '1') repo.enableSchemaValidation();
  // in CI the rules' warnings are errors (--strict): a wrong fleet fails there, never in the cluster
  const strict = values.strict === true || ci === 'true' || ci === '1';
  if (strict) repo.enableStrictRules();
  const progress = new Progress(io);
  try {
    if (values.check) {
      progress.step('synthesizing the fleet and comparing it with the repository');
      const result = repo.check();
      progress.done();
      const warnings = warningsOf(repo);
      const failedStrict = strict && warnings.length > 0;
      const { writes, deletes, conflicts } = result.plan;
      if (json) {
        io.out(`${JSON.stringify({
          command: 'synth --check', clean: result.clean && !failedStrict, upToDate: result.clean,
          write: writes.map(w => w.path), remove: deletes.map(d => d.path), conflicts: [...conflicts],
          unchanged: result.plan.unchanged, warnings, problems: [], diff: result.diff,
        }, null, 2)}\n`);
      } else {
        io.err(formatWarnings(warnings));
        if (result.clean) io.out(`Layout is up to date (${result.plan.unchanged} files).\n`);
        else {
          io.out(result.diff);
          io.err(`\nThe committed layout differs from a fresh synth: ${writes.length} to write, ${deletes.length} to remove, ${conflicts.length} in conflict. Run \`npm run synth\` and commit the result.\n`);
        }
        if (failedStrict) io.err(`--strict: ${warnings.length} warning${warnings.length === 1 ? '' : 's'} above count as problems.\n`);
      }
      return result.clean && !failedStrict ? ExitCode.CLEAN : ExitCode.FINDINGS;
    }
    if (strict) {
      // a warning must stop the synth before anything is written
      progress.step('synthesizing the fleet');
      repo.synthModel();
      const warnings = warningsOf(repo);
      if (warnings.length > 0) {
        progress.done();
        if (json) io.out(`${JSON.stringify({ command: 'synth', written: false, warnings, problems: [] }, null, 2)}\n`);
        else io.err(`${formatWarnings(warnings)}--strict: ${warnings.length} warning${warnings.length === 1 ? '' : 's'} above count as problems; nothing was written.\n`);
        return ExitCode.FINDINGS;
      }
    }
    progress.step('synthesizing the fleet');
    const plan = repo.write({ afterStaged: () => progress.step('writing the layout') });
    progress.done();
    const warnings = warningsOf(repo);
    if (json) {
      io.out(`${JSON.stringify({ command: 'synth', written: true, write: plan.writes.map(w => w.path), remove: plan.deletes.map(d => d.path), unchanged: plan.unchanged, warnings, problems: [] }, null, 2)}\n`);
    } else {
      io.err(formatWarnings(warnings));
      io.out(`Synthesized the layout into ${repo.rootDir}: ${plan.writes.length} written, ${plan.deletes.length} removed, ${plan.unchanged} unchanged.\n`);
    }
    return ExitCode.CLEAN;
  } catch (e) {
    progress.done();
    if (json && e instanceof FleetValidationError) {
      io.out(`${JSON.stringify({ command: values.check ? 'synth --check' : 'synth', clean: false, problems: e.problems, warnings: warningsOf(repo) }, null, 2)}\n`);
      return ExitCode.FINDINGS;
    }
    io.err(describeFailure('synth', e, values.verbose === true));
    return exitCodeOf(e);
  }
}
