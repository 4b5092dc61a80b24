import { isClusterScoped } from './namespace';

/**
 * A kustomize patch `target`. `group`, `version`, `kind`, `name` and `namespace` are regular
 * expressions matched against the whole value; an empty or missing field matches anything.
 * `labelSelector` and `annotationSelector` are Kubernetes label selectors.
 */
export interface TargetSelector {
  /** API group (the part of `apiVersion` before its first `/`); the core group (`v1`) is `''`. */
  group?: string;
  /** API version (the part of `apiVersion` after its first `/`). */
  version?: string;
  /** Kind, e.g. `Deployment` or `Deploy.*`. */
  kind?: string;
  /** `metadata.name`. */
  name?: string;
  /**
   * Namespace. An object without one is in `default` (unless cluster-scoped); a cluster-scoped
   * object is in none, so only a pattern matching `_non_namespaceable_` (e.g. `.*`) selects it.
   */
  namespace?: string;
  /** A label selector on `metadata.labels`, e.g. `app=web,tier in (frontend)`. */
  labelSelector?: string;
  /** A label selector on `metadata.annotations`. */
  annotationSelector?: string;
}

/**
 * Where a resource was before patches or the namespace transformer of an earlier layer changed it:
 * kustomize matches `name` and `namespace` against the original as well as the current values.
 */
export interface OriginalId {
  /** The original `metadata.name`. */
  name?: string;
  /** The original `metadata.namespace` (`''` for none). */
  namespace?: string;
}

/** Operators of a label selector requirement. */
export type LabelOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

/** One requirement of a label selector (all must hold). */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** The values (`in`/`notin`: sorted and deduplicated; `=`, `==`, `!=`, `gt`, `lt`: one; exists/`!`: none). */
  readonly values: readonly string[];
}

/** An invalid selector: a regular expression or a label selector kustomize would refuse. */
export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

/** The namespace kustomize gives cluster-scoped objects when matching a target. */
export const NON_NAMESPACEABLE = '_non_namespaceable_';

/**
 * Whether kustomize's `patches:` target `selector` selects `doc`; see {@link compileSelector}.
 *
 * @throws SelectorError for an invalid regular expression, or an invalid label or annotation
 *   selector once a document gets as far as being checked against it (as in kustomize)
 */
export function matchesSelector(doc: Record<string, unknown>, selector: TargetSelector, original?: OriginalId): boolean {
  return compileSelector(selector)(doc, original);
}

/**
 * Compiles a target once for many documents. Mirrors kustomize: the namespace, then the name, then
 * group/version/kind, then labels, then annotations must match. Name and namespace match if either
 * the current or the `original` value does. A missing namespace counts as `default`; cluster-scoped
 * objects (see `isClusterScoped`) count as {@link NON_NAMESPACEABLE}. Group and version come from
 * `apiVersion` split at its first `/` (`v1` is group `''`).
 *
 * Patterns are Go (RE2) regular expressions run as JavaScript ones: a leading `(?i)`/`(?s)`/`(?m)` and
 * `(?P<name>` are translated; RE2-only syntax beyond that may differ.
 *
 * @throws SelectorError for an invalid regular expression
 */
export function compileSelector(selector: TargetSelector): (doc: Record<string, unknown>, original?: OriginalId) => boolean {
  // kustomize compiles every pattern up front, label selectors only when first needed
  const group = anchored(selector.group, 'group');
  const version = anchored(selector.version, 'version');
  const kind = anchored(selector.kind, 'kind');
  const name = anchored(selector.name, 'name');
  const namespace = anchored(selector.namespace, 'namespace');
  let labels: LabelRequirement[] | undefined;
  let annotations: LabelRequirement[] | undefined;
  return (doc, original) => {
    const apiVersion = scalarText(doc.apiVersion);
    const docKind = scalarText(doc.kind);
    const metadata = isMap(doc.metadata) ? doc.metadata : {};
    const clusterScoped = isClusterScoped(apiVersion, docKind);
    const effective = (ns: string) => (clusterScoped ? NON_NAMESPACEABLE : ns === '' ? 'default' : ns);
    if (namespace) {
      const now = effective(scalarText(metadata.namespace));
      const before = original?.namespace === undefined ? undefined : effective(original.namespace);
      if (!namespace.test(now) && (before === undefined || !namespace.test(before))) return false;
    }
    if (name) {
      const before = original?.name;
      if (!name.test(scalarText(metadata.name)) && (before === undefined || !name.test(before))) return false;
    }
    const slash = apiVersion.indexOf('/');
    if (group && !group.test(slash < 0 ? '' : apiVersion.slice(0, slash))) return false;
    if (version && !version.test(slash < 0 ? apiVersion : apiVersion.slice(slash + 1))) return false;
    if (kind && !kind.test(docKind)) return false;
    if (selector.labelSelector) {
      labels ??= parseLabelSelector(selector.labelSelector);
      if (!matchesLabels(stringMap(metadata.labels), labels)) return false;
    }
    if (selector.annotationSelector) {
      annotations ??= parseLabelSelector(selector.annotationSelector);
      if (!matchesLabels(stringMap(metadata.annotations), annotations)) return false;
    }
    return true;
  };
}

