import { TargetSelector } from '../../src';
/**
 * Random, valid changes to the example fleet for the generated model-equivalence test
 * (test/model-generated.test.ts): strategic-merge `ObjectPatch`es in the environments' overlays,
 * `List`s of ConfigMaps in generated files, files and directories the user owns (with their own
 * kustomization: resources, JSON 6902 and strategic-merge patches, `namespace`), and Flux
 * Kustomizations with `targetNamespace` and `spec.patches` over new directories.
 *
 * Every change is built from a record of what the generated objects hold (`GenObject`), so that
 * every patch matches at least one object and every JSON 6902 operation applies: the fleet synth
 * accepts should be exactly what kustomize builds.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject, JsonPatch } from 'cdk8s';
import { IConstruct } from 'constructs';
import { stringify } from 'yaml';
import { ExistingFile, GitOpsRepo, GitRepository, Kustomization, LayoutDirectory, ManifestFile, ObjectPatch, Tenant, TenantOverlay } from '../../src';

// ---------------------------------------------------------------------------------------------
// PRNG

/** mulberry32: a tiny deterministic 32-bit PRNG, uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random choices from a seed. */
export class Rng {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** An integer in [lo, hi]. */
  public int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  public chance(p: number): boolean {
    return this.next() < p;
  }

  public pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('pick from an empty list');
    return xs[Math.floor(this.next() * xs.length)];
  }

  /** Between min and max distinct elements, in random order. */
  public sample<T>(xs: readonly T[], min: number, max: number): T[] {
    const pool = [...xs];
    const n = Math.min(pool.length, this.int(min, max));
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0]);
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// The example fleet's shape: which directories each cluster builds, which objects overlays can patch

/** What the unmodified fleet builds, by repository path (the same for every fresh example fleet). */
export interface FleetShape {
  /** Environments with the repository path of their cluster directory. */
  readonly envs: readonly { readonly name: string; readonly cluster: string }[];
  /**
   * Generated, kustomize-built directories holding objects some cluster applies, with those
   * clusters' environments, and the only namespace a new object may have there (a tenant's
   * directories hold only the tenant's namespace: synth refuses anything else).
   */
  readonly dirs: readonly { readonly path: string; readonly envs: readonly string[]; readonly namespace?: string }[];
  /** Objects an `ObjectPatch` in an environment's overlay directory (or one of its sub-directories) can target. */
  readonly targets: readonly { readonly dir: string; readonly constructPath: string; readonly kind: string; readonly apiVersion: string }[];
}

const OVERLAY_DIR = /^(infrastructure|apps)\/overlays\/[^/]+(\/|$)/;

/** Reads the shape of a freshly created fleet (synthesizes it in memory). */
export function fleetShape(repo: GitOpsRepo): FleetShape {
  const { model } = repo.synthModel();
  const layoutDirs = new Map(repo.node.findAll().filter(LayoutDirectory.isLayoutDirectory).filter(d => d.kustomize && !d.isVirtual).map(d => [d.repoPath, d]));
  const envs = repo.environments.map(e => ({ name: e.env.name, cluster: e.cluster.repoPath }));
  const dirEnvs = new Map<string, Set<string>>();
  for (const cluster of model.clusters) {
    const env = envs.find(e => e.cluster === cluster.directory)!.name;
    for (const build of cluster.builds) {
      for (const a of build.applications) {
        const file = a.built.source.file;
        const dir = file.slice(0, file.lastIndexOf('/'));
        if (!layoutDirs.has(dir)) continue;
        if (!dirEnvs.has(dir)) dirEnvs.set(dir, new Set());
        dirEnvs.get(dir)!.add(env);
      }
    }
  }
  const tenantDirs = repo.node.findAll()
    .flatMap(c => (c instanceof Tenant ? [{ path: c.repoPath, namespace: c.namespace }] : c instanceof TenantOverlay ? [{ path: c.repoPath, namespace: c.tenant.namespace }] : []));
  const tenantNamespace = (dir: string) => tenantDirs.find(t => dir === t.path || dir.startsWith(`${t.path}/`))?.namespace;
  const dirs = [...dirEnvs].map(([p, e]) => ({ path: p, envs: [...e].sort(), namespace: tenantNamespace(p) })).sort((a, b) => (a.path < b.path ? -1 : 1));
  const targets: { dir: string; constructPath: string; kind: string; apiVersion: string }[] = [];
  for (const dir of layoutDirs.keys()) {
    if (!OVERLAY_DIR.test(dir) || !dirEnvs.has(dir) && !model.clusters.some(c => c.directories.includes(dir))) continue;
    for (const o of model.builder.build(dir).objects) {
      const object = o.source.origin.object;
      if (!object || o.source.item) continue;
      targets.push({ dir, constructPath: object.node.path, kind: String(o.doc.kind), apiVersion: String(o.doc.apiVersion) });
    }
  }
  return { envs, dirs, targets };
}

// ---------------------------------------------------------------------------------------------
// Records of generated objects

/** A generated object, as its patches so far leave it (before any namespace change). */
interface GenObject {
  apiVersion: string;
  kind: 'ConfigMap' | 'Deployment' | 'ServiceAccount' | 'RoleBinding' | 'Namespace';
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** ConfigMap data. */
  data?: Record<string, string>;
  /** Deployment: number of containers (each has a non-empty env). */
  containers?: string[];
  replicas?: number;
  /** Deployment: a hand-written file gives a volume a YAML 1.1 octal `defaultMode: 0644`. */
  octalMode?: boolean;
  /** RoleBinding subjects. */
  subjects?: { kind: string; name: string; namespace: string }[];
  /** ServiceAccount secrets. */
  secrets?: string[];
}

const GROUP_LABEL = 'gen.example.com/group';
const TIER_LABEL = 'gen.example.com/tier';
/** A placeholder replaced, once serialized, by an unquoted YAML 1.1 octal (as people write file modes by hand). */
const OCTAL = '__OCTAL_0644__';

