import { createHash } from 'node:crypto';
import { isMap } from '../json-values';

/** A ConfigMap a kustomize `configMapGenerator` entry makes, before the name hash. */
export interface GeneratedConfigMap {
  /** The ConfigMap. */
  readonly doc: Record<string, unknown>;
  /** Whether kustomize appends the content hash to its name at the end of the build. */
  readonly hashed: boolean;
}

/** A generator entry kustomize refuses, or one the model does not build. */
export class GeneratorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GeneratorError';
  }
}

/** The generator fields the model builds (`behavior` only as `create`). */
const GENERATOR_FIELDS = new Set(['name', 'namespace', 'files', 'literals', 'options', 'behavior']);
const OPTION_FIELDS = new Set(['disableNameSuffixHash', 'labels', 'annotations', 'immutable']);

/**
 * The ConfigMap of one `configMapGenerator` entry, as kustomize makes it: `literals` (`key=value`,
 * surrounding quotes dropped) and `files` (`path`, its key the file name, or `key=path`), read with
 * `read` (a path relative to the kustomization's directory; undefined when there is no such file);
 * the kustomization's `generatorOptions` merged under the entry's own `options`. Throws
 * `GeneratorError` for what kustomize refuses or the model does not build (`envs`, a `behavior`
 * other than `create`).
 */
export function generateConfigMap(entry: unknown, generatorOptions: unknown, read: (path: string) => string | undefined): GeneratedConfigMap {
  if (!isMap(entry) || typeof entry.name !== 'string' || entry.name === '') throw new GeneratorError('needs a name');
  for (const key of Object.keys(entry)) {
    if (!GENERATOR_FIELDS.has(key)) throw new GeneratorError(`"${key}" is not modelled (the model builds name, namespace, files, literals and options)`);
  }
  if (entry.behavior !== undefined && entry.behavior !== 'create') {
    throw new GeneratorError(`behavior "${String(entry.behavior)}" (merging into a base's ConfigMap) is not modelled: generate the whole ConfigMap in one place`);
  }
  const data: Record<string, string> = {};
  const put = (key: string, value: string, what: string) => {
    if (!/^[-._a-zA-Z0-9]+$/.test(key)) throw new GeneratorError(`${what}: "${key}" is not a valid ConfigMap key (letters, digits, '-', '_' or '.')`);
    if (key in data) throw new GeneratorError(`${what}: key "${key}" is given twice`);
    data[key] = value;
  };
  for (const literal of list(entry.literals, 'literals')) {
    const text = String(literal);
    const at = text.indexOf('=');
    if (at <= 0) throw new GeneratorError(`literal "${text}" is not key=value`);
    put(text.slice(0, at), unquote(text.slice(at + 1)), `literal "${text}"`);
  }
  for (const file of list(entry.files, 'files')) {
    const text = String(file);
    const at = text.indexOf('=');
    const [key, p] = at > 0 ? [text.slice(0, at), text.slice(at + 1)] : [text.slice(text.lastIndexOf('/') + 1), text];
    const content = read(p);
    if (content === undefined) throw new GeneratorError(`file "${p}" does not exist next to the kustomization (kustomize reads files under its directory only)`);
    put(key, content, `file "${text}"`);
  }
  // kustomize ORs the flags: an entry cannot turn off what generatorOptions turns on
  const global = optionsOf(generatorOptions, 'generatorOptions');
  const own = optionsOf(entry.options, 'options');
  const options = {
    disableNameSuffixHash: global.disableNameSuffixHash === true || own.disableNameSuffixHash === true,
    immutable: global.immutable === true || own.immutable === true,
  };
  const metadata: Record<string, unknown> = { name: entry.name };
  if (typeof entry.namespace === 'string' && entry.namespace !== '') metadata.namespace = entry.namespace;
  const labels = { ...mapOf(isMap(generatorOptions) ? generatorOptions.labels : undefined), ...mapOf(isMap(entry.options) ? entry.options.labels : undefined) };
  const annotations = { ...mapOf(isMap(generatorOptions) ? generatorOptions.annotations : undefined), ...mapOf(isMap(entry.options) ? entry.options.annotations : undefined) };
  if (Object.keys(labels).length > 0) metadata.labels = labels;
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  const doc: Record<string, unknown> = { apiVersion: 'v1', kind: 'ConfigMap', metadata };
  if (Object.keys(data).length > 0) doc.data = data;
  if (options.immutable === true) doc.immutable = true;
  return { doc, hashed: options.disableNameSuffixHash !== true };
}

