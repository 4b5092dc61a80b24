import { posix } from 'node:path';
import { Document, isMap, isScalar, isSeq, Node, parse, parseAllDocuments, Scalar } from 'yaml';
import { LayoutDirectory } from '../core/layout-directory';

/** The latest image an ImagePolicy reports (its `status.latestRef`). */
export interface LatestImage {
  /** Image name, e.g. `ghcr.io/stefanprodan/podinfo`. */
  readonly name: string;
  /** Tag, e.g. `6.7.1`. */
  readonly tag: string;
  /** Digest, when the policy reflects digests. @default none (digest setters then get "") */
  readonly digest?: string;
}

/** One run of an ImageUpdateAutomation, as `simulateImageUpdate` performs it. */
export interface ImageUpdateRun {
  /** The automation's `update.path`: a directory of the layout, or its repository path (`apps/dev`). */
  readonly path: LayoutDirectory | string;
  /**
   * The ImagePolicies of the automation's namespace (that its policySelector selects), by
   * `<namespace>:<name>`, with the latest image each reports.
   */
  readonly policies: Readonly<Record<string, LatestImage>>;
}

/** A value the simulated automation changed. */
export interface ImageUpdateChange {
  /** Repository path of the file. */
  readonly file: string;
  /** The setter, e.g. `flux-system:podinfo:tag`. */
  readonly setter: string;
  /** The value before the run. */
  readonly oldValue: string;
  /** The value the run wrote. */
  readonly newValue: string;
}

/** What a simulated run did. */
export interface ImageUpdateResult {
  /** Every file, the changed ones with their new content. */
  readonly files: Map<string, string>;
  /** The changes made, in file and document order. */
  readonly changes: ImageUpdateChange[];
}

/** The token the controller screens files for before parsing them. */
const SCREEN_TOKEN = '"$imagepolicy"';
const SHORT_HAND = '$imagepolicy';

/**
 * Performs an ImageUpdateAutomation run on a synthesized layout the way the image-automation
 * controller's Setters strategy does (fluxcd/image-automation-controller `internal/update`, with
 * kyaml's `fieldmeta`), so tests can check what the controller would commit:
 *
 * - only files under `update.path` named `*.yaml`, `*.yml` or `Kustomization` that contain
 *   `"$imagepolicy"` are read;
 * - every scalar that is a mapping value or a sequence item (never a key) is looked at; its line
 *   comment, then its head comment, with leading `#` removed, must be a JSON object of strings whose
 *   `"$imagepolicy"` names a setter: `<ns>:<name>` (the image `<name>:<tag>[@<digest>]`), or that
 *   followed by `:tag`, `:name` or `:digest`;
 * - the marked scalar's value is replaced; a plain scalar whose new value YAML 1.1 would read as
 *   something else than a string (`1.10`, `on`) is double-quoted, like kyaml's `FormatNonStringStyle`;
 * - only files with a changed value are rewritten, everything else in them serialized as it was.
 */
export function simulateImageUpdate(layout: ReadonlyMap<string, string> | Readonly<Record<string, string>>, run: ImageUpdateRun): ImageUpdateResult {
  const files = new Map(layout instanceof Map ? layout : Object.entries(layout));
  const root = typeof run.path === 'string' ? run.path.replace(/^\.\//, '').replace(/\/$/, '') : run.path.repoPath;
  const setters = setterValues(run.policies);
  const changes: ImageUpdateChange[] = [];
  for (const [file, content] of [...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!file.startsWith(`${root}/`) || !isAutomationFile(file) || !content.includes(SCREEN_TOKEN)) continue;
    const docs = parseAllDocuments(content, { version: '1.1' });
    if (!Array.isArray(docs) || docs.some(d => d.errors.length > 0)) continue; // the controller skips files it cannot parse
    const before = changes.length;
    for (const doc of docs) {
      visit(doc.contents, setters, (scalar, setter) => {
        const newValue = setters.get(setter)!;
        const oldValue = String(scalar.value);
        if (newValue === oldValue) return;
        scalar.value = newValue;
        if (scalar.type === Scalar.PLAIN && typeof parse(newValue, { version: '1.1' }) !== 'string') scalar.type = Scalar.QUOTE_DOUBLE;
        changes.push({ file, setter, oldValue, newValue });
      });
    }
    if (changes.length > before) files.set(file, docs.map(d => d.toString({ lineWidth: 0, indentSeq: true })).join(''));
  }
  return { files, changes };
}

/** The setters the controller defines for each policy with a latest image. */
function setterValues(policies: Readonly<Record<string, LatestImage>>): Map<string, string> {
  const values = new Map<string, string>();
  for (const [policy, latest] of Object.entries(policies)) {
    values.set(policy, `${latest.name}:${latest.tag}${latest.digest ? `@${latest.digest}` : ''}`);
    values.set(`${policy}:tag`, latest.tag);
    values.set(`${policy}:name`, latest.name);
    values.set(`${policy}:digest`, latest.digest ?? '');
  }
  return values;
}

function isAutomationFile(file: string): boolean {
  const ext = posix.extname(file);
  return ext === '.yaml' || ext === '.yml' || posix.basename(file) === 'Kustomization';
}

/**
 * Calls `found` for every value scalar whose line comment, else head comment, names a defined
 * setter (a marker of a policy the automation does not have is no marker to kyaml).
 */
function visit(node: Node | null | Document['contents'], setters: ReadonlyMap<string, string>, found: (scalar: Scalar, setter: string) => void): void {
  if (isMap(node)) {
    for (const pair of node.items) visit(pair.value as Node | null, setters, found);
  } else if (isSeq(node)) {
    for (const item of node.items) visit(item as Node | null, setters, found);
  } else if (isScalar(node)) {
    for (const comment of [node.comment, node.commentBefore]) {
      const setter = comment ? shortHand(comment) : undefined;
      if (setter && setters.has(setter)) {
        found(node, setter);
        return;
      }
    }
  }
}

/** The setter a comment names as kyaml reads it: a JSON object of strings with `"$imagepolicy"`. */
function shortHand(comment: string): string | undefined {
  try {
    const input: unknown = JSON.parse(comment.replace(/^#+/, ''));
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
    if (Object.values(input).some(v => typeof v !== 'string')) return undefined;
    return (input as Record<string, string>)[SHORT_HAND] || undefined;
  } catch {
    return undefined;
  }
}