/** Label values (valid label syntax), some of them words YAML 1.1 reads as booleans, numbers or null. */
const LABEL_VALUES = ['a', 'blue', 'v1', 'on', 'yes', 'true', 'no', '0777', '1.5', 'x-y_z.w', '12345', 'null', 'n', 'Off'];
/** Values of annotations and ConfigMap data: strings that YAML writers must quote, several lines, empty… */
const TEXT_VALUES = [
  'plain', 'with space', 'yes', 'on', 'off', 'true', 'null', '~', '0777', '1e3', '12:30', '1_000', '2024-01-01', '#hash', 'a: b', '- dash',
  '', 'multi\nline\n', "it's", '"quoted"', '0x1F', '+12', '.5', ' lead', 'trail ', '=', '0b101', '1.0', 'NO', 'Y', '*star', '&amp', '!bang', '%pct', '@at', '`tick', '{x}', '[y]', 'a,b', '0', '-1',
];
/** Strings the layout writer leaves unquoted although kustomize's YAML reader (YAML 1.2 integer forms) reads them as numbers. */
const WRITER_QUIRK_VALUES = ['0o17', '0o755'];

function docOf(o: GenObject): Record<string, unknown> {
  const metadata = { name: o.name, ...o.namespace !== undefined ? { namespace: o.namespace } : {}, labels: { ...o.labels }, annotations: { ...o.annotations } };
  switch (o.kind) {
    case 'ConfigMap':
      return { apiVersion: o.apiVersion, kind: o.kind, metadata, data: { ...o.data } };
    case 'ServiceAccount':
      return { apiVersion: o.apiVersion, kind: o.kind, metadata, ...o.secrets ? { secrets: o.secrets.map(name => ({ name })) } : {} };
    case 'Namespace':
      return { apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.name, labels: { ...o.labels }, annotations: { ...o.annotations } } };
    case 'RoleBinding':
      return {
        apiVersion: o.apiVersion, kind: o.kind, metadata,
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: o.subjects!.map(s => ({ ...s })),
      };
    case 'Deployment': {
      const app = { app: o.name };
      return {
        apiVersion: o.apiVersion, kind: o.kind, metadata,
        spec: {
          replicas: o.replicas,
          selector: { matchLabels: app },
          template: {
            metadata: { labels: app },
            spec: {
              containers: o.containers!.map((c, i) => ({
                name: c,
                image: `ghcr.io/example/${c}:1.${i}.0`,
                env: [{ name: 'MODE', value: 'base' }, { name: `${c.toUpperCase().replace(/-/g, '_')}_LOG`, value: 'info' }],
                ports: [{ containerPort: 8080 + i, protocol: 'TCP' }],
              })),
              volumes: [{ name: 'config', configMap: { name: `${o.name}-config`, optional: true, ...o.octalMode ? { defaultMode: OCTAL } : {} } }],
            },
          },
        },
      };
    }
  }
}

