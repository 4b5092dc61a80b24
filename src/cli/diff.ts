import { diffEnvironments, formatEnvironmentDiff } from '../fleet/environment-diff';
import { FleetValidationError } from '../core/errors';
import { GitOpsRepo, UnknownEnvironmentError } from '../fleet/gitops-repo';
import { SynthIo } from './synth';

/** Usage of the diff command. */
export const DIFF_USAGE = `Usage: cdk8s-flux diff <envA> <envB> [--json] [--exit-code]   (in this repository: npm run diff -- <envA> <envB>)

Prints what would differ between two environments' clusters: every object each cluster's Flux
applies (its cluster directory and every Kustomization's path, with patches applied and
targetNamespace set), compared object by object and field by field. Writes nothing.

  --json       print the differences as JSON
  --exit-code  exit 1 when the environments differ (like git diff --exit-code)
  --verbose    print stack traces of unexpected errors
  --help       show this help

Exit codes: 0 done (1 with --exit-code when they differ), 2 bad arguments or an invalid fleet.`;

/** Runs the diff command; returns the exit code. */
export function runDiff(repo: GitOpsRepo, argv: readonly string[], io: SynthIo): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(`${DIFF_USAGE}\n`);
    return 0;
  }
  const flags = argv.filter(a => a.startsWith('-'));
  const names = argv.filter(a => !a.startsWith('-'));
  const unknown = flags.filter(f => !['--json', '--exit-code', '--verbose'].includes(f));
  const known = repo.environments.map(e => e.env.name).join(', ');
  if (unknown.length > 0 || names.length !== 2) {
    const problem = unknown.length > 0 ? `Unknown option: ${unknown[0]}` : `diff needs two environments (the fleet defines: ${known || 'none'})`;
    io.err(`${problem} (cdk8s-flux diff --help lists the options)\n`);
    return 2;
  }
  try {
    const diff = diffEnvironments(repo, names[0], names[1]);
    io.out(argv.includes('--json') ? `${JSON.stringify(diff, null, 2)}\n` : formatEnvironmentDiff(diff));
    return argv.includes('--exit-code') && diff.differences.length > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof UnknownEnvironmentError || e instanceof FleetValidationError) {
      io.err(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
