// The policySelector of an ImageUpdateAutomation: its types, their checks, and how it selects labels (read by the image checks).
import { FieldChecks } from '../flux/field-checks';

/** How a `policySelector` requirement compares a label. */
export enum LabelSelectorOperator {
  /** The label's value is one of `values`. */
  IN = 'In',
  /** The label is missing, or its value is none of `values`. */
  NOT_IN = 'NotIn',
  /** The label is present (no `values`). */
  EXISTS = 'Exists',
  /** The label is missing (no `values`). */
  DOES_NOT_EXIST = 'DoesNotExist',
}

/** One requirement of a `policySelector` on a policy's labels (ANDed with the others and with matchLabels). */
export interface LabelSelectorRequirement {
  /** The label key, e.g. `app.kubernetes.io/part-of`. */
  readonly key: string;
  /** How the label is compared. */
  readonly operator: LabelSelectorOperator | `${LabelSelectorOperator}`;
  /** The values for `In` and `NotIn` (at least one); none for `Exists` and `DoesNotExist`. @default none */
  readonly values?: readonly string[];
}

/** Which ImagePolicies of its namespace an automation applies: by labels and label requirements. */
export interface PolicySelector {
  /** The labels a policy must carry. @default no label required */
  readonly matchLabels?: Readonly<Record<string, string>>;
  /** Requirements on a policy's labels. @default none */
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

const OPERATORS = Object.values(LabelSelectorOperator) as string[];
/** A label key: an optional DNS-subdomain prefix and '/', then a name of at most 63 characters. */
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** A label selector requirement as the API server validates it. */
export function checkRequirement(c: FieldChecks, at: string, e: LabelSelectorRequirement): void {
  if (!LABEL_KEY.test(e.key) || e.key.length > 316) {
    c.add(`${at}.key ${JSON.stringify(e.key)} is not a label key: use an optional DNS prefix and "/", then at most 63 letters, digits, '-', '_' or '.' (e.g. "app.kubernetes.io/part-of")`);
  }
  if (!OPERATORS.includes(e.operator)) {
    c.add(`${at}.operator ${JSON.stringify(e.operator)} is not an operator: use ${OPERATORS.map(o => `"${o}"`).join(', ')}`);
    return;
  }
  const values = e.values ?? [];
  if ((e.operator === 'In' || e.operator === 'NotIn') && values.length === 0) {
    c.add(`${at}.values is empty: operator "${e.operator}" needs at least one value`);
  }
  if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && values.length > 0) {
    c.add(`${at}.values ${JSON.stringify(values)} is set, but operator "${e.operator}" takes no values: drop them, or use "In"/"NotIn"`);
  }
}

/**
 * Whether a label selector (matchLabels and matchExpressions, as written in a document) selects
 * these labels; true for a malformed selector, which its own check reports (not every marker).
 */
export function selectorSelects(selector: PolicySelector, labels: Readonly<Record<string, string>>): boolean {
  const malformed = (selector.matchExpressions ?? []).some(e => !OPERATORS.includes(e.operator) || ((e.operator === 'In' || e.operator === 'NotIn') === ((e.values ?? []).length === 0)));
  if (malformed) return true;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return byLabels && (selector.matchExpressions ?? []).every(e => {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case 'In': return has && (e.values ?? []).includes(labels[e.key]);
      case 'NotIn': return !has || !(e.values ?? []).includes(labels[e.key]);
      case 'Exists': return has;
      case 'DoesNotExist': return !has;
      default: return false;
    }
  });
}

/** A selector as a person reads it: `team=apps,tier in (web,api),!legacy`. */
export function describeSelector(selector: PolicySelector): string {
  return [
    ...Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(selector.matchExpressions ?? []).map(e => {
      switch (e.operator) {
        case 'In': return `${e.key} in (${(e.values ?? []).join(',')})`;
        case 'NotIn': return `${e.key} notin (${(e.values ?? []).join(',')})`;
        case 'Exists': return e.key;
        default: return `!${e.key}`;
      }
    }),
  ].join(',');
}
