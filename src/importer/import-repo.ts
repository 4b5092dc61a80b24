import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FleetProblem } from '../core/errors';
import { GitOpsRepo } from '../fleet/gitops-repo';
import { chooseWays } from './build';
import { compareRepositories, RepositoryComparison } from './compare';
import { emitFleet } from './emit';
import { ImportedAs, markerNote, Plan, planImport, PlannedObject, sealedStore } from './plan';
import { readSourceRepo } from './source-repo';

/** Options of `importRepository`. */
export interface ImportOptions {
  /**
   * Each cluster's Sealed Secrets certificate (PEM text), by cluster name, for clusters whose
   * certificate the repository does not hold.
   * @default the certificates the repository holds (`*.pem`, `*.crt` named after the cluster, or its only one)
   */
  readonly certificates?: Readonly<Record<string, string>>;
  /**
   * Also build every directory each cluster applies with `kubectl kustomize`, on both sides.
   * @default true when kubectl is on the PATH
   */
  readonly kubectl?: boolean;
  /**
   * CustomResourceDefinitions (parsed YAML documents) whose kinds the repository uses without carrying
   * them: their objects are written with the classes `cdk8s import` generates.
   * @default only the CRDs the repository carries
   */
  readonly crds?: readonly Record<string, any>[];
}

/** What an import produced. */
export interface ImportResult {
  /**
   * The plan: directories, components, objects and how each is written.
   * @internal
   */
  readonly plan: Plan;
  /** Every file to write into the output directory (code, stores, certificates, the layout, the report), by path. */
  readonly files: ReadonlyMap<string, string>;
  /** The comparison of what each cluster applies, original against generated; undefined when the fleet does not synthesize. */
  readonly comparison?: RepositoryComparison;
  /** Why the generated fleet could not be synthesized at all, if it could not (the comparison is then missing). */
  readonly problems: readonly FleetProblem[];
  /**
   * What the library's checks find in the original itself and refuse (not rules, which are
   * suppressed with a reason): the generated fleet synthesizes once they are fixed in its code.
   */
  readonly findings: readonly FleetProblem[];
  /**
   * Why objects are written less typed than the library could, by object.
   * @internal
   */
  readonly downgrades: ReadonlyMap<PlannedObject, readonly string[]>;
  /** The import report (Markdown), also in `files` as IMPORT-REPORT.md. */
  readonly report: string;
}

/**
 * Imports a Flux repository: plans a fleet of typed constructs that reproduces it, chooses for
 * each object the most typed way that renders it exactly, synthesizes the fleet into a temporary
 * directory, and compares per cluster what Flux would apply from the original and from the
 * synthesized layout. Writes nothing: `files` holds what to write (see `writeImport`).
 */
