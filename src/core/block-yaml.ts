import { stringify, ToStringOptions, DocumentOptions, SchemaOptions, CreateNodeOptions, ScalarTag } from 'yaml';

/** A YAML 1.2 octal integer, only ever read (never written: numbers are written in decimal). */
const OCTAL_1_2: ScalarTag = {
  tag: 'tag:yaml.org,2002:int',
  default: true,
  test: /^[-+]?0[oO][0-7_]+$/,
  resolve: text => (text.startsWith('-') ? -1 : 1) * parseInt(text.replace(/^[-+]?0[oO]/, '').replace(/_/g, ''), 8),
};

/** The `yaml` options every generated file is written with (see `toYaml`). */
export const YAML_OPTIONS: DocumentOptions & SchemaOptions & CreateNodeOptions & ToStringOptions = {
  version: '1.1', lineWidth: 0, aliasDuplicateObjects: false, indentSeq: true,
  // YAML 1.1 rules, plus the YAML 1.2 octal form (`0o17`), which kustomize's reader takes for a
  // number: such strings are quoted too, so that every reader reads them back as strings
  customTags: tags => [OCTAL_1_2, ...(tags as ScalarTag[])],
};

/** Thrown inside the emitter when a document needs the `yaml` library's full treatment. */
const FALLBACK = Symbol('fallback');

/**
 * Strings `yaml` writes plain whatever the context: they start with a letter, hold no space,
 * quote, indicator or control character, do not end in ':' and cannot be read back as another
 * YAML 1.1 type (booleans and nulls are at most five letters, `e5`-like strings are floats).
 */
const PLAIN = /^[A-Za-z][A-Za-z0-9._/+=:-]*$/;
const SHORT_WORD = /^[A-Za-z]{1,5}$/;
const EXPONENT = /^[eE][-+]?[0-9]+$/;
/** Lines starting like a document marker are written differently at different depths. */
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;
/** Longer keys become explicit `? key` entries. */
const MAX_SIMPLE_KEY = 1000;

// Scalars `yaml` must quote (or numbers, booleans, null), as it writes them; bounded so that a
// long-lived process does not keep every string it ever wrote.
const MEMO_LIMIT = 50_000;
const valueMemo = new Map<unknown, string>();
const keyMemo = new Map<string, string>();

/**
 * Writes one JSON-like document exactly as `stringify(doc, YAML_OPTIONS)` does, an order of
 * magnitude faster: block mappings and sequences are laid out here, and every scalar that is
 * not trivially plain is written by `yaml` itself (once per distinct value, in a context where
 * its form does not depend on the depth). Returns `undefined` for what it does not handle
 * (multi-line strings, document-marker strings, long keys, non-plain objects, holes): the
 * caller then uses `yaml`. A test compares both on the example fleet and on generated input.
 */
export function emitBlockYaml(doc: unknown): string | undefined {
  try {
    if (Array.isArray(doc)) return doc.length === 0 ? '[]\n' : seq(doc, '', '');
    if (isPlainObject(doc)) return map(doc, '', '') || '{}\n';
    return undefined;
  } catch (e) {
    if (e === FALLBACK) return undefined;
    throw e;
  }
}

/** The pairs of `obj`, one per line at `indent` (the first line at `first`); '' when none. */
function map(obj: Record<string, unknown>, indent: string, first: string): string {
  let out = '';
  let lead = first;
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    if (value === undefined) continue; // as yaml: undefined values are left out
    out += `${lead}${keyText(key)}:${after(value, indent)}`;
    lead = indent;
  }
  return out;
}

function seq(items: readonly unknown[], indent: string, first: string): string {
  let out = '';
  let lead = first;
  for (let i = 0; i < items.length; i++) {
    if (!(i in items) || items[i] === undefined) throw FALLBACK;
    out += `${lead}-${item(items[i], indent)}`;
    lead = indent;
  }
  return out;
}

/** What follows `key:` of a block mapping at `indent`. */
function after(value: unknown, indent: string): string {
  if (Array.isArray(value)) return value.length === 0 ? ' []\n' : `\n${seq(value, `${indent}  `, `${indent}  `)}`;
  if (isPlainObject(value)) {
    const body = map(value, `${indent}  `, `${indent}  `);
    return body === '' ? ' {}\n' : `\n${body}`;
  }
  return ` ${scalarText(value)}\n`;
}

/** What follows `-` of a block sequence at `indent`: nested collections start on the same line. */
function item(value: unknown, indent: string): string {
  if (Array.isArray(value)) return value.length === 0 ? ' []\n' : seq(value, `${indent}  `, ' ');
  if (isPlainObject(value)) return map(value, `${indent}  `, ' ') || ' {}\n';
  return ` ${scalarText(value)}\n`;
}

function keyText(key: string): string {
  if (isTriviallyPlain(key)) {
    if (key.length > MAX_SIMPLE_KEY) throw FALLBACK;
    return key;
  }
  let text = keyMemo.get(key);
  if (text === undefined) {
    if (DOCUMENT_MARKER.test(key) || key.length > MAX_SIMPLE_KEY) throw FALLBACK;
    text = singleLine(stringify({ [key]: null }, YAML_OPTIONS), '', ': null\n');
    remember(keyMemo, key, text);
  }
  return text;
}

function scalarText(value: unknown): string {
  if (typeof value === 'string') {
    if (isTriviallyPlain(value)) return value;
    if (DOCUMENT_MARKER.test(value)) throw FALLBACK;
  } else if (value !== null && typeof value !== 'number' && typeof value !== 'boolean') {
    throw FALLBACK; // bigint, symbol, function, non-plain object…
  } else if (Object.is(value, -0)) {
    throw FALLBACK; // a Map cannot tell -0 from 0
  } else if (value === null || typeof value === 'boolean' || Number.isSafeInteger(value)) {
    return String(value); // as `yaml` writes them (YAML 1.1): null, true, false, decimal integers
  }
  let text = valueMemo.get(value);
  if (text === undefined) {
    text = singleLine(stringify({ a: value }, YAML_OPTIONS), 'a: ', '\n');
    remember(valueMemo, value, text);
  }
  return text;
}

/** The scalar of a one-pair document, or a fallback when `yaml` needed more than one line. */
function singleLine(yamlText: string, prefix: string, suffix: string): string {
  const text = yamlText.slice(prefix.length, yamlText.length - suffix.length);
  if (!yamlText.startsWith(prefix) || !yamlText.endsWith(suffix) || text.includes('\n')) throw FALLBACK;
  return text;
}

function isTriviallyPlain(s: string): boolean {
  return PLAIN.test(s) && !s.endsWith(':') && !SHORT_WORD.test(s) && !EXPONENT.test(s);
}

function remember<K>(memo: Map<K, string>, key: K, text: string): void {
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, text);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
