import { coreModule } from '../core/model/core-module';
import { SUPPRESSION_PREFIX } from '../core/model/rules';
import { FleetModel, FleetRegistry } from '../core/model/fleet-model';
import { objectId } from '../core/model/identity';
import { KustomizeBuilder } from '../core/model/kustomize-build';
import { Doc, RepoTree } from '../core/model/repo-tree';
import { deepEqual, isMap } from '../core/json-values';
import { fluxModule } from '../flux/model/flux-module';
import { documentDifferences } from '../fleet/environment-diff';
import { fluxBuild, kubectlAvailable } from '../testing/render-equivalence';
import { currentApiVersion } from './kinds';

/** A cluster of a repository on disk: its name and its directory. */
export interface ClusterDirectory {
  /** The cluster's name (the environment's, in the generated fleet). */
  readonly name: string;
  /** Repository path of the directory its Flux syncs (`clusters/<name>`). */
  readonly directory: string;
}

/**
 * The model of what each cluster applies, for a repository on disk that no fleet code describes
 * (the repository being imported, and the layout the imported fleet synthesized): the same
 * builder and the same Flux Kustomization applier every check and `diff` read, over files read
 * from `rootDir` as they are asked for.
 */
export function modelOfDirectory(rootDir: string, clusters: readonly ClusterDirectory[]): FleetModel {
  // the bootstrap sync builds a cluster directory without a kustomization the way kustomize-controller
  // does: as if one listed every YAML file under it
  const elsewhere = { rootDir, scanned: [] };
  const probe = new KustomizeBuilder(new RepoTree([], undefined, new Map(), elsewhere));
  const generated = clusters.filter(c => !probe.kustomizationOf(c.directory) && probe.kustomizationOrGenerated(c.directory)).map(c => ({
    path: `${c.directory}/kustomization.yaml`,
    docs: [probe.kustomizationOrGenerated(c.directory)!.doc],
    constructPath: `the kustomization kustomize-controller generates for ${c.directory}`,
  }));
  const tree = new RepoTree(generated, undefined, new Map(), elsewhere);
  const registry = new FleetRegistry().use(coreModule).use(fluxModule({ allowCrossNamespaceReferences: true, lockedDown: new Map() }));
  return new FleetModel(tree, new KustomizeBuilder(tree), clusters.map(c => c.directory), registry, [], []);
}

/** How the original's objects are read for the comparison: what the import changes on purpose. */
export interface Normalization {
  /** The generated fleet's path of each directory of the original (`tenants/a` → `apps/tenants/a`). */
  readonly directoryMap: ReadonlyMap<string, string>;
}

/** One difference between what a cluster applies from the original and from the generated fleet. */
export interface ClusterDifference {
  /** The cluster. */
  readonly cluster: string;
  /** The object (`Kind.group ns/name`). */
  readonly object: string;
  /** What differs, in a sentence. */
  readonly message: string;
  /** Which comparison found it: the model, or kubectl kustomize. */
  readonly by: 'model' | 'kubectl';
}

/** The comparison of one cluster. */
export interface ClusterComparison {
  /** The cluster. */
  readonly cluster: string;
  /** How many objects the original applies to it. */
  readonly original: number;
  /** How many objects the generated fleet applies to it. */
  readonly generated: number;
  /** How many of them are equal: in both, with no difference (a model difference kubectl does not confirm is not one). */
  readonly equal: number;
  /** Objects whose API version the import raised to the one Flux 2.9 serves (not a difference). */
  readonly upgraded: number;
  /** What the model could not build, on either side (a kustomize feature it does not model…). */
  readonly problems: readonly string[];
}

/** The result of comparing two repositories, cluster by cluster. */
export interface RepositoryComparison {
  /** Per cluster. */
  readonly clusters: readonly ClusterComparison[];
  /** Every difference. */
  readonly differences: readonly ClusterDifference[];
  /** Whether kubectl kustomize built both sides too (false: not on the PATH, or not asked). */
  readonly kubectl: boolean;
  /**
   * Differences the model found that kubectl kustomize does not confirm (it built both sides of
   * the object equal): where the model reads kustomize differently, listed apart, not counted.
   */
  readonly unconfirmed: readonly ClusterDifference[];
}

/**
 * Compares, per cluster, what Flux would apply from the original repository and from the
 * generated fleet's layout: the same objects, by identity, with the same content once the
 * original is read as the import meant to change it (Flux API versions raised to the current
 * ones, Kustomization paths moved with their directories). With `kubectl`, every build of each
 * cluster is also made by `kubectl kustomize` on both sides and compared the same way.
 */
