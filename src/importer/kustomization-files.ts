// Reading a directory's kustomization: what it lists, which files are its patches, and its patches
// as `addPatch` arguments (every patch with a target, Flux API versions raised).
import { isMap } from '../core/json-values';
import { groupOf, namespaceOf } from '../core/model/identity';
import { Doc, joinRepoPath, parseValues } from '../core/model/repo-tree';
import { RawPatch } from './environment-values';
import { knownKind } from './kinds';
import { SourceDirectory, SourceRepo } from './source-repo';

/** Something the import did not carry over as it was, for the report. */
export interface ImportNote {
  readonly where: string;
  readonly message: string;
}

/** The resources a directory's kustomization lists (strings only). */
export function resourcesOf(d: SourceDirectory): string[] {
  const r = d.kustomization?.doc.resources;
  return Array.isArray(r) ? r.filter((x): x is string => typeof x === 'string') : [];
}

/** The Components a directory's kustomization lists (strings only). */
export function componentsOf(d: SourceDirectory): string[] {
  const c = d.kustomization?.doc.components;
  return Array.isArray(c) ? c.filter((x): x is string => typeof x === 'string') : [];
}

/** The files a directory's kustomization reads that are not resources: patches, configurations, generators' inputs. */
export function patchPaths(d: SourceDirectory): string[] {
  const k = d.kustomization?.doc;
  if (!k) return [];
  const out: string[] = [];
  for (const p of Array.isArray(k.patches) ? k.patches : []) if (typeof p?.path === 'string') out.push(p.path);
  for (const p of Array.isArray(k.patchesStrategicMerge) ? k.patchesStrategicMerge : []) if (typeof p === 'string' && !p.includes('\n')) out.push(p);
  for (const p of Array.isArray(k.patchesJson6902) ? k.patchesJson6902 : []) if (typeof p?.path === 'string') out.push(p.path);
  for (const c of Array.isArray(k.configurations) ? k.configurations : []) if (typeof c === 'string') out.push(c);
  for (const g of [...Array.isArray(k.configMapGenerator) ? k.configMapGenerator : [], ...Array.isArray(k.secretGenerator) ? k.secretGenerator : []]) {
    for (const f of Array.isArray(g?.files) ? g.files : []) if (typeof f === 'string') out.push(f.includes('=') ? f.slice(f.indexOf('=') + 1) : f);
  }
  return out;
}

/** A directory's kustomize patches as `addPatch` arguments: every patch with its target. */
export function patchesOf(repo: SourceRepo, d: SourceDirectory, notes: ImportNote[]): RawPatch[] {
  const k = d.kustomization?.doc;
  if (!k) return [];
  const where = d.kustomization!.file;
  const out: RawPatch[] = [];
  const load = (p: string): unknown[] | undefined => {
    const full = joinRepoPath(d.path, p);
    const file = full ? repo.files.get(full) : undefined;
    if (!file || file.values.length === 0) {
      notes.push({ where, message: `patch file ${JSON.stringify(p)} is missing or not YAML: not imported` });
      return undefined;
    }
    return [...file.values];
  };
  const parse = (text: string): unknown[] => {
    try {
      return parseValues(where, text).filter(v => v !== null && v !== undefined);
    } catch {
      notes.push({ where, message: 'an inline patch is not YAML: not imported' });
      return [];
    }
  };
  const add = (content: unknown, target: unknown) => {
    if (Array.isArray(content)) {
      if (!isMap(target)) {
        notes.push({ where, message: 'a JSON 6902 patch without a target: not imported' });
        return;
      }
      out.push({ target: cleanTarget(target), patch: content });
      return;
    }
    if (!isMap(content)) return;
    const raised = knownKind(content as Doc) ? { ...content, apiVersion: knownKind(content as Doc)!.apiVersion } : content;
    const t = isMap(target) ? cleanTarget(target) : selfTarget(content as Doc);
    out.push({ target: t, patch: raised });
  };
  for (const p of Array.isArray(k.patches) ? k.patches : []) {
    if (!isMap(p)) continue;
    const contents = typeof p.path === 'string' ? load(p.path) : typeof p.patch === 'string' ? parse(p.patch) : undefined;
    for (const c of contents ?? []) add(c, p.target);
  }
  for (const p of Array.isArray(k.patchesStrategicMerge) ? k.patchesStrategicMerge : []) {
    const contents = typeof p === 'string' && !p.includes('\n') ? load(p) : typeof p === 'string' ? parse(p) : [p];
    for (const c of contents ?? []) add(c, undefined);
  }
  for (const p of Array.isArray(k.patchesJson6902) ? k.patchesJson6902 : []) {
    if (!isMap(p)) continue;
    const contents = typeof p.path === 'string' ? load(p.path) : typeof p.patch === 'string' ? parse(p.patch) : undefined;
    const ops = contents && contents.length === 1 && Array.isArray(contents[0]) ? contents[0] : contents;
    if (ops) add(ops, p.target);
  }
  return out;
}

/** A patch target without the version (the import raises Flux API versions, which a patch must still select). */
function cleanTarget(t: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['group', 'kind', 'name', 'namespace', 'labelSelector', 'annotationSelector']) if (t[k] !== undefined) out[k] = t[k];
  if (t.version !== undefined && !knownKind({ apiVersion: `${String(t.group)}/${String(t.version)}`, kind: t.kind } as Doc)) out.version = t.version;
  return out;
}