/** YAML as a person writes it (YAML 1.1-safe quoting), with the octal placeholders turned into unquoted `0644`. */
function yamlText(values: readonly unknown[]): string {
  return values.map(v => stringify(v, { version: '1.1', lineWidth: 0 })).join('---\n').replace(/(["']?)__OCTAL_0644__\1/g, '0644');
}

// ---------------------------------------------------------------------------------------------
// Target selectors (the subset this generator writes), evaluated on the records

type Selector = TargetSelector;

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

/** Whether a selector (as written by this generator: plain anchored patterns, `k=v`, `k in (…)`, `k`, `!k`) selects an object. */
function selects(s: Selector, o: GenObject): boolean {
  const full = (pattern: string | undefined, value: string) => pattern === undefined || new RegExp(`^(?:${pattern})$`).test(value);
  const namespace = o.kind === 'Namespace' ? '_non_namespaceable_' : o.namespace ?? 'default';
  return full(s.namespace, namespace) && full(s.name, o.name) && full(s.kind, o.kind)
    && full(s.group, groupOf(o.apiVersion)) && full(s.version, o.apiVersion.split('/').pop()!)
    && labelsMatch(s.labelSelector, o.labels) && labelsMatch(s.annotationSelector, o.annotations);
}

function labelsMatch(selector: string | undefined, labels: Record<string, string>): boolean {
  if (selector === undefined) return true;
  return selector.split(/,(?![^(]*\))/).every(req => {
    const r = req.trim();
    let m: RegExpExecArray | null;
    if ((m = /^([^=!\s]+)\s*==?\s*(.*)$/.exec(r))) return labels[m[1]] === m[2];
    if ((m = /^([^=!\s]+)\s*!=\s*(.*)$/.exec(r))) return labels[m[1]] !== m[2];
    if ((m = /^(\S+)\s+in\s+\((.*)\)$/.exec(r))) return m[1] in labels && m[2].split(',').map(x => x.trim()).includes(labels[m[1]]);
    if ((m = /^(\S+)\s+notin\s+\((.*)\)$/.exec(r))) return !(m[1] in labels) || !m[2].split(',').map(x => x.trim()).includes(labels[m[1]]);
    if ((m = /^!(\S+)$/.exec(r))) return !(m[1] in labels);
    return r in labels;
  });
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

// ---------------------------------------------------------------------------------------------
// The mutator

/** A file the user owns that the generator wrote, and what the model must show of it. */
export interface UserFileExpectation {
  /** Repository path. */
  readonly path: string;
  /** Construct path of the `ExistingFile` that declares it; undefined in a directory the user owns. */
  readonly constructPath?: string;
  /** Environments whose cluster applies it. */
  readonly envs: readonly string[];
  /** `metadata.name` of each object it holds (Lists expanded). */
  readonly names: readonly string[];
}

/** Options of a `FleetMutator`. */
export interface MutatorOptions {
  /**
   * Also write what YAML 1.1 and YAML 1.2 readers disagree on, as people write it: an unquoted
   * octal `defaultMode: 0644` in hand-written resources and patches, and construct values such as
   * "0o17". @default true
   */
  readonly quirks?: boolean;
}

/** What a case generated, for counting and for messages. */
export interface MutationSummary {
  readonly log: readonly string[];
  readonly userFiles: readonly UserFileExpectation[];
}

type Mutation = 'object-patch' | 'list-file' | 'user-file' | 'flux-overlay';
const MUTATIONS: readonly Mutation[] = ['object-patch', 'list-file', 'user-file', 'flux-overlay'];

/** Applies random changes to one example fleet, before it is written. */
export class FleetMutator implements MutationSummary {
  public readonly log: string[] = [];
  public readonly userFiles: UserFileExpectation[] = [];
  private n = 0;
  private readonly constructs: Map<string, IConstruct>;
  private readonly quirks: boolean;

  constructor(private readonly repo: GitOpsRepo, private readonly shape: FleetShape, private readonly rng: Rng, options: MutatorOptions = {}) {
    this.constructs = new Map(repo.node.findAll().map(c => [c.node.path, c]));
    this.quirks = options.quirks ?? true;
  }

  /** Applies `count` random mutations (each kind at least once when count ≥ 4). */
  public mutate(count: number): void {
    const order: Mutation[] = count >= MUTATIONS.length ? this.rng.sample(MUTATIONS, MUTATIONS.length, MUTATIONS.length) : [];
    while (order.length < count) order.push(this.rng.pick(MUTATIONS));
    for (const m of order) this.apply(m);
  }

  /** Applies one mutation of a kind. */
  public apply(m: Mutation): void {
    switch (m) {
      case 'object-patch': return this.rng.chance(0.35) ? this.workloadPatch() : this.objectPatch();
      case 'list-file': return this.listFile();
      case 'user-file': return this.rng.chance(0.4) ? this.userDirectory() : this.userFile();
      case 'flux-overlay': return this.fluxOverlay();
    }
  }

  private id(): number {
    return ++this.n;
  }

  private directory(repoPath: string): LayoutDirectory {
    const found = [...this.constructs.values()].find(c => LayoutDirectory.isLayoutDirectory(c) && c.repoPath === repoPath);
    if (!found) throw new Error(`no directory ${repoPath}`);
    return found as LayoutDirectory;
  }

  /** A namespace for a new object of a directory: the tenant's in a tenant's directories, else any (or none). */
  private namespaceIn(dir: { namespace?: string }): string | undefined {
    return dir.namespace ?? this.rng.pick(['default', 'kube-system', 'flux-system', undefined]);
  }

  private quirk(p: number): boolean {
    return this.quirks && this.rng.chance(p);
  }

  private labelValue(): string {
    return this.rng.pick(LABEL_VALUES);
  }

  private textValue(construct: boolean): string {
    if (construct && this.quirk(0.04)) return this.rng.pick(WRITER_QUIRK_VALUES);
    return this.rng.pick(TEXT_VALUES);
  }

  private metadataChanges(n: number, construct: boolean): { labels?: Record<string, string>; annotations?: Record<string, string> } {
    const out: { labels?: Record<string, string>; annotations?: Record<string, string> } = {};
    if (this.rng.chance(0.6)) out.labels = { [`gen.example.com/l${n}`]: this.labelValue() };
    if (this.rng.chance(0.6) || !out.labels) out.annotations = { [`gen.example.com/a${n}`]: this.textValue(construct), ...this.rng.chance(0.3) ? { [`note-${n}`]: this.textValue(construct) } : {} };
    return out;
  }

  // 1. ObjectPatch of an object of an overlay's build -------------------------------------------

  /** An `ObjectPatch` in an overlay directory, of an object its build has, with fields valid for the kind. */
  private objectPatch(): void {
    const target = this.rng.pick(this.shape.targets);
    const object = this.constructs.get(target.constructPath) as ApiObject;
    const n = this.id();
    const metadata = this.metadataChanges(n, true);
    const patch: Record<string, unknown> = { metadata };
    switch (target.kind) {
      case 'HelmRelease':
        if (this.rng.chance(0.7)) {
          patch.spec = {
            values: {
              [`gen${n}`]: {
                enabled: this.rng.chance(0.5), replicas: this.rng.int(1, 5), text: this.textValue(true),
                items: [{ name: 'a', value: this.textValue(true) }, ...this.rng.chance(0.5) ? [{ name: 'b', port: 80 }] : []],
              },
            },
          };
        }
        if (this.rng.chance(0.3)) patch.spec = { ...patch.spec as object, interval: `${this.rng.int(2, 59)}m` };
        break;
      case 'ServiceAccount':
        if (this.rng.chance(0.5)) patch.secrets = [{ name: `gen-token-${n}` }];
        if (this.rng.chance(0.4)) patch.automountServiceAccountToken = this.rng.chance(0.5);
        break;
      case 'ConfigMap':
        patch.data = { [`gen-key-${n}`]: this.textValue(true) };
        break;
      case 'HelmRepository':
      case 'GitRepository':
      case 'Kustomization':
        if (this.rng.chance(0.5)) patch.spec = { interval: `${this.rng.int(2, 59)}m${this.rng.int(0, 59)}s` };
        break;
      default:
        break;
    }
    new ObjectPatch(this.directory(target.dir), `gen-patch-${n}`, { target: object, patch: patch as never });
    this.log.push(`ObjectPatch gen-patch-${n} in ${target.dir} of ${target.kind} ${object.metadata.namespace ?? ''}/${object.name}: ${JSON.stringify(patch)}`);
  }

  /** A Deployment (or ServiceAccount, ConfigMap) added to an overlay directory, and an `ObjectPatch` of it there that merges core lists by key. */
  private workloadPatch(): void {
    const overlays = this.shape.dirs.filter(d => OVERLAY_DIR.test(d.path));
    const dir = this.rng.pick(overlays);
    const n = this.id();
    const kind = this.rng.pick(['Deployment', 'Deployment', 'ServiceAccount', 'ConfigMap'] as const);
    const o = this.newObject(kind, `gen-${kind.toLowerCase()}-${n}`, this.namespaceIn(dir), true);
    const file = new ManifestFile(this.directory(dir.path), `gen-workload-${n}`);
    const object = new ApiObject(file, 'object', docOf(o) as never);
    const patch = this.strategicMergeContent(o, n, true);
    new ObjectPatch(this.directory(dir.path), `gen-workload-patch-${n}`, { target: object, patch: patch as never });
    this.log.push(`${kind} ${o.name} in ${dir.path}/gen-workload-${n}.yaml, ObjectPatch gen-workload-patch-${n}: ${JSON.stringify(patch)}`);
  }

  // 2. Lists in generated files ----------------------------------------------------------------

  /** A raw `List` (sometimes `ConfigMapList`, sometimes nesting a List) of ConfigMaps in a new file of a built directory. */
  private listFile(): void {
    const dir = this.rng.pick(this.shape.dirs);
    const n = this.id();
    const namespace = this.namespaceIn(dir);
    const item = (i: number) => docOf(this.newObject('ConfigMap', `gen-list-${n}-${i}`, namespace, true));
    const items: Record<string, unknown>[] = [];
    const count = this.rng.int(1, 3);
    for (let i = 0; i < count; i++) items.push(item(i));
    let nested = 0;
    if (this.rng.chance(0.35)) {
      nested = this.rng.int(1, 2);
      items.splice(this.rng.int(0, items.length), 0, {
        apiVersion: 'v1', kind: this.rng.pick(['List', 'ConfigMapList']),
        items: Array.from({ length: nested }, (_, j) => item(10 + j)),
      });
    }
    const file = new ManifestFile(this.directory(dir.path), `gen-list-${n}`);
    const listKind = this.rng.chance(0.2) ? 'ConfigMapList' : 'List';
    new ApiObject(file, 'list', { apiVersion: 'v1', kind: listKind, metadata: { name: `gen-list-${n}` }, items } as never);
    this.log.push(`${listKind} of ${count + nested} ConfigMap(s)${nested ? ` (${nested} in a nested List)` : ''} in ${dir.path}/gen-list-${n}.yaml (namespace ${namespace ?? 'none'})`);
  }

  // 3. Files and directories the user owns -------------------------------------------------------

  /** A hand-written file in a generated directory, declared with `ExistingFile`. */
  private userFile(): void {
    const dir = this.rng.pick(this.shape.dirs);
    const n = this.id();
    const fileName = `user-${n}.yaml`;
    const namespace = this.namespaceIn(dir);
    const docs: Record<string, unknown>[] = [];
    const names: string[] = [];
    const count = this.rng.int(1, 3);
    for (let i = 0; i < count; i++) {
      const shape = this.rng.int(0, 5);
      if (shape <= 2) {
        const o = this.newObject('ConfigMap', `user-${n}-cm-${i}`, namespace, false);
        docs.push(docOf(o));
        names.push(o.name);
      } else if (shape <= 4) {
        const list = [0, 1].slice(0, this.rng.int(1, 2)).map(j => this.newObject('ConfigMap', `user-${n}-item-${i}-${j}`, namespace, false));
        docs.push({ apiVersion: 'v1', kind: 'List', items: list.map(docOf) });
        names.push(...list.map(o => o.name));
      } else {
        const o = this.newObject('Deployment', `user-${n}-deploy-${i}`, namespace, false);
        docs.push(docOf(o));
        names.push(o.name);
      }
    }
    const text = yamlText(docs);
    writeFile(this.repo.rootDir, `${dir.path}/${fileName}`, text);
    const declared = new ExistingFile(this.directory(dir.path), `user-${n}`, { fileName });
    this.userFiles.push({ path: `${dir.path}/${fileName}`, constructPath: declared.node.path, envs: dir.envs, names });
    this.log.push(`user file ${dir.path}/${fileName} (ExistingFile) with ${names.join(', ')}${text.includes(': 0644') ? ' [quirk: unquoted octal defaultMode]' : ''}`);
  }

  /**
   * A directory the user owns (no construct writes into it): ConfigMaps and workloads, its own
   * kustomization.yaml (resources, JSON 6902 and strategic-merge patches, a namespace), or none
   * (Flux then generates one), applied by a new Flux Kustomization of the cluster's sync source.
   */
  private userDirectory(): void {
    const n = this.id();
    const root = this.rng.pick(['apps', 'infrastructure']);
    const dirPath = `${root}/user-${n}`;
    const namespace = this.rng.pick(['default', 'kube-system', `user-ns-${n}`, undefined]);
    const objects: GenObject[] = [];
    const cms = Array.from({ length: this.rng.int(1, 3) }, (_, i) => this.newObject('ConfigMap', `user-${n}-cm-${i}`, namespace, false));
    objects.push(...cms);
    const resourceFiles: { name: string; objects: GenObject[]; list: boolean }[] = [{ name: 'configmaps.yaml', objects: cms, list: this.rng.chance(0.4) }];
    if (this.rng.chance(0.6)) {
      const workload = [this.newObject('Deployment', `user-${n}-web`, namespace, false)];
      if (this.rng.chance(0.4)) workload.push(...this.serviceAccountAndBinding(`user-${n}`, namespace));
      objects.push(...workload);
      resourceFiles.push({ name: 'workload.yaml', objects: workload, list: false });
    }
    for (const f of resourceFiles) {
      const docs = f.list ? [{ apiVersion: 'v1', kind: 'List', items: f.objects.map(docOf) }] : f.objects.map(docOf);
      writeFile(this.repo.rootDir, `${dirPath}/${f.name}`, yamlText(docs));
    }
    const notes: string[] = [];
    const withKustomization = this.rng.chance(0.8);
    if (withKustomization) {
      const k: Record<string, unknown> = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: resourceFiles.map(f => f.name) };
      if (this.rng.chance(0.5)) {
        k.namespace = `user-own-${n}`;
        notes.push(`namespace ${k.namespace as string}`);
      }
      const patches: Record<string, unknown>[] = [];
      const patchCount = this.rng.int(1, 3);
      for (let i = 0; i < patchCount; i++) {
        const p = this.patchFor(objects, { selectorNamespaces: true });
        if (!p) continue;
        if (p.json && this.rng.chance(0.5)) {
          const file = `ops-${i}.yaml`;
          writeFile(this.repo.rootDir, `${dirPath}/${file}`, p.text);
          patches.push({ path: file, target: p.target });
          notes.push(`JSON 6902 ${file} targeting ${JSON.stringify(p.target)}${p.quirk ? ' [quirk: unquoted octal in an op value]' : ''} ${p.content}`);
        } else if (!p.json && this.rng.chance(0.5)) {
          const file = `smp-${i}.yaml`;
          writeFile(this.repo.rootDir, `${dirPath}/${file}`, p.text);
          patches.push({ path: file, ...p.target ? { target: p.target } : {} });
          notes.push(`strategic merge ${file}${p.target ? ` targeting ${JSON.stringify(p.target)}` : ''}${p.quirk ? ' [quirk: unquoted octal]' : ''} ${p.content}`);
        } else {
          patches.push({ patch: p.text, ...p.target ? { target: p.target } : {} });
          notes.push(`inline ${p.json ? 'JSON 6902' : 'strategic merge'} patch${p.target ? ` targeting ${JSON.stringify(p.target)}` : ''}${p.quirk ? ' [quirk: unquoted octal]' : ''} ${p.content}`);
        }
      }
      if (patches.length > 0) k.patches = patches;
      writeFile(this.repo.rootDir, `${dirPath}/kustomization.yaml`, yamlText([k]));
    }
    const placement = this.fluxPlacement();
    const { targetNamespace, fluxPatches } = this.fluxSettings(objects, n, 0.4, 0.4);
    const ks = this.fluxKustomization(placement, n, dirPath, targetNamespace, fluxPatches.map(p => p.entry), this.rng.chance(0.5));
    for (const f of resourceFiles) {
      this.userFiles.push({ path: `${dirPath}/${f.name}`, envs: placement.envs, names: f.objects.map(o => o.name) });
    }
    this.log.push(`user directory ${dirPath} (${withKustomization ? `own kustomization.yaml${notes.length ? `: ${notes.join('; ')}` : ''}` : 'no kustomization.yaml'}; ${objects.map(o => `${o.kind} ${o.name}`).join(', ')}${resourceFiles.some(f => f.objects.some(o => o.octalMode)) ? ' [quirk: unquoted octal defaultMode]' : ''}) applied by ${ks}${targetNamespace ? ` targetNamespace ${targetNamespace}` : ''}${fluxPatches.length ? `, spec.patches: ${fluxPatches.map(p => p.note).join('; ')}` : ''}`);
  }

  // 4. Flux Kustomization with targetNamespace and spec.patches over a new directory -------------

  /** A new generated directory of ConfigMaps and workloads, applied by a Flux Kustomization with targetNamespace and spec.patches. */
  private fluxOverlay(): void {
    const n = this.id();
    const dirObject = new LayoutDirectory(this.rng.pick([this.repo.apps, this.repo.infrastructure]), `gen-${n}`);
    const namespace = this.rng.pick(['default', 'kube-system', `gen-own-${n}`, undefined]);
    const objects: GenObject[] = [];
    const cms = Array.from({ length: this.rng.int(1, 3) }, (_, i) => this.newObject('ConfigMap', `gen-${n}-cm-${i}`, namespace, true));
    objects.push(...cms);
    const cmFile = new ManifestFile(dirObject, 'configmaps');
    cms.forEach((o, i) => new ApiObject(cmFile, `cm-${i}`, docOf(o) as never));
    if (this.rng.chance(0.7)) {
      const workload = Array.from({ length: this.rng.int(1, 2) }, (_, i) => this.newObject('Deployment', `gen-${n}-web-${i}`, namespace, true));
      if (this.rng.chance(0.35)) workload.push(...this.serviceAccountAndBinding(`gen-${n}`, namespace));
      const file = new ManifestFile(dirObject, 'workload');
      workload.forEach((o, i) => new ApiObject(file, `object-${i}`, docOf(o) as never));
      objects.push(...workload);
    }
    if (this.rng.chance(0.2)) {
      const ns = this.newObject('Namespace', `gen-${n}-namespace`, undefined, true);
      new ApiObject(new ManifestFile(dirObject, 'namespace'), 'namespace', docOf(ns) as never);
      objects.push(ns);
    }
    const placement = this.fluxPlacement();
    const { targetNamespace, fluxPatches } = this.fluxSettings(objects, n, 0.9, 0.9);
    const ks = this.fluxKustomization(placement, n, dirObject, targetNamespace, fluxPatches.map(p => p.entry), this.rng.chance(0.7));
    this.log.push(`directory ${dirObject.repoPath} (${objects.map(o => `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`).join(', ')}) applied by ${ks}${targetNamespace ? ` targetNamespace ${targetNamespace}` : ''}${fluxPatches.length ? `, spec.patches: ${fluxPatches.map(p => p.note).join('; ')}` : ''}`);
  }

  /** Where a new Flux Kustomization goes: a cluster directory, an infrastructure overlay (one environment) or the shared infrastructure base (all). */
  private fluxPlacement(): { dir: string; envs: string[] } {
    const env = this.rng.pick(this.shape.envs);
    const choice = this.rng.int(0, 2);
    if (choice === 0) return { dir: env.cluster, envs: [env.name] };
    if (choice === 1) return { dir: `infrastructure/overlays/${env.name}`, envs: [env.name] };
    return { dir: 'infrastructure/base', envs: this.shape.envs.map(e => e.name) };
  }

  private fluxSettings(objects: GenObject[], n: number, pNamespace: number, pPatches: number): { targetNamespace?: string; fluxPatches: { entry: Record<string, unknown>; note: string }[] } {
    const targetNamespace = this.rng.chance(pNamespace) ? `gen-target-${n}` : undefined;
    const fluxPatches: { entry: Record<string, unknown>; note: string }[] = [];
    if (this.rng.chance(pPatches)) {
      const count = this.rng.int(1, 3);
      for (let i = 0; i < count; i++) {
        // always one of each kind when there are two or more
        const p = this.patchFor(objects, { selectorNamespaces: true, json: count >= 2 ? i === 0 : undefined });
        if (!p) continue;
        fluxPatches.push({
          entry: { patch: p.text, ...p.target ? { target: p.target } : {} },
          note: `${p.json ? 'JSON 6902' : 'strategic merge'}${p.target ? ` targeting ${JSON.stringify(p.target)}` : ' (untargeted)'}${p.quirk ? ' [quirk: unquoted octal]' : ''} ${p.content}`,
        });
      }
    }
    return { targetNamespace, fluxPatches };
  }

  /** A Flux Kustomization of the cluster's sync source, as the construct (`asConstruct`) or a raw API object. */
  private fluxKustomization(placement: { dir: string }, n: number, target: LayoutDirectory | string, targetNamespace: string | undefined, patches: Record<string, unknown>[], asConstruct: boolean): string {
    const file = new ManifestFile(this.directory(placement.dir), `gen-ks-${n}`);
    const name = `gen-ks-${n}`;
    const targetPath = typeof target === 'string' ? target : target.repoPath;
    if (asConstruct) {
      // a directory the user owns is named by an (empty) LayoutDirectory at its path
      const dir = typeof target === 'string' ? new LayoutDirectory(this.directory(targetPath.split('/')[0]), targetPath.split('/')[1]) : target;
      const k = new Kustomization(file, 'kustomization', {
        metadata: { name, namespace: 'flux-system' },
        sourceRef: GitRepository.fromName(file, 'fleet-repository', { name: 'flux-system', namespace: 'flux-system' }),
        path: dir,
        interval: '10m0s',
        targetNamespace,
      });
      if (patches.length > 0) k.apiObject.addJsonPatch(JsonPatch.add('/spec/patches', patches));
    } else {
      new ApiObject(file, 'kustomization', {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: { name, namespace: 'flux-system' },
        spec: {
          interval: '10m0s', path: `./${targetPath}`, prune: true, sourceRef: { kind: 'GitRepository', name: 'flux-system' },
          ...targetNamespace ? { targetNamespace } : {}, ...patches.length > 0 ? { patches } : {},
        },
      } as never);
    }
    return `${asConstruct ? 'Kustomization construct' : 'raw Kustomization'} flux-system/${name} in ${placement.dir}`;
  }

  // Objects and patches ------------------------------------------------------------------------

  private newObject(kind: GenObject['kind'], name: string, namespace: string | undefined, construct: boolean): GenObject {
    const labels: Record<string, string> = { [GROUP_LABEL]: this.rng.pick(['g1', 'g2', 'g3']), ...this.rng.chance(0.5) ? { [TIER_LABEL]: this.rng.pick(['web', 'data']) } : {} };
    const annotations: Record<string, string> = { 'gen.example.com/origin': this.textValue(construct) };
    const apiVersion = kind === 'Deployment' ? 'apps/v1' : kind === 'RoleBinding' ? 'rbac.authorization.k8s.io/v1' : 'v1';
    const o: GenObject = { apiVersion, kind, name, namespace: kind === 'Namespace' ? undefined : namespace, labels, annotations };
    if (kind === 'ConfigMap') {
      o.data = { common: 'base', drop: 'me' };
      const extra = this.rng.int(0, 2);
      for (let i = 0; i < extra; i++) o.data[`key-${i}`] = this.textValue(construct);
    }
    if (kind === 'Deployment') {
      o.containers = this.rng.chance(0.5) ? ['app', 'sidecar'] : ['app'];
      o.replicas = this.rng.int(1, 3);
      o.octalMode = !construct && this.quirk(0.3);
    }
    if (kind === 'ServiceAccount' && this.rng.chance(0.5)) o.secrets = ['token-a'];
    return o;
  }

  /** A ServiceAccount and a RoleBinding whose subjects are it (same build) and the `default` ServiceAccount of another namespace. */
  private serviceAccountAndBinding(prefix: string, namespace: string | undefined): GenObject[] {
    const sa = this.newObject('ServiceAccount', `${prefix}-sa`, namespace, true);
    const rb = this.newObject('RoleBinding', `${prefix}-view`, namespace, true);
    rb.subjects = [
      { kind: 'ServiceAccount', name: sa.name, namespace: namespace ?? 'default' },
      { kind: 'ServiceAccount', name: 'default', namespace: 'monitoring' },
    ];
    return [sa, rb];
  }

  /** Strategic-merge content for an object (ObjectPatch `patch`, no apiVersion/kind/name), updating its record. */
  private strategicMergeContent(o: GenObject, n: number, construct: boolean, allowOctal = false): Record<string, unknown> {
    const patch: Record<string, unknown> = {};
    const metadata = this.metadataChanges(n, construct);
    if (this.rng.chance(0.6) || o.kind === 'Namespace' || o.kind === 'RoleBinding') {
      patch.metadata = metadata;
      Object.assign(o.labels, metadata.labels ?? {});
      Object.assign(o.annotations, metadata.annotations ?? {});
    }
    switch (o.kind) {
      case 'ConfigMap': {
        const data: Record<string, string | null> = { [`smp-${n}`]: this.textValue(construct) };
        if (this.rng.chance(0.3)) data.common = `smp-${n}`;
        if (this.rng.chance(0.3) && o.data!.drop !== undefined) data.drop = null;
        patch.data = data;
        for (const [k, v] of Object.entries(data)) {
          if (v === null) delete o.data![k];
          else o.data![k] = v;
        }
        break;
      }
      case 'Deployment': {
        const containers: Record<string, unknown>[] = [];
        const existing = this.rng.chance(0.7) ? 'app' : this.rng.pick(o.containers!);
        containers.push({ name: existing, env: [{ name: this.rng.pick(['MODE', `NEW_${n}`]), value: this.textValue(construct) }], ...this.rng.chance(0.3) ? { ports: [{ containerPort: 9000 + n, protocol: 'TCP' }] } : {} });
        if (this.rng.chance(0.25)) {
          const name = `extra-${n}`;
          containers.push({ name, image: `ghcr.io/example/extra:${n}.0.0`, env: [{ name: 'EXTRA', value: 'yes' }] });
          o.containers = [name, ...o.containers!]; // kustomize puts the patch's new items first
        }
        const spec: Record<string, unknown> = { containers };
        if (this.rng.chance(0.4)) spec.volumes = [{ name: `vol-${n}`, ...allowOctal && this.quirk(0.5) ? { configMap: { name: `cm-${n}`, optional: true, defaultMode: OCTAL } } : { emptyDir: {} } }];
        const s: Record<string, unknown> = { template: { spec } };
        if (this.rng.chance(0.4)) {
          o.replicas = this.rng.int(1, 9);
          s.replicas = o.replicas;
        }
        patch.spec = s;
        break;
      }
      case 'ServiceAccount': {
        const name = `token-${n}`;
        patch.secrets = [{ name }];
        o.secrets = [name, ...(o.secrets ?? []).filter(x => x !== name)];
        break;
      }
      default:
        if (!patch.metadata) patch.metadata = metadata;
    }
    if (Object.keys(patch).length === 0) patch.metadata = metadata;
    return patch;
  }

  /**
   * A patch of some of `objects` (the objects of one build, as their records stand): a targeted or
   * untargeted strategic merge, or targeted JSON 6902 operations that apply to every object the
   * target selects. Updates the records as the patch changes them.
   */
  private patchFor(objects: GenObject[], options: { selectorNamespaces?: boolean; json?: boolean }): { json: boolean; text: string; target?: Selector; quirk: boolean; content: string } | undefined {
    const kinds = [...new Set(objects.map(o => o.kind))];
    const kind = this.rng.pick(kinds);
    const ofKind = objects.filter(o => o.kind === kind);
    const json = options.json ?? this.rng.chance(0.5);
    const n = this.id();
    if (!json && this.rng.chance(0.25)) {
      // untargeted: the patch names its object (kind, name and namespace as in its file)
      const o = this.rng.pick(ofKind);
      const content = this.strategicMergeContent(o, n, false, true);
      const doc = { apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.name, ...o.namespace ? { namespace: o.namespace } : {}, ...content.metadata as object }, ...withoutMetadata(content) };
      const text = yamlText([doc]);
      return { json: false, text, quirk: text.includes(': 0644'), content: summarize(doc) };
    }
    const target = this.selectorFor(kind, ofKind, objects, options.selectorNamespaces ?? false);
    const matched = objects.filter(o => selects(target, o));
    if (matched.length === 0 || matched.some(o => o.kind !== kind)) throw new Error(`generator: selector ${JSON.stringify(target)} selects ${matched.map(o => o.name).join(', ') || 'nothing'}`);
    if (!json) {
      // one content for all the matched objects: computed on the first, replayed on the others' records
      const first = matched[0];
      const content = this.strategicMergeContent(first, n, false, true);
      for (const o of matched.slice(1)) replaySmp(o, first, content);
      const name = this.rng.chance(0.2) ? 'any-name' : first.name;
      const doc = { apiVersion: first.apiVersion, kind: first.kind, metadata: { name, ...content.metadata as object }, ...withoutMetadata(content) };
      const text = yamlText([doc]);
      return { json: false, text, target, quirk: text.includes(': 0644'), content: summarize(doc) };
    }
    const ops = this.operationsFor(kind, matched, n);
    if (ops.length === 0) return undefined;
    const asJson = this.rng.chance(0.2) && !ops.some(op => JSON.stringify(op).includes(OCTAL));
    const text = asJson ? JSON.stringify(ops) : yamlText([ops]);
    return { json: true, text, target, quirk: text.includes(': 0644'), content: summarize(ops) };
  }

  private selectorFor(kind: GenObject['kind'], ofKind: GenObject[], all: GenObject[], namespaces: boolean): Selector {
    const sample = this.rng.pick(ofKind);
    const choices: Selector[] = [
      { kind },
      { kind, name: `${sample.name.replace(/\d+$/, '')}.*` },
      { kind, name: sample.name },
      { name: sample.name.replace(/[0-9]+$/, '[0-9]+') },
      { labelSelector: `${GROUP_LABEL}=${sample.labels[GROUP_LABEL]}` },
      { labelSelector: `${GROUP_LABEL} in (${sample.labels[GROUP_LABEL]},g9)` },
      { kind, labelSelector: sample.labels[TIER_LABEL] ? TIER_LABEL : `!${TIER_LABEL}` },
      { kind, annotationSelector: 'gen.example.com/origin' },
      { group: groupOf(sample.apiVersion), version: sample.apiVersion.split('/').pop()!, kind },
    ];
    if (namespaces && sample.kind !== 'Namespace') choices.push({ kind, namespace: sample.namespace ?? 'default' });
    const s = this.rng.pick(choices);
    // a selector that also picks objects of another kind gets the kind: operations must apply to each
    if (all.some(o => selects(s, o) && o.kind !== kind)) return { ...s, kind };
    return s;
  }

  /** JSON 6902 operations valid on every object of `matched` (all of one kind), applied to their records. */
  private operationsFor(kind: GenObject['kind'], matched: GenObject[], n: number): Record<string, unknown>[] {
    const ops: Record<string, unknown>[] = [];
    const count = this.rng.int(1, 3);
    for (let i = 0; i < count; i++) {
      const k = `${n}-${i}`;
      const generic = this.rng.chance(0.3) || kind === 'Namespace' || kind === 'RoleBinding' || kind === 'ServiceAccount';
      if (generic) {
        if (this.rng.chance(0.5)) {
          const key = `gen.example.com/op-${k}`;
          const value = this.rng.pick(['applied', 'x-y', 'v2']);
          ops.push({ op: 'add', path: `/metadata/annotations/${escapePointer(key)}`, value });
          matched.forEach(o => { o.annotations[key] = value; });
        } else {
          const key = `op-${k}`;
          const value = this.rng.pick(['a', 'b2']);
          ops.push({ op: 'add', path: `/metadata/labels/${key}`, value });
          matched.forEach(o => { o.labels[key] = value; });
        }
        continue;
      }
      if (kind === 'ConfigMap') {
        const allHave = (key: string) => matched.every(o => o.data![key] !== undefined);
        const choices = ['add'];
        if (allHave('drop')) choices.push('remove');
        if (allHave('common')) choices.push('replace', 'copy', 'move');
        if (allHave('common') && new Set(matched.map(o => o.data!.common)).size === 1) choices.push('test');
        switch (this.rng.pick(choices)) {
          case 'add': {
            const value = this.rng.pick(['added', 'a b', 'x:y']);
            ops.push({ op: 'add', path: `/data/op-${k}`, value });
            matched.forEach(o => { o.data![`op-${k}`] = value; });
            break;
          }
          case 'remove':
            ops.push({ op: 'remove', path: '/data/drop' });
            matched.forEach(o => { delete o.data!.drop; });
            break;
          case 'replace':
            ops.push({ op: 'replace', path: '/data/common', value: `replaced-${k}` });
            matched.forEach(o => { o.data!.common = `replaced-${k}`; });
            break;
          case 'copy':
            ops.push({ op: 'copy', from: '/data/common', path: `/data/copy-${k}` });
            matched.forEach(o => { o.data![`copy-${k}`] = o.data!.common; });
            break;
          case 'test':
            ops.push({ op: 'test', path: '/data/common', value: matched[0].data!.common });
            break;
          default:
            ops.push({ op: 'move', from: '/data/common', path: `/data/moved-${k}` });
            matched.forEach(o => { o.data![`moved-${k}`] = o.data!.common; delete o.data!.common; });
        }
        continue;
      }
      // Deployment
      const choice = this.rng.int(0, 3);
      if (choice === 0) {
        const replicas = this.rng.int(1, 9);
        ops.push({ op: 'replace', path: '/spec/replicas', value: replicas });
        matched.forEach(o => { o.replicas = replicas; });
      } else if (choice === 1) {
        ops.push({ op: 'add', path: '/spec/template/spec/containers/0/env/-', value: { name: `OP_${n}_${i}`, value: 'from-op' } });
      } else if (choice === 2) {
        ops.push({ op: 'add', path: '/spec/template/spec/volumes/-', value: { name: `op-vol-${k}`, configMap: { name: `op-cm-${k}`, optional: true, ...this.quirk(0.5) ? { defaultMode: OCTAL } : { defaultMode: 420 } } } });
      } else {
        ops.push({ op: 'add', path: '/spec/template/metadata/annotations', value: { 'gen.example.com/restarted': `op-${k}` } });
      }
    }
    return ops;
  }
}

/** A patch on one line, for the mutation log (the octal placeholder shown as written: unquoted 0644). */
function summarize(value: unknown): string {
  return JSON.stringify(value).replace(/"__OCTAL_0644__"/g, '0644');
}

function withoutMetadata(content: Record<string, unknown>): Record<string, unknown> {
  const { metadata: _m, ...rest } = content;
  return rest;
}

/** Replays a strategic-merge content computed on `first`'s record onto another object's record. */
function replaySmp(o: GenObject, first: GenObject, content: Record<string, unknown>): void {
  const metadata = content.metadata as { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined;
  Object.assign(o.labels, metadata?.labels ?? {});
  Object.assign(o.annotations, metadata?.annotations ?? {});
  if (o.kind === 'ConfigMap' && content.data) {
    for (const [k, v] of Object.entries(content.data as Record<string, string | null>)) {
      if (v === null) delete o.data![k];
      else o.data![k] = v;
    }
  }
  if (o.kind === 'Deployment') {
    const spec = content.spec as { replicas?: number; template: { spec: { containers: { name: string; image?: string }[] } } };
    if (spec.replicas !== undefined) o.replicas = spec.replicas;
    const added = spec.template.spec.containers.filter(c => c.image !== undefined).map(c => c.name);
    const patched = spec.template.spec.containers.filter(c => c.image === undefined).map(c => c.name);
    // an existing container of `first` that this object lacks would be added without an image: keep the records honest
    if (patched.some(c => !o.containers!.includes(c))) o.containers = [...patched.filter(c => !o.containers!.includes(c)), ...o.containers!];
    o.containers = [...added, ...o.containers!.filter(c => !added.includes(c))];
  }
  if (o.kind === 'ServiceAccount' && first.secrets) o.secrets = [...first.secrets];
}

function writeFile(rootDir: string, rel: string, content: string): void {
  const file = path.join(rootDir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}
