/** A resource read from a file, with where it came from. */
export interface ExpandedDocument {
  /** The resource. */
  readonly doc: Record<string, unknown>;
  /** Index of the document in the file (in the `docs` given to {@link expandLists}). */
  readonly index: number;
  /**
   * Path of item indexes through the Lists that held the resource (`[2, 0]`: item 0 of the List that
   * is item 2 of document `index`); absent for a document that was not in a List.
   */
  readonly item?: number[];
}

/** A file kustomize cannot read as resources (a document or List item that is not an object, a List whose `items` is not a list). */
export class KustomizeListError extends Error {
  /**
   * @param message - what is wrong and where
   * @param index - the document's index in the file
   * @param item - the item path inside Lists, when the problem is in an item
   */
  constructor(message: string, readonly index: number, readonly item?: readonly number[]) {
    super(message);
    this.name = 'KustomizeListError';
  }
}

/**
 * Reads the documents of one YAML file as kustomize does: empty documents (null, `{}`, `[]`) are dropped, and
 * a document whose `kind` ends in `List` and that has an `items` key is replaced by its items,
 * recursively; a `*List` without `items` stays a resource, one with `items: null` or `[]` vanishes.
 *
 * Order follows kustomize, which expands Lists through a queue: a List's items go after every
 * document still waiting, so for `[ConfigMapList(a, SecretList(b)), c]` the result is `c, a, b`.
 * Except that kustomize's reader unwraps a `List` (or `ResourceList`) with `items` in place when it
 * is the only document of the file or an item of a List: `[ConfigMapList(a, List(b), d), c]` gives
 * `c, a, b, d`. The reader yields nothing for such a List whose `items` is a scalar, nor for a
 * `ResourceList` with only a `functionConfig`; that is mirrored too.
 *
 * kustomize also requires `kind` and `metadata.name` (a `*List` needs no name) on every result; that
 * check is left to the caller. The documents are returned as given, not copied.
 *
 * @throws KustomizeListError where kustomize fails to read the file
 */
export function expandLists(docs: readonly unknown[]): ExpandedDocument[] {
  type Entry = { doc: unknown; index: number; item?: number[] };
  const present = docs.filter(d => d !== null && d !== undefined);
  const queue: Entry[] = present.length === 1
    ? unwrap({ doc: present[0], index: docs.indexOf(present[0]) })
    : docs.map((doc, index) => ({ doc, index }));

  const result: ExpandedDocument[] = [];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const { doc, index, item } = next;
    // kustomize drops null, `{}` and `[]` documents before anything else
    if (doc === null || doc === undefined || (Array.isArray(doc) && doc.length === 0)) continue;
    if (!isMap(doc)) throw new KustomizeListError(`${where(next)} is not an object: ${JSON.stringify(doc)}`, index, item);
    if (Object.keys(doc).length === 0) continue;
    const kind = typeof doc.kind === 'string' ? doc.kind : '';
    if (!kind.endsWith('List') || !('items' in doc)) {
      result.push(item ? { doc, index, item } : { doc, index });
      continue;
    }
    if (doc.items === null || doc.items === undefined) continue; // an empty List
    if (!Array.isArray(doc.items)) {
      throw new KustomizeListError(`${where(next)}: expected a list in ${kind}/items, found ${typeof doc.items}`, index, item);
    }
    // each item is read back on its own, so the reader unwraps an item that is a List
    doc.items.forEach((inner, i) => queue.push(...unwrap({ doc: inner, index, item: [...(item ?? []), i] })));
  }
  return result;
}

/** kustomize's reader on a lone document: a `List` or `ResourceList` gives its items, unexpanded. */
function unwrap(entry: { doc: unknown; index: number; item?: number[] }): { doc: unknown; index: number; item?: number[] }[] {
  const { doc, index, item } = entry;
  if (!isMap(doc) || (doc.kind !== 'List' && doc.kind !== 'ResourceList') || !('items' in doc || 'functionConfig' in doc)) return [entry];
  if (Array.isArray(doc.items)) return doc.items.map((inner, i) => ({ doc: inner, index, item: [...(item ?? []), i] }));
  if (isMap(doc.items)) throw new KustomizeListError(`${where(entry)}: ${String(doc.kind)}/items is a map, not a list of resources`, index, item);
  return []; // a scalar or missing `items` yields nothing
}

function where(entry: { index: number; item?: readonly number[] }): string {
  return entry.item ? `document ${entry.index}, item ${entry.item.join('.')}` : `document ${entry.index}`;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
