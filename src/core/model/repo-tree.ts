import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject } from 'cdk8s';
import { parseAllDocuments, ScalarTag, visit } from 'yaml';
import { compareKeys } from '../render';
import { isMap } from '../json-values';

/** A Kubernetes document as plain JSON. */
export type Doc = Record<string, any>;

/** Where a document of the model comes from, so that messages can name it. */
export interface DocumentOrigin {
  /**
   * Construct path of what made it: the API object synth rendered, the patch construct, the
   * `ExistingFile` that declares a file the user owns; undefined for a file nothing declares.
   */
  readonly constructPath?: string;
  /** The cdk8s API object that rendered it, when synth did. */
  readonly object?: ApiObject;
}

/** One document of a file of the tree. */
export interface TreeDocument {
  /** The document, as written in the file. */
  readonly doc: Doc;
  /** Repository path of the file (posix, no `./`). */
  readonly file: string;
  /** Its position among the file's documents. */
  readonly index: number;
  /** Its position inside `List` documents (item indexes, outermost first), when it is a List item. */
  readonly item?: readonly number[];
  /** What made it. */
  readonly origin: DocumentOrigin;
}

/** A file of the tree Flux reads. */
export interface TreeFile {
  /** Repository path (posix, no `./`). */
  readonly path: string;
  /** Whether this synth writes it (false: a file on disk that the user owns). */
  readonly generated: boolean;
  /** Construct path of the construct that writes or declares it, if any. */
  readonly constructPath?: string;
  /**
   * Its documents, as written (`List`s not expanded). Throws a `TreeFileError` naming the file
   * when it is not YAML or a document is not a mapping.
   */
  documents(): readonly TreeDocument[];
  /** Each YAML document's value, whatever it is (a JSON 6902 patch file holds a list). */
  values(): readonly unknown[];
  /** The file's text, for a file the user owns (a JSON 6902 patch file is read by other rules than a manifest) and a generated data file (a generator reads it). */
  readonly text?: string;
}

/** A generated file: its documents, already in memory. */
export interface GeneratedFile {
  /** Repository path. */
  readonly path: string;
  /** The documents it holds. */
  readonly docs: readonly Doc[];
  /** The API object behind each document, when synth rendered one. */
  readonly objects?: readonly (ApiObject | undefined)[];
  /** Construct path of the file's construct. */
  readonly constructPath: string;
  /**
   * The file's text, for a data file a generator reads (a `ValuesFile`): its documents are not
   * Kubernetes objects, so the tree lists none. @default none: a file of objects or patches
   */
  readonly dataText?: string;
}

/** A file that cannot be read as Kubernetes YAML. */
export class TreeFileError extends Error {
  constructor(public readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'TreeFileError';
  }
}

/** What the model needs of the managed directories on disk: which files synth wrote earlier, and the others with their content. */
export interface DiskFiles {
  /** Files carrying the generated-file marker, by repository path. */
  readonly generated: { has(path: string): boolean };
  /** Every other entry (files the user owns, symlinks…), by repository path; content for regular files. */
  readonly foreign: ReadonlyMap<string, string | undefined>;
}

/** What the managed directories hold on disk before a synth, for the writer: generated files with their content too. */
export interface DiskLayout extends DiskFiles {
  /** Files carrying the generated-file marker, by repository path, with their content. */
  readonly generated: ReadonlyMap<string, string>;
}

/**
 * The repository as Flux will read it once synth has written: every generated file (in memory,
 * with the objects that rendered it) over the files of the managed directories that the user
 * owns (read from disk). Files synth generated earlier are not part of it: this synth replaces or
 * prunes them.
 */
export class RepoTree {
  private readonly files = new Map<string, TreeFile>();
  private readonly directories = new Map<string, { files: Set<string>; dirs: Set<string> }>();
  private readonly loaded = new Set<string>();

