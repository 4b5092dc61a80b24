import { deepEqual, isMap } from './json-values';

/**
 * Kustomize's strategic merge, for the patches this library writes (plain fields, no `$patch`
 * directives: `ObjectPatch` refuses those): maps merge key by key, `null` deletes, and a list is
 * replaced unless the Kubernetes API declares a merge strategy for it — then items with the same
 * merge key are merged and new items appended, as kustomize (kyaml) does. Custom resources declare
 * no strategies, so their lists (HelmRelease values, Flux `dependsOn`) are always replaced.
 *
 * The render-equivalence test compares this with `kubectl kustomize` on every overlay.
 */
export function strategicMerge(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const strategies = strategiesOf(String(target.apiVersion ?? ''), String(target.kind ?? ''));
  return mergeMap(target, patch, '', strategies) as Record<string, unknown>;
}

/**
 * Items of merge-keyed lists that lack their key (kustomize would drop or misplace them) or repeat
 * one (kustomize keeps only the first), as messages naming the path; empty when the patch merges
 * predictably.
 */
export function strategicMergeProblems(apiVersion: string, kind: string, patch: Record<string, unknown>): string[] {
  const strategies = strategiesOf(apiVersion, kind);
  const problems: string[] = [];
  const walk = (value: unknown, at: string) => {
    if (Array.isArray(value)) {
      const strategy = strategies.get(at);
      const seen = new Set<string>();
      value.forEach((item, i) => {
        if (strategy && strategy !== 'set') {
          const key = keyOf(strategy, item);
          const field = `${at.slice(1).replace(/\//g, '.')}[${i}]`;
          const missing = strategy.mergeKeys.filter(k => !isMap(item) || item[k] === undefined);
          if (key === undefined) {
            problems.push(`${field} has no "${strategy.mergeKeys[0]}", the key kustomize merges this list by: add it`);
          } else if (missing.length > 0) {
            problems.push(`${field} has no "${missing.join('", "')}": kustomize merges this list by ${strategy.mergeKeys.map(k => `"${k}"`).join(' and ')} and mishandles an item without them (e.g. protocol: "TCP"); set them in the patch and in the object`);
          } else if (seen.has(key)) {
            problems.push(`${field} repeats ${describeKey(strategy, item)} of an earlier item: kustomize would keep only the first; merge them into one item`);
          }
          if (key !== undefined) seen.add(key);
        }
        walk(item, `${at}[]`);
      });
    } else if (isMap(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, `${at}/${k}`);
    }
  };
  walk(patch, '');
  return problems;
}

/**
 * Where a field of `target` ends up once `patch` is merged into it (list items move: the patch's
 * come first), or `undefined` when the patch sets, replaces or deletes it. Setter markers follow
 * their field through patches with it.
 */
export function mergedPath(target: Record<string, unknown>, patch: Record<string, unknown>, path: readonly (string | number)[]): (string | number)[] | undefined {
  const strategies = strategiesOf(String(target.apiVersion ?? ''), String(target.kind ?? ''));
  const out: (string | number)[] = [];
  let t: unknown = target;
  let p: unknown = patch;
  let at = '';
  for (const segment of path) {
    if (p === undefined) return [...out, ...path.slice(out.length)];
    if (Array.isArray(t)) {
      const strategy = strategies.get(at);
      if (!Array.isArray(p) || !strategy || strategy === 'set') return undefined; // the list is replaced (or a set: moved by value)
      const index = Number(segment);
      const item = t[index];
      const key = keyOf(strategy, item);
      const j = p.findIndex(x => keyOf(strategy, x) === key);
      if (strategy.mergeKeys.length > 1) {
        // merged in place, after the patch's new items
        const targetKeys = new Set(t.map((x: unknown) => keyOf(strategy, x)));
        out.push(index + p.filter(x => !targetKeys.has(keyOf(strategy, x))).length);
        p = j >= 0 ? p[j] : undefined;
      } else if (j >= 0) {
        out.push(j);
        p = p[j];
      } else {
        const patchedKeys = new Set(p.map(x => keyOf(strategy, x)));
        out.push(p.length + t.slice(0, index).filter(x => !patchedKeys.has(keyOf(strategy, x))).length);
        p = undefined;
      }
      t = item;
      at = `${at}[]`;
    } else {
      if (!isMap(p)) return undefined; // overwritten
      const key = String(segment);
      if (p[key] === null) return undefined;
      out.push(segment);
      t = isMap(t) ? t[key] : undefined;
      p = p[key];
      at = `${at}/${key}`;
    }
  }
  return p === undefined ? out : undefined; // the patch sets the field itself
}

