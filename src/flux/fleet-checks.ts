import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { FleetProblem } from '../layout/errors';
import { LayoutDirectory } from '../layout/layout-directory';
import { BuildEntry, FleetCheck, LayoutAnalysis } from '../layout/layout-model';
import { apiObjectOf, describeRef, FluxObject, IReferencingObject, isReferencingObject } from './flux-object';
import { definedVariables, Kustomization } from './kustomization';

/** Options of the Flux checks. */
export interface FluxCheckOptions {
  /** The directory whose sub-directories are clusters (`clusters/`). */
  readonly clustersDir: LayoutDirectory;
  /** Whether references into another namespace are allowed (Flux's default) or flagged (lockdown). */
  readonly allowCrossNamespaceReferences: boolean;
}

/** What a cluster reconciles: each API object and the Flux Kustomizations that apply it. */
interface ClusterMembers {
  readonly name: string;
  readonly objects: Map<ApiObject, { entry: BuildEntry; appliedBy: Set<string> }>;
}

/**
 * The synth-time checks of the Flux constructs, over the whole fleet:
 *
 * - every reference resolves to an object the same cluster reconciles;
 * - fields that resolve in the object's own namespace do not point elsewhere, and cross-namespace
 *   references are flagged unless the fleet allows them;
 * - no object (kind, namespace, name) is defined or applied twice in one cluster;
 * - `dependsOn` has no cycles;
 * - every `${VAR}` a Kustomization with `postBuild` would substitute is defined.
 */
export function fluxChecks(root: IConstruct, options: FluxCheckOptions): FleetCheck {
  return analysis => {
    const problems: FleetProblem[] = [];
    const referencing = root.node.findAll().filter(isReferencingObject);
    const clusters = analysis.directories
      .filter(d => LayoutDirectory.enclosing(d) === options.clustersDir && d.kustomize)
      .map(d => membersOf(d, analysis));

    checkNamespaces(referencing, options, problems);
    checkReferencesResolve(referencing, clusters, problems);
    checkDuplicates(clusters, problems);
    checkCycles(referencing, problems);
    checkSubstitutions(root, analysis, problems);
    return problems;
  };
}

/**
 * The objects a cluster reconciles: its directory (applied by the bootstrap sync), then the
 * directory of every Flux Kustomization found there, transitively. Each Kustomization is followed
 * once, so a directory built by two of them shows both as appliers.
 */
function membersOf(clusterDir: LayoutDirectory, analysis: LayoutAnalysis): ClusterMembers {
  const objects: ClusterMembers['objects'] = new Map();
  const followed = new Set<Kustomization>();
  const queue: { dir: LayoutDirectory; by: string }[] = [{ dir: clusterDir, by: `clusters/${clusterDir.dirName}` }];
  while (queue.length > 0) {
    const { dir, by } = queue.shift()!;
    for (const entry of analysis.build(dir).values()) {
      if (!entry.object) continue;
      const member = objects.get(entry.object) ?? { entry, appliedBy: new Set<string>() };
      member.appliedBy.add(by);
      objects.set(entry.object, member);
      const owner = entry.object.node.scope;
      // the Kustomization of the cluster directory itself is the sync that applies it: not a second applier
      if (owner instanceof Kustomization && owner.directory && owner.directory !== clusterDir && !followed.has(owner)) {
        followed.add(owner);
        queue.push({ dir: owner.directory, by: `Kustomization ${describeNs(owner)}` });
      }
    }
  }
  return { name: clusterDir.dirName, objects };
}

function describeNs(o: { namespace?: string; name: string }): string {
  return `${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

function checkNamespaces(referencing: IReferencingObject[], options: FluxCheckOptions, problems: FleetProblem[]): void {
  for (const from of referencing) {
    for (const ref of from.fluxReferences()) {
      const targetNs = ref.target.namespace ?? from.namespace;
      if (targetNs === from.namespace) continue;
      if (ref.crossNamespace === false) {
        problems.push({
          path: from.node.path,
          message: `${ref.field} points at ${describeRef(ref.target)}, but this field only resolves in the object's own namespace "${from.namespace}": define ${ref.target.kind} ${ref.target.name} in namespace "${from.namespace}"`,
        });
      } else if (!options.allowCrossNamespaceReferences && ref.lockedDown !== false) {
        const fix = from.kind === 'HelmRelease'
          ? `move this HelmRelease to namespace "${targetNs}" and install into "${from.namespace}" with targetNamespace`
          : `move ${from.kind} ${from.name} to namespace "${targetNs}", or ${ref.target.kind} ${ref.target.name} to "${from.namespace}"`;
        problems.push({
          path: from.node.path,
          message: `${ref.field} points at ${describeRef(ref.target)} in another namespace (this ${from.kind} is in "${from.namespace}"); Flux's multi-tenancy lockdown refuses cross-namespace references: ${fix}, or allow them with new GitOpsRepo({ allowCrossNamespaceReferences: true })`,
        });
      }
    }
  }
}

