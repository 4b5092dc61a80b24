import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { GitOpsRepo } from '../fleet/gitops-repo';
import { objectId } from '../core/model/identity';
import { BuildOverlay, KustomizeBuilder } from '../core/model/kustomize-build';
import { documentDifferences } from '../fleet/environment-diff';
import { deepEqual } from '../core/json-values';

/** One directory whose kustomize output differs from what the fleet code says. */
export interface RenderMismatch {
  /** The environment whose cluster applies the directory. */
  readonly environment: string;
  /** Repository path of the directory. */
  readonly directory: string;
  /** Who applies it: `clusters/<name>`, or the Flux Kustomization whose namespace and patches the build includes. */
  readonly appliedBy: string;
  /** What differs, one line per object. */
  readonly problems: readonly string[];
}

/** One directory built with kubectl kustomize. */
export interface CheckedDirectory {
  /** The environment whose cluster applies it. */
  readonly environment: string;
  /** Its repository path. */
  readonly directory: string;
  /** Who applies it: `clusters/<name>`, or the Flux Kustomization whose namespace and patches the build includes. */
  readonly appliedBy: string;
  /** How many objects kustomize built. */
  readonly objects: number;
}

/** Result of `renderEquivalence`. */
export interface RenderEquivalence {
  /** Directories built with kubectl kustomize, per environment. */
  readonly checked: readonly CheckedDirectory[];
  /** Directories whose output differs from the library's model (empty: the overlays say what the code says). */
  readonly mismatches: readonly RenderMismatch[];
}

/** Whether `kubectl` (with its built-in kustomize) can be run here. */
export function kubectlAvailable(): boolean {
  return spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
}

/**
 * Proves that the files on disk say what the model says: for every registered environment, builds
 * each directory its cluster applies (the cluster directory and every Flux Kustomization's path)
 * with `kubectl kustomize` from `repo.rootDir`, the way kustomize-controller does (its
 * `targetNamespace` and `spec.patches` merged into the directory's kustomization, or one generated
 * for a directory that has none), and compares the output, object by object and ignoring order,
 * with the model's objects of that build (before post-build substitution, which is Flux's, not
 * kustomize's). A patch that matches nothing, a patch that kustomize merges differently, a hand
 * edit, a file the user added: each shows up as a mismatch. Write the layout first
 * (`repo.write()`); needs kubectl on the PATH.
 */
export function renderEquivalence(repo: GitOpsRepo): RenderEquivalence {
  const { model } = repo.synthModel();
  const checked: CheckedDirectory[] = [];
  const mismatches: RenderMismatch[] = [];
  for (const { env, cluster } of repo.environments) {
    const contents = model.clusters.find(c => c.directory === cluster.repoPath);
    for (const build of contents?.builds ?? []) {
      const expected = new Map(build.applications.map(a => [objectId(a.built.doc), a.built.doc]));
      const actual = fluxBuild(repo.rootDir, build.directory, build.overlay, model.builder);
      const problems = compareBuilds(expected, actual);
      checked.push({ environment: env.name, directory: build.directory, appliedBy: build.by, objects: actual.size });
      if (problems.length > 0) mismatches.push({ environment: env.name, directory: build.directory, appliedBy: build.by, problems });
    }
  }
  return { checked, mismatches };
}

/**
 * Builds a directory with `kubectl kustomize` as kustomize-controller would for a Kustomization
 * with `overlay`: its own kustomization with the namespace replaced and the patches appended, in
 * a temporary directory that refers back to the directory's files.
 */
export function fluxBuild(rootDir: string, directory: string, overlay: BuildOverlay | undefined, builder: KustomizeBuilder): Map<string, Record<string, unknown>> {
  const dir = path.join(rootDir, directory);
  if (!overlay || (!overlay.namespace && (overlay.patches ?? []).length === 0 && fs.existsSync(path.join(dir, 'kustomization.yaml')))) return kustomizeBuild(dir);
  // the kustomization the model built from (kustomize-controller's generated one for a directory without)
  const own = builder.kustomizationOrGenerated(directory)?.doc ?? {};
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-flux-build-'));
  try {
    const rel = (p: string) => path.relative(tmp, path.join(dir, p));
    const k: Record<string, unknown> = { ...own };
    k.resources = (Array.isArray(own.resources) ? own.resources : []).map(r => rel(String(r)));
    const patches = (Array.isArray(own.patches) ? own.patches : []).map(p => (typeof p?.path === 'string' ? { ...p, path: rel(p.path) } : p));
    for (const p of overlay.patches ?? []) patches.push({ patch: typeof p.patch === 'string' ? p.patch : JSON.stringify(p.patch), ...p.target ? { target: p.target } : {} });
    if (patches.length > 0) k.patches = patches;
    if (Array.isArray(own.patchesStrategicMerge)) k.patchesStrategicMerge = own.patchesStrategicMerge.map(p => (typeof p === 'string' && !p.includes('\n') ? rel(p) : p));
    if (Array.isArray(own.patchesJson6902)) k.patchesJson6902 = own.patchesJson6902.map(p => (typeof p?.path === 'string' ? { ...p, path: rel(p.path) } : p));
    if (overlay.namespace) k.namespace = overlay.namespace;
    fs.writeFileSync(path.join(tmp, 'kustomization.yaml'), stringify(k));
    return kustomizeBuild(tmp, ['--load-restrictor', 'LoadRestrictionsNone']);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Runs `kubectl kustomize` on a directory and returns its objects by identity. */
export function kustomizeBuild(dir: string, args: readonly string[] = []): Map<string, Record<string, unknown>> {
  const result = spawnSync('kubectl', ['kustomize', ...args, dir], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.error) throw new Error(`cannot run kubectl: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${result.stderr}`);
  const docs = parseAllDocuments(result.stdout).map(d => d.toJS() as Record<string, unknown>).filter(d => d !== null);
  return new Map(docs.map(d => [objectId(d), d]));
}

/** Compares a model build with a kustomize build, returning one line per difference. */
export function compareBuilds(expected: ReadonlyMap<string, unknown>, actual: ReadonlyMap<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [id, doc] of expected) {
    const built = actual.get(id);
    if (built === undefined) problems.push(`${id}: in the model, missing from the kustomize output`);
    else if (!deepEqual(doc, built)) problems.push(`${id}: differs: ${describeFirst(doc, built)}`);
  }
  for (const id of actual.keys()) {
    if (!expected.has(id)) problems.push(`${id}: in the kustomize output, not in the model`);
  }
  return problems;
}

function describeFirst(model: unknown, built: unknown): string {
  const [first] = documentDifferences(model, built);
  return `${first.path || '(document)'}: model ${JSON.stringify(first.from)}, kustomize ${JSON.stringify(first.to)}`;
}
