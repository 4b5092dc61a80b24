import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { FleetValidationError } from '../core/errors';
import { GitOpsRepo } from '../fleet/gitops-repo';
import { validatorFor } from '../validation/schema-check';
import { SynthIo } from './synth';

/** Help of the validate command. */
export const VALIDATE_USAGE = `Usage: cdk8s-flux validate [--chart-schemas <dir>] [--verbose]      (npm run validate -- …)

Validates the whole fleet, writing nothing: every object of every file synth would write, and every
object as each overlay's patches leave it, against its CRD's schema (strictly: unknown fields are
errors), together with all other synth checks.

  --chart-schemas DIR   also check HelmRelease values against DIR/<chart>.values.schema.json
  --verbose             print stack traces of unexpected errors
  --help                show this help

Exit codes: 0 valid, 1 invalid, 2 a usage error or anything else that failed.`;

/** Runs the validate command; returns the exit code (0 valid, 1 invalid, 2 a usage error or anything else that failed). */
export function runValidate(repo: GitOpsRepo, argv: readonly string[], io: SynthIo): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(`${VALIDATE_USAGE}\n`);
    return 0;
  }
  const at = argv.indexOf('--chart-schemas');
  const chartSchemas = at >= 0 ? argv[at + 1] : undefined;
  const unknown = argv.filter((a, i) => a !== '--verbose' && (at < 0 || (i !== at && i !== at + 1)));
  if (unknown.length > 0 || (at >= 0 && !chartSchemas)) {
    io.err(`${unknown.length > 0 ? `Unknown argument: ${unknown[0]}` : '--chart-schemas needs a directory'} (cdk8s-flux validate --help lists the options)\n`);
    return 2; // a usage error; 1 means an invalid fleet
  }
  if (chartSchemas && !fs.statSync(chartSchemas, { throwIfNoEntry: false })?.isDirectory()) {
    io.err(`--chart-schemas ${chartSchemas} is not a directory: create it and vendor each chart's values.schema.json there as <chart>.values.schema.json\n`);
    return 2;
  }
  repo.enableSchemaValidation({ chartSchemas });
  const start = performance.now();
  try {
    const { model } = repo.synthModel();
    const validator = validatorFor();
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
    const list = (m: Map<string, number>) => [...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, n]) => `${n} ${k}`).join(', ');
    const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    io.out(`Valid (${(performance.now() - start).toFixed(0)} ms):\n` +
      `  ${total(full)} objects against their CRD schema: ${list(full)}\n` +
      `  ${total(metadataOnly)} core objects, metadata only (no schema here): ${list(metadataOnly) || 'none'}\n` +
      `  ${patches} patches, through the objects they patch\n` +
      `  ${model.clusters.length} clusters, ${applied} objects as they apply them (namespaces, patches and substitutions applied)\n`);
    return 0;
  } catch (e) {
    if (e instanceof FleetValidationError) {
      io.err(`${e.message.replace('; nothing was written', '')}\n`);
      return 1;
    }
    const err = e as Error;
    io.err(argv.includes('--verbose') ? `${err.stack ?? err.message}\n` : `Validation failed: ${err.message}\n(run with --verbose for details)\n`);
    return 2;
  }
}
