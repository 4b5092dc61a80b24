import { scanUserFiles } from '../core/disk-scan';
import { FleetValidationError } from '../core/errors';
import { diffEnvironments, formatEnvironmentDiff } from '../fleet/environment-diff';
import { GitOpsRepo } from '../fleet/gitops-repo';
import { clusterObjects, diffRevisions, formatRevisionMarkdown, formatRevisionText, hasChanges, modelOfFiles, RevisionDiff } from '../fleet/revision-diff';
import { ExitCode, formatUsage, parseSpec, UsageError } from './args';
import { DIFF_COMMAND } from './command-specs';
import { BaseRevisionError, withRevision } from './base-revision';
import { describeFailure, exitCodeOf } from './failure';
import { Progress } from './progress';
import { SynthIo } from './synth';

export { DIFF_COMMAND };

/** Usage of the diff command. */
export const DIFF_USAGE = formatUsage(DIFF_COMMAND);

/** Runs the diff command; returns the exit code. */
export function runDiff(repo: GitOpsRepo, argv: readonly string[], io: SynthIo): number {
  let parsed;
  try {
    parsed = parseSpec(DIFF_COMMAND, argv);
    if (!parsed.values.help) {
      if (parsed.values.json && parsed.values.output !== undefined && parsed.values.output !== 'json') throw new UsageError(`diff: --json and --output ${String(parsed.values.output)} contradict each other (cdk8s-flux diff --help lists the options)`);
      if (parsed.values.base !== undefined && parsed.positionals.length > 0) throw new UsageError('diff: give either --base <git-ref> or two environments, not both (cdk8s-flux diff --help lists the options)');
      if (parsed.values.base === undefined && parsed.positionals.length !== 2) {
        throw new UsageError(`diff needs --base <git-ref>, or two environments (the fleet defines: ${repo.environments.map(e => e.env.name).join(', ') || 'none'}) (cdk8s-flux diff --help lists the options)`);
      }
      if (parsed.values.base === undefined && parsed.values.output === 'markdown') throw new UsageError('diff: --output markdown is for --base (cdk8s-flux diff --help lists the options)');
    }
  } catch (e) {
    io.err(`${(e as Error).message}\n`);
    return ExitCode.ERROR;
  }
  const v = parsed.values;
  if (v.help) {
    io.out(`${DIFF_USAGE}\n`);
    return ExitCode.CLEAN;
  }
  const output = v.json ? 'json' : (v.output as string | undefined) ?? 'text';
  const progress = new Progress(io);
  try {
    if (v.base !== undefined) {
      const diff = diffAgainstBase(repo, v.base as string, progress);
      progress.done();
      io.out(output === 'json' ? `${JSON.stringify(diff, null, 2)}\n` : output === 'markdown' ? formatRevisionMarkdown(diff) : formatRevisionText(diff));
      return v['exit-code'] && hasChanges(diff) ? ExitCode.FINDINGS : ExitCode.CLEAN;
    }
    const diff = diffEnvironments(repo, parsed.positionals[0], parsed.positionals[1]);
    io.out(output === 'json' ? `${JSON.stringify(diff, null, 2)}\n` : formatEnvironmentDiff(diff));
    return v['exit-code'] && diff.differences.length > 0 ? ExitCode.FINDINGS : ExitCode.CLEAN;
  } catch (e) {
    progress.done();
    if (e instanceof BaseRevisionError) {
      io.err(`${e.message}\n`);
      return ExitCode.ERROR;
    }
    if (e instanceof FleetValidationError) {
      io.err(`The working tree's fleet is invalid, so there is nothing to compare:\n${e.message}\n`);
      return ExitCode.FINDINGS;
    }
    io.err(describeFailure('diff', e, v.verbose === true));
    return exitCodeOf(e);
  }
}

/**
 * What the working tree changes, per cluster, against a git revision: the revision synthesized in
 * a temporary copy, the working tree in memory, both read into the model of what each cluster applies.
 */
export function diffAgainstBase(repo: GitOpsRepo, base: string, progress?: Progress): RevisionDiff {
  const registry = repo.registry();
  progress?.step('synthesizing the working tree');
  const files = new Map<string, string>(repo.synthLayout());
  for (const [p, content] of scanUserFiles(repo.rootDir, repo.managedRoots).foreign) if (content !== undefined && !files.has(p)) files.set(p, content);
  const after = clusterObjects(modelOfFiles(files, registry, repo.rootDir, repo.managedRoots));
  const before = withRevision(repo.rootDir, base, repo.managedRoots,
    revision => {
      progress?.step(`reading what each cluster applies at ${base}`);
      return clusterObjects(modelOfFiles(revision.files, registry, revision.rootDir, repo.managedRoots));
    },
    text => progress?.step(text));
  return diffRevisions(base, 'working tree', before, after);
}