/**
 * Whether a label (or annotation) map satisfies every requirement, with Kubernetes semantics:
 * `!=` and `notin` also hold when the key is absent; `gt`/`lt` need an integer value.
 */
export function matchesLabels(labels: Readonly<Record<string, string>>, requirements: readonly LabelRequirement[]): boolean {
  return requirements.every(({ key, operator, values }) => {
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    const value = has ? labels[key] : '';
    switch (operator) {
      case '=': case '==': case 'in': return has && values.includes(value);
      case '!=': case 'notin': return !has || !values.includes(value);
      case 'exists': return has;
      case '!': return !has;
      case 'gt': case 'lt': {
        if (!has || !isInt64(value)) return false;
        const actual = BigInt(value);
        const bound = BigInt(values[0]);
        return operator === 'gt' ? actual > bound : actual < bound;
      }
    }
  });
}

/**
 * Parses a Kubernetes label selector as kustomize does (`k8s.io/apimachinery` `labels.Parse`):
 * comma-separated requirements, all of which must hold: `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
 * `a notin (x)`, `a`, `!a`, and `a>1`/`a<1` (integers). The empty string selects everything. Keys
 * must be qualified names (optional DNS-subdomain prefix and `/`), values valid label values.
 *
 * @throws SelectorError naming what was found and what was expected
 */
export function parseLabelSelector(text: string): LabelRequirement[] {
  const tokens = lex(text);
  let at = 0;
  // `in` and `notin` are plain identifiers wherever a value may stand
  const peek = (): Token => asValue(tokens[at]);
  const take = (): Token => asValue(tokens[at++]);
  let inRequirement = false;
  const fail = (why: string): never => {
    const context = inRequirement ? 'unable to parse requirement: ' : '';
    throw new SelectorError(`invalid selector ${JSON.stringify(text)}: ${context}${why}`);
  };

  const requirement = (): LabelRequirement => {
    let token = take();
    let negated = false;
    if (token.type === '!') {
      negated = true;
      token = take();
    }
    if (token.type !== 'id') fail(`found '${token.text}', expected: identifier`);
    const key = token.text;
    checkKey(key, fail);
    if (negated) return { key, operator: '!', values: [] };
    const next = peek();
    if (next.type === 'end' || next.type === ',') return { key, operator: 'exists', values: [] };
    const op = asOperator(tokens[at++]);
    if (!op) fail(`found '${next.text}', expected: '=', '!=', '==', 'in', notin'`);
    const operator = op as LabelOperator;
    const values = operator === 'in' || operator === 'notin' ? valueSet() : [exactValue()];
    if ((operator === 'gt' || operator === 'lt') && !isInt64(values[0])) {
      fail(`for 'Gt', 'Lt' operators, the value must be an integer`);
    }
    for (const value of values) checkValue(key, value, fail);
    return { key, operator, values };
  };

  const exactValue = (): string => {
    const next = peek();
    if (next.type === 'end' || next.type === ',') return '';
    const token = take();
    if (token.type !== 'id') fail(`found '${token.text}', expected: identifier`);
    return token.text;
  };

  const valueSet = (): string[] => {
    const open = take();
    if (open.type !== '(') fail(`found '${open.text}' expected: '('`);
    const first = peek();
    if (first.type === ')') {
      at++;
      return ['']; // `()` is the set holding the empty value
    }
    if (first.type !== 'id' && first.type !== ',') fail(`found '${first.text}', expected: ',', ')' or identifier`);
    const set = new Set<string>();
    for (;;) {
      const token = take();
      if (token.type === 'id') {
        set.add(token.text);
        const after = peek();
        if (after.type === ')') break;
        if (after.type !== ',') fail(`found '${after.text}', expected: ',' or ')'`);
      } else if (token.type === ',') {
        if (set.size === 0) set.add(''); // `(,x)`
        const after = peek();
        if (after.type === ')') {
          set.add(''); // `(x,)`
          break;
        }
        if (after.type === ',') {
          at++;
          set.add(''); // `(x,,y)`
        }
      } else {
        fail(`found '${token.text}', expected: ',', or identifier`);
      }
    }
    take(); // the `)`
    return [...set].sort(compareCodePoints);
  };

  const requirements: LabelRequirement[] = [];
  for (;;) {
    const token = peek();
    if (token.type === 'end') return requirements;
    if (token.type !== 'id' && token.type !== '!') fail(`found '${token.text}', expected: !, identifier, or 'end of string'`);
    inRequirement = true;
    requirements.push(requirement());
    inRequirement = false;
    const after = take();
    if (after.type === 'end') return requirements;
    if (after.type !== ',') fail(`found '${after.text}', expected: ',' or 'end of string'`);
    const next = peek();
    if (next.type !== 'id' && next.type !== '!') fail(`found '${next.text}', expected: identifier after ','`);
  }
}

