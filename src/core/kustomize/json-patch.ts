import { parseAllDocuments, type Tags } from 'yaml';
import { expandLists } from './lists';

/**
 * One RFC 6902 operation, as written in a kustomization's `patches:` entry. `value` may be left out
 * of `add` and `replace`: kustomize then writes `null`.
 */
export type JsonPatchOperation =
  | { op: 'add'; path: string; value?: unknown }
  | { op: 'remove'; path: string }
  | { op: 'replace'; path: string; value?: unknown }
  | { op: 'move'; from: string; path: string }
  | { op: 'copy'; from: string; path: string }
  | { op: 'test'; path: string; value?: unknown };

/** Whether some operation's `path` is not a JSON pointer (one starts with "/"): kustomize refuses it. */
export function hasNonPointerPath(ops: readonly unknown[]): boolean {
  return ops.some(o => typeof (o as { path?: unknown })?.path !== 'string' || !String((o as { path: string }).path).startsWith('/'));
}

/** What {@link parsePatchContent} found in a patch's text. */
export type ParsedPatch =
  | { type: 'json6902'; ops: JsonPatchOperation[] }
  | {
    type: 'strategic-merge';
    /** The first (usually the only) patch document. */
    doc: Record<string, unknown>;
    /**
     * Every patch document, Lists expanded, in order. kustomize applies each in turn and refuses more
     * than one when the `patches:` entry has a `target`.
     */
    docs: Record<string, unknown>[];
  };

/**
 * A patch kustomize would refuse: unparsable text, or an operation that does not apply. The message
 * names the operation index, its path and why, e.g. `op 1 (replace /spec/x): path does not exist`.
 */
export class KustomizePatchError extends Error {
  /**
   * @param message - what went wrong, naming the operation
   * @param opIndex - index of the failing operation in the op list, when an operation failed
   * @param path - the failing operation's `path`, when an operation failed
   */
  constructor(message: string, readonly opIndex?: number, readonly path?: string) {
    super(message);
    this.name = 'KustomizePatchError';
  }
}

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/**
 * Whether `content` (parsed YAML or JSON) is a JSON6902 op list: an array of objects that each have an
 * `op`. An empty array qualifies here, though kustomize refuses an empty `patch:` (see
 * {@link parsePatchContent}).
 */
export function isJson6902(content: unknown): content is JsonPatchOperation[] {
  return Array.isArray(content) && content.every(o => isMap(o) && typeof o.op === 'string');
}

/**
 * Parses a patch as kustomize reads a `patches:` entry (`patch: |` text, or a patch file): surrounding
 * whitespace trimmed, then a JSON op list when the text starts with `[` (parsed as JSON) or is YAML
 * holding a list; otherwise strategic-merge documents, each needing `kind` and `metadata.name` (a
 * `*List` needs no name and is expanded). Text that is both (`[]`) or neither throws, as kustomize does.
 *
 * Ops are checked here (known `op`, string `path`/`from`), where kustomize only fails when the patch
 * reaches a resource. YAML op lists are read with the YAML 1.1 scalars kustomize's converter uses
 * (`yes`/`on` are booleans, `0777` is octal).
 */
export function parsePatchContent(text: string): ParsedPatch {
  const trimmed = text.trim();
  if (trimmed === '') throw new KustomizePatchError('empty patch: give a JSON6902 op list or a strategic-merge document');
  const json = readOpList(trimmed);
  const sm = readStrategicMerge(trimmed);
  if (json.ok && sm.ok) {
    throw new KustomizePatchError(`patch qualifies as both a strategic-merge and a JSON6902 patch: ${abbreviate(trimmed)}`);
  }
  if (sm.ok) {
    // kustomize accepts a patch of only empty documents here and fails when applying it
    if (sm.docs.length === 0) throw new KustomizePatchError(`patch holds no document: ${abbreviate(trimmed)}`);
    return { type: 'strategic-merge', doc: sm.docs[0], docs: sm.docs };
  }
  if (!json.ok) {
    throw new KustomizePatchError(`unable to parse a strategic-merge or JSON6902 patch from ${abbreviate(trimmed)}: ${sm.why}; ${json.why}`);
  }
  json.ops.forEach((op, i) => checkOp(op, i));
  return { type: 'json6902', ops: json.ops as JsonPatchOperation[] };
}

