import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { FleetProblem } from '../core/errors';
import { LayoutDirectory } from '../core/layout-directory';
import { FleetCheck, LayoutAnalysis } from '../core/layout-model';
import { ClusterApplication as Application, ClusterContents as Cluster, clustersOf } from './cluster-contents';
import { apiObjectOf, describeRef, FluxObject, FluxReference, ImportedObject, IReferencingObject, isReferencingObject } from './flux-object';
import { definedVariables, Kustomization, VARIABLE_NAME } from './kustomization';
import { knownKeysOf } from './values-source';
import { isResolvedByIdentity } from '../secrets/secret-declaration';

/** Options of the Flux checks. */
export interface FluxCheckOptions {
  /** The directory whose sub-directories are clusters (`clusters/`). */
  readonly clustersDir: LayoutDirectory;
  /** Whether references into another namespace are allowed (Flux's default) or flagged (lockdown). */
  readonly allowCrossNamespaceReferences: boolean;
}

/**
 * The synth-time checks of the Flux constructs, over the whole fleet:
 *
 * - every reference resolves, in the same cluster, to the object it names, in the namespace it
 *   ends up in after `targetNamespace`;
 * - fields that resolve in the object's own namespace do not point elsewhere, and cross-namespace
 *   references are flagged unless the fleet allows them;
 * - no object (group, kind, namespace, name) is defined or applied twice in one cluster;
 * - `dependsOn` has no cycles;
 * - every `${VAR}` a Kustomization with `postBuild` would substitute is defined.
 */
export function fluxChecks(options: FluxCheckOptions): FleetCheck {
  return analysis => {
    const problems: FleetProblem[] = [];
    const referencing = analysis.constructs.filter(isReferencingObject);
    const clusters = clustersOf(analysis, options.clustersDir);

    checkNamespaces(referencing, options, problems);
    checkReferencesResolve(referencing, clusters, analysis.constructs.filter((c): c is ImportedObject => c instanceof ImportedObject), problems);
    checkDuplicates(clusters, problems);
    checkApplications(clusters, problems);
    checkCycles(referencing, problems);
    checkSubstitutions(analysis, problems);
    return problems;
  };
}

function describeNs(o: { namespace?: string; name: string }): string {
  return `${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

function quoteNs(ns: string | undefined): string {
  return ns === undefined ? 'no namespace' : `"${ns}"`;
}

function checkNamespaces(referencing: IReferencingObject[], options: FluxCheckOptions, problems: FleetProblem[]): void {
  for (const from of referencing) {
    for (const ref of from.fluxReferences()) {
      const targetNs = ref.target.namespace ?? from.namespace;
      if (targetNs === from.namespace) continue;
      if (ref.crossNamespace === false) {
        problems.push({
          path: from.node.path,
          message: `${ref.field} points at ${describeRef(ref.target)}, but this field only resolves in the object's own namespace (${quoteNs(from.namespace)}): define ${ref.target.kind} ${ref.target.name} in that namespace`,
        });
      } else if (!options.allowCrossNamespaceReferences && ref.lockedDown !== false) {
        const fix = crossNamespaceFix(from, ref, targetNs!);
        problems.push({
          path: from.node.path,
          message: `${ref.field} points at ${describeRef(ref.target)} in another namespace (this ${from.kind} is in ${quoteNs(from.namespace)}); Flux's multi-tenancy lockdown refuses cross-namespace references: ${fix}, or allow them with new GitOpsRepo({ allowCrossNamespaceReferences: true })`,
        });
      }
    }
  }
}

/** How to fix a cross-namespace reference that Flux's lockdown refuses. */
export function crossNamespaceFix(from: { kind: string; name: string; namespace?: string }, ref: FluxReference, targetNs: string): string {
  if (from.kind === 'HelmRelease' && from.namespace !== undefined) {
    return `move this HelmRelease to namespace "${targetNs}" and install into "${from.namespace}" with targetNamespace`;
  }
  if (ref.target.name === '*') {
    return `define this ${from.kind} in namespace "${targetNs}"${from.kind === 'Alert' ? ', with its Provider and the Provider\'s Secret (an Alert per watched namespace)' : ' (one per watched namespace)'}`;
  }
  return `move ${from.kind} ${from.name} to namespace "${targetNs}", or ${ref.target.kind} ${ref.target.name} to ${quoteNs(from.namespace)}`;
}

