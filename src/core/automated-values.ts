import * as fs from 'node:fs';
import * as path from 'node:path';
import { Document, isScalar, parseAllDocuments } from 'yaml';
import { GENERATED_MARKER, LineComment } from './render';

/**
 * What image automation committed. A field marked with a setter belongs to the
 * image-automation-controller once it is in the repository: the controller commits each new image
 * into it, and the code's value only seeds it. For every marked field of an object whose committed
 * generated file has that same field (same object, same path) with the same marker, the committed
 * value is taken into the object before any check runs, so validation, `diff`, the render
 * equivalence and the written file all see what the cluster gets. Deleting the file, or changing
 * the marker, hands the field back to the code. A full-image setter keeps a committed value only
 * while it names the code's image (a new image in the code wins).
 */
export class CommittedMarkedValues {
  private readonly files = new Map<string, Document[] | undefined>();

  constructor(private readonly rootDir: string) {}

  /** Takes committed values into `doc` (the object written to `repoPath`) at its marked fields. */
  public apply(repoPath: string, doc: Record<string, unknown>, comments: readonly LineComment[]): void {
    if (comments.length === 0) return;
    const committed = this.committedDocument(repoPath, doc);
    if (!committed) return;
    for (const { path: at, comment } of comments) {
      const node = committed.getIn(at, true);
      if (!isScalar(node) || node.comment?.trim() !== comment.trim() || typeof node.value !== 'string') continue;
      const parent = at.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown> | undefined)?.[k], doc) as Record<string | number, unknown> | undefined;
      const key = at[at.length - 1];
      const seed = parent?.[key];
      if (parent === undefined || typeof seed !== 'string' || !sameImage(comment, seed, node.value)) continue;
      parent[key] = node.value;
    }
  }

  /** The committed document of the same object (apiVersion, kind, namespace, name) in `repoPath`, if generated. */
  private committedDocument(repoPath: string, doc: Record<string, unknown>): Document | undefined {
    if (!this.files.has(repoPath)) this.files.set(repoPath, readGenerated(path.join(this.rootDir, repoPath)));
    return this.files.get(repoPath)?.find(d => identity(d.toJS() as Record<string, unknown>) === identity(doc));
  }
}

/** A full-image setter (`"ns:name"`, no field) keeps a committed value only for the same image. */
function sameImage(comment: string, seed: string, committed: string): boolean {
  const setter = /"\$imagepolicy": "[^"]*"/.exec(comment)?.[0] ?? '';
  if (setter.split(':').length > 3) return true; // :tag, :name or :digest of a policy
  const name = (ref: string) => ref.replace(/@.*$/, '').replace(/:[^:/]*$/, '');
  return name(seed) === name(committed);
}

function identity(doc: Record<string, unknown> | null): string {
  const meta = (doc?.metadata ?? {}) as { name?: string; namespace?: string };
  return `${doc?.apiVersion}/${doc?.kind}/${meta.namespace ?? ''}/${meta.name}`;
}

function readGenerated(file: string): Document[] | undefined {
  let content: string;
  try {
    content = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  if (!content.startsWith(GENERATED_MARKER)) return undefined;
  const docs = parseAllDocuments(content);
  return Array.isArray(docs) && docs.every(d => d.errors.length === 0) ? docs : undefined;
}
