// What differs between environments: the same patch in each environment's overlay, with other values,
// becomes typed fields of the environment that each overlay's patch reads.
import { isMap } from '../core/json-values';
import { arr, Expr, lit, obj, prop, ref, Var } from './code';
import { camelCase, unique } from './names';

/** A value that differs between environments, lifted from their overlays' patches into a field of the environment. */
export interface EnvironmentField {
  /** The field's name. */
  readonly name: string;
  /** Its TypeScript type. */
  readonly type: 'string' | 'number' | 'boolean';
  /** Where it comes from, for its documentation. */
  readonly from: string;
  /** Its value in each environment. */
  readonly values: Readonly<Record<string, unknown>>;
}

/** A kustomize patch as the repository has it: its target and content. */
export interface RawPatch {
  readonly target: Record<string, unknown>;
  readonly patch: unknown;
}

/** What the lifting needs of a component: its directory, its patches, and where it records its environment. */
export interface PatchedComponent {
  /** Its name (the home of its variables). */
  readonly name: string;
  readonly dir: { readonly source: string };
  readonly rawPatches: readonly RawPatch[];
  /** Set when its patches read values from its environment. */
  env?: { readonly var: Var; readonly name: string };
}

/** A patch's scalar leaves, by path (`["spec","values","txtOwnerId"]`). */
function leaves(value: unknown, at: (string | number)[] = []): { path: (string | number)[]; value: unknown }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, [...at, i]));
  if (isMap(value)) return Object.entries(value).flatMap(([k, v]) => leaves(v, [...at, k]));
  return [{ path: at, value }];
}

/** A patch with its scalar leaves replaced by their type: patches of one shape in each environment differ only in values. */
function skeleton(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(skeleton);
  if (isMap(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, skeleton(v)]));
  return typeof value;
}

/** The fields each patch reads, by the path of the value it replaces. */
const LIFTED = new WeakMap<RawPatch, Map<string, EnvironmentField>>();

/**
 * Lifts what differs between environments into fields of the environment: when every environment's
 * cluster applies an overlay directory of its own holding the same patch (same target, same shape),
 * each scalar value that is not the same in all of them becomes a field (`externalDnsTxtOwnerId`),
 * and the overlay's patch reads it from its environment.
 */
export function liftEnvironmentValues(components: readonly PatchedComponent[], dirClusters: ReadonlyMap<string, ReadonlySet<string>>, clusters: readonly string[]): EnvironmentField[] {
  const byShape = new Map<string, { component: PatchedComponent; cluster: string; patch: RawPatch }[]>();
  for (const c of components) {
    const owners = dirClusters.get(c.dir.source);
    if (!owners || owners.size !== 1) continue;
    const cluster = [...owners][0];
    for (const p of c.rawPatches) {
      const key = JSON.stringify([p.target, skeleton(p.patch)]);
      byShape.set(key, [...byShape.get(key) ?? [], { component: c, cluster, patch: p }]);
    }
  }
  const fields: EnvironmentField[] = [];
  const names = new Set<string>(['name', 'cluster', 'lockdown']);
  for (const group of byShape.values()) {
    const inEach = clusters.every(k => group.filter(g => g.cluster === k).length === 1);
    if (clusters.length < 2 || !inEach) continue;
    const first = leaves(group[0].patch.patch);
    for (const [i, leaf] of first.entries()) {
      const values = Object.fromEntries(group.map(g => [g.cluster, leaves(g.patch.patch)[i].value]));
      const distinct = new Set(Object.values(values).map(v => JSON.stringify(v)));
      const type = typeof leaf.value;
      if (distinct.size < 2 || (type !== 'string' && type !== 'number' && type !== 'boolean')) continue;
      const target = String(group[0].patch.target.name ?? group[0].patch.target.kind ?? '');
      const last = leaf.path.filter(p => typeof p === 'string' && !['spec', 'values', 'metadata', 'annotations', 'value'].includes(p)).slice(-1)[0] ?? 'value';
      const field: EnvironmentField = {
        name: unique(camelCase(`${target}-${String(last).replace(/.*\//, '')}`, 'value'), names),
        type: type as EnvironmentField['type'],
        from: `${leaf.path.join('.')} of the patch of ${String(group[0].patch.target.kind)} ${target} in each environment's overlay`,
        values,
      };
      fields.push(field);
      for (const g of group) {
        const lifted = LIFTED.get(g.patch) ?? new Map<string, EnvironmentField>();
        lifted.set(JSON.stringify(leaf.path), field);
        LIFTED.set(g.patch, lifted);
        g.component.env = { var: { name: 'env', home: g.component.name, exported: false }, name: g.cluster };
      }
    }
  }
  return fields;
}

/** The `addPatch` argument of a patch, with the values lifted into the environment read from it. */
export function patchExpr(p: RawPatch, c: PatchedComponent, fields: readonly EnvironmentField[]): Expr {
  const lifted = LIFTED.get(p);
  if (!lifted || !c.env || fields.length === 0) return lit(p);
  const envVar = c.env.var;
  const build = (value: unknown, at: (string | number)[]): Expr => {
    const field = lifted.get(JSON.stringify(at));
    if (field) return prop(ref(envVar), field.name);
    if (Array.isArray(value)) return arr(value.map((v, i) => build(v, [...at, i])));
    if (isMap(value)) return obj(Object.entries(value).map(([k, v]): [string, Expr] => [k, build(v, [...at, k])]));
    return lit(value);
  };
  return obj({ target: lit(p.target), patch: build(p.patch, []) });
}