/** How to import an object of a kind that is defined outside the fleet. */
function importHint(kind: string): string {
  if (kind === 'ConfigMap') return 'kplus.ConfigMap.fromConfigMapName';
  if (kind === 'Secret') return 'kplus.Secret.fromSecretName';
  return `${kind}.fromName`;
}

function checkReferencesResolve(referencing: IReferencingObject[], clusters: Cluster[], imported: readonly ImportedObject[], problems: FleetProblem[]): void {
  // the clusters that apply each object, in cluster order: looking each object up in every
  // cluster would cost objects × clusters, which grows with the square of the fleet
  const appliedIn = new Map<ApiObject, Cluster[]>();
  for (const cluster of clusters) {
    for (const object of cluster.byObject.keys()) {
      const list = appliedIn.get(object);
      if (list) list.push(cluster);
      else appliedIn.set(object, [cluster]);
    }
  }
  const byIdentity = new CandidateIndex();
  for (const from of referencing) {
    const self = apiObjectOf(from);
    if (!self) continue;
    const missing = new Map<string, { ref: FluxReference; target: ApiObject; clusters: string[] }>();
    const moved = new Map<string, string>();
    const refs = from.fluxReferences();
    for (const cluster of appliedIn.get(self) ?? []) {
      for (const application of cluster.byObject.get(self)!) {
        for (const ref of refs) {
          if (isResolvedByIdentity(ref.object ?? ref.target) || ref.target.name === '*') {
            const found = resolveByIdentity(cluster, ref, ref.explicitNamespace ?? application.namespace, imported, byIdentity);
            if (found) problems.push({ path: from.node.path, message: found });
            continue;
          }
          const target = apiObjectOf(ref.object ?? ref.target);
          if (!target) continue; // imports are defined elsewhere by design
          if (ref.crossNamespace === false && (ref.target.namespace ?? from.namespace) !== from.namespace) continue; // reported by checkNamespaces
          const targets = cluster.byObject.get(target);
          if (!targets) {
            const key = `${ref.field} ${target.node.path}`;
            const m = missing.get(key) ?? { ref, target, clusters: [] };
            if (!m.clusters.includes(cluster.name)) m.clusters.push(cluster.name);
            missing.set(key, m);
            continue;
          }
          const expected = ref.explicitNamespace ?? application.namespace;
          if (!targets.some(t => t.namespace === expected)) {
            moved.set(`${ref.field} ${target.node.path} ${cluster.name}`, `${ref.field} resolves ${describeRef(ref.target).split(' ')[0]} ${ref.target.name} in namespace ${quoteNs(expected)} in cluster "${cluster.name}" (as applied by ${application.by}), but there it is in ${[...new Set(targets.map(t => quoteNs(t.namespace)))].join(', ')} (a Kustomization's targetNamespace moves the objects it applies): apply both with the same targetNamespace, or neither`);
          }
        }
      }
    }
    for (const { ref, target, clusters: names } of missing.values()) {
      const kind = ref.target.kind;
      const single = names.length === 1;
      problems.push({
        path: from.node.path,
        message: `${ref.field} points at ${describeRef(ref.target)}, which ${single ? 'cluster' : 'clusters'} ${names.map(c => `"${c}"`).join(', ')} ${single ? 'does' : 'do'} not reconcile although ${single ? 'it reconciles' : 'they reconcile'} this ${from.kind}${fileOf(target) ? ` (the ${kind} is in ${fileOf(target)}, which no Kustomization of that cluster builds)` : ''}: build its directory into the cluster, or import it with ${importHint(kind)} if it is defined outside the fleet`,
      });
    }
    for (const message of moved.values()) problems.push({ path: from.node.path, message });
  }
}

/**
 * Resolves a reference by what it names rather than by object: a declared Secret (any Secret or
 * SealedSecret of that name and namespace in the cluster) or a wildcard (`name: '*'`, with
 * optional labels: at least one object of that kind in that namespace). Returns a problem, if any.
 */