function checkReferencesResolve(referencing: IReferencingObject[], clusters: ClusterMembers[], problems: FleetProblem[]): void {
  for (const from of referencing) {
    const self = apiObjectOf(from);
    if (!self) continue;
    const byRef = new Map<string, { field: string; target: string; file?: string; clusters: string[] }>();
    for (const cluster of clusters) {
      if (!cluster.objects.has(self)) continue;
      for (const ref of from.fluxReferences()) {
        const target = apiObjectOf(ref.object ?? ref.target);
        if (!target || cluster.objects.has(target)) continue; // imports are defined elsewhere by design
        const key = `${ref.field} ${target.node.path}`;
        const found = byRef.get(key) ?? { field: ref.field, target: describeRef(ref.target), file: fileOf(target), clusters: [] };
        found.clusters.push(cluster.name);
        byRef.set(key, found);
      }
    }
    for (const r of byRef.values()) {
      problems.push({
        path: from.node.path,
        message: `${r.field} points at ${r.target}, which ${r.clusters.length === 1 ? 'cluster' : 'clusters'} ${r.clusters.map(c => `"${c}"`).join(', ')} ${r.clusters.length === 1 ? 'does' : 'do'} not reconcile although ${r.clusters.length === 1 ? 'it reconciles' : 'they reconcile'} this ${from.kind}${r.file ? ` (the ${r.target.split(' ')[0]} is in ${r.file}, which no Kustomization of that cluster builds)` : ''}: build its directory into the cluster, or import it with ${r.target.split(' ')[0]}.fromName if it is defined outside the fleet`,
      });
    }
  }
}

/** Repository path of the file an object is written to, if any. */
function fileOf(object: ApiObject): string | undefined {
  const file = object.chart as unknown as { fileName?: string };
  const dir = LayoutDirectory.enclosing(object.chart);
  return dir && file.fileName ? `${dir.repoPath}/${file.fileName}` : undefined;
}

function checkDuplicates(clusters: ClusterMembers[], problems: FleetProblem[]): void {
  for (const cluster of clusters) {
    const seen = new Map<string, ApiObject>();
    for (const [object, { entry, appliedBy }] of cluster.objects) {
      const id = objectIdentity(entry.doc);
      const other = seen.get(id);
      if (other) {
        problems.push({
          path: object.node.path,
          message: `${id} is defined twice in cluster "${cluster.name}" (also by ${other.node.path}, in ${fileOf(other)}); the two would overwrite each other: keep one, or give one another name or namespace`,
        });
      } else {
        seen.set(id, object);
      }
      if (appliedBy.size > 1) {
        problems.push({
          path: object.node.path,
          message: `${id} is applied twice in cluster "${cluster.name}", by ${[...appliedBy].sort().join(' and ')}; the Kustomizations would fight over it (and pruning by one deletes it from the other): build its directory from only one of them`,
        });
      }
    }
  }
}

function objectIdentity(doc: Record<string, unknown>): string {
  const meta = (doc.metadata ?? {}) as { name?: string; namespace?: string };
  return `${String(doc.kind)} ${meta.namespace ? `${meta.namespace}/` : ''}${meta.name}`;
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
      const key = [...cycle.slice(0, -1)].map(n => n.node.path).sort().join('|');
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

/** `${NAME}` not escaped as `$${NAME}`; a default (`${NAME:=x}`, `${NAME:-x}`) makes it optional. */
const VARIABLE_USE = /(\$?)\$\{([_a-zA-Z][_a-zA-Z0-9]*)(:?[-=][^}]*)?\}/g;
const SUBSTITUTE_ANNOTATION = 'kustomize.toolkit.fluxcd.io/substitute';

function checkSubstitutions(root: IConstruct, analysis: LayoutAnalysis, problems: FleetProblem[]): void {
  for (const k of root.node.findAll().filter((c): c is Kustomization => c instanceof Kustomization)) {
    if (!k.postBuild || !k.directory) continue;
    const defined = definedVariables(k.postBuild);
    if (!defined) continue; // a substituteFrom source whose keys cannot be known at synth
    const docs = [...analysis.build(k.directory).values()].map(e => e.doc).concat(analysis.patchDocuments(k.directory));
    const missing = new Map<string, string>();
    for (const doc of docs) {
      const annotations = ((doc.metadata ?? {}) as { annotations?: Record<string, string> }).annotations ?? {};
      if (annotations[SUBSTITUTE_ANNOTATION] === 'disabled') continue;
      for (const text of strings(doc)) {
        for (const m of text.matchAll(VARIABLE_USE)) {
          if (m[1] === '$' || m[3] !== undefined || defined.has(m[2]) || missing.has(m[2])) continue;
          missing.set(m[2], objectIdentity(doc));
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

function* strings(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const v of value) yield* strings(v);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) yield* strings(v);
}