type Token = { type: 'id' | 'in' | 'notin' | '!' | '=' | '==' | '!=' | '>' | '<' | '(' | ')' | ',' | 'end'; text: string };

/**
 * The apimachinery lexer: whitespace separates, `!=` and `==` are read before their first character,
 * any other run of characters up to whitespace or one of `=!(),><` is a word.
 */
function lex(text: string): Token[] {
  const tokens: Token[] = [];
  const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
  const isSpecial = (c: string) => '=!(),><'.includes(c);
  let i = 0;
  for (;;) {
    while (i < text.length && isSpace(text[i])) i++;
    if (i >= text.length) {
      tokens.push({ type: 'end', text: '' });
      return tokens;
    }
    if (isSpecial(text[i])) {
      const pair = text.slice(i, i + 2);
      const symbol = (pair === '!=' || pair === '==' ? pair : text[i]) as Token['type'];
      tokens.push({ type: symbol, text: symbol });
      i += symbol.length;
    } else {
      let word = '';
      while (i < text.length && !isSpace(text[i]) && !isSpecial(text[i])) word += text[i++];
      tokens.push({ type: word === 'in' || word === 'notin' ? word : 'id', text: word });
    }
  }
}

function asValue(token: Token): Token {
  return token.type === 'in' || token.type === 'notin' ? { type: 'id', text: token.text } : token;
}

function asOperator(token: Token): LabelOperator | undefined {
  switch (token.type) {
    case 'in': case 'notin': case '=': case '==': case '!=': return token.type;
    case '>': return 'gt';
    case '<': return 'lt';
    default: return undefined;
  }
}

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(key: string, fail: (why: string) => never): void {
  const parts = key.split('/');
  const name = parts[parts.length - 1];
  const problems: string[] = [];
  if (parts.length > 2) {
    problems.push('a qualified name has at most one "/"');
  } else {
    if (parts.length === 2) {
      const prefix = parts[0];
      if (prefix === '') problems.push('prefix part must be non-empty');
      else if (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix)) problems.push('prefix part must be a lowercase DNS-1123 subdomain (at most 253 characters)');
    }
    if (name === '') problems.push('name part must be non-empty');
    else if (name.length > 63) problems.push('name part must be no more than 63 characters');
    if (name !== '' && !QUALIFIED_NAME.test(name)) {
      problems.push("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
    }
  }
  if (problems.length > 0) fail(`invalid label key ${JSON.stringify(key)}: ${problems.join('; ')}`);
}

function checkValue(key: string, value: string, fail: (why: string) => never): void {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    fail(`invalid label value: ${JSON.stringify(value)}: at key: ${JSON.stringify(key)}: at most 63 characters, alphanumeric, '-', '_' or '.', starting and ending with an alphanumeric character`);
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go's `strconv.ParseInt(s, 10, 64)`. */
function isInt64(text: string): boolean {
  if (!/^[+-]?[0-9]+$/.test(text)) return false;
  const n = BigInt(text);
  return n >= INT64_MIN && n <= INT64_MAX;
}

/** `^(?:pattern)$` as kustomize anchors a target field; undefined for an empty field (matches all). */
function anchored(pattern: string | undefined, field: string): RegExp | undefined {
  if (pattern === undefined || pattern === '') return undefined;
  // RE2 spells inline flags and named groups differently from JavaScript
  const flagged = /^\(\?([ims]+)\)/.exec(pattern);
  const body = (flagged ? pattern.slice(flagged[0].length) : pattern).replace(/\(\?P</g, '(?<');
  const flags = flagged ? [...new Set(flagged[1])].join('') : '';
  const source = `^(?:${body})$`;
  try {
    return new RegExp(source, `${flags}u`);
  } catch {
    try {
      return new RegExp(source, flags); // RE2 allows escapes that unicode mode rejects
    } catch (e) {
      throw new SelectorError(`invalid ${field} pattern ${JSON.stringify(pattern)}: ${(e as Error).message}`);
    }
  }
}

/** Labels or annotations as kustomize reads them: scalar values as text. */
function stringMap(value: unknown): Record<string, string> {
  if (!isMap(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scalarText(v);
  return out;
}

function compareCodePoints(a: string, b: string): number {
  const x = [...a].map(c => c.codePointAt(0)!);
  const y = [...b].map(c => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

function scalarText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
