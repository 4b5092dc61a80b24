import { ApiObject, IResolver, ResolutionContext } from 'cdk8s';
import { IConstruct } from 'constructs';
import { FleetProblem } from './errors';
import { ModelCheck, ModelFile } from './model/fleet-model';
import { LineComment } from './render';

/**
 * A value that the layout writer marks with a YAML line comment on exactly its line, such as an
 * image-automation setter (`image: ghcr.io/org/app:1.0.0 # {"$imagepolicy": "flux-system:app"}`).
 * cdk8s has no notion of comments, so code holds a token string (see `markValue`) that resolves to
 * the value, and the writer remembers where each token ended up.
 */
export interface MarkedValue {
  /** The value the rendered document holds. */
  readonly value: string;
  /** The comment's text, without the `# ` (computed when the file is written). */
  comment(): string;
  /** How the code wrote it, for messages, e.g. `ImagePolicy flux-system/app tagSetter("1.0.0")`. */
  readonly description: string;
  /** What made it (e.g. an `ImageSetter`), for checks that interpret it. */
  readonly origin: unknown;
}

/** A marked value as found in one rendered document. */
export interface PlacedMarker {
  readonly marked: MarkedValue;
  /** Where the value is in the document (array indices as numbers). */
  readonly path: readonly (string | number)[];
  /** Why the writer cannot put the comment there (the file is then not written). */
  readonly problem?: string;
}

const TOKEN = /<cdk8s-flux:marked-value:[0-9]+>/g;
const TOKEN_START = '<cdk8s-flux:marked-value:';

interface Registry {
  next: number;
  readonly values: Map<string, MarkedValue>;
}

// one registry per process, even when the library is loaded twice (tokens must never collide)
const registry: Registry = ((globalThis as Record<symbol, unknown>)[Symbol.for('cdk8s-flux.marked-values')] ??= {
  next: 0,
  values: new Map(),
}) as Registry;

/**
 * Returns a token string that stands for `marked.value` in any string field of an object of a
 * `GitOpsRepo` (a HelmRelease's values, a cdk8s-plus container image, a patch): the rendered
 * documents hold the value itself, and the writer adds the comment on the value's line. The token
 * must be the whole field value: inside a larger string it cannot be marked (synth reports it).
 */
export function markValue(marked: MarkedValue): string {
  const token = `${TOKEN_START}${registry.next++}>`;
  registry.values.set(token, marked);
  return token;
}

/** A marked value's token found in a string: the string with every token resolved. */
interface Substitution {
  readonly value: string;
  readonly found: MarkedValue[];
  /** Whether the string was exactly one token. */
  readonly whole: boolean;
}

function substitute(s: string): Substitution | undefined {
  if (!s.includes(TOKEN_START)) return undefined;
  const found: MarkedValue[] = [];
  const value = s.replace(TOKEN, token => {
    const marked = registry.values.get(token);
    if (!marked) return token;
    found.push(marked);
    return marked.value;
  });
  return found.length > 0 ? { value, found, whole: found.length === 1 && registry.values.get(s) !== undefined } : undefined;
}

interface Recorded {
  readonly key: readonly string[];
  readonly substitution: Substitution;
}

const recorded = new WeakMap<ApiObject, Map<string, Recorded>>();

/**
 * The cdk8s resolver that turns tokens into their values whenever an API object is rendered
 * (so that `toJson()` never shows a token) and records where each was. `GitOpsRepo` installs it.
 */
export class MarkedValueResolver implements IResolver {
  public resolve(context: ResolutionContext): void {
    if (typeof context.value !== 'string') return;
    const substitution = substitute(context.value);
    if (!substitution) return;
    const byKey = recorded.get(context.obj) ?? new Map<string, Recorded>();
    byKey.set(JSON.stringify(context.key), { key: [...context.key], substitution });
    recorded.set(context.obj, byKey);
    context.replaceValue(substitution.value);
  }
}

const placed = new WeakMap<object, readonly PlacedMarker[]>();

/**
 * Resolves the marked values of a file's rendered documents and remembers, per document, where
 * each is: values the resolver met while rendering `objects[i]`, and tokens still in the documents
 * (files rendered without an API object, such as patches), which are replaced here.
 */
export function placeMarkedValues(docs: Record<string, unknown>[], objects?: readonly (ApiObject | undefined)[]): Record<string, unknown>[] {
  if (registry.values.size === 0) return docs; // no value was ever marked
  return docs.map((doc, i) => {
    const markers: PlacedMarker[] = [];
    for (const r of recorded.get(objects?.[i] as ApiObject)?.values() ?? []) {
      const found = locate(doc, r.key, r.substitution.value);
      for (const marked of r.substitution.found) {
        const problem = placementProblem(r.substitution, marked) ?? (found.length === 1 ? undefined : found.length === 0
          ? `${marked.description} was rendered at ${fieldName(r.key)}, but the written document does not have it there (a JSON patch moved or replaced it), so its line cannot be marked: set the marked value on the field where it ends up`
          : `${marked.description} was rendered at ${fieldName(r.key)} of a part cdk8s renders on its own (metadata), which fits ${found.map(fieldName).join(' and ')}, so its line cannot be told: mark only one of them`);
        markers.push({ marked, path: found.length === 1 ? found[0] : r.key, problem });
      }
    }
    const resolved = resolveTokens(doc, [], markers) as Record<string, unknown>;
    if (markers.length > 0) placed.set(resolved, markers);
    return resolved;
  });
}