/** A list merged by its keys (`name`; `containerPort` + `protocol`…), or a list of scalars merged as a set. */
type ListStrategy = { readonly mergeKeys: readonly string[]; readonly defaults?: Readonly<Record<string, string>> } | 'set';

function keyOf(strategy: Exclude<ListStrategy, 'set'>, item: unknown): string | undefined {
  if (!isMap(item) || item[strategy.mergeKeys[0]] === undefined) return undefined;
  return JSON.stringify(strategy.mergeKeys.map(k => item[k] ?? strategy.defaults?.[k] ?? null));
}

function describeKey(strategy: Exclude<ListStrategy, 'set'>, item: unknown): string {
  const map = item as Record<string, unknown>;
  return strategy.mergeKeys.map(k => `${k} ${JSON.stringify(map[k] ?? strategy.defaults?.[k] ?? null)}`).join(' and ');
}

function mergeMap(target: unknown, patch: Record<string, unknown>, at: string, strategies: ReadonlyMap<string, ListStrategy>): unknown {
  const out: Record<string, unknown> = isMap(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    const here = `${at}/${key}`;
    if (value === null) delete out[key];
    else out[key] = mergeValue(out[key], value, here, strategies);
  }
  return out;
}

function mergeValue(target: unknown, patch: unknown, at: string, strategies: ReadonlyMap<string, ListStrategy>): unknown {
  if (target !== undefined && target !== null && kindOf(target) !== kindOf(patch)) {
    throw new StrategicMergeError(`${at.slice(1).replace(/\//g, '.')} is a ${kindOf(target)} in the target but a ${kindOf(patch)} in the patch: kustomize refuses to merge them ("wrong node kind"); patch it with a ${kindOf(target)}`);
  }
  if (isMap(patch)) return mergeMap(target, patch, at, strategies);
  if (!Array.isArray(patch)) return patch;
  const strategy = strategies.get(at);
  if (!strategy) return patch; // replaced as written (kustomize keeps its nulls)
  if (!Array.isArray(target)) return patch.map(withoutNulls);
  // kustomize (kyaml) puts the patch's items first, in its order, then the target's other items
  if (strategy === 'set') return [...patch, ...target.filter(t => !patch.some(p => deepEqual(t, p)))];
  const merged: unknown[] = [];
  const keys = new Set<string>();
  patch.forEach((item, i) => {
    const key = keyOf(strategy, item);
    if (key === undefined) {
      throw new StrategicMergeError(`${at}[${i}] has no "${strategy.mergeKeys[0]}", the key kustomize merges ${at.slice(at.lastIndexOf('/') + 1)} by: add it`);
    }
    if (keys.has(key)) return; // kustomize keeps the first (ObjectPatch reports it)
    keys.add(key);
    const original = target.find(t => keyOf(strategy, t) === key);
    merged.push(original === undefined ? withoutNulls(item) : mergeMap(original, item as Record<string, unknown>, `${at}[]`, strategies));
  });
  if (strategy.mergeKeys.length > 1) {
    const first = strategy.mergeKeys[0];
    const loose = target.find(t => isMap(t) && strategy.mergeKeys.some(k => t[k] === undefined) && patch.some(p => isMap(p) && p[first] === t[first]));
    if (loose !== undefined) {
      throw new StrategicMergeError(`${at.slice(1).replace(/\//g, '.')}: the object's item with ${first} ${JSON.stringify((loose as Record<string, unknown>)[first])} has no ${strategy.mergeKeys.filter(k => (loose as Record<string, unknown>)[k] === undefined).map(k => `"${k}"`).join(', ')}, and kustomize then drops the patch's item for it: set it in the object (e.g. protocol: "TCP")`);
    }
    // lists keyed by several fields (ports by port and protocol): kyaml merges items in place and
    // puts the new ones first, in the patch's order (checked against kubectl kustomize)
    const byKey = new Map(merged.map(m => [keyOf(strategy, m)!, m]));
    const inPlace = target.map(t => byKey.get(keyOf(strategy, t) ?? '') ?? t);
    return [...merged.filter(m => !target.some(t => keyOf(strategy, t) === keyOf(strategy, m))), ...inPlace];
  }
  return [...merged, ...target.filter(t => !keys.has(keyOf(strategy, t) ?? ''))];
}

