import { isMap } from '../json-values';
import { Doc } from './repo-tree';
import { groupOf } from './identity';

/** How a reference field finds the namespace of what it names. */
export enum ReferenceScope {
  /** Always the referring object's own namespace (`valuesFrom`, `secretRef`). */
  OWN_NAMESPACE = 'own',
  /** The namespace the reference states, else the referring object's own (`sourceRef`, `dependsOn`). */
  STATED_OR_OWN = 'stated',
  /** The target is cluster-scoped (a ClusterRole). */
  CLUSTER = 'cluster',
  /**
   * Always one namespace, the field's `namespace` (a cert-manager ClusterIssuer's Secrets live in
   * cert-manager's cluster-resource namespace, whatever namespace the issuer names).
   */
  FIXED = 'fixed',
}

/** Whether a reference must resolve in the cluster that applies the referring object. */
export enum ReferenceResolution {
  /** The controller fails without it: it must be applied by the same cluster (or declared external). */
  REQUIRED = 'required',
  /**
   * Read for the graph, diff and isolation checks, but its target may legitimately come from
   * outside the repository (a Secret a chart creates, an object of a tenant's repository).
   */
  INFORMATIONAL = 'informational',
}

/** One field of a kind that references another object. */
export interface ReferenceField {
  /**
   * Where the reference is: dotted keys, `[]` for every item of a list, e.g. `spec.sourceRef`,
   * `spec.dependsOn[]`, `spec.template.spec.volumes[].secret`.
   */
  readonly path: string;
  /** What the edge means, for the graph and messages: `source`, `dependsOn`, `secret`, `values`… */
  readonly role: string;
  /**
   * The kinds it may name. When the reference has a `kind` field, that is read and must be one of
   * these (any kind when empty); otherwise the first is the kind.
   */
  readonly kinds: readonly string[];
  /** Where the target's namespace comes from. */
  readonly scope: ReferenceScope;
  /** With `ReferenceScope.FIXED`: the namespace the target is in. @default none (required with FIXED) */
  readonly namespace?: string;
  /** Must the target exist in the cluster? @default REQUIRED */
  readonly resolution?: ReferenceResolution;
  /** The key holding the name; `''` when the field's value is the name itself (`serviceAccountName`). @default 'name' */
  readonly nameKey?: string;
  /** A boolean key that makes a missing target acceptable (`optional: true`). @default none */
  readonly optionalKey?: string;
  /**
   * Whether Flux's multi-tenancy lockdown (`--no-cross-namespace-refs`) refuses it across
   * namespaces. @default true for STATED_OR_OWN
   */
  readonly lockedDown?: boolean;
  /** Whether it orders reconciliation (checked for cycles). @default false */
  readonly dependsOn?: boolean;
  /** Whether `name: '*'` selects every object of the kind (with `matchLabels`). @default false */
  readonly wildcard?: boolean;
}

/** The references of one kind. */
export interface KindReferences {
  /** The API group (`''` for the core group). */
  readonly group: string;
  /** The kind. */
  readonly kind: string;
  /**
   * Whether the kind itself is cluster-scoped (a custom kind whose CRD says `scope: Cluster`, such
   * as a ClusterIssuer or a GatewayClass): references to it then resolve in no namespace.
   * @default false (or what `GitOpsRepo.registerCrds` learnt from its CRD)
   */
  readonly clusterScoped?: boolean;
  /** Its reference fields. */
  readonly fields: readonly ReferenceField[];
}

/** One reference read from a document. */
export interface DocumentReference {
  /** The field that makes it, with list indexes, e.g. `spec.dependsOn[1]`. */
  readonly field: string;
  /** The field's declaration. */
  readonly rule: ReferenceField;
  /** The kind it names. */
  readonly kind: string;
  /** The API group it names, when it states an apiVersion. */
  readonly group?: string;
  /** The name it names (`*` for a wildcard). */
  readonly name: string;
  /** The namespace the target must be in; undefined for a cluster-scoped target. */
  readonly namespace?: string;
  /** Whether the reference states its namespace. */
  readonly statesNamespace: boolean;
  /** Whether a missing target is acceptable (`optional: true`, or an informational field). */
  readonly optional: boolean;
  /** For a wildcard: the labels the selected objects carry. */
  readonly matchLabels?: Readonly<Record<string, string>>;
}

/**
 * The reference fields of every kind the fleet knows, in one table: each module registers its
 * kinds (the Flux kinds, core kinds such as RoleBinding or the pod templates of workloads), and a
 * user registers the kinds they import (`FleetRegistry.references.register`). Every check, the
 * graph and the diff read references from documents through this table, never from constructs.
 */
export class ReferenceTable {
  private readonly byKind = new Map<string, KindReferences[]>();
  private readonly compiled = new Map<ReferenceField, PathStep[]>();

  /** Adds (or extends) the reference fields of a kind; throws `InvalidReferenceError` for a field it could not read. */
  public register(entry: KindReferences): void {
    for (const f of entry.fields) {
      const problem = fieldProblem(f);
      if (problem) throw new InvalidReferenceError(`reference field "${f.path}" of ${entry.group ? `${entry.group}/` : ''}${entry.kind}: ${problem}`);
    }
    const list = this.byKind.get(entry.kind) ?? [];
    list.push(entry);
    this.byKind.set(entry.kind, list);
    for (const f of entry.fields) this.compiled.set(f, compilePath(f.path));
  }

  /** Every registered entry. */
  public get entries(): readonly KindReferences[] {
    return [...this.byKind.values()].flat();
  }