export function importRepository(sourceDir: string, options: ImportOptions = {}): ImportResult {
  const source = readSourceRepo(path.resolve(sourceDir));
  const plan = planImport(source, { certificates: options.certificates, crds: options.crds });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-flux-import-'));
  try {
    const support = supportFiles(plan, tmp);
    for (const [p, content] of support) {
      fs.mkdirSync(path.dirname(path.join(tmp, p)), { recursive: true });
      fs.writeFileSync(path.join(tmp, p), content);
    }
    const choice = chooseWays(plan, tmp);
    let comparison: RepositoryComparison | undefined;
    const layout = new Map<string, string>();
    if (choice.problems.length === 0) {
      choice.fleet.repo.write();
      comparison = compareRepositories(
        { rootDir: source.rootDir, clusters: plan.originalClusters },
        { rootDir: tmp, clusters: plan.generatedClusters },
        { directoryMap: plan.directoryMap },
        { kubectl: options.kubectl },
      );
      for (const root of GitOpsRepo.MANAGED_ROOTS) for (const f of listFiles(tmp, root)) layout.set(f, fs.readFileSync(path.join(tmp, f), 'utf8'));
    }
    const code = emitFleet(plan);
    const report = importReport(path.basename(source.rootDir), plan, choice.downgrades, comparison, choice.problems, choice.findings);
    const files = new Map<string, string>([...layout, ...support, ...code, ...plan.crdClasses.files, ...projectFiles(), ['IMPORT-REPORT.md', report]]);
    return { plan, files: new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), comparison, problems: choice.problems, findings: choice.findings, downgrades: choice.downgrades, report };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Writes an import's files into a directory that must be new or empty (a `.git` directory is fine): nothing a team owns is overwritten. */
export function writeImport(result: ImportResult, outDir: string): void {
  const existing = fs.existsSync(outDir) ? fs.readdirSync(outDir).filter(f => f !== '.git') : [];
  if (existing.length > 0) {
    throw new Error(`${outDir} is not empty (it has ${existing.slice(0, 3).join(', ')}${existing.length > 3 ? '…' : ''}): give import a new or empty directory with --out, so that nothing of yours is overwritten`);
  }
  for (const [p, content] of result.files) {
    fs.mkdirSync(path.dirname(path.join(outDir, p)), { recursive: true });
    fs.writeFileSync(path.join(outDir, p), content);
  }
}

/** The files the fleet reads besides its code: files kept as they were, the sealed stores and their certificates. */
function supportFiles(plan: Plan, tmp: string): Map<string, string> {
  const out = new Map<string, string>(plan.existingFiles);
  for (const e of plan.environments) {
    if (!e.store) continue;
    const file = path.join(tmp, '.stores', `${e.name}.yaml`);
    sealedStore(e.name, e.store.certificate, file, e.store.sealed).save();
    out.set(`sealed-secrets/${e.name}.yaml`, fs.readFileSync(file, 'utf8'));
    out.set(`sealed-secrets/certs/${e.name}.pem`, e.store.certificate);
  }
  return out;
}

/** What makes the output a project: cdk8s.yaml (for the launcher) and a tsconfig.json. */
function projectFiles(): Map<string, string> {
  return new Map([
    ['cdk8s.yaml', '# cdk8s-flux runs `app` with its command appended (cdk8s-flux synth → `npx tsx src/main.ts synth`).\nlanguage: typescript\napp: npx tsx src/main.ts\noutput: .cdk8s-out\n'],
    ['tsconfig.json', `${JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'commonjs', moduleResolution: 'node', lib: ['ES2022'], types: ['node'], strict: true,
        noImplicitReturns: true, noFallthroughCasesInSwitch: true, forceConsistentCasingInFileNames: true, esModuleInterop: true, skipLibCheck: true, noEmit: true,
      },
      include: ['src/**/*.ts'],
    }, null, 2)}\n`],
  ]);
}

function listFiles(root: string, rel: string): string[] {
  const dir = path.join(root, rel);
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => (e.isDirectory() ? listFiles(root, `${rel}/${e.name}`) : e.isFile() ? [`${rel}/${e.name}`] : []));
}

