import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { FleetValidationError } from '../core/errors';
import { formatWarnings, warningsOf } from '../core/warnings';
import { GitOpsRepo } from '../fleet/gitops-repo';
import { validatorFor } from '../validation/schema-check';
import { ExitCode, formatUsage, parseSpec } from './args';
import { VALIDATE_COMMAND } from './command-specs';
import { describeFailure, exitCodeOf } from './failure';
import { Progress } from './progress';
import { SynthIo } from './synth';

export { VALIDATE_COMMAND };

/** Help of the validate command. */
export const VALIDATE_USAGE = formatUsage(VALIDATE_COMMAND);

/** Runs the validate command; returns the exit code (0 valid, 1 invalid, 2 a usage error or anything else that failed). */
export function runValidate(repo: GitOpsRepo, argv: readonly string[], io: SynthIo): number {
  let values;
  try {
    values = parseSpec(VALIDATE_COMMAND, argv).values;
  } catch (e) {
    io.err(`${(e as Error).message}\n`);
    return ExitCode.ERROR;
  }
  if (values.help) {
    io.out(`${VALIDATE_USAGE}\n`);
    return ExitCode.CLEAN;
  }
  const chartSchemas = values['chart-schemas'] as string | undefined;
  const json = values.json === true;
  if (chartSchemas && !fs.statSync(chartSchemas, { throwIfNoEntry: false })?.isDirectory()) {
    io.err(`--chart-schemas ${chartSchemas} is not a directory: create it and vendor each chart's values.schema.json there as <chart>.values.schema.json\n`);
    return ExitCode.ERROR;
  }
  repo.enableSchemaValidation({ chartSchemas });
  const start = performance.now();
  const progress = new Progress(io);
  try {
    progress.step('validating the fleet');
    const { model } = repo.synthModel();
    progress.done();
    const options = repo.schemaValidationOptions();
    const validator = validatorFor(options.crdDirectory, options.crds);
    const full = new Map<string, number>();
    const metadataOnly = new Map<string, number>();
    let patches = 0;
    // what the model holds: every document of the repository (files you own and List items too)
    for (const e of model.documents()) {
      if (/(^|\/)(kustomization\.ya?ml|Kustomization)$/.test(e.source.file)) continue;
      if (e.patch) { patches++; continue; }
      const counts = validator.covers(String(e.doc.apiVersion), String(e.doc.kind)) ? full : metadataOnly;
      counts.set(String(e.doc.kind), (counts.get(String(e.doc.kind)) ?? 0) + 1);
    }
    const applied = model.clusters.reduce((n, c) => n + c.applications.length, 0);
    const warnings = warningsOf(repo);
    const valid = !(values.strict && warnings.length > 0);
    const sorted = (m: Map<string, number>) => [...m].sort(([a], [b]) => (a < b ? -1 : 1));
    const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    if (json) {
      io.out(`${JSON.stringify({
        command: 'validate', valid, problems: [], warnings,
        counts: { schema: Object.fromEntries(sorted(full)), metadataOnly: Object.fromEntries(sorted(metadataOnly)), patches, clusters: model.clusters.length, applied },
      }, null, 2)}\n`);
      return valid ? ExitCode.CLEAN : ExitCode.FINDINGS;
    }
    io.err(formatWarnings(warnings));
    if (!valid) {
      io.err(`--strict: ${warnings.length} warning${warnings.length === 1 ? '' : 's'} above count as problems.\n`);
      return ExitCode.FINDINGS;
    }
    const list = (m: Map<string, number>) => sorted(m).map(([k, n]) => `${n} ${k}`).join(', ');
    io.out(`Valid (${(performance.now() - start).toFixed(0)} ms):\n` +
      `  ${total(full)} objects against their CRD schema: ${list(full)}\n` +
      `  ${total(metadataOnly)} core objects, metadata only (no schema here): ${list(metadataOnly) || 'none'}\n` +
      `  ${patches} patches, through the objects they patch\n` +
      `  ${model.clusters.length} clusters, ${applied} objects as they apply them (namespaces, patches and substitutions applied)\n`);
    return ExitCode.CLEAN;
  } catch (e) {
    progress.done();
    if (e instanceof FleetValidationError) {
      if (json) io.out(`${JSON.stringify({ command: 'validate', valid: false, problems: e.problems, warnings: warningsOf(repo) }, null, 2)}\n`);
      else io.err(`${e.message.replace('; nothing was written', '')}\n`);
      return ExitCode.FINDINGS;
    }
    io.err(describeFailure('validate', e, values.verbose === true));
    return exitCodeOf(e);
  }
}
