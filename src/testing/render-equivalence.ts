import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { clusterContents } from '../flux/cluster-contents';
import { GitOpsRepo } from '../fleet/gitops-repo';
import { objectId } from '../core/layout-model';
import { documentDifferences } from '../fleet/environment-diff';
import { deepEqual } from '../core/json-values';

/** One directory whose kustomize output differs from what the fleet code says. */
export interface RenderMismatch {
  /** The environment whose cluster applies the directory. */
  readonly environment: string;
  /** Repository path of the directory. */
  readonly directory: string;
  /** What differs, one line per object. */
  readonly problems: readonly string[];
}

/** One directory built with kubectl kustomize. */
export interface CheckedDirectory {
  /** The environment whose cluster applies it. */
  readonly environment: string;
  /** Its repository path. */
  readonly directory: string;
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
 * Proves that the files on disk say what the code says: for every registered environment, builds
 * each directory its cluster applies (the cluster directory and every Flux Kustomization's path)
 * with `kubectl kustomize` from `repo.rootDir`, and compares the output, object by object and
 * ignoring order, with the library's effective objects of that directory (every patch applied).
 * A patch that matches nothing, a patch that kustomize merges differently, a hand edit: each
 * shows up as a mismatch. Write the layout first (`repo.write()`); needs kubectl on the PATH.
 */
export function renderEquivalence(repo: GitOpsRepo): RenderEquivalence {
  const { analysis } = repo.synthModel();
  const checked: { environment: string; directory: string; objects: number }[] = [];
  const mismatches: RenderMismatch[] = [];
  for (const { env, cluster } of repo.environments) {
    const directories = [...new Set(clusterContents(cluster, analysis).applications.map(a => a.directory))];
    for (const dir of directories) {
      const expected = new Map([...analysis.effectiveBuild(dir).values()].map(e => [objectId(e.doc), e.doc]));
      const actual = kustomizeBuild(path.join(repo.rootDir, dir.repoPath));
      const problems = compareBuilds(expected, actual);
      checked.push({ environment: env.name, directory: dir.repoPath, objects: actual.size });
      if (problems.length > 0) mismatches.push({ environment: env.name, directory: dir.repoPath, problems });
    }
  }
  return { checked, mismatches };
}

/** Runs `kubectl kustomize` on a directory and returns its objects by identity. */
export function kustomizeBuild(dir: string): Map<string, Record<string, unknown>> {
  const result = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
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