/** The import report: the comparison per cluster, every difference, every fallback, everything not carried over. */
export function importReport(
  name: string, plan: Plan, downgrades: ReadonlyMap<PlannedObject, readonly string[]>, comparison: RepositoryComparison | undefined,
  problems: readonly FleetProblem[], findings: readonly FleetProblem[] = [],
): string {
  const lines: string[] = [`# Import report: ${name}`, ''];
  lines.push('`cdk8s-flux import` wrote this fleet from the repository, synthesized it into a temporary directory, and compared, per cluster, what Flux would apply from the original and from the synthesized layout (the model of what each cluster applies' + (comparison?.kubectl ? ', and `kubectl kustomize` of every directory each cluster applies' : '') + '). Objects are compared by identity and content; where files live does not matter. Flux API versions are raised to the ones Flux 2.9 serves, and a Kustomization\'s `spec.path` follows its directory: neither counts as a difference. `null` fields (kubeseal\'s `creationTimestamp: null`) and what the API server reads as absent (a Namespace\'s empty `spec`, a ConfigMap\'s `immutable: false`, a ServiceAccount\'s `automountServiceAccountToken: true`, a SealedSecret template\'s type `Opaque`) are left out on both sides.', '');
  if (problems.length > 0) {
    lines.push('## The generated fleet could not be synthesized', '', ...problems.map(p => `- \`${p.path}\`: ${p.message}`), '');
  }
  if (findings.length > 0) {
    lines.push(`## Findings of the original (${findings.length}): fix them in the code before the first synth`, '',
      'The library\'s checks refuse these in the original repository as it is; the comparison below was made with the checks off. `cdk8s-flux synth` fails until they are fixed:', '',
      ...findings.map(p => `- \`${p.path}\`: ${p.message}`), '');
  }
  const suppressed = plan.objects.filter(o => o.suppressions.size > 0);
  if (suppressed.length > 0) {
    lines.push('## Rules suppressed', '', 'The original breaks these rules of the library; each is suppressed on its object (`Rules.suppress`, with a reason) so that the fleet is what the original is. Review each, fix it and remove the suppression:', '',
      ...suppressed.flatMap(o => [...o.suppressions.keys()].map(r => `- \`${o.source}\` ${String(o.doc.kind)} ${String(o.doc.metadata?.name)}: ${r}`)), '');
  }
  if (comparison) {
    lines.push('## Clusters', '', '| cluster | objects (original) | objects (generated) | equal | API version raised |', '|---|---|---|---|---|');
    for (const c of comparison.clusters) lines.push(`| ${c.cluster} | ${c.original} | ${c.generated} | ${c.equal} | ${c.upgraded} |`);
    lines.push('', `## Differences (${comparison.differences.length})`, '');
    if (comparison.differences.length === 0) lines.push('None: every cluster applies the same objects from the generated fleet as from the original.');
    for (const d of comparison.differences) lines.push(`- ${d.cluster}: \`${d.object}\` ${d.message} (${d.by})`);
    lines.push('');
    if (comparison.unconfirmed.length > 0) {
      lines.push(`## The model and kubectl kustomize disagree (${comparison.unconfirmed.length})`, '', 'The model found these objects different, but kubectl kustomize built them equal on both sides (the model reads kustomize differently there); not counted as differences:', '',
        ...comparison.unconfirmed.map(d => `- ${d.cluster}: \`${d.object}\` ${d.message}`), '');
    }
    const modelProblems = comparison.clusters.flatMap(c => c.problems.map(p => `- ${c.cluster}: ${p}`));
    if (modelProblems.length > 0) lines.push('## What the model could not build', '', 'These parts of a build are not in the model\'s comparison (kubectl kustomize, where it ran, saw them):', '', ...[...new Set(modelProblems)], '');
  }
  const counts = new Map<string, number>();
  for (const o of plan.objects) counts.set(o.ways[o.level].as, (counts.get(o.ways[o.level].as) ?? 0) + 1);
  lines.push('## How each object is written', '');
  for (const as of Object.values(ImportedAs)) lines.push(`- ${as}: ${counts.get(as) ?? 0}`);
  lines.push(`- files kept as they are (ExistingFile): ${plan.existingFiles.size}`, '');
  const fallbacks = plan.objects.filter(o => o.ways[o.level].as !== ImportedAs.LIBRARY);
  if (fallbacks.length > 0) {
    lines.push('### Fallbacks', '', 'Objects not written with a library construct, and why:', '');
    for (const o of fallbacks) {
      const why = [...o.ways[o.level].because, ...downgrades.get(o) ?? []];
      const way = o.ways[o.level];
      const generated = way.cls.module.startsWith('../imports/') ? ` (${way.cls.name} of src/imports/${way.cls.module.slice('../imports/'.length)}.ts, which cdk8s import generated from its CRD)` : '';
      lines.push(`- \`${o.source}\` ${String(o.doc.kind)} ${String(o.doc.metadata?.name)} → ${way.as}${generated}${why.length > 0 ? `: ${why.join('; ')}` : ''}`);
    }
    lines.push('');
  }
  // the markers the chosen way of their object does not write as setter calls
  const markerNotes = plan.objects.flatMap(o => (o.markers ?? []).filter((_, i) => !(o.ways[o.level].carried ?? []).includes(i))
    .map(m => ({ where: `${o.source.slice(0, o.source.lastIndexOf('#'))}:${m.line}`, message: markerNote(m) })));
  const notes = [...plan.notes, ...markerNotes];
  if (notes.length > 0) {
    lines.push('## Not carried over as it was', '', ...notes.map(n => `- \`${n.where}\`: ${n.message}`), '');
  }
  const stores = plan.environments.filter(e => e.store);
  lines.push('## Sealed secrets', '');
  if (stores.length === 0) lines.push('No sealed store: the repository holds no certificate of a cluster that applies SealedSecrets (pass --cert <cluster>=<file> with `kubeseal --fetch-cert` output to move them into stores).');
  for (const e of stores) lines.push(`- ${e.name}: ${e.store!.sealed.length} SealedSecret(s) moved into sealed-secrets/${e.name}.yaml, ciphertext unchanged, with the certificate sealed-secrets/certs/${e.name}.pem`);
  lines.push('', '## Next', '', 'Review the code under src/, commit it together with the synthesized layout (clusters/, infrastructure/, apps/), and switch CI to `cdk8s-flux synth --check`.', '');
  return lines.join('\n');
}
