import { isMap } from '../../core/json-values';
import { Application, ClusterModel, describeApplication, ownerOf, ownerOfDocument, subjectOf } from '../../core/model/cluster-model';
import { AppliedPatch, applyPatchContent, describeSource } from '../../core/model/kustomize-build';
import { objectId } from '../../core/model/identity';
import { FleetModel, ModelCheck, RequiredKeys, ResolvedReference } from '../../core/model/fleet-model';
import { DocumentReference } from '../../core/model/references';
import { variableUses } from '../envsubst';
import { ProblemSet } from '../../core/model/problem-set';

/** How Flux runs in the fleet's clusters, as the checks need to know it. */
export interface FluxPolicy {
  /** Whether references into another namespace are allowed where the lockdown is off (Flux's default). */
  readonly allowCrossNamespaceReferences: boolean;
  /** The clusters (repository paths of their directories) whose Flux runs with the multi-tenancy lockdown, with the environment's name. */
  readonly lockedDown: ReadonlyMap<string, string>;
}

/** Where a problem about an application is reported: its construct, or its file. */
function locationOf(a: Application): string {
  return ownerOf(a);
}

/** `Kind ns/name`, or `Kind name`, of a reference's target. */
export function describeTarget(ref: { kind: string; namespace?: string; name: string }): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

function quoteNs(ns: string | undefined): string {
  return ns === undefined ? 'no namespace' : `"${ns}"`;
}

/**
 * Every reference a Flux object makes resolves in the cluster that applies it, read from the
 * documents as the cluster gets them: a reference to an object only another cluster applies, a
 * name the fleet does not define (with the closest name it does), a `fromName` import whose name is
 * a near miss of an object of the fleet, a wildcard that selects nothing. Secrets named by a
 * `SecretDeclaration` carry its keys.
 */
export function referenceCheck(): ModelCheck {
  return {
    id: 'flux/references',
    description: 'every reference resolves in the cluster that applies the referring object',
    check: model => {
      const problems = new ProblemSet();
      for (const cluster of model.clusters) {
        for (const r of model.references(cluster)) {
          if (r.ref.rule.resolution === 'informational') continue;
          const message = unresolved(model, cluster, r) ?? missingKeys(model, cluster, r);
          if (!message) continue;
          // a reference a patch or a substitution wrote is reported where it was written
          const changed = changedBy(r.from, r.ref.field);
          if (changed) problems.add(changed.location, `${describeApplication(r.from)} ${message.replace(r.ref.field, `${r.ref.field} (${changed.note})`)}`);
          else problems.add(locationOf(r.from), `${subjectOf(r.from)}${message}`);
        }
      }
      return problems.list;
    },
  };
}

/** Where a field of an applied object got its value, when not from the object as written: a patch, or post-build substitution. */
export function changedBy(a: Application, field: string): { location: string; note: string } | undefined {
  const written = JSON.stringify(valueAtField(a.built.source.doc, field));
  if (JSON.stringify(valueAtField(a.doc, field)) === written) return undefined;
  if (JSON.stringify(valueAtField(a.built.doc, field)) !== written) {
    // replay the build's patches: the last one that changed the field wrote it (a transformer, such as
    // the namespace, may have changed it instead: then the object itself is named)
    let doc = a.built.source.doc;
    let blamed: AppliedPatch | undefined;
    for (const p of a.built.patches) {
      let next: Record<string, unknown>;
      try {
        next = applyPatchContent(doc, p.content);
      } catch {
        break;
      }
      if (JSON.stringify(valueAtField(next, field)) !== JSON.stringify(valueAtField(doc, field))) blamed = p;
      doc = next;
    }
    if (!blamed) return undefined;
    return { location: blamed.constructPath ?? blamed.file, note: `as ${blamed.file.endsWith('kustomization.yaml') || blamed.field.startsWith('spec.') ? `${blamed.field} of ${blamed.file}` : `the patch ${blamed.file}`} sets it` };
  }
  return a.appliedBy ? { location: ownerOf(a.appliedBy), note: `after the post-build substitution of ${a.by}` } : undefined;
}