  /** The references of a document, in field order; `namespace` is the document's namespace in the cluster. */
  public referencesOf(doc: Doc, namespace: string | undefined = doc.metadata?.namespace): DocumentReference[] {
    const entries = this.byKind.get(String(doc.kind));
    if (!entries) return [];
    const group = groupOf(doc.apiVersion);
    const out: DocumentReference[] = [];
    for (const entry of entries) {
      if (entry.group !== group) continue;
      for (const rule of entry.fields) {
        for (const { value, field } of valuesAtSteps(doc, this.compiled.get(rule) ?? compilePath(rule.path))) {
          const ref = readReference(value, field, rule, namespace);
          if (ref) out.push(ref);
        }
      }
    }
    return out;
  }
}

/** Why the table could not read a reference field, if so. */
export function fieldProblem(f: ReferenceField): string | undefined {
  if (!/^[A-Za-z0-9_$-]+(\[\])?(\.[A-Za-z0-9_$-]+(\[\])?)*$/.test(f.path)) {
    return `the path is not dotted keys with [] for list items (e.g. "spec.listeners[].tls.certificateRefs[]")`;
  }
  if (f.scope === ReferenceScope.FIXED && (f.namespace === undefined || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(f.namespace))) {
    return `scope FIXED needs the namespace its targets are in, a DNS label (e.g. namespace: 'cert-manager'); got ${JSON.stringify(f.namespace)}`;
  }
  if (f.scope !== ReferenceScope.FIXED && f.namespace !== undefined) {
    return `namespace ${JSON.stringify(f.namespace)} is read only with scope FIXED: drop it, or use ReferenceScope.FIXED`;
  }
  if (f.nameKey === '' && f.kinds.length === 0) return 'a field whose value is the name (nameKey: \'\') must say the kind it names in kinds';
  return undefined;
}

/** Thrown for a reference declaration the table cannot read. */
export class InvalidReferenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidReferenceError';
  }
}

function readReference(value: unknown, field: string, rule: ReferenceField, own: string | undefined): DocumentReference | undefined {
  const nameKey = rule.nameKey ?? 'name';
  if (rule.nameKey === '') {
    return typeof value === 'string' && value !== '' ? make(value, rule.kinds[0], undefined, undefined, false) : undefined;
  }
  if (!isMap(value)) return undefined;
  const name = value[nameKey];
  if (typeof name !== 'string' || name === '') return undefined;
  const kind = typeof value.kind === 'string' ? value.kind : rule.kinds[0];
  if (kind === undefined) return undefined;
  const group = typeof value.apiVersion === 'string' ? groupOf(value.apiVersion) : undefined;
  const stated = typeof value.namespace === 'string' && value.namespace !== '' ? value.namespace : undefined;
  const optional = rule.optionalKey !== undefined && value[rule.optionalKey] === true;
  const labels = isMap(value.matchLabels) ? value.matchLabels as Record<string, string> : undefined;
  return make(name, kind, group, stated, optional, labels);

  function make(n: string, k: string, g: string | undefined, ns: string | undefined, opt: boolean, matchLabels?: Record<string, string>): DocumentReference {
    const namespace = rule.scope === ReferenceScope.CLUSTER ? undefined
      : rule.scope === ReferenceScope.FIXED ? rule.namespace
        : rule.scope === ReferenceScope.OWN_NAMESPACE ? own : ns ?? own;
    return {
      field, rule, kind: k, group: g, name: n, namespace,
      statesNamespace: rule.scope === ReferenceScope.STATED_OR_OWN && ns !== undefined,
      optional: opt || rule.resolution === ReferenceResolution.INFORMATIONAL,
      ...matchLabels ? { matchLabels } : {},
    };
  }
}

interface PathStep {
  readonly key: string;
  readonly list: boolean;
}

function compilePath(path: string): PathStep[] {
  return path.split('.').map(part => (part.endsWith('[]') ? { key: part.slice(0, -2), list: true } : { key: part, list: false }));
}

/** The values at a compiled path (`a.b[].c`), with the field name of each (`a.b[2].c`). */
function valuesAtSteps(doc: unknown, steps: readonly PathStep[]): { value: unknown; field: string }[] {
  let current: { value: unknown; field: string }[] = [{ value: doc, field: '' }];
  for (const { key, list } of steps) {
    if (current.length === 0) break;
    const next: { value: unknown; field: string }[] = [];
    for (const c of current) {
      if (!isMap(c.value)) continue;
      const v = c.value[key];
      const field = c.field ? `${c.field}.${key}` : key;
      if (v === undefined || v === null) continue;
      if (list) {
        if (Array.isArray(v)) v.forEach((item, i) => next.push({ value: item, field: `${field}[${i}]` }));
      } else {
        next.push({ value: v, field });
      }
    }
    current = next;
  }
  return current;
}

/** An object that exists in a cluster because another object does (a Secret for a SealedSecret). */
export interface DerivedObject {
  /** Its kind. */
  readonly kind: string;
  /** Its name. */
  readonly name: string;
  /** Its namespace; undefined for a cluster-scoped object. */
  readonly namespace?: string;
}

/** Objects that controllers create from objects of one kind. */
export interface DerivedObjects {
  /** The API group of the creating kind. */
  readonly group: string;
  /** The creating kind. */
  readonly kind: string;
  /** What one object (with its namespace in the cluster) makes exist. */
  derive(doc: Doc, namespace: string | undefined): DerivedObject[];
}
