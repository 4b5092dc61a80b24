/**
 * The generated model-equivalence cases (test/model-generated.test.ts): one case mutates a fresh
 * example fleet, writes it, compares the model with `kubectl kustomize` build by build, checks that
 * the files the user owns are in the model, and counts what it exercised.
 */
import * as fs from 'node:fs';
import { Application, ClusterBuild, FleetModel, FleetValidationError, GitOpsRepo } from '../../src';
import { FleetTesting, renderEquivalence, RenderEquivalence } from '../../src/testing';
import { createExampleFleet } from '../../src/example-fleet';
import { FleetMutator, FleetShape, fleetShape, MutationSummary, MutatorOptions, Rng } from './fleet-mutations';

/** What the cases exercised: List items, files the user owns, JSON 6902 patches, Flux targetNamespace and spec.patches, ObjectPatches. */
export interface Counts {
  listItems: number;
  userFiles: number;
  userDirectoryBuilds: number;
  json6902Patches: number;
  targetNamespaceBuilds: number;
  fluxPatchBuilds: number;
  objectPatches: number;
}

/** No feature counted yet. */
export function noCounts(): Counts {
  return { listItems: 0, userFiles: 0, userDirectoryBuilds: 0, json6902Patches: 0, targetNamespaceBuilds: 0, fluxPatchBuilds: 0, objectPatches: 0 };
}

let shapeCache: FleetShape | undefined;

/** The unmodified example fleet's shape (the same for every fresh fleet): computed once. */
export function exampleShape(): FleetShape {
  if (!shapeCache) {
    const rootDir = FleetTesting.tempDir();
    try {
      shapeCache = fleetShape(createExampleFleet({ rootDir }));
    } finally {
      fs.rmSync(rootDir, { recursive: true, force: true });
    }
  }
  return shapeCache;
}

/** One generated case: mutate, write, compare with kubectl, check that the user's files are visible, count what was exercised. */
export function runCase(seed: number, rootDir: string, shape: FleetShape, options: MutatorOptions = {}): { failures: string[]; counts?: Counts } {
  const rng = new Rng(seed);
  const repo = createExampleFleet({ rootDir });
  const mutator = new FleetMutator(repo, shape, rng, options);
  mutator.mutate(rng.int(3, 6));
  const header = (what: string) => `seed ${seed}:${what ? ` ${what}` : ''}\n  mutations:\n${mutator.log.map(l => `    - ${l}`).join('\n')}`;

  try {
    repo.write();
  } catch (e) {
    if (!(e instanceof FleetValidationError)) throw e;
    return { failures: [`${header('synth refused the generated fleet')}\n  problems:\n${e.problems.map(p => `    [${p.path}] ${p.message}`).join('\n')}`] };
  }
  let result: RenderEquivalence;
  try {
    result = renderEquivalence(repo);
  } catch (e) {
    return { failures: [`${header('kubectl kustomize could not build the written repository')}\n  ${(e as Error).message.split('\n').slice(0, 6).join('\n  ')}`] };
  }
  const problems: string[] = [];
  for (const m of result.mismatches) {
    problems.push(`  [${m.environment}] ${m.directory}: the model differs from kubectl kustomize${m.problems.length > 5 ? ` (first 5 of ${m.problems.length} differences)` : ''}:`);
    problems.push(...m.problems.slice(0, 5).map(p => `    ${p}`));
  }
  const { model } = repo.synthModel();
  problems.push(...visibility(repo, model, mutator).map(p => `  a file the user owns is not in the model as it should be: ${p}`));
  const failures = problems.length > 0 ? [`${header('')}\n${problems.join('\n')}`] : [];
  return { failures, counts: countFeatures(repo, model, result, mutator) };
}

/** Each environment's cluster model, by environment name. */
function clustersByEnv(repo: GitOpsRepo, model: FleetModel) {
  return new Map(repo.environments.map(e => [e.env.name, model.clusters.find(c => c.directory === e.cluster.repoPath)!]));
}

/**
 * Hand-added files are not invisible: every object of every file the generator wrote by hand is
 * an application of each cluster that applies it, from that file, with the ExistingFile as its
 * origin (or none, in a directory the user owns); and every application from a file the user owns
 * is one the generator wrote.
 */
function visibility(repo: GitOpsRepo, model: FleetModel, summary: MutationSummary): string[] {
  const problems: string[] = [];
  const clusters = clustersByEnv(repo, model);
  const expected = new Map(summary.userFiles.map(f => [f.path, f]));
  for (const f of summary.userFiles) {
    for (const env of f.envs) {
      const apps = clusters.get(env)!.applications.filter(a => a.built.source.file === f.path);
      const names = apps.map(a => String(a.built.source.doc.metadata?.name)).sort();
      if (JSON.stringify(names) !== JSON.stringify([...f.names].sort())) {
        problems.push(`${f.path} in cluster of ${env}: the model has ${JSON.stringify(names)}, the file holds ${JSON.stringify([...f.names].sort())}`);
      }
      for (const a of apps) {
        if (a.built.source.origin.constructPath !== f.constructPath) {
          problems.push(`${f.path} in cluster of ${env}: origin.constructPath is ${String(a.built.source.origin.constructPath)}, expected ${String(f.constructPath)}`);
        }
      }
    }
  }
  for (const cluster of model.clusters) {
    for (const a of cluster.applications) {
      const file = model.tree.file(a.built.source.file);
      if (file && !file.generated && !expected.has(file.path)) problems.push(`cluster ${cluster.name} applies ${file.path}, which the generator did not write`);
    }
  }
  return problems;
}

/** Whether a build is among the directories renderEquivalence checked for an environment. */
function wasChecked(result: RenderEquivalence, env: string, build: ClusterBuild): boolean {
  return result.checked.some(c => c.environment === env && (c.directory === build.directory || c.directory.startsWith(`${build.directory} (`)));
}

export function countFeatures(repo: GitOpsRepo, model: FleetModel, result: RenderEquivalence, summary: MutationSummary): Counts {
  const counts = noCounts();
  const userFiles = new Set<string>();
  const json6902 = new Set<string>();
  const objectPatches = new Set<string>();
  for (const [env, cluster] of clustersByEnv(repo, model)) {
    for (const build of cluster.builds) {
      if (!wasChecked(result, env, build)) continue;
      const apps: readonly Application[] = build.applications;
      counts.listItems += apps.filter(a => a.built.source.item !== undefined).length;
      if (build.overlay?.namespace) counts.targetNamespaceBuilds++;
      if ((build.overlay?.patches ?? []).length > 0) counts.fluxPatchBuilds++;
      if (model.tree.file(`${build.directory}/kustomization.yaml`)?.generated !== true && apps.some(a => !model.tree.file(a.built.source.file)?.generated)) counts.userDirectoryBuilds++;
      for (const a of apps) {
        if (!model.tree.file(a.built.source.file)?.generated) userFiles.add(a.built.source.file);
        for (const p of a.built.patches) {
          if (Array.isArray(p.content)) json6902.add(`${p.file} ${p.field}`);
          if (p.constructPath && /\/gen-(workload-)?patch-\d+$/.test(p.constructPath)) objectPatches.add(p.constructPath);
        }
      }
    }
  }
  counts.userFiles = [...userFiles].filter(f => summary.userFiles.some(u => u.path === f)).length;
  counts.json6902Patches = json6902.size;
  counts.objectPatches = objectPatches.size;
  return counts;
}

export function problemLines(result: RenderEquivalence): string[] {
  return result.mismatches.flatMap(m => m.problems.map(p => `[${m.environment}] ${m.directory}: ${p}`));
}
