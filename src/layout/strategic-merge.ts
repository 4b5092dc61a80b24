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
 * Items of merge-keyed lists that lack their key (kustomize would drop or misplace them), as
 * messages naming the path; empty when the patch merges predictably.
 */
export function strategicMergeProblems(apiVersion: string, kind: string, patch: Record<string, unknown>): string[] {
  const strategies = strategiesOf(apiVersion, kind);
  const problems: string[] = [];
  const walk = (value: unknown, at: string) => {
    if (Array.isArray(value)) {
      const strategy = strategies.get(at);
      value.forEach((item, i) => {
        if (strategy && strategy !== 'set' && !(isMap(item) && item[strategy.mergeKey] !== undefined)) {
          problems.push(`${at.slice(1).replace(/\//g, '.')}[${i}] has no "${strategy.mergeKey}", the key kustomize merges this list by: add it`);
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

/** A list merged by key (`name`, `containerPort`…), or a list of scalars merged as a set. */
type ListStrategy = { readonly mergeKey: string } | 'set';

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
  if (isMap(patch)) return mergeMap(target, patch, at, strategies);
  if (!Array.isArray(patch)) return patch;
  const strategy = strategies.get(at);
  if (!strategy || !Array.isArray(target)) return patch;
  // kustomize (kyaml) puts the patch's items first, in its order, then the target's other items
  if (strategy === 'set') return [...patch, ...target.filter(t => !patch.some(p => deepEqual(t, p)))];
  const keyOf = (item: unknown) => (isMap(item) ? item[strategy.mergeKey] : undefined);
  const merged = patch.map((item, i) => {
    const key = keyOf(item);
    if (key === undefined) {
      throw new StrategicMergeError(`${at}[${i}] has no "${strategy.mergeKey}", the key kustomize merges ${at.slice(at.lastIndexOf('/') + 1)} by: add it`);
    }
    const original = target.find(t => keyOf(t) === key);
    return original === undefined ? item : mergeMap(original, item as Record<string, unknown>, `${at}[]`, strategies);
  });
  const patchedKeys = new Set(patch.map(keyOf));
  return [...merged, ...target.filter(t => !patchedKeys.has(keyOf(t)))];
}

/** A patch that kustomize cannot merge predictably. */
export class StrategicMergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StrategicMergeError';
  }
}

// Merge strategies of the core API (patchStrategy "merge" in k8s.io/api), by path below the object.
const CONTAINER: Record<string, ListStrategy> = {
  '/env': { mergeKey: 'name' },
  '/ports': { mergeKey: 'containerPort' },
  '/volumeMounts': { mergeKey: 'mountPath' },
  '/volumeDevices': { mergeKey: 'devicePath' },
  '/resizePolicy': { mergeKey: 'resourceName' },
};
const POD_SPEC: Record<string, ListStrategy> = {
  '/volumes': { mergeKey: 'name' },
  '/imagePullSecrets': { mergeKey: 'name' },
  '/hostAliases': { mergeKey: 'ip' },
  '/schedulingGates': { mergeKey: 'name' },
  '/resourceClaims': { mergeKey: 'name' },
  ...nested('/containers', { mergeKey: 'name' }, CONTAINER),
  ...nested('/initContainers', { mergeKey: 'name' }, CONTAINER),
  ...nested('/ephemeralContainers', { mergeKey: 'name' }, CONTAINER),
};
const META: Record<string, ListStrategy> = {
  '/metadata/finalizers': 'set',
  '/metadata/ownerReferences': { mergeKey: 'uid' },
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
  '/Service': { '/spec/ports': { mergeKey: 'port' } },
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

function isMap(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Deep equality of JSON values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (!isMap(a) || !isMap(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every(k => k in b && deepEqual(a[k], b[k]));
}