/** The value at a field such as `spec.dependsOn[1].name`. */
function valueAtField(doc: unknown, field: string): unknown {
  let v: unknown = doc;
  for (const part of field.split('.')) {
    const m = /^([^[]+)((?:\[\d+\])*)$/.exec(part);
    if (!m) return undefined;
    v = isMap(v) ? v[m[1]] : undefined;
    for (const i of m[2].match(/\d+/g) ?? []) v = Array.isArray(v) ? v[Number(i)] : undefined;
  }
  return v;
}

function unresolved(model: FleetModel, cluster: ClusterModel, r: ResolvedReference): string | undefined {
  const { ref } = r;
  if (r.targets.length > 0 || ref.optional) return undefined;
  if (ref.name === '*') {
    if (model.externals.some(e => e.kind === ref.kind && (e.namespace ?? ref.namespace) === ref.namespace)) return undefined;
    const derived = cluster.applications.some(a => model.registry.derived.some(d => d.kind === a.doc.kind && d.derive(a.doc, a.namespace).some(o => o.kind === ref.kind && o.namespace === ref.namespace)));
    if (derived) return undefined;
    const labels = Object.entries(ref.matchLabels ?? {});
    return `${ref.field} selects every ${ref.kind} in namespace ${quoteNs(ref.namespace)}${labels.length > 0 ? ` labelled ${labels.map(([k, v]) => `${k}=${v}`).join(',')}` : ''}, but cluster "${cluster.name}" has none there, so it would never fire: select objects that exist, or remove it`;
  }
  const target = describeTarget(ref);
  const elsewhere = model.elsewhere(ref.kind, ref.namespace, ref.name).filter(a => a.cluster !== cluster.name);
  if (elsewhere.length > 0) {
    const clusters = [...new Set(elsewhere.map(a => `"${a.cluster}"`))].join(', ');
    return `${ref.field} points at ${target}, which cluster "${cluster.name}" does not reconcile although it reconciles this ${String(r.from.doc.kind)} (only ${clusters} ${elsewhere.length === 1 ? 'applies' : 'apply'} it, from ${elsewhere[0].built.source.file}): build its directory into cluster "${cluster.name}" too, or remove the reference`;
  }
  const declared = model.requiredKeys.length > 0 && requiredKeysIndex(model).has(`${ref.kind}\0${ref.namespace ?? ''}\0${ref.name}`);
  if (declared) {
    return `${ref.field} names ${target}, which cluster "${cluster.name}" does not get: provide it in that cluster (a SealedSecret sealed for it, e.g. SealedSecret.forDeclaration)`;
  }
  const near = nearMiss(cluster, ref);
  const external = model.externalFor(ref);
  if (external) {
    return near
      ? `${ref.field} names ${target}, imported with fromName at ${external.declaredBy} as defined outside the fleet, but the fleet defines no such ${ref.kind} while cluster "${cluster.name}" has ${describeTarget({ ...ref, name: near })}: did you mean "${near}"? Reference that object itself instead of a fromName import`
      : undefined;
  }
  const moved = ref.namespace === undefined ? [] : cluster.applications.filter(a => a.doc.kind === ref.kind && a.doc.metadata?.name === ref.name && a.namespace !== ref.namespace);
  if (moved.length > 0 && ref.rule.scope === 'own') {
    return `${ref.field} names ${ref.kind} ${ref.name}, but this field only resolves in the object's own namespace (${quoteNs(ref.namespace)}) and cluster "${cluster.name}" has ${ref.kind} ${ref.name} only in ${[...new Set(moved.map(a => quoteNs(a.namespace)))].join(', ')}: define ${ref.kind} ${ref.name} in that namespace`;
  }
  if (moved.length > 0 && ref.statesNamespace) {
    return `${ref.field} points at ${target}, but cluster "${cluster.name}" has ${ref.kind} ${ref.name} only in ${[...new Set(moved.map(a => quoteNs(a.namespace)))].join(', ')}: name the namespace where it is`;
  }
  if (moved.length > 0) {
    return `${ref.field} resolves ${ref.kind} ${ref.name} in namespace ${quoteNs(ref.namespace)} in cluster "${cluster.name}" (as applied by ${r.from.by}), but there it is in ${[...new Set(moved.map(a => quoteNs(a.namespace)))].join(', ')} (a Kustomization's targetNamespace moves the objects it applies): apply both with the same targetNamespace, or neither`;
  }
  const file = fileDefining(model, ref);
  return `${ref.field} points at ${target}, which cluster "${cluster.name}" does not reconcile although it reconciles this ${String(r.from.doc.kind)}${file ? ` (the ${ref.kind} is in ${file}, which no Kustomization of that cluster builds)` : ''}${near ? `; did you mean "${near}"?` : ''}: ${file ? 'build its directory into the cluster' : 'define it in the fleet and build its directory into the cluster'}, or import it with ${importHint(ref.kind, model)} if it is defined outside the fleet`;
}

/** A document of the repository that defines the target but that no cluster applies. */
function fileDefining(model: FleetModel, ref: DocumentReference): string | undefined {
  for (const f of model.files) {
    if (f.patch) continue;
    const found = f.documents.find(d => d.doc.kind === ref.kind && d.doc.metadata?.name === ref.name && (ref.namespace === undefined || d.doc.metadata?.namespace === ref.namespace));
    if (found) return f.path;
  }
  return undefined;
}

function importHint(kind: string, model: FleetModel): string {
  if (kind === 'ConfigMap') return 'kplus.ConfigMap.fromConfigMapName';
  if (kind === 'Secret') return 'kplus.Secret.fromSecretName (or provide it per environment with a SealedSecret)';
  // a kind of another project (a CRD imported with cdk8s import) has no construct with fromName
  const flux = model.registry.references.entries.some(e => e.kind === kind && e.group.endsWith('fluxcd.io'));
  return flux ? `${kind}.fromName` : `new ImportedObject(scope, id, { apiVersion, kind: '${kind}' }, { name })`;
}

/** The name of an object of the same kind and namespace that the reference probably meant. */
function nearMiss(cluster: ClusterModel, ref: DocumentReference): string | undefined {
  const candidates = cluster.applications
    .filter(a => a.doc.kind === ref.kind && (ref.namespace === undefined || a.namespace === ref.namespace))
    .map(a => String(a.doc.metadata?.name));
  let best: { name: string; distance: number } | undefined;
  for (const name of new Set(candidates)) {
    const distance = name.toLowerCase() === ref.name.toLowerCase() ? 0 : editDistance(name, ref.name);
    // a typo: one edit in a short name, two in a long one, and never most of the name
    const allowed = Math.min(ref.name.length >= 8 ? 2 : 1, Math.floor((Math.min(name.length, ref.name.length) - 1) / 2));
    if (distance <= allowed && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

function missingKeys(model: FleetModel, cluster: ClusterModel, r: ResolvedReference): string | undefined {
  if (r.targets.length === 0 || r.ref.name === '*') return undefined;
  if (model.requiredKeys.length === 0) return undefined;
  const required = requiredKeysIndex(model).get(`${r.ref.kind}\0${r.ref.namespace ?? ''}\0${r.ref.name}`) ?? [];
  if (required.length === 0) return undefined;
  const have = keysOf(r.targets[0].doc);
  if (!have) return undefined;
  const missing = [...new Set(required.flatMap(k => k.keys))].filter(k => !have.includes(k));
  return missing.length > 0
    ? `${r.ref.field} needs ${describeTarget(r.ref)} with ${missing.map(k => `"${k}"`).join(', ')}, but in cluster "${cluster.name}" it has ${have.map(k => `"${k}"`).join(', ') || 'no keys'}`
    : undefined;
}

const keyIndexes = new WeakMap<FleetModel, Map<string, RequiredKeys[]>>();

/** The declared required keys by kind, namespace and name. */
function requiredKeysIndex(model: FleetModel): Map<string, RequiredKeys[]> {
  let index = keyIndexes.get(model);
  if (!index) {
    index = new Map();
    for (const k of model.requiredKeys) {
      const key = `${k.kind}\0${k.namespace}\0${k.name}`;
      index.set(key, [...index.get(key) ?? [], k]);
    }
    keyIndexes.set(model, index);
  }
  return index;
}

/** The keys a Secret, SealedSecret or ConfigMap document carries, when it states them. */
export function keysOf(doc: Record<string, any>): string[] | undefined {
  if (doc.kind === 'SealedSecret') return Object.keys(isMap(doc.spec?.encryptedData) ? doc.spec.encryptedData : {}).sort();
  const maps = [doc.data, doc.stringData, doc.binaryData].filter(isMap);
  return maps.length > 0 ? [...new Set(maps.flatMap(m => Object.keys(m)))].sort() : undefined;
}

/** The variables a substituteFrom source defines: a ConfigMap's `data`, a Secret's `data` and `stringData`, a SealedSecret's sealed keys. */
function variablesOf(doc: Record<string, any>): string[] | undefined {
  if (doc.kind === 'ConfigMap') return Object.keys(isMap(doc.data) ? doc.data : {});
  return keysOf(doc.kind === 'Secret' ? { ...doc, binaryData: undefined } : doc);
}

/**
 * Cross-namespace references: Flux's multi-tenancy lockdown (`--no-cross-namespace-refs`) refuses
 * every reference that names another namespace (but `dependsOn` and health checks), so they are
 * reported in the clusters that run it and, unless the fleet allows them, everywhere.
 */
export function crossNamespaceCheck(policy: FluxPolicy): ModelCheck {
  return {
    id: 'flux/cross-namespace',
    description: 'no reference names another namespace where Flux\'s lockdown would refuse it',
    check: model => {
      const problems = new ProblemSet();
      for (const cluster of model.clusters) {
        const environment = policy.lockedDown.get(cluster.directory);
        if (environment === undefined && policy.allowCrossNamespaceReferences) continue;
        for (const r of model.references(cluster)) {
          const { ref, from } = r;
          if (!ref.statesNamespace || ref.namespace === from.namespace || ref.rule.lockedDown === false || ref.rule.resolution === 'informational') continue;
          const fix = crossNamespaceFix(String(from.doc.kind), String(from.doc.metadata?.name), from.namespace, ref, ref.namespace!);
          const why = environment !== undefined
            ? `environment "${environment}" (cluster "${cluster.name}") runs Flux with the multi-tenancy lockdown, which refuses cross-namespace references`
            : 'Flux\'s multi-tenancy lockdown refuses cross-namespace references';
          const allow = environment !== undefined ? '' : ', or allow them with new GitOpsRepo({ allowCrossNamespaceReferences: true })';
          problems.add(locationOf(from), `${subjectOf(from)}${ref.field} points at ${describeTarget(ref)} in another namespace (this ${String(from.doc.kind)} is in ${quoteNs(from.namespace)}); ${why}: ${fix}${allow}`);
        }
      }
      return problems.list;
    },
  };
}

/** How to fix a cross-namespace reference that Flux's lockdown refuses. */
function crossNamespaceFix(kind: string, name: string, namespace: string | undefined, ref: { kind: string; name: string }, targetNs: string): string {
  if (kind === 'HelmRelease' && namespace !== undefined) {
    return `move this HelmRelease to namespace "${targetNs}" and install into "${namespace}" with targetNamespace`;
  }
  if (ref.name === '*') {
    return `define this ${kind} in namespace "${targetNs}"${kind === 'Alert' ? ', with its Provider and the Provider\'s Secret (an Alert per watched namespace)' : ' (one per watched namespace)'}`;
  }
  return `move ${kind} ${name} to namespace "${targetNs}", or ${ref.kind} ${ref.name} to ${quoteNs(namespace)}`;
}

/** No object is defined twice, or applied by two Kustomizations, in one cluster. */
export function duplicateCheck(): ModelCheck {
  return {
    id: 'flux/duplicates',
    description: 'no object is defined or applied twice in one cluster',
    check: model => {
      const problems = new ProblemSet();
      for (const cluster of model.clusters) {
        const seen = new Map<string, Application>();
        for (const a of cluster.applications) {
          const id = objectId(a.doc);
          const other = seen.get(id);
          if (!other) {
            seen.set(id, a);
            continue;
          }
          if (sameSource(other, a)) {
            const appliers = [...new Set(cluster.applications.filter(x => sameSource(x, a) && objectId(x.doc) === id).map(x => x.by))].sort();
            problems.add(objectPath(a), `${id} is applied twice in cluster "${cluster.name}", by ${appliers.join(' and ')}; the Kustomizations would fight over it (and pruning by one deletes it from the other): build its directory from only one of them, or give them different targetNamespaces`);
          } else {
            problems.add(objectPath(a), `${id} is defined twice in cluster "${cluster.name}" (also by ${objectPath(other)}, in ${describeSource(other.built.source)}); the two would overwrite each other: keep one, or give one another name or namespace`);
          }
        }
      }
      return problems.list;
    },
  };
}

/** The API object's own construct path, or the file. */
function objectPath(a: Application): string {
  return a.built.source.origin.constructPath ?? a.built.source.file;
}

function sameSource(a: Application, b: Application): boolean {
  const x = a.built.source;
  const y = b.built.source;
  return x.file === y.file && x.index === y.index && (x.item ?? []).join('.') === (y.item ?? []).join('.');
}

/** `dependsOn` has no cycle in any cluster (Flux would wait forever). */
export function dependencyCycleCheck(): ModelCheck {
  return {
    id: 'flux/dependency-cycles',
    description: 'dependsOn forms no cycle',
    check: model => {
      const problems = new ProblemSet();
      for (const cluster of model.clusters) {
        const edges = new Map<Application, Application[]>();
        for (const r of model.references(cluster)) {
          if (!r.ref.rule.dependsOn || r.targets.length === 0) continue;
          edges.set(r.from, [...edges.get(r.from) ?? [], ...r.targets]);
        }
        const done = new Set<Application>();
        const stack: Application[] = [];
        const visit = (node: Application) => {
          if (done.has(node)) return;
          const at = stack.indexOf(node);
          if (at >= 0) {
            const cycle = [...stack.slice(at), node];
            problems.add(locationOf(cycle[0]), `spec.dependsOn forms a cycle: ${cycle.map(describeApplication).join(' -> ')}; Flux would wait forever: remove one of these dependsOn`, cycle.slice(0, -1).map(objectIdOf).sort().join('|'));
            return;
          }
          stack.push(node);
          for (const next of edges.get(node) ?? []) visit(next);
          stack.pop();
          done.add(node);
        };
        for (const node of edges.keys()) visit(node);
      }
      return problems.list;
    },
  };
}

function objectIdOf(a: Application): string {
  return objectId(a.doc);
}

const VARIABLE_NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

/**
 * Post-build substitution: every `${VAR}` in the objects a Kustomization with `postBuild` applies
 * is defined (inline, or by a key of a `substituteFrom` source the cluster has) or has a default,
 * and every `substituteFrom` key is a variable name.
 */
export function substitutionCheck(): ModelCheck {
  return {
    id: 'flux/post-build',
    description: 'every ${VAR} a Kustomization substitutes is defined',
    check: model => {
      const problems = new ProblemSet();
      for (const cluster of model.clusters) {
        const byApplier = new Map<Application, Application[]>();
        for (const a of cluster.applications) {
          if (a.appliedBy && isMap(a.appliedBy.doc.spec?.postBuild)) byApplier.set(a.appliedBy, [...byApplier.get(a.appliedBy) ?? [], a]);
        }
        for (const [k, applied] of byApplier) {
          const postBuild = k.doc.spec.postBuild;
          const defined = new Set(Object.keys(isMap(postBuild.substitute) ? postBuild.substitute : {}));
          let known = true;
          for (const [i, from] of (Array.isArray(postBuild.substituteFrom) ? postBuild.substituteFrom : []).entries()) {
            if (!isMap(from)) continue;
            const source = cluster.find(String(from.kind), k.namespace, String(from.name))[0]
              ?? (from.kind === 'Secret' ? cluster.find('SealedSecret', k.namespace, String(from.name))[0] : undefined);
            const keys = source ? variablesOf(source.doc) : undefined;
            if (!keys) {
              known = false;
              continue;
            }
            const bad = keys.filter(key => !VARIABLE_NAME.test(key));
            if (bad.length > 0) {
              problems.add(locationOf(k), `spec.postBuild.substituteFrom[${i}]: ${String(from.kind)} ${String(from.name)} has ${bad.map(b => `"${b}"`).join(', ')}, which ${bad.length === 1 ? 'is not a variable name' : 'are not variable names'}; Flux refuses the whole substitution: use letters, digits and '_' (e.g. "cluster_name")`);
            }
            keys.forEach(key => defined.add(key));
          }
          if (!known) continue; // a source whose keys cannot be known here
          const missing = new Map<string, string>();
          for (const a of applied) {
            if (isSubstitutionDisabled(a.built.doc)) continue;
            for (const use of variableUses(JSON.stringify(a.built.doc))) {
              if (use.escaped || use.hasDefault || defined.has(use.name) || missing.has(use.name)) continue;
              missing.set(use.name, `${describeApplication(a)} (built from "${a.directory}")`);
            }
          }
          for (const [name, where] of missing) {
            problems.add(locationOf(k), `spec.postBuild: "\${${name}}" is used in ${where} but never defined, and Flux fails the reconcile on it: define ${name} in postBuild.substitute or a substituteFrom source, give it a default ("\${${name}:=value}"), or escape it as "$\${${name}}"`);
          }
        }
      }
      return problems.list;
    },
  };
}

const SUBSTITUTE_DISABLED = 'kustomize.toolkit.fluxcd.io/substitute';

function isSubstitutionDisabled(doc: Record<string, any>): boolean {
  return doc.metadata?.labels?.[SUBSTITUTE_DISABLED] === 'disabled' || doc.metadata?.annotations?.[SUBSTITUTE_DISABLED] === 'disabled';
}

/** Kinds whose `spec.url` a controller fetches from. */
const URL_KINDS = new Set(['GitRepository', 'HelmRepository', 'OCIRepository', 'ImageRepository', 'Provider']);

/**
 * No source URL carries a password: every file of the repository is committed to git. Read from
 * every document of the repository, whatever wrote it; the password is never echoed.
 */
export function urlCredentialsCheck(): ModelCheck {
  return {
    id: 'flux/url-credentials',
    description: 'no source URL carries a password',
    check: model => {
      const problems = new ProblemSet();
      for (const e of model.documents()) {
        if (e.patch && !isMap(e.doc.spec)) continue;
        if (!URL_KINDS.has(String(e.doc.kind)) || !String(e.doc.apiVersion).includes('.fluxcd.io/')) continue;
        for (const field of ['url', 'address']) {
          const value = e.doc.spec?.[field];
          if (typeof value !== 'string') continue;
          let parsed: URL;
          try {
            parsed = new URL(value);
          } catch {
            continue; // not a URL (schema validation reports a malformed one)
          }
          // over HTTP(S) and OCI a user name alone is a credential too (a token: https://ghp_…@github.com/…);
          // over SSH, `git@` is the account every forge uses
          const tokenAsUser = parsed.username !== '' && ['http:', 'https:', 'oci:'].includes(parsed.protocol);
          if (parsed.password === '' && !tokenAsUser) continue;
          if (parsed.password !== '') parsed.password = '***';
          else parsed.username = '***'; // the user name is the token
          const location = ownerOfDocument(e.source);
          if (model.reported.has(location)) continue; // the construct refused it in its own words (a Provider's address)
          problems.add(location, `${e.source.origin.object ? '' : `${describeSource(e.source)}: `}spec.${field} "${parsed.toString()}" carries ${parsed.password !== '' ? 'a password' : 'credentials in its user name'}, which would be committed to git with the file: remove ${parsed.password !== '' ? 'it' : 'them'} from the URL and give the credentials in spec.secretRef (a SealedSecret sealed with npm run seal)`);
        }
      }
      return problems.list;
    },
  };
}