/** The target a strategic-merge patch selects by itself: its group, kind, name and namespace. */
function selfTarget(doc: Doc): Record<string, unknown> {
  const group = groupOf(doc.apiVersion);
  return { ...group ? { group } : {}, kind: doc.kind, name: doc.metadata?.name, ...namespaceOf(doc) ? { namespace: namespaceOf(doc) } : {} };
}

/** A `configMapGenerator` entry the layout can write again (`addConfigMapGenerator`), its files kept byte for byte. */
export interface ImportedGenerator {
  readonly name: string;
  readonly namespace?: string;
  /** Files of the directory, each under its key. */
  readonly files: readonly { readonly key: string; readonly path: string; readonly fileName: string }[];
  readonly literals?: Record<string, string>;
  readonly disableNameSuffixHash?: boolean;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

const GENERATOR_FIELDS = ['name', 'namespace', 'files', 'literals', 'options', 'behavior'];
const GENERATOR_OPTIONS = ['disableNameSuffixHash', 'labels', 'annotations'];
/** What `ExistingFile` accepts as a file name (a data file kept as it is). */
const KEPT_FILE_NAME = /^[a-z0-9]([-a-z0-9._]*[a-z0-9])?\.yaml$/;

/**
 * A directory's `configMapGenerator` entries as `addConfigMapGenerator` arguments; each entry the
 * layout cannot write as it is (a file of another directory, `envs`, a merge `behavior`,
 * `generatorOptions`…) is left out with a note.
 */
export function generatorsOf(repo: SourceRepo, d: SourceDirectory, notes: ImportNote[]): ImportedGenerator[] {
  const k = d.kustomization?.doc;
  if (!k || k.configMapGenerator === undefined) return [];
  const where = d.kustomization!.file;
  if (k.generatorOptions !== undefined || !Array.isArray(k.configMapGenerator)) {
    notes.push({ where, message: `kustomization field "configMapGenerator" is not imported${k.generatorOptions !== undefined ? ' (with generatorOptions, which the layout does not write)' : ''}: express it in the fleet code (the comparison shows what it changes)` });
    return [];
  }
  const out: ImportedGenerator[] = [];
  for (const entry of k.configMapGenerator as unknown[]) {
    const skip = (why: string) => notes.push({ where, message: `configMapGenerator ${isMap(entry) ? JSON.stringify(entry.name) : ''} is not imported: ${why}` });
    if (!isMap(entry) || typeof entry.name !== 'string') { skip('it has no name'); continue; }
    const extra = Object.keys(entry).find(f => !GENERATOR_FIELDS.includes(f));
    if (extra) { skip(`the layout does not write its "${extra}"`); continue; }
    if (entry.behavior !== undefined && entry.behavior !== 'create') { skip(`behavior "${String(entry.behavior)}" merges into a base's ConfigMap, which the layout does not write`); continue; }
    const options = isMap(entry.options) ? entry.options : {};
    const extraOption = Object.keys(options).find(f => !GENERATOR_OPTIONS.includes(f));
    if (extraOption) { skip(`the layout does not write options.${extraOption}`); continue; }
    const files: { key: string; path: string; fileName: string }[] = [];
    let bad: string | undefined;
    for (const f of Array.isArray(entry.files) ? entry.files : []) {
      const text = String(f);
      const at = text.indexOf('=');
      const rel = at > 0 ? text.slice(at + 1) : text;
      const full = joinRepoPath(d.path, rel);
      const fileName = rel.slice(rel.lastIndexOf('/') + 1);
      if (!full || !repo.files.has(full) || full !== joinRepoPath(d.path, fileName)) bad = `file "${rel}" is not a file of its directory`;
      else if (!KEPT_FILE_NAME.test(fileName)) bad = `file "${rel}" is not named like a YAML file the layout keeps (ExistingFile takes *.yaml)`;
      else files.push({ key: at > 0 ? text.slice(0, at) : fileName, path: full, fileName });
    }
    if (bad) { skip(bad); continue; }
    const literals: Record<string, string> = {};
    for (const l of Array.isArray(entry.literals) ? entry.literals : []) {
      const text = String(l);
      const at = text.indexOf('=');
      // quotes around a value are kustomize's to drop: keep only plain values so that the layout writes them the same
      if (at <= 0 || /^["']/.test(text.slice(at + 1))) { bad = `literal "${text}" is not a plain key=value`; break; }
      literals[text.slice(0, at)] = text.slice(at + 1);
    }
    if (bad) { skip(bad); continue; }
    out.push({
      name: entry.name,
      namespace: typeof entry.namespace === 'string' ? entry.namespace : undefined,
      files,
      literals: Object.keys(literals).length > 0 ? literals : undefined,
      disableNameSuffixHash: options.disableNameSuffixHash === true ? true : undefined,
      labels: isMap(options.labels) ? options.labels as Record<string, string> : undefined,
      annotations: isMap(options.annotations) ? options.annotations as Record<string, string> : undefined,
    });
  }
  return out;
}
