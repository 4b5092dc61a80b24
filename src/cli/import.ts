import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { importRepository, writeImport } from '../importer/import-repo';
import { ExitCode, formatUsage, parseSpec } from './args';
import { IMPORT_COMMAND } from './command-specs';
import { SynthIo } from './synth';
import { PackageManifest, packageNameOf, scaffoldManifest } from './init';

export { IMPORT_COMMAND };

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
