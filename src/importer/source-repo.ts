import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap } from '../core/json-values';
import { KUSTOMIZATION_FILE_NAMES } from '../core/model/kustomize-build';
import { Doc, parseValues } from '../core/model/repo-tree';
import { compareKeys } from '../core/render';

/** One YAML file of the repository being imported. */
export interface SourceFile {
  /** Repository path (posix). */
  readonly path: string;
  /** Its text. */
  readonly text: string;
  /** Its documents (mappings; empty documents left out), or why it could not be read. */
  readonly docs: readonly Doc[];
  /** Every YAML document's value, whatever it is (a JSON 6902 patch file holds a list). */
  readonly values: readonly unknown[];
  /** Why it is not Kubernetes YAML, if it is not. */
  readonly error?: string;
}

/** One directory of the repository being imported. */
export interface SourceDirectory {
  /** Repository path (`''` for the root). */
  readonly path: string;
  /** YAML files directly in it (repository paths, sorted), its kustomization file excluded. */
  readonly files: readonly string[];
  /** Sub-directories (repository paths, sorted) that hold YAML at some depth. */
  readonly dirs: readonly string[];
  /** Its kustomization, if it has one. */
  readonly kustomization?: { readonly file: string; readonly doc: Doc };
}

/** The repository being imported, read once. */
export interface SourceRepo {
  /** Its root on disk. */
  readonly rootDir: string;
  /** Its directories that hold YAML at some depth, by repository path (the root is `''`). */
  readonly directories: ReadonlyMap<string, SourceDirectory>;
  /** Its YAML files, by repository path. */
  readonly files: ReadonlyMap<string, SourceFile>;
  /** Certificates (`*.pem`, `*.crt` holding a PEM certificate), by repository path. */
  readonly certificates: ReadonlyMap<string, string>;
}

const YAML = /\.ya?ml$/;

/** Reads every YAML file and certificate of a repository (hidden directories and node_modules skipped). */
export function readSourceRepo(rootDir: string): SourceRepo {
  const directories = new Map<string, SourceDirectory>();
  const files = new Map<string, SourceFile>();
  const certificates = new Map<string, string>();
  const walk = (rel: string): boolean => {
    const entries = fs.readdirSync(path.join(rootDir, rel), { withFileTypes: true }).sort((a, b) => compareKeys(a.name, b.name));
    const own: string[] = [];
    const dirs: string[] = [];
    let kustomization: { file: string; doc: Doc } | undefined;
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (walk(child)) dirs.push(child);
      } else if (e.isFile() && YAML.test(e.name)) {
        const text = fs.readFileSync(path.join(rootDir, child), 'utf8');
        const file = readFile(child, text);
        files.set(child, file);
        if (KUSTOMIZATION_FILE_NAMES.includes(e.name) && !kustomization && file.docs.length === 1) kustomization = { file: child, doc: file.docs[0] };
        else own.push(child);
      } else if (e.isFile() && /\.(pem|crt)$/.test(e.name)) {
        const text = fs.readFileSync(path.join(rootDir, child), 'utf8');
        if (text.includes('-----BEGIN CERTIFICATE-----')) certificates.set(child, text);
      }
    }
    if (own.length === 0 && dirs.length === 0 && !kustomization) return false;
    directories.set(rel, { path: rel, files: own, dirs, kustomization });
    return true;
  };
  walk('');
  return { rootDir, directories, files, certificates };
}

function readFile(p: string, text: string): SourceFile {
  try {
    const values = parseValues(p, text);
    const docs = values.filter(v => v !== null && v !== undefined);
    const bad = docs.findIndex(d => !isMap(d));
    if (bad >= 0) return { path: p, text, docs: [], values: docs, error: `document ${bad} is not a mapping` };
    return { path: p, text, docs: docs as Doc[], values: docs };
  } catch (e) {
    return { path: p, text, docs: [], values: [], error: (e as Error).message };
  }
}

/** Whether a document is a Kubernetes object (apiVersion, kind and a name). */
export function isObject(doc: Doc): boolean {
  return typeof doc.apiVersion === 'string' && typeof doc.kind === 'string' && typeof doc.metadata?.name === 'string';
}