function resolveByIdentity(cluster: Cluster, ref: FluxReference, namespace: string | undefined, imported: readonly ImportedObject[], index: CandidateIndex): string | undefined {
  const { kind, name } = ref.target;
  const candidates = index.candidates(cluster, kind === 'Secret' ? ['Secret', 'SealedSecret'] : [kind], namespace);
  if (name === '*') {
    if (imported.some(i => i.kind === kind && (i.namespace ?? namespace) === namespace)) return undefined; // defined outside the fleet
    if (kind === 'HelmChart' && cluster.applications.some(a => a.entry.doc.kind === 'HelmRelease' && chartNamespace(a) === namespace)) {
      return undefined; // helm-controller creates a HelmChart for each HelmRelease, in its source's namespace
    }
    const labels = Object.entries(ref.matchLabels ?? {});
    const matching = candidates.filter(a => {
      const have = ((a.entry.doc.metadata ?? {}) as { labels?: Record<string, string> }).labels ?? {};
      return labels.every(([k, v]) => have[k] === v);
    });
    if (matching.length > 0) return undefined;
    return `${ref.field} selects every ${kind} in namespace ${quoteNs(namespace)}${labels.length > 0 ? ` labelled ${labels.map(([k, v]) => `${k}=${v}`).join(',')}` : ''}, but cluster "${cluster.name}" has none there, so it would never fire: select objects that exist, or remove it`;
  }
  const match = candidates.find(a => a.object.name === name);
  if (!match) {
    return `${ref.field} names ${kind} ${namespace ? `${namespace}/` : ''}${name}, which cluster "${cluster.name}" does not get: provide it in that cluster (a SealedSecret sealed for it, e.g. SealedSecret.forDeclaration)`;
  }
  const declared = (ref.object as { keys?: readonly string[] } | undefined)?.keys ?? [];
  const have = keysOf(match.object);
  const missing = have ? declared.filter(k => !have.includes(k)) : [];
  return missing.length > 0
    ? `${ref.field} needs ${kind} ${namespace ? `${namespace}/` : ''}${name} with ${missing.map(k => `"${k}"`).join(', ')}, but in cluster "${cluster.name}" it has ${have!.map(k => `"${k}"`).join(', ')}`
    : undefined;
}

/** A cluster's applications by kind and namespace, indexed on first use (references by identity look them up per cluster). */
class CandidateIndex {
  private readonly indexes = new Map<Cluster, Map<string, { a: Application; at: number }[]>>();

  /** The applications of `cluster` of one of `kinds` in `namespace`, in application order. */
  public candidates(cluster: Cluster, kinds: readonly string[], namespace: string | undefined): Application[] {
    let index = this.indexes.get(cluster);
    if (!index) {
      index = new Map();
      cluster.applications.forEach((a, at) => {
        const key = CandidateIndex.key(String(a.entry.doc.kind), a.namespace);
        const list = index!.get(key);
        if (list) list.push({ a, at });
        else index!.set(key, [{ a, at }]);
      });
      this.indexes.set(cluster, index);
    }
    const found = kinds.flatMap(k => index!.get(CandidateIndex.key(k, namespace)) ?? []);
    if (kinds.length > 1) found.sort((x, y) => x.at - y.at); // several kinds: back in application order
    return found.map(f => f.a);
  }

  private static key(kind: string, namespace: string | undefined): string {
    return `${kind}\0${namespace ?? ''}\0${namespace === undefined ? 'none' : 'ns'}`;
  }
}

/** The namespace of the source a HelmRelease installs its chart from (where its HelmChart is created). */
function chartNamespace(a: Application): string | undefined {
  const sourceRef = ((a.entry.doc.spec ?? {}) as { chart?: { spec?: { sourceRef?: { namespace?: string } } } }).chart?.spec?.sourceRef;
  return sourceRef ? sourceRef.namespace ?? a.namespace : undefined;
}

