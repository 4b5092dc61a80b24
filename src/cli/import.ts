import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { importRepository, writeImport } from '../importer/import-repo';
import { CommandSpec, ExitCode, formatUsage, parseSpec } from './args';
import { SynthIo } from './synth';
import { PackageManifest, packageNameOf, scaffoldManifest } from './init';

/** The import command's interface. */
export const IMPORT_COMMAND: CommandSpec = {
  name: 'import',
  summary: 'turn an existing Flux repository into a typed fleet, proven equal (cdk8s-flux import <repo>)',
  synopsis: '<repo> [--out <dir>] [--cert <cluster>=<file>]… [--crd <file>]… [--strict] [--no-kubectl]',
  description: `Reads a Flux repository (clusters/<cluster>/, infrastructure/, apps/, tenants/, base and overlays,
or flat per-cluster directories) and writes into dir (default: the current directory, which must be
empty; a .git directory is fine) a TypeScript fleet that uses this library: one file per directory
of the repository (src/components/), its directories as LayoutDirectory and its files as
ManifestFile (src/layout.ts), one environment per cluster (src/environments.ts), overlays' patches,
the library's constructs for every Flux kind and SealedSecret, cdk8s-plus for the built-in kinds it
writes unchanged, the classes cdk8s import generates for the CRDs the repository carries (or --crd
names), and ApiObject only where nothing typed has the kind. SealedSecrets move into the
sealed store of the cluster that applies them (sealed-secrets/<cluster>.yaml), ciphertext unchanged,
when the repository (or --cert) has that cluster's certificate.
It then synthesizes the fleet into a temporary directory and compares, per cluster, what Flux would
apply from the original and from the synthesized layout (the model of what each cluster applies,
and kubectl kustomize when it is on the PATH), and writes IMPORT-REPORT.md: every difference, every
fallback and why, every rule of the library the original breaks (suppressed, to review).
Also writes package.json (as init does; npm test runs tsc and synth --check --strict), tsconfig.json and cdk8s.yaml.
Then: review, commit the code and the layout together, and switch CI to cdk8s-flux synth --check.
Exit code 1: with --strict, a difference, or a finding the generated fleet's synth refuses.`,
  flags: {
    'out': { type: 'string', valueName: 'DIR', complete: 'directory', description: 'where to write the fleet (default: the current directory); new or empty' },
    'cert': { type: 'string', multiple: true, valueName: 'CLUSTER=FILE', complete: 'file', description: 'the Sealed Secrets certificate of a cluster (kubeseal --fetch-cert), when the repository has none (repeatable)' },
    'crd': { type: 'string', multiple: true, valueName: 'FILE', complete: 'file', description: 'CustomResourceDefinitions of kinds the repository uses but does not carry: their objects are written with classes cdk8s import generates (repeatable)' },
    'strict': { type: 'boolean', description: 'exit 1 on any difference or finding' },
    'no-kubectl': { type: 'boolean', description: 'compare with the model only, even when kubectl is on the PATH' },
  },
  positionals: { name: 'REPO', min: 1, max: 1, complete: 'directory' },
};

/** Runs the import command; returns the exit code (0 imported, 1 differences with --strict, 2 a usage error or an import that could not run). */
export function runImport(argv: readonly string[], io: SynthIo, cwd: string = process.cwd()): number {
  let parsed;
  try {
    parsed = parseSpec(IMPORT_COMMAND, argv);
  } catch (e) {
    io.err(`${(e as Error).message}\n`);
    return ExitCode.ERROR;
  }
  if (parsed.values.help) {
    io.out(`${formatUsage(IMPORT_COMMAND)}\n`);
    return ExitCode.CLEAN;
  }
  const source = path.resolve(cwd, parsed.positionals[0]);
  const out = path.resolve(cwd, (parsed.values.out as string | undefined) ?? '.');
  if (!fs.existsSync(source) || !fs.statSync(source).isDirectory()) {
    io.err(`import: ${source} is not a directory: give the root of a Flux repository (a checkout)\n`);
    return ExitCode.ERROR;
  }
  const certificates: Record<string, string> = {};
  for (const spec of (parsed.values.cert as string[] | undefined) ?? []) {
    const at = spec.indexOf('=');
    if (at <= 0) {
      io.err(`import: --cert ${JSON.stringify(spec)} is not CLUSTER=FILE (e.g. --cert cluster-dev=pub-cert.pem)\n`);
      return ExitCode.ERROR;
    }
    const file = path.resolve(cwd, spec.slice(at + 1));
    if (!fs.existsSync(file)) {
      io.err(`import: --cert ${spec}: ${file} does not exist\n`);
      return ExitCode.ERROR;
    }
    certificates[spec.slice(0, at)] = fs.readFileSync(file, 'utf8');
  }
  const crds: Record<string, unknown>[] = [];
  for (const file of (parsed.values.crd as string[] | undefined) ?? []) {
    const at = path.resolve(cwd, file);
    if (!fs.existsSync(at)) {
      io.err(`import: --crd ${file}: ${at} does not exist\n`);
      return ExitCode.ERROR;
    }
    crds.push(...parseAllDocuments(fs.readFileSync(at, 'utf8')).map(d => d.toJS() as Record<string, unknown>).filter(d => d?.kind === 'CustomResourceDefinition'));
  }
  const result = importRepository(source, { certificates, crds, kubectl: parsed.values['no-kubectl'] ? false : undefined });
  try {
    writeImport(result, out);
    // a package as init makes one, whose test is the check CI runs from now on
    const self = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as PackageManifest;
    const manifest = scaffoldManifest(packageNameOf(path.basename(out)), `^${self.version}`, self);
    manifest.scripts = { ...manifest.scripts as object, test: 'tsc --noEmit && cdk8s-flux synth --check --strict' };
    fs.writeFileSync(path.join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  } catch (e) {
    io.err(`import: ${(e as Error).message}\n`);
    return ExitCode.ERROR;
  }
  const c = result.comparison;
  const lines = [
    `Imported ${path.relative(cwd, source) || '.'} into ${path.relative(cwd, out) || '.'}: ${result.plan.components.length} components, ${result.plan.objects.length} objects, ${result.plan.environments.length} environments; see IMPORT-REPORT.md.`,
  ];
  if (c) {
    for (const k of c.clusters) lines.push(`  ${k.cluster}: ${k.equal} of ${k.original} objects equal (${k.generated} generated)`);
    lines.push(c.differences.length === 0 ? 'Every cluster applies the same objects.' : `${c.differences.length} difference(s):`);
    for (const d of c.differences) lines.push(`  ${d.cluster}: ${d.object} ${d.message}`);
  } else {
    lines.push('The generated fleet could not be synthesized, so nothing was compared:', ...result.problems.map(p => `  [${p.path}] ${p.message}`));
  }
  if (result.findings.length > 0) {
    lines.push(`${result.findings.length} finding(s) of the original that synth refuses until they are fixed in the code (IMPORT-REPORT.md lists them).`);
  }
  io.out(`${lines.join('\n')}\n`);
  if (!c) return ExitCode.FINDINGS;
  return parsed.values.strict && (c.differences.length > 0 || result.findings.length > 0) ? ExitCode.FINDINGS : ExitCode.CLEAN;
}