/**
 * Applies RFC 6902 operations the way kustomize does (evanphx/json-patch v4 with negative indices),
 * returning a new document; `doc` and the ops' values are never mutated nor shared with the result.
 *
 * kustomize's quirks are kept: `add` never creates a missing parent; `replace` of a missing object key
 * adds it; `copy` from a missing key writes `null`; an array index may be negative (from the end;
 * for `add`, `-1` appends) and may carry a sign or leading zeros (`+1`, `01`); a `null` on the way
 * counts as missing; a path without its leading `/` drops its first token; `replace` of the whole
 * document (`""`) with a non-object is ignored. Scalars are compared by value in `test`, where
 * kustomize compares their JSON text (so `1.0` differs from `1` there).
 *
 * @throws KustomizePatchError when an operation does not apply (the whole patch fails, as in kustomize)
 */
export function applyJson6902(doc: unknown, ops: readonly JsonPatchOperation[]): unknown {
  let root: unknown = structuredClone(doc);
  ops.forEach((op, i) => {
    checkOp(op, i);
    const fail = (why: string): never => {
      throw new KustomizePatchError(`op ${i} (${describeOp(op)}): ${why}`, i, op.path);
    };
    root = applyOne(root, op, fail);
  });
  return root;
}

type Container = Record<string, unknown> | unknown[];
type Fail = (why: string) => never;