/** The keys an applied Secret or SealedSecret carries, when known. */
function keysOf(object: ApiObject): string[] | undefined {
  const owner = object.node.scope as { keys?: unknown } | undefined;
  if (Array.isArray(owner?.keys)) return owner!.keys as string[]; // a SealedSecret
  const json = object.toJson() as { data?: object; stringData?: object };
  return json.data || json.stringData ? [...Object.keys(json.data ?? {}), ...Object.keys(json.stringData ?? {})] : undefined;
}

/** Repository path of the file an object is written to, if any. */
function fileOf(object: ApiObject): string | undefined {
  const file = object.chart as unknown as { fileName?: string };
  const dir = LayoutDirectory.enclosing(object.chart);
  return dir && file.fileName ? `${dir.repoPath}/${file.fileName}` : undefined;
}

/** Identity of an object in a cluster: group, kind, namespace (after targetNamespace) and name. */
function identity(a: Application): string {
  const apiVersion = String(a.entry.doc.apiVersion ?? '');
  const group = apiVersion.includes('/') ? `.${apiVersion.split('/')[0]}` : '';
  return `${String(a.entry.doc.kind)}${group} ${a.namespace ? `${a.namespace}/` : ''}${a.object.name}`;
}

function checkDuplicates(clusters: Cluster[], problems: FleetProblem[]): void {
  for (const cluster of clusters) {
    const seen = new Map<string, Application>();
    const reported = new Set<string>();
    for (const a of cluster.applications) {
      const id = identity(a);
      const other = seen.get(id);
      if (!other) {
        seen.set(id, a);
        continue;
      }
      if (other.object === a.object) {
        const key = `twice ${a.object.node.path} ${id}`;
        if (reported.has(key)) continue;
        reported.add(key);
        const appliers = cluster.applications.filter(x => x.object === a.object && identity(x) === id).map(x => x.by);
        problems.push({
          path: a.object.node.path,
          message: `${id} is applied twice in cluster "${cluster.name}", by ${[...new Set(appliers)].sort().join(' and ')}; the Kustomizations would fight over it (and pruning by one deletes it from the other): build its directory from only one of them, or give them different targetNamespaces`,
        });
      } else {
        problems.push({
          path: a.object.node.path,
          message: `${id} is defined twice in cluster "${cluster.name}" (also by ${other.object.node.path}, in ${fileOf(other.object)}); the two would overwrite each other: keep one, or give one another name or namespace`,
        });
      }
    }
  }
}

/** Objects that must be applied a certain way (e.g. a SealedSecret in the namespace it was sealed for). */
function checkApplications(clusters: Cluster[], problems: FleetProblem[]): void {
  const reported = new Set<string>();
  for (const cluster of clusters) {
    for (const a of cluster.applications) {
      const owner = a.object.node.scope as { checkApplication?: (namespace: string | undefined) => string | undefined } | undefined;
      const message = owner?.checkApplication?.(a.namespace);
      if (!message || reported.has(`${a.object.node.path} ${message}`)) continue;
      reported.add(`${a.object.node.path} ${message}`);
      problems.push({ path: (owner as unknown as IConstruct).node.path, message: `${message} (cluster "${cluster.name}", applied by ${a.by})` });
    }
  }
}

function checkCycles(referencing: IReferencingObject[], problems: FleetProblem[]): void {
  const edges = new Map<IReferencingObject, IReferencingObject[]>();
  for (const from of referencing) {
    edges.set(from, from.fluxReferences()
      .filter(r => r.dependsOn && r.target instanceof FluxObject)
      .map(r => r.target as FluxObject));
  }
  const done = new Set<IReferencingObject>();
  const reported = new Set<string>();
  const stack: IReferencingObject[] = [];
  const visit = (node: IReferencingObject) => {
    if (done.has(node)) return;
    const at = stack.indexOf(node);
    if (at >= 0) {
      const cycle = [...stack.slice(at), node];
      const key = cycle.slice(0, -1).map(n => n.node.path).sort().join('|');
      if (!reported.has(key)) {
        reported.add(key);
        problems.push({
          path: cycle[0].node.path,
          message: `spec.dependsOn forms a cycle: ${cycle.map(n => `${n.kind} ${describeNs(n)}`).join(' -> ')}; Flux would wait forever: remove one of these dependsOn`,
        });
      }
      return;
    }
    stack.push(node);
    for (const next of edges.get(node) ?? []) visit(next);
    stack.pop();
    done.add(node);
  };
  for (const node of referencing) visit(node);
}