export function compareRepositories(
  original: { rootDir: string; clusters: readonly ClusterDirectory[] },
  generated: { rootDir: string; clusters: readonly ClusterDirectory[] },
  normalization: Normalization,
  options: { kubectl?: boolean } = {},
): RepositoryComparison {
  const before = modelOfDirectory(original.rootDir, original.clusters);
  const after = modelOfDirectory(generated.rootDir, generated.clusters);
  const differences: ClusterDifference[] = [];
  const unconfirmed: ClusterDifference[] = [];
  const clusters: ClusterComparison[] = [];
  const useKubectl = (options.kubectl ?? true) && kubectlAvailable();
  for (const c of original.clusters) {
    const a = before.cluster(lastSegment(c.directory));
    const b = after.cluster(lastSegment(generated.clusters.find(g => g.name === c.name)?.directory ?? `clusters/${c.name}`));
    const problems = [
      ...(a?.problems ?? []).map(p => `original ${p.file}: ${p.message}`),
      ...(b?.problems ?? []).map(p => `generated ${p.file}: ${p.message}`),
    ];
    const left = new Map<string, Doc>();
    let upgraded = 0;
    for (const app of a?.applications ?? []) {
      const { doc, raised } = normalizeOriginal(app.doc, normalization);
      if (raised) upgraded++;
      left.set(objectId(doc), doc);
    }
    const right = new Map((b?.applications ?? []).map(app => [objectId(app.doc), normalizeGenerated(app.doc)]));
    const found = diffObjects(c.name, left, right, 'model');
    const confirmedEqual = new Set<string>();
    if (useKubectl && a && b) {
      // every build of the original, by who applies it, against the generated build applied by the same
      const builds = new Map(b.builds.map(x => [x.by, x]));
      for (const build of a.builds) {
        const twin = builds.get(build.by === `clusters/${lastSegment(c.directory)}` ? `clusters/${lastSegment(b.directory)}` : build.by);
        if (!twin) continue; // the model comparison already reports its objects
        let lhs: Map<string, Doc>;
        let rhs: Map<string, Doc>;
        const generate = { by: build.by, file: `${build.directory}/kustomization.yaml`, generateKustomization: true };
        try {
          lhs = normalizedMap(fluxBuild(original.rootDir, build.directory, build.overlay ?? generate, before.builder), d => normalizeOriginal(d, normalization).doc);
        } catch (e) {
          problems.push(`original ${build.directory}: kubectl kustomize failed: ${firstLine((e as Error).message)}`);
          continue;
        }
        try {
          rhs = normalizedMap(fluxBuild(generated.rootDir, twin.directory, twin.overlay, after.builder), normalizeGenerated);
        } catch (e) {
          problems.push(`generated ${twin.directory}: kubectl kustomize failed: ${firstLine((e as Error).message)}`);
          continue;
        }
        differences.push(...diffObjects(c.name, lhs, rhs, 'kubectl').map(d => ({ ...d, message: `${d.message} (kubectl kustomize of ${build.directory} as ${build.by})` })));
        for (const [id, doc] of lhs) if (rhs.has(id) && deepEqual(doc, rhs.get(id))) confirmedEqual.add(id);
      }
    }
    for (const d of found) (confirmedEqual.has(d.object) ? unconfirmed : differences).push(d);
    // equal: in both, with no difference the model or kubectl confirms
    const differing = new Set(differences.filter(d => d.cluster === c.name).map(d => d.object));
    clusters.push({ cluster: c.name, original: left.size, generated: right.size, equal: [...left.keys()].filter(k => right.has(k) && !differing.has(k)).length, upgraded, problems });
  }
  return { clusters, differences, kubectl: useKubectl, unconfirmed };
}

function diffObjects(cluster: string, left: ReadonlyMap<string, Doc>, right: ReadonlyMap<string, Doc>, by: 'model' | 'kubectl'): ClusterDifference[] {
  const out: ClusterDifference[] = [];
  for (const [id, doc] of left) {
    const twin = right.get(id);
    if (twin === undefined) {
      out.push({ cluster, object: id, message: 'applied by the original, missing from the generated fleet', by });
    } else if (!deepEqual(doc, twin)) {
      const fields = documentDifferences(doc, twin).slice(0, 5).map(f => `${f.path || '(document)'}: ${short(f.from)} → ${short(f.to)}`);
      out.push({ cluster, object: id, message: `differs: ${fields.join('; ')}`, by });
    }
  }
  for (const id of right.keys()) {
    if (!left.has(id)) out.push({ cluster, object: id, message: 'applied by the generated fleet, not by the original', by });
  }
  return out;
}