/** A value the patch adds as a whole: its `null`s delete nothing, so kustomize drops them. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isMap(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
}

function kindOf(x: unknown): 'map' | 'list' | 'scalar' {
  return Array.isArray(x) ? 'list' : isMap(x) ? 'map' : 'scalar';
}

/** A patch that kustomize cannot merge predictably. */
export class StrategicMergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StrategicMergeError';
  }
}

// Merge strategies of the core API as kustomize's bundled OpenAPI declares them (patchStrategy
// "merge" with x-kubernetes-list-map-keys), by path below the object. Newer lists (schedulingGates,
// resizePolicy, resourceClaims) are not in kustomize's schema, so it replaces them.
const BY_NAME = { mergeKeys: ['name'] } as const;
const CONTAINER: Record<string, ListStrategy> = {
  '/env': BY_NAME,
  '/ports': { mergeKeys: ['containerPort', 'protocol'] },
  '/volumeMounts': { mergeKeys: ['mountPath'] },
  '/volumeDevices': { mergeKeys: ['devicePath'] },
};
const POD_SPEC: Record<string, ListStrategy> = {
  '/volumes': BY_NAME,
  '/imagePullSecrets': BY_NAME,
  '/hostAliases': { mergeKeys: ['ip'] },
  '/topologySpreadConstraints': { mergeKeys: ['topologyKey'] },
  ...nested('/containers', BY_NAME, CONTAINER),
  ...nested('/initContainers', BY_NAME, CONTAINER),
  ...nested('/ephemeralContainers', BY_NAME, CONTAINER),
};
const META: Record<string, ListStrategy> = {
  '/metadata/finalizers': 'set',
  '/metadata/ownerReferences': { mergeKeys: ['uid'] },
};
const POD_TEMPLATE_KINDS: Record<string, string> = {
  'apps/Deployment': '/spec/template/spec',
  'apps/StatefulSet': '/spec/template/spec',
  'apps/DaemonSet': '/spec/template/spec',
  'apps/ReplicaSet': '/spec/template/spec',
  'batch/Job': '/spec/template/spec',
  'batch/CronJob': '/spec/jobTemplate/spec/template/spec',
  '/Pod': '/spec',
  '/PodTemplate': '/template/spec',
  '/ReplicationController': '/spec/template/spec',
};
const OTHER_CORE: Record<string, Record<string, ListStrategy>> = {
  '/Service': { '/spec/ports': { mergeKeys: ['port', 'protocol'] } },
  '/ServiceAccount': { '/secrets': BY_NAME },
};

function nested(prefix: string, strategy: ListStrategy, inner: Record<string, ListStrategy>): Record<string, ListStrategy> {
  return {
    [prefix]: strategy,
    ...Object.fromEntries(Object.entries(inner).map(([p, s]) => [`${prefix}[]${p}`, s])),
  };
}

function strategiesOf(apiVersion: string, kind: string): ReadonlyMap<string, ListStrategy> {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  const key = `${group}/${kind}`;
  const podSpec = POD_TEMPLATE_KINDS[key];
  const map = new Map(Object.entries(META));
  if (podSpec !== undefined) {
    for (const [p, s] of Object.entries(POD_SPEC)) map.set(`${podSpec}${p}`, s);
    if (key !== '/Pod') for (const [p, s] of Object.entries(META)) map.set(`${podSpec.replace(/\/spec$/, '')}${p}`, s);
  }
  for (const [p, s] of Object.entries(OTHER_CORE[key] ?? {})) map.set(p, s);
  return map;
}