/**
 * A variable use as Flux's envsubst reads it: `${NAME…}`, `${#NAME}`, not escaped as `$${…}`.
 * Whether it has a default (`:=`, `:-`, `=`, `-`) is decided from what follows the name; a
 * default's own `${…}` is a use of its own, found separately.
 */
const VARIABLE_USE = /(\$?)\$\{(#?)([_a-zA-Z][_a-zA-Z0-9]*)(:?[-=])?/g;
const SUBSTITUTE_DISABLED = 'kustomize.toolkit.fluxcd.io/substitute';

function checkSubstitutions(analysis: LayoutAnalysis, problems: FleetProblem[]): void {
  for (const k of analysis.constructs.filter((c): c is Kustomization => c instanceof Kustomization)) {
    if (!k.postBuild) continue;
    for (const [i, from] of (k.postBuild.substituteFrom ?? []).entries()) {
      const bad = (knownKeysOf(from.source, { forSubstitution: true }) ?? []).filter(key => !VARIABLE_NAME.test(key));
      if (bad.length > 0) {
        problems.push({
          path: k.node.path,
          message: `spec.postBuild.substituteFrom[${i}]: ${from.source.kind} ${from.source.name} has ${bad.map(b => `"${b}"`).join(', ')}, which ${bad.length === 1 ? 'is not a variable name' : 'are not variable names'}; Flux refuses the whole substitution: use letters, digits and '_' (e.g. "cluster_name")`,
        });
      }
    }
    if (!k.directory) continue;
    const defined = definedVariables(k.postBuild);
    if (!defined) continue; // a substituteFrom source whose keys cannot be known at synth
    const patches = analysis.patchDocuments(k.directory);
    const docs = [...analysis.build(k.directory).values()].map(e => e.doc);
    const disabled = new Set([...docs, ...patches].filter(isSubstitutionDisabled).map(docIdentity));
    const missing = new Map<string, string>();
    for (const doc of [...docs, ...patches]) {
      if (disabled.has(docIdentity(doc))) continue;
      for (const text of strings(doc)) {
        for (const m of text.matchAll(VARIABLE_USE)) {
          const [, escaped, , name, defaultOp] = m;
          if (escaped === '$' || defaultOp !== undefined || defined.has(name) || missing.has(name)) continue;
          missing.set(name, docIdentity(doc));
        }
      }
    }
    for (const [name, where] of missing) {
      problems.push({
        path: k.node.path,
        message: `spec.postBuild: "\${${name}}" is used in ${where} (built from "${k.directory.repoPath}") but never defined, and Flux fails the reconcile on it: define ${name} in postBuild.substitute or a substituteFrom source, give it a default ("\${${name}:=value}"), or escape it as "$\${${name}}"`,
      });
    }
  }
}

/** Flux skips substitution for objects with this label or annotation set to `disabled`. */
function isSubstitutionDisabled(doc: Record<string, unknown>): boolean {
  const meta = (doc.metadata ?? {}) as { labels?: Record<string, string>; annotations?: Record<string, string> };
  return meta.labels?.[SUBSTITUTE_DISABLED] === 'disabled' || meta.annotations?.[SUBSTITUTE_DISABLED] === 'disabled';
}

function docIdentity(doc: Record<string, unknown>): string {
  const meta = (doc.metadata ?? {}) as { name?: string; namespace?: string };
  return `${String(doc.kind)} ${meta.namespace ? `${meta.namespace}/` : ''}${meta.name}`;
}

/** Every string of a document: values and map keys alike (Flux substitutes both). */
function* strings(value: unknown): Generator<string> {
  if (typeof value === 'string') {
    yield value;
  } else if (Array.isArray(value)) {
    for (const v of value) yield* strings(v);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      yield k;
      yield* strings(v);
    }
  }
}