/**
 * kustomize's content hash of a ConfigMap (api/hasher): the SHA-256 of the Go JSON encoding of
 * `{data, kind: "ConfigMap", name: ""}` (kyaml looks the name up at the top level, where there is
 * none; `binaryData` when it has any), its first ten hex digits with 0, 1, 3, a and e replaced so
 * that the suffix never reads as a number or a word. Checked against `kubectl kustomize`.
 */
export function configMapHash(doc: Record<string, unknown>): string {
  const encoded: Record<string, unknown> = { kind: 'ConfigMap', name: '', data: isMap(doc.data) ? doc.data : '' };
  if (isMap(doc.binaryData) && Object.keys(doc.binaryData).length > 0) encoded.binaryData = doc.binaryData;
  const hex = createHash('sha256').update(goJson(encoded)).digest('hex');
  const swap: Record<string, string> = { 0: 'g', 1: 'h', 3: 'k', a: 'm', e: 't' };
  return [...hex.slice(0, 10)].map(c => swap[c] ?? c).join('');
}

/** JSON as Go's encoding/json writes it: map keys sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped. */
function goJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
      .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  }
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  if (isMap(value)) return `{${Object.keys(value).sort().map(k => `${goJson(k)}:${goJson(value[k])}`).join(',')}}`;
  return JSON.stringify(value);
}

/**
 * The pod-spec fields through which kustomize's name references follow a generated ConfigMap's new
 * name (its built-in `nameReference` configuration for ConfigMap, for the workload kinds).
 */
const POD_SPECS: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/**
 * A document with every reference to a renamed ConfigMap of its namespace following the new name
 * (`renames`: old name → new name, for the ConfigMaps of `namespace`); the same document when none
 * changed. Only the pod specs of workloads are followed, as kustomize does by default: a Flux
 * HelmRelease's `valuesFrom` keeps the old name (which is why Flux's examples disable the hash).
 */
export function followRenamedConfigMaps(doc: Record<string, unknown>, renames: ReadonlyMap<string, string>): Record<string, unknown> {
  const at = POD_SPECS[String(doc.kind)];
  if (!at || renames.size === 0) return doc;
  const out = structuredClone(doc);
  let spec: unknown = out;
  for (const key of at) spec = isMap(spec) ? spec[key] : undefined;
  if (!isMap(spec)) return doc;
  let changed = false;
  const rename = (ref: unknown) => {
    if (isMap(ref) && typeof ref.name === 'string' && renames.has(ref.name)) {
      ref.name = renames.get(ref.name);
      changed = true;
    }
  };
  for (const volume of asList(spec.volumes)) {
    if (!isMap(volume)) continue;
    rename(volume.configMap);
    for (const source of asList(isMap(volume.projected) ? volume.projected.sources : undefined)) if (isMap(source)) rename(source.configMap);
  }
  for (const c of [...asList(spec.containers), ...asList(spec.initContainers), ...asList(spec.ephemeralContainers)]) {
    if (!isMap(c)) continue;
    for (const e of asList(c.envFrom)) if (isMap(e)) rename(e.configMapRef);
    for (const e of asList(c.env)) if (isMap(e) && isMap(e.valueFrom)) rename(e.valueFrom.configMapKeyRef);
  }
  return changed ? out : doc;
}

function list(value: unknown, field: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new GeneratorError(`${field} is not a list`);
  return value;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function mapOf(value: unknown): Record<string, string> {
  return isMap(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)])) : {};
}

function optionsOf(value: unknown, field: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isMap(value)) throw new GeneratorError(`${field} is not a mapping`);
  for (const key of Object.keys(value)) {
    if (!OPTION_FIELDS.has(key)) throw new GeneratorError(`${field}.${key} is not modelled (the model builds disableNameSuffixHash, labels, annotations and immutable)`);
  }
  return value;
}

/** kustomize drops one pair of matching surrounding quotes from a literal's value. */
function unquote(value: string): string {
  if (value.length >= 2 && (value[0] === '"' || value[0] === '\'') && value[value.length - 1] === value[0]) return value.slice(1, -1);
  return value;
}