/** The marked values of a rendered document (see `placeMarkedValues`). */
export function markersOf(doc: object): readonly PlacedMarker[] {
  return placed.get(doc) ?? [];
}

/** The line comments the writer adds to a document: one per marked value. */
export function lineCommentsOf(doc: object): LineComment[] {
  return markersOf(doc).filter(m => !m.problem).map(m => ({ path: m.path, comment: m.marked.comment() }));
}

/** The dotted name of a field for messages: `spec.values.image.tag`, `spec.containers[0].image`. */
export function fieldName(path: readonly (string | number)[]): string {
  return path.map((p, i) => typeof p === 'number' || /^[0-9]+$/.test(p) ? `[${p}]` : `${i > 0 ? '.' : ''}${p}`).join('');
}

/** The construct a problem about a document of `file` is reported at: the object's owner, or the file. */
export function ownerPath(file: ModelFile, index: number): string {
  const object = file.documents[index]?.origin.object;
  if (!object) return file.constructPath;
  const scope = object.node.scope as IConstruct | undefined;
  return object.node.id === 'Resource' && scope ? scope.node.path : object.node.path;
}

/**
 * Reports marked values the writer cannot mark: a token inside a larger string, or a value that a
 * JSON patch moved after rendering.
 */
export function markedValueCheck(): ModelCheck {
  return {
    id: 'core/marked-values',
    description: 'every marked value can get its comment on its own line',
    check: model => {
      const problems: FleetProblem[] = [];
      for (const file of model.files) {
        file.documents.forEach((d, i) => {
          for (const m of markersOf(d.doc)) {
            if (m.problem) problems.push({ path: ownerPath(file, i), message: `${fieldName(m.path)}: ${m.problem}` });
          }
        });
      }
      return problems;
    },
  };
}

/** Why a marked value cannot get its comment where it was found, if so. */
function placementProblem(s: Substitution, marked: MarkedValue): string | undefined {
  if (!s.whole) {
    return `${marked.description} is used inside a larger string (${JSON.stringify(s.value)}); the controller replaces a marked field's whole value, so the setter must be the field's entire value (e.g. tag: policy.tagSetter("1.0.0"), not \`v\${…}\`)`;
  }
  if (marked.value.includes('\n')) return `${marked.description} holds a line break, so it cannot be marked on one line: use a single-line value`;
  return undefined;
}

/**
 * Where a value the resolver met at `key` is in the rendered document (array indices as numbers):
 * at `key` itself, else (for parts cdk8s resolves from their own root, such as an object's or a
 * pod template's metadata) every field whose path ends with `key` and holds `value`.
 */
function locate(doc: unknown, key: readonly string[], value: string): (string | number)[][] {
  const exact = documentPath(doc, key);
  if (exact && valueAt(doc, exact) === value) return [exact];
  const found: (string | number)[][] = [];
  const walk = (node: unknown, path: (string | number)[]) => {
    if (node === value && path.length > key.length && key.every((k, i) => String(path[path.length - key.length + i]) === k)) found.push([...path]);
    if (node === null || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) walk(v, [...path, Array.isArray(node) ? Number(k) : k]);
  };
  walk(doc, []);
  return found;
}

/** The path of `key` in the rendered document with array indices as numbers, if it exists there. */
function documentPath(doc: unknown, key: readonly string[]): (string | number)[] | undefined {
  const path: (string | number)[] = [];
  let node: unknown = doc;
  for (const k of key) {
    if (Array.isArray(node)) {
      const index = Number(k);
      path.push(index);
      node = node[index];
    } else if (node !== null && typeof node === 'object') {
      path.push(k);
      node = (node as Record<string, unknown>)[k];
    } else {
      return undefined;
    }
  }
  return path;
}

/** The value at a path of a document (array indices as numbers). */
export function valueAt(doc: unknown, path: readonly (string | number)[]): unknown {
  let node = doc;
  for (const p of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[p];
  }
  return node;
}

/**
 * `value` with every token left in a string replaced, recording each in `markers`; unchanged
 * parts are shared rather than copied (most documents have no token). `path` is the current
 * position, pushed and popped on the way down.
 */
function resolveTokens(value: unknown, path: (string | number)[], markers: PlacedMarker[]): unknown {
  if (typeof value === 'string') {
    const s = substitute(value);
    if (!s) return value;
    for (const marked of s.found) markers.push({ marked, path: [...path], problem: placementProblem(s, marked) });
    return s.value;
  }
  if (value === null || typeof value !== 'object') return value;
  const isArray = Array.isArray(value);
  const entries = Object.entries(value);
  let changed = false;
  const resolved = entries.map(([k, v]): [string, unknown] => {
    const key = isArray ? undefined : substitute(k);
    if (key) {
      // a key has no line of its own to mark: resolve it, and report it
      for (const marked of key.found) markers.push({ marked, path: [...path, key.value], problem: `${marked.description} is used as a map key, which cannot be marked: use it as a value` });
      changed = true;
    }
    path.push(isArray ? Number(k) : key?.value ?? k);
    const r = resolveTokens(v, path, markers);
    path.pop();
    changed ||= r !== v;
    return [key?.value ?? k, r];
  });
  if (!changed) return value;
  return isArray ? resolved.map(([, v]) => v) : Object.fromEntries(resolved);
}
