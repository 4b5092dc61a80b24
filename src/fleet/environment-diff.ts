import { GitOpsRepo } from './gitops-repo';
import { deepEqual, isMap } from '../core/json-values';
import { EnvironmentObject, environmentObjects } from './environment-objects';

/** One field that differs between two environments' versions of an object. */
export interface FieldDifference {
  /** Dotted path (`spec.values.domainFilters[0]`). */
  readonly path: string;
  /** The value in the first environment (undefined: absent). */
  readonly from?: unknown;
  /** The value in the second environment (undefined: absent). */
  readonly to?: unknown;
  /** Whether both are sealed values (ciphertexts for different keys always differ). */
  readonly sealed?: boolean;
}

/** How one object differs between two environments. */
export interface ObjectDifference {
  /** Identity: `Kind.group namespace/name`. */
  readonly id: string;
  /** `changed`, or present in only one environment. */
  readonly change: 'changed' | 'only-in-first' | 'only-in-second';
  /** The fields that differ (for `changed`). */
  readonly fields: readonly FieldDifference[];
}

/** What differs between two environments, object by object. */
export interface EnvironmentDiff {
  /** The first environment's name. */
  readonly first: string;
  /** The second environment's name. */
  readonly second: string;
  /** The objects that differ, sorted by identity. */
  readonly differences: readonly ObjectDifference[];
  /** Objects identical in both. */
  readonly identical: number;
}

/**
 * Compares the effective objects of two registered environments (see `environmentObjects`):
 * what would differ between their clusters.
 */
export function diffEnvironments(repo: GitOpsRepo, first: string, second: string): EnvironmentDiff {
  const a = repo.environment(first);
  const b = repo.environment(second);
  const { model } = repo.synthModel();
  return compareObjects(first, second, environmentObjects(model, a.cluster), environmentObjects(model, b.cluster));
}

/** Compares two sets of effective objects by identity. */
export function compareObjects(first: string, second: string, a: ReadonlyMap<string, EnvironmentObject>, b: ReadonlyMap<string, EnvironmentObject>): EnvironmentDiff {
  const differences: ObjectDifference[] = [];
  let identical = 0;
  const ids = [...new Set([...a.keys(), ...b.keys()])].sort();
  for (const id of ids) {
    const x = a.get(id);
    const y = b.get(id);
    if (!y) differences.push({ id, change: 'only-in-first', fields: [] });
    else if (!x) differences.push({ id, change: 'only-in-second', fields: [] });
    else if (deepEqual(x.doc, y.doc)) identical++;
    else differences.push({ id, change: 'changed', fields: fieldDifferences(x.doc, y.doc, '', x.doc.kind === 'SealedSecret') });
  }
  return { first, second, differences, identical };
}

/** Every field in which two documents differ, in key order (lists of one length item by item). */
export function documentDifferences(a: unknown, b: unknown): FieldDifference[] {
  return fieldDifferences(a, b, '', false);
}

function fieldDifferences(x: unknown, y: unknown, at: string, sealedSecret: boolean): FieldDifference[] {
  if (deepEqual(x, y)) return [];
  if (isMap(x) && isMap(y)) {
    const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
    return keys.flatMap(k => fieldDifferences(x[k], y[k], pathTo(at, k), sealedSecret));
  }
  if (Array.isArray(x) && Array.isArray(y) && x.length === y.length) {
    return x.flatMap((item, i) => fieldDifferences(item, y[i], `${at}[${i}]`, sealedSecret));
  }
  const sealed = sealedSecret && at.startsWith('spec.encryptedData') && x !== undefined && y !== undefined;
  return [{ path: at, from: x, to: y, ...sealed ? { sealed } : {} }];
}

/** The diff as people read it: grouped by object, one line per field. */
export function formatEnvironmentDiff(diff: EnvironmentDiff): string {
  const { first, second } = diff;
  const lines: string[] = [];
  const count = (change: ObjectDifference['change']) => diff.differences.filter(d => d.change === change).length;
  lines.push(`${first} → ${second}: ${count('changed')} changed, ${count('only-in-first')} only in ${first}, ${count('only-in-second')} only in ${second}, ${diff.identical} identical`);
  for (const d of diff.differences) {
    lines.push('');
    if (d.change === 'only-in-first') {
      lines.push(`- ${d.id}  (only in ${first})`);
    } else if (d.change === 'only-in-second') {
      lines.push(`+ ${d.id}  (only in ${second})`);
    } else {
      lines.push(`~ ${d.id}`);
      for (const f of d.fields) {
        lines.push(f.sealed
          ? `    ${f.path}: sealed for each cluster's own key (ciphertexts always differ)`
          : `    ${f.path}: ${show(f.from)} → ${show(f.to)}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

/** `a.b` for plain keys, `a["eks.amazonaws.com/role-arn"]` for keys that contain anything else. */
function pathTo(at: string, key: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return `${at}[${JSON.stringify(key)}]`;
  return at ? `${at}.${key}` : key;
}

function show(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}