  /**
   * @param elsewhere where to read, on first use, directories outside the managed roots that a
   *   Kustomization builds (`./tenants`): the repository root and the roots already scanned
   */
  constructor(generated: Iterable<GeneratedFile>, disk?: DiskFiles, declared: ReadonlyMap<string, string> = new Map(), private readonly elsewhere?: { readonly rootDir: string; readonly scanned: readonly string[] }) {
    for (const g of generated) this.add(generatedFile(g));
    for (const [p, content] of disk?.foreign ?? []) {
      if (content === undefined || this.files.has(p)) continue; // a symlink or special file: Flux's source would not follow it either
      this.add(userFile(p, content, declared.get(p)));
    }
  }

  /** The file at a repository path, if the tree has one. */
  public file(p: string): TreeFile | undefined {
    this.load(p);
    return this.files.get(p);
  }

  /** Whether a directory exists in the tree (it holds at least one file, at any depth). */
  public isDirectory(p: string): boolean {
    this.load(p);
    return p === '' || this.directories.has(p);
  }

  /** The files directly in a directory, sorted. */
  public filesIn(dir: string): string[] {
    this.load(dir);
    return [...this.directories.get(dir)?.files ?? []].sort(compareKeys);
  }

  /** The sub-directories directly in a directory, sorted. */
  public directoriesIn(dir: string): string[] {
    this.load(dir);
    return [...this.directories.get(dir)?.dirs ?? []].sort(compareKeys);
  }

  /**
   * Reads a path outside the managed roots the first time it is asked for (a directory a
   * Kustomization builds, with what is under it; a file a kustomization lists), as files the user
   * owns. Only what is asked for: a sibling directory nothing builds is never read.
   */
  private load(p: string): void {
    if (!this.elsewhere || p === '') return;
    const slash = p.indexOf('/');
    if (this.elsewhere.scanned.includes(slash < 0 ? p : p.slice(0, slash))) return; // the common case: a managed root, read already
    if (p.split('/').some(seg => seg.startsWith('.') || seg === 'node_modules')) return;
    for (let q = p; q; q = q.includes('/') ? q.slice(0, q.lastIndexOf('/')) : '') if (this.loaded.has(q)) return;
    this.loaded.add(p);
    const rootDir = this.elsewhere.rootDir;
    const addFile = (rel: string) => {
      if (!/\.(ya?ml|json)$/.test(rel) || this.files.has(rel)) return;
      const content = readForeign(rootDir, rel);
      if (content !== undefined) this.add(userFile(rel, content, undefined));
    };
    const walk = (rel: string) => {
      for (const e of fs.readdirSync(path.join(rootDir, rel), { withFileTypes: true })) {
        const child = `${rel}/${e.name}`;
        if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') walk(child);
        else if (e.isFile()) addFile(child);
      }
    };
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(path.join(rootDir, p));
    } catch {
      return; // nothing there
    }
    if (st.isDirectory()) walk(p);
    else if (st.isFile()) addFile(p); // symlinks are never followed
  }

  /** Every file of the tree (of the managed roots, and of the other directories read so far), sorted by path. */
  public allFiles(): TreeFile[] {
    return [...this.files.values()].sort((a, b) => compareKeys(a.path, b.path));
  }

  private add(file: TreeFile): void {
    this.files.set(file.path, file);
    let child = file.path;
    let isFile = true;
    for (let dir = parentOf(child); ; child = dir, dir = parentOf(dir)) {
      const entry = this.directories.get(dir);
      if (entry) {
        (isFile ? entry.files : entry.dirs).add(child);
        if (!isFile) break; // the directory was known: its ancestors already list it
      } else {
        this.directories.set(dir, isFile ? { files: new Set([child]), dirs: new Set() } : { files: new Set(), dirs: new Set([child]) });
      }
      isFile = false;
      if (dir === '') break;
    }
  }
}

/** The directory of a repository path (`''` for the root). */
export function parentOf(p: string): string {
  const at = p.lastIndexOf('/');
  return at < 0 ? '' : p.slice(0, at);
}

/** Joins and normalizes repository paths; undefined when the result leaves the repository. */
export function joinRepoPath(dir: string, relative: string): string | undefined {
  const joined = path.posix.normalize(path.posix.join(dir || '.', relative));
  if (joined === '..' || joined.startsWith('../') || path.posix.isAbsolute(joined)) return undefined;
  return joined === '.' ? '' : joined.replace(/\/$/, '');
}