function applyOne(root: unknown, op: JsonPatchOperation, fail: Fail): unknown {
  switch (op.op) {
    case 'add': {
      const { parent, key } = locate(root, op.path, fail);
      insert(parent, key, copyValue(op), fail);
      return root;
    }
    case 'remove': {
      const { parent, key } = locate(root, op.path, fail);
      remove(parent, key, fail);
      return root;
    }
    case 'replace': {
      if (op.path === '') {
        if (!('value' in op)) fail('no value to replace the document with');
        if (Array.isArray(op.value)) fail('the document cannot be replaced by an array');
        // kustomize silently ignores a scalar here (its error wraps a nil error)
        return isMap(op.value) ? structuredClone(op.value) : root;
      }
      const { parent, key } = locate(root, op.path, fail);
      if (Array.isArray(parent)) {
        parent[arrayIndex(parent, key, 'get', fail)] = copyValue(op);
      } else {
        // a missing key is simply added, as in kustomize
        setOwn(parent, key, copyValue(op));
      }
      return root;
    }
    case 'move': {
      const from = locate(root, op.from, fail, 'from ');
      const value = get(from.parent, from.key, fail, 'from ');
      remove(from.parent, from.key, fail);
      const to = locate(root, op.path, fail, 'destination ');
      insert(to.parent, to.key, value ?? null, fail);
      return root;
    }
    case 'copy': {
      const from = locate(root, op.from, fail, 'from ');
      const value = get(from.parent, from.key, fail, 'from ');
      const to = locate(root, op.path, fail, 'destination ');
      // copying a missing key writes null, as in kustomize
      insert(to.parent, to.key, value === undefined ? null : structuredClone(value), fail);
      return root;
    }
    case 'test': {
      const expected = 'value' in op ? op.value : undefined;
      if (op.path === '') {
        if (!jsonEqual(root, expected)) fail('the document differs from the expected value');
        return root;
      }
      const { parent, key } = locate(root, op.path, fail);
      const actual = get(parent, key, fail);
      if (actual === undefined || actual === null) {
        // kustomize crashes on a test of a missing value with no `value`
        if (!('value' in op)) fail('path does not exist and the test gives no value');
        if (expected !== null) fail(`path does not exist or is null, expected ${JSON.stringify(expected)}`);
        return root;
      }
      if (!('value' in op)) fail(`value is ${JSON.stringify(actual)}, the test gives no value`);
      if (!jsonEqual(actual, expected)) fail(`value is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
      return root;
    }
  }
}

/**
 * The container holding the last token of `path`, walking every earlier token; null and scalars on
 * the way mean the path does not exist. Like evanphx's findObject, the first token is dropped
 * unread, which is the empty one before the leading `/` of a well-formed pointer.
 */
function locate(root: unknown, path: string, fail: Fail, what = ''): { parent: Container; key: string } {
  const tokens = path.split('/');
  if (tokens.length < 2) fail(`${what}path does not exist`);
  let node = root;
  for (const raw of tokens.slice(1, -1)) {
    if (!isContainer(node)) fail(`${what}path does not exist`);
    const next = Array.isArray(node) ? node[arrayIndex(node, unescape(raw), 'walk', fail, what)] : ownValue(node, unescape(raw));
    if (next === undefined || next === null) fail(`${what}path does not exist: kustomize does not create missing parents`);
    node = next;
  }
  if (!isContainer(node)) fail(`${what}path does not exist: its parent is not an object or array`);
  return { parent: node, key: unescape(tokens[tokens.length - 1]) };
}

/** The value at `key` (undefined when an object lacks it); a bad array index fails. */
function get(parent: Container, key: string, fail: Fail, what = ''): unknown {
  if (Array.isArray(parent)) return parent[arrayIndex(parent, key, 'get', fail, what)];
  return ownValue(parent, key);
}

function insert(parent: Container, key: string, value: unknown, fail: Fail): void {
  if (!Array.isArray(parent)) {
    setOwn(parent, key, value);
  } else if (key === '-') {
    parent.push(value);
  } else {
    parent.splice(arrayIndex(parent, key, 'add', fail), 0, value);
  }
}

function remove(parent: Container, key: string, fail: Fail): void {
  if (Array.isArray(parent)) {
    parent.splice(arrayIndex(parent, key, 'remove', fail), 1);
  } else {
    if (!Object.prototype.hasOwnProperty.call(parent, key) || parent[key] === undefined) {
      fail(`nothing to remove: key "${key}" does not exist`);
    }
    delete parent[key];
  }
}

/**
 * Resolves an array token as evanphx does: Go's `strconv.Atoi` syntax (sign and leading zeros
 * allowed), negative indices counted from the end; `add` may also address one past the end.
 */
function arrayIndex(array: unknown[], token: string, use: 'walk' | 'get' | 'add' | 'remove', fail: Fail, what = ''): number {
  if (!/^[+-]?[0-9]+$/.test(token)) {
    fail(use === 'walk' ? `${what}path does not exist: "${token}" is not an array index` : `${what}"${token}" is not an array index`);
  }
  const index = Number(token);
  const size = use === 'add' ? array.length + 1 : array.length;
  if (!Number.isSafeInteger(index) || index >= size || index < -size) {
    const bounds = `array has ${array.length} item${array.length === 1 ? '' : 's'}`;
    fail(use === 'walk' ? `${what}path does not exist: index ${token} is out of bounds (${bounds})` : `${what}index ${token} is out of bounds (${bounds})`);
  }
  return index < 0 ? index + size : index;
}

function checkOp(op: unknown, i: number): void {
  const bad = (why: string): never => {
    throw new KustomizePatchError(`op ${i}: ${why}`, i);
  };
  if (!isMap(op)) bad(`not an object: ${JSON.stringify(op)}`);
  const o = op as Record<string, unknown>;
  if (typeof o.op !== 'string' || !OPS.has(o.op)) bad(`unknown op ${JSON.stringify(o.op)} (expected add, remove, replace, move, copy or test)`);
  if (typeof o.path !== 'string') bad(`${o.op} needs a string "path"`);
  if ((o.op === 'move' || o.op === 'copy') && typeof o.from !== 'string') bad(`${o.op} needs a string "from"`);
}

function describeOp(op: JsonPatchOperation): string {
  return op.op === 'move' || op.op === 'copy' ? `${op.op} ${op.from} -> ${op.path}` : `${op.op} ${op.path}`;
}

/** The op's value for insertion: a fresh copy, `null` when absent (kustomize writes null). */
function copyValue(op: { value?: unknown }): unknown {
  return op.value === undefined ? null : structuredClone(op.value);
}

/** RFC 6901: `~1` is `/`, then `~0` is `~`. */
function unescape(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Sets an own property, even one named `__proto__`. */
function setOwn(map: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
}

function ownValue(map: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
}

/** Structural equality of JSON values; a key holding null differs from a missing key. */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isMap(a) && isMap(b)) {
    const keys = Object.keys(a).filter(k => a[k] !== undefined);
    return keys.length === Object.keys(b).filter(k => b[k] !== undefined).length &&
      keys.every(k => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

function isContainer(value: unknown): value is Container {
  return Array.isArray(value) || isMap(value);
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function abbreviate(text: string): string {
  const oneLine = JSON.stringify(text);
  return oneLine.length > 120 ? `${oneLine.slice(0, 117)}..."` : oneLine;
}

type Outcome<T> = ({ ok: true } & T) | { ok: false; why: string };

/** kustomize's JSON reading of a patch: JSON when it starts with `[`, else YAML converted to JSON. */
function readOpList(text: string): Outcome<{ ops: unknown[] }> {
  let content: unknown;
  if (text.startsWith('[')) {
    try {
      content = JSON.parse(text);
    } catch (e) {
      return { ok: false, why: `not JSON (${(e as Error).message})` };
    }
  } else {
    // Go's YAML-to-JSON converter reads the first document only, with YAML 1.1 scalars
    const [first] = parseAllDocuments(text, { version: '1.1', customTags: goYaml11Tags });
    if (!first || first.errors.length > 0) return { ok: false, why: 'not YAML' };
    content = first.toJS();
  }
  if (!Array.isArray(content)) return { ok: false, why: 'not a list of operations' };
  if (!content.every(o => o === null || isMap(o))) return { ok: false, why: 'a list item is not an operation object' };
  return { ok: true, ops: content };
}

/**
 * kustomize's strategic-merge reading: every non-empty YAML document must be a resource (`kind` and
 * `metadata.name`, or a `*List`), and Lists are expanded.
 */
function readStrategicMerge(text: string): Outcome<{ docs: Record<string, unknown>[] }> {
  const parsed = parseAllDocuments(text);
  if (parsed.some(d => d.errors.length > 0)) return { ok: false, why: 'not YAML' };
  let docs: Record<string, unknown>[];
  try {
    docs = expandLists(parsed.map(d => d.toJS() as unknown)).map(e => e.doc);
  } catch (e) {
    return { ok: false, why: (e as Error).message };
  }
  for (const doc of docs) {
    const kind = scalarText(doc.kind);
    const metadata = isMap(doc.metadata) ? doc.metadata : {};
    if (kind === '') return { ok: false, why: 'a document has no kind' };
    if (!kind.endsWith('List') && scalarText(metadata.name) === '') return { ok: false, why: 'a document has no metadata.name' };
  }
  return { ok: true, docs };
}

function scalarText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

/**
 * YAML 1.1 as Go's yaml.v2 resolves plain scalars for kustomize's YAML-to-JSON step: no timestamps
 * and no base-60 numbers (both stay strings), plus `0o` octal.
 */
function goYaml11Tags(tags: Tags): Tags {
  const kept = tags.filter(t => typeof t === 'string' ||
    (t.tag !== 'tag:yaml.org,2002:timestamp' && t.format !== 'TIME'));
  return [...kept, {
    tag: 'tag:yaml.org,2002:int',
    format: 'OCT',
    default: true,
    test: /^0o[0-7]+$/,
    resolve: (s: string) => parseInt(s.slice(2), 8),
  }];
}