function normalizedMap(m: Map<string, Record<string, unknown>>, f: (d: Doc) => Doc): Map<string, Doc> {
  return new Map([...m.values()].map(d => { const n = f(d as Doc); return [objectId(n), n]; }));
}

/**
 * The original object as the import means to reproduce it: a Flux kind at the API version Flux
 * 2.9 serves, a Flux Kustomization's path moved with its directory, and what kubeseal writes
 * that means nothing (`creationTimestamp: null`, `data: null`) left out.
 */
export function normalizeOriginal(input: Doc, normalization: Normalization): { doc: Doc; raised: boolean } {
  let doc = apiDefaults(defaultSecretType(stripNulls(input)));
  const current = currentApiVersion(doc);
  const raised = current !== undefined && current !== doc.apiVersion;
  if (raised) doc = { ...doc, apiVersion: current };
  if (doc.kind === 'Kustomization' && String(doc.apiVersion).startsWith('kustomize.toolkit.fluxcd.io/') && isMap(doc.spec) && typeof doc.spec.path === 'string') {
    const mapped = mapFluxPath(doc.spec.path, normalization.directoryMap);
    if (mapped !== undefined) doc = { ...doc, spec: { ...doc.spec, path: mapped } };
  }
  return { doc, raised };
}

export function normalizeGenerated(doc: Doc): Doc {
  return withoutSuppressions(apiDefaults(defaultSecretType(stripNulls(doc))));
}

/** The object without the library's rule suppressions (`suppress.cdk8s-flux.io/<rule>` annotations, which the import adds with a reason to review). */
function withoutSuppressions(doc: Doc): Doc {
  const annotations = doc.metadata?.annotations;
  if (!isMap(annotations) || !Object.keys(annotations).some(k => k.startsWith(SUPPRESSION_PREFIX))) return doc;
  const kept = Object.fromEntries(Object.entries(annotations).filter(([k]) => !k.startsWith(SUPPRESSION_PREFIX)));
  const metadata: Doc = { ...doc.metadata, annotations: kept };
  if (Object.keys(kept).length === 0) delete metadata.annotations;
  return { ...doc, metadata };
}

/**
 * What the API server reads as absent, left out on both sides: a Namespace's empty `spec`, a
 * ConfigMap's `immutable: false`, a ServiceAccount's `automountServiceAccountToken: true`
 * (cdk8s-plus writes them).
 */
function apiDefaults(doc: Doc): Doc {
  if (doc.apiVersion !== 'v1') return doc;
  const out = { ...doc };
  if (doc.kind === 'Namespace' && isMap(doc.spec) && Object.keys(doc.spec).length === 0) delete out.spec;
  if ((doc.kind === 'ConfigMap' || doc.kind === 'Secret') && doc.immutable === false) delete out.immutable;
  if (doc.kind === 'ServiceAccount' && doc.automountServiceAccountToken === true) delete out.automountServiceAccountToken;
  return out;
}

/** A SealedSecret's template without a type makes an Opaque Secret, as one that says so. */
function defaultSecretType(doc: Doc): Doc {
  if (doc.kind !== 'SealedSecret' || !isMap(doc.spec) || !isMap(doc.spec.template) || doc.spec.template.type !== undefined) return doc;
  return { ...doc, spec: { ...doc.spec, template: { ...doc.spec.template, type: 'Opaque' } } };
}

/** A Flux `spec.path` of the original as the generated fleet writes it, if its directory moved. */
export function mapFluxPath(fluxPath: string, directoryMap: ReadonlyMap<string, string>): string | undefined {
  const clean = fluxPath.replace(/^\.\//, '').replace(/\/+$/, '').replace(/^\.$/, '');
  const mapped = directoryMap.get(clean);
  return mapped === undefined ? undefined : `./${mapped}`;
}

/** Drops the nulls kubeseal and kubectl write for absent fields (`creationTimestamp: null`). */
function stripNulls<T>(value: T): T {
  if (Array.isArray(value)) return value.map(stripNulls) as T;
  if (!isMap(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, stripNulls(v)])) as T;
}

function lastSegment(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

function short(v: unknown): string {
  const s = v === undefined ? '(none)' : JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function firstLine(s: string): string {
  return s.split('\n').filter(Boolean).slice(0, 2).join(' ');
}