function generatedFile(g: GeneratedFile): TreeFile {
  const documents = g.docs.map((doc, index): TreeDocument => ({
    doc: doc as Doc, file: g.path, index,
    origin: { constructPath: g.objects?.[index]?.node.path ?? g.constructPath, object: g.objects?.[index] },
  }));
  if (g.dataText !== undefined) return { path: g.path, generated: true, constructPath: g.constructPath, documents: () => [], values: () => g.docs, text: g.dataText };
  return { path: g.path, generated: true, constructPath: g.constructPath, documents: () => documents, values: () => g.docs };
}

function userFile(p: string, content: string, constructPath: string | undefined): TreeFile {
  let values: unknown[] | undefined;
  let documents: TreeDocument[] | undefined;
  const parsed = () => values ??= parseValues(p, content);
  return {
    path: p,
    generated: false,
    constructPath,
    text: content,
    values: parsed,
    documents: () => documents ??= parsed().flatMap((doc, index) => {
      if (doc === null || doc === undefined) return []; // an empty document (a trailing ---)
      if (!isMap(doc)) throw new TreeFileError(p, `document ${index} is not a mapping (it is ${Array.isArray(doc) ? 'a list' : typeof doc})`);
      return [{ doc, file: p, index, origin: { constructPath } }];
    }),
  };
}

/**
 * Integers kustomize's YAML reader (go-yaml v3) accepts beyond YAML 1.2's core schema: a leading
 * `0` octal (`0644`, as file modes are written), digits grouped with `_`, `0b` binary and signed
 * hexadecimal. Checked against kubectl kustomize.
 */
const KUSTOMIZE_INTEGERS: ScalarTag[] = [
  integer(/^[-+]?0[0-7_]+$/, 8, s => s.replace(/^0/, '')),
  integer(/^[-+]?0b[01_]+$/, 2, s => s.slice(2)),
  integer(/^[-+]0x[0-9a-fA-F_]+$/, 16, s => s.slice(2)),
  integer(/^[-+]?[0-9][0-9]*(_[0-9_]*)+$/, 10, s => s),
];

function integer(test: RegExp, radix: number, digits: (unsigned: string) => string): ScalarTag {
  return {
    tag: 'tag:yaml.org,2002:int',
    default: true,
    test,
    resolve: text => {
      const sign = text.startsWith('-') ? -1 : 1;
      return sign * parseInt(digits(text.replace(/^[-+]/, '')).replace(/_/g, ''), radix);
    },
  };
}

/** Each YAML document of a file the user owns, read as kustomize reads it (a byte-order mark is ignored). */
export function parseValues(file: string, content: string): unknown[] {
  const text = content.startsWith('\ufeff') ? content.slice(1) : content;
  return parseAllDocuments(text, { customTags: tags => [...KUSTOMIZE_INTEGERS, ...(tags as ScalarTag[])] }).map((d, index) => {
    if (d.errors.length > 0) throw new TreeFileError(file, `document ${index} is not valid YAML: ${d.errors[0].message}`);
    // a block scalar that ends the text without a line break keeps none (Go's reader; `yaml` adds one)
    if (!text.endsWith('\n')) {
      visit(d, {
        Scalar: (_key, node) => {
          const [start, end] = node.range ?? [0, 0];
          if ((node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') && end >= text.length && /^[|>][0-9]?(?![-+])/.test(text.slice(start)) && typeof node.value === 'string') {
            node.value = node.value.replace(/\n$/, '');
          }
        },
      });
    }
    return d.toJS({ maxAliasCount: 1000 }) as unknown;
  });
}

/** Reads the content of the files the user owns in the managed directories (a regular file only). */
export function readForeign(rootDir: string, p: string): string | undefined {
  try {
    const st = fs.lstatSync(path.join(rootDir, p));
    return st.isFile() ? fs.readFileSync(path.join(rootDir, p), 'utf8') : undefined;
  } catch {
    return undefined;
  }
}
