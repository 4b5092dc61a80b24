import * as os from 'node:os';
import * as path from 'node:path';
import { isPair, isSeq, parseAllDocuments, visit } from 'yaml';
import { isMap } from '../core/json-values';
import { isClusterScoped } from '../core/kustomize/namespace';
import { groupOf, namespaceOf } from '../core/model/identity';
import { Doc, joinRepoPath } from '../core/model/repo-tree';
import { arr, cast, ClassRef, construct, Expr, lit, methodCall, obj, prop, ref, rootPath, staticCall, Var } from './code';
import { ClusterDirectory, mapFluxPath, modelOfDirectory, normalizeOriginal } from './compare';
import { ConvertContext, LIBRARY_CONVERTERS, PLUS_CONVERTERS } from './converters';
import { knownKind, l1SpecExpr, LIBRARY } from './kinds';
import { camelCase, directoryName, manifestFileName, pascalCase, unique } from './names';
import { CrdClasses, generateCrdClasses } from './crd-classes';
import { EnvironmentField, liftEnvironmentValues, patchExpr, RawPatch } from './environment-values';
import { componentsOf, generatorsOf, ImportNote, patchesOf, patchPaths, resourcesOf } from './kustomization-files';
import { isObject, SourceDirectory, SourceRepo } from './source-repo';
import { SealingCertificate } from '../secrets/certificate';
import { SealedStore } from '../secrets/sealed-store';

/** How an object is written in the generated fleet, from the most typed to the least. */
export enum ImportedAs {
  /** The library's construct (HelmRelease, Kustomization, SealedSecret…). */
  LIBRARY = 'library construct',
  /** A cdk8s-plus construct. */
  PLUS = 'cdk8s-plus construct',
  /** The generated (L1) class of its CRD, which the library exports. */
  GENERATED = 'generated class',
  /** A raw ApiObject: nothing typed has the kind. */
  API_OBJECT = 'ApiObject',
}

/** One way to write an object: its class and the call. */
export interface Way {
  readonly as: ImportedAs;
  readonly cls: ClassRef;
  readonly expr: Expr;
  /** Why the more typed ways before it could not say the object. */
  readonly because: readonly string[];
  /** The image automation markers of the object this way writes as setter calls (indices into the object's `markers`). */
  carried?: readonly number[];
}

/** A directory of the generated layout. */
export interface PlannedDirectory {
  /** Its path in the imported repository. */
  readonly source: string;
  /** Its path in the generated layout. */
  readonly target: string;
  /** Its variable (in the layout file). */
  readonly var: Var;
  /** The directory it is created in. */
  readonly parent: Expr;
  readonly dirName: string;
  readonly kustomize: boolean;
  readonly includeInParent: boolean;
  /** Its kustomization's `namespace:`, which the directory's kustomization.yaml writes again (objects of its own files carry it too). */
  readonly namespace?: string;
  /** Whether it is a kustomize Component (`kind: Component`). */
  readonly component?: boolean;
  /** The Components its kustomization lists under `components:`, in order. */
  readonly components: PlannedDirectory[];
  /** Directories it builds besides its own files and sub-directories (`../../base`). */
  readonly resources: PlannedDirectory[];
}

/** A file of the generated layout. */
export interface PlannedFile {
  readonly var: Var;
  readonly fileName: string;
  /** The imported repository's file. */
  readonly source: string;
  /** The file's content, when it is kept as a file the team owns (`ExistingFile`). */
  readonly existing?: string;
  /** Whether the kept file is a generator's data (`role: FileRole.DATA`), not a resource. */
  readonly data?: boolean;
}

/** An object of the imported repository, and how it is written. */
export interface PlannedObject {
  /** Its construct id (its name, unique in its file). */
  readonly id: string;
  readonly var: Var;
  readonly file: PlannedFile;
  readonly component: Component;
  /** The document as imported (its directory's `namespace:` applied). */
  readonly doc: Doc;
  /** What the construct must render: the document with the import's intended changes. */
  readonly expected: Doc;
  /** `file#index`, for the report. */
  readonly source: string;
  /** The ways to write it, most typed first; `level` is the one chosen. */
  ways: Way[];
  level: number;
  /** Rules of the library the original breaks here, suppressed so that the fleet synthesizes as the original is: rule id → reason. */
  readonly suppressions: Map<string, string>;
  /** The image automation markers on its fields (`# {"$imagepolicy": …}` comments). */
  markers?: ImagePolicyMarker[];
}

/** One file of generated code: the objects of one directory. */
export interface Component {
  /** Its class name (also its home in the code). */
  readonly name: string;
  readonly dir: PlannedDirectory;
  readonly files: PlannedFile[];
  readonly objects: PlannedObject[];
  /** `addPatch` calls of its directory (the overlay's patches). */
  readonly patches: Expr[];
  /** `addConfigMapGenerator` calls of its directory (its kustomization's configMapGenerator). */
  readonly generators: Expr[];
  /** The overlay's patches as the repository has them (target and content), before values move into the environment. */
  readonly rawPatches: RawPatch[];
  /** The environment whose cluster alone applies this directory, when its patches read values from it. */
  env?: { readonly var: Var; readonly name: string };
  /** Components whose objects it refers to. */
  readonly deps: Set<Component>;
  /** `fromName` imports its objects may use, by kind, namespace and name (emitted when used). */
  readonly imports: Map<string, { readonly var: Var; readonly expr: Expr }>;
}

/** An environment of the generated fleet: one per cluster of the repository. */
export interface PlannedEnvironment {
  readonly name: string;
  readonly dir: PlannedDirectory;
  /** The sealed store, when the repository (or `--cert`) has the cluster's certificate. */
  readonly store?: { readonly var: Var; readonly certificate: string; readonly sealed: Doc[] };
}

/** The generated fleet, planned. */
export interface Plan {
  readonly directories: PlannedDirectory[];
  readonly components: Component[];
  readonly environments: PlannedEnvironment[];
  readonly objects: PlannedObject[];
  readonly notes: ImportNote[];
  /** Each directory of the original, mapped to its path in the generated layout. */
  readonly directoryMap: Map<string, string>;
  /** The clusters of the original. */
  readonly originalClusters: ClusterDirectory[];
  /** The clusters of the generated layout. */
  readonly generatedClusters: ClusterDirectory[];
  /** Files copied as they are (repository path in the generated layout → content). */
  readonly existingFiles: Map<string, string>;
  /** Values that differ between environments, as fields of the environment. */
  readonly environmentFields: EnvironmentField[];
  /** The classes `cdk8s import` generated for the CRDs of kinds nothing else types. */
  readonly crdClasses: CrdClasses;
}

/** Options of the planner. */
export interface PlanOptions {
  /** Certificates by cluster name (PEM text), besides those the repository holds. */
  readonly certificates?: Readonly<Record<string, string>>;
  /** CustomResourceDefinitions the user names, besides those the repository carries. */
  readonly crds?: readonly Doc[];
}

const MANAGED = ['clusters', 'infrastructure', 'apps'];
const LAYOUT = 'layout';
const MODELLED_KUSTOMIZATION = new Set(['apiVersion', 'kind', 'metadata', 'resources', 'patches', 'patchesStrategicMerge', 'patchesJson6902', 'namespace', 'configMapGenerator', 'components']);

const layoutVar = (name: string): Var => ({ name, home: LAYOUT, exported: true });
export const repoVar: Var = { name: 'repo', home: LAYOUT, exported: true };

/** Plans the fleet that reproduces a repository. */
export function planImport(repo: SourceRepo, options: PlanOptions = {}): Plan {
  const notes: ImportNote[] = [];
  const originalClusters = findClusters(repo);
  if (originalClusters.length === 0) {
    throw new Error(`${repo.rootDir} has no cluster: expected clusters/<cluster>/ directories, or directories that hold a Flux Kustomization syncing themselves (flux-system/gotk-sync.yaml)`);
  }
  const directoryMap = mapDirectories(repo, originalClusters);
  const generatedClusters = originalClusters.map(c => ({ name: c.name, directory: directoryMap.get(c.directory)! }));

  // what each cluster applies, from the original (to place SealedSecrets in the right store)
  const model = modelOfDirectory(repo.rootDir, originalClusters);
  const appliedBy = new Map<string, string[]>();
  for (const cluster of model.clusters) {
    for (const a of cluster.applications) {
      const key = `${a.built.source.file}#${a.built.source.index}`;
      const list = appliedBy.get(key) ?? [];
      if (!list.includes(cluster.name)) list.push(cluster.name);
      appliedBy.set(key, list);
    }
  }

  // the directories some cluster builds (and those that hold them): the rest is not part of the fleet
  const used = new Set<string>();
  const use = (dir: string) => { for (let d = dir; d !== '' && !used.has(d); d = d.includes('/') ? d.slice(0, d.lastIndexOf('/')) : '') used.add(d); };
  const dirOf = (file: string) => (file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '');
  // every directory a build reads: what a kustomization lists, or (generated by Flux) every sub-directory
  const visited = new Set<string>();
  const walk = (d: string) => {
    if (visited.has(d)) return;
    visited.add(d);
    use(d);
    const src = repo.directories.get(d);
    if (!src) return;
    if (!src.kustomization) src.dirs.forEach(walk);
    for (const r of [...resourcesOf(src), ...componentsOf(src)]) {
      const full = joinRepoPath(d, r);
      if (full !== undefined && repo.directories.has(full)) walk(full);
    }
  };
  for (const cluster of model.clusters) {
    use(cluster.directory);
    for (const b of cluster.builds) walk(b.directory);
    for (const a of cluster.applications) {
      use(dirOf(a.built.source.file));
      for (const p of a.built.patches) use(dirOf(p.file));
    }
  }
  const unused = new Map<string, number>();
  for (const d of repo.directories.values()) {
    if (d.path === '' || used.has(d.path) || !d.files.some(f => repo.files.get(f)?.docs.some(isObject))) continue;
    const top = d.path.split('/')[0];
    unused.set(top, (unused.get(top) ?? 0) + 1);
  }
  for (const [top, n] of unused) notes.push({ where: `${top}/`, message: `${n} director${n === 1 ? 'y' : 'ies'} with Kubernetes YAML that no cluster applies: not imported` });

  // directories
  const fluxTargets = new Set<string>();
  for (const f of repo.files.values()) {
    for (const d of f.docs) {
      if (d.kind === 'Kustomization' && groupOf(d.apiVersion) === 'kustomize.toolkit.fluxcd.io' && typeof d.spec?.path === 'string') {
        const p = joinRepoPath('', d.spec.path);
        if (p !== undefined) fluxTargets.add(p);
      }
    }
  }
  const dirs = new Map<string, PlannedDirectory>();
  const dirVars = new Set<string>(['repo', 'stores']);
  // a directory's variable is its path without the root (`overlaysStaging`), or with it where two would share one
  const shortNames = new Map<string, string>();
  const targets = [...repo.directories.keys()].filter(d => used.has(d)).map(d => directoryMap.get(d)).filter((t): t is string => t !== undefined);
  const short = (t: string) => t.split('/').slice(1).join('-') || t;
  for (const t of targets) shortNames.set(t, targets.filter(o => camelCase(short(o)) === camelCase(short(t))).length > 1 ? t : short(t));
  const listedIn = (parent: SourceDirectory, child: string) => resourcesOf(parent).some(r => joinRepoPath(parent.path, r) === child);
  for (const src of [...repo.directories.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const target = directoryMap.get(src.path);
    if (target === undefined || MANAGED.includes(target) || !used.has(src.path)) continue;
    const parentTarget = target.slice(0, target.lastIndexOf('/'));
    const parentSource = [...dirs.values()].find(d => d.target === parentTarget);
    const parentDir = parentSource ? repo.directories.get(parentSource.source) : undefined;
    const generatedByFlux = parentSource !== undefined && parentSource.kustomize && !parentDir?.kustomization;
    const kustomize = src.kustomization !== undefined || src.files.length > 0 || fluxTargets.has(src.path) || generatedByFlux;
    const includeInParent = parentDir?.kustomization ? listedIn(parentDir, src.path) : true;
    const planned: PlannedDirectory = {
      source: src.path,
      target,
      var: layoutVar(unique(camelCase(shortNames.get(target) ?? target), dirVars)),
      parent: parentSource ? ref(parentSource.var) : prop(ref(repoVar), parentTarget),
      dirName: target.slice(target.lastIndexOf('/') + 1),
      kustomize,
      includeInParent,
      namespace: typeof src.kustomization?.doc.namespace === 'string' ? src.kustomization.doc.namespace : undefined,
      component: src.kustomization?.doc.kind === 'Component' ? true : undefined,
      resources: [],
      components: [],
    };
    dirs.set(src.path, planned);
  }

  // which files are patches (not resources) of some kustomization
  const patchFiles = new Set<string>();
  for (const d of repo.directories.values()) {
    for (const p of patchPaths(d)) {
      const full = joinRepoPath(d.path, p);
      if (full) patchFiles.add(full);
    }
  }

  // components: one per directory with files or patches
  const components: Component[] = [];
  const objects: PlannedObject[] = [];
  const existingFiles = new Map<string, string>();
  const componentNames = new Set<string>(['Layout']);
  for (const planned of dirs.values()) {
    const src = repo.directories.get(planned.source)!;
    const component: Component = { name: unique(pascalCase(planned.target), componentNames), dir: planned, files: [], objects: [], patches: [], generators: [], rawPatches: [], deps: new Set(), imports: new Map() };
    const k = src.kustomization?.doc;
    const fileVars = new Set<string>();
    const objectVars = new Set<string>();
    // the directory's resources: what its kustomization lists, or every YAML file (Flux generates the list)
    const resourceFiles: string[] = [];
    if (k) {
      for (const r of resourcesOf(src)) {
        const full = joinRepoPath(src.path, r);
        if (/^[a-z]+:\/\//.test(r) || full === undefined) {
          notes.push({ where: src.kustomization!.file, message: `resource ${JSON.stringify(r)} is remote or outside the repository: not imported` });
        } else if (repo.files.has(full) && full.slice(0, full.lastIndexOf('/')) === src.path) {
          resourceFiles.push(full);
        } else if (repo.directories.has(full)) {
          if (full.slice(0, full.lastIndexOf('/')) !== src.path || full.lastIndexOf('/') < 0) {
            const other = dirs.get(full);
            if (other) planned.resources.push(other);
            else notes.push({ where: src.kustomization!.file, message: `resource ${JSON.stringify(r)} is not a directory the layout can hold: not imported` });
          }
        } else {
          notes.push({ where: src.kustomization!.file, message: `resource ${JSON.stringify(r)} is a file of another directory, which a layout directory cannot list: not imported` });
        }
      }
      for (const c of componentsOf(src)) {
        const other = dirs.get(joinRepoPath(src.path, c) ?? '');
        if (other?.component) planned.components.push(other);
        else notes.push({ where: src.kustomization!.file, message: `component ${JSON.stringify(c)} is not a kustomize Component directory of the repository: not imported` });
      }
      for (const field of Object.keys(k).filter(f => !MODELLED_KUSTOMIZATION.has(f))) {
        notes.push({ where: src.kustomization!.file, message: `kustomization field "${field}" is not imported: express it in the fleet code (the comparison shows what it changes)` });
      }
      if (k.namespace !== undefined && typeof k.namespace !== 'string') {
        notes.push({ where: src.kustomization!.file, message: `namespace: ${JSON.stringify(k.namespace)} is not a string: not imported` });
      }
    } else {
      resourceFiles.push(...src.files.filter(f => !patchFiles.has(f)));
    }
    for (const f of src.files) {
      if (!resourceFiles.includes(f) && !patchFiles.has(f) && (repo.files.get(f)?.docs.some(isObject) ?? false)) {
        notes.push({ where: f, message: 'not a resource of its directory\'s kustomization (nothing builds it): not imported' });
      }
    }
    // an object's field is named after it; after it and its kind when another object has its name
    const nameCount = new Map<string, number>();
    for (const f of resourceFiles) for (const d of repo.files.get(f)?.docs ?? []) if (isObject(d)) nameCount.set(String(d.metadata.name), (nameCount.get(String(d.metadata.name)) ?? 0) + 1);
    for (const f of resourceFiles) {
      const file = repo.files.get(f)!;
      if (file.error) {
        notes.push({ where: f, message: `not Kubernetes YAML (${file.error}): not imported` });
        continue;
      }
      const fileName = manifestFileName(path.posix.basename(f));
      const fileVar: Var = { name: unique(camelCase(fileName.replace(/\.yaml$/, ''), 'file') + 'File', fileVars), home: component.name, exported: false };
      const bulky = file.docs.some(d => d.kind === 'CustomResourceDefinition') || path.posix.basename(f) === 'gotk-components.yaml';
      if (bulky) {
        // Flux's own installation and CRDs: kept as a file the team owns, byte for byte
        const planned_: PlannedFile = { var: fileVar, fileName, source: f, existing: file.text };
        component.files.push(planned_);
        existingFiles.set(`${planned.target}/${fileName}`, file.text);
        notes.push({ where: f, message: `kept as a file you own (ExistingFile ${planned.target}/${fileName}): it holds ${file.docs.some(d => d.kind === 'CustomResourceDefinition') ? 'CustomResourceDefinitions' : 'Flux\'s installation'}, which are not written as code` });
        continue;
      }
      const plannedFile: PlannedFile = { var: fileVar, fileName, source: f };
      const ids = new Set<string>();
      component.files.push(plannedFile);
      file.docs.forEach((raw, index) => {
        if (!isObject(raw)) {
          notes.push({ where: `${f}#${index}`, message: 'not a Kubernetes object (no apiVersion, kind or metadata.name): not imported' });
          return;
        }
        if (raw.kind === 'Secret' && raw.apiVersion === 'v1' && (raw.data !== undefined || raw.stringData !== undefined)) {
          notes.push({ where: `${f}#${index}`, message: `Secret ${String(raw.metadata.name)} holds plaintext, which is never written into a fleet: not imported; seal it (cdk8s-flux seal) and declare a SealedSecret` });
          return;
        }
        let doc = raw;
        if (typeof k?.namespace === 'string' && !isClusterScoped(String(doc.apiVersion), String(doc.kind))) {
          doc = { ...doc, metadata: { ...doc.metadata, namespace: k.namespace } };
        }
        const expected = normalizeOriginal(doc, { directoryMap }).doc;
        const clash = (nameCount.get(String(doc.metadata.name)) ?? 0) > 1;
        const name = unique(camelCase(clash ? `${String(doc.metadata.name)}-${String(doc.kind)}` : String(doc.metadata.name)), objectVars);
        const baseId = String(doc.metadata.name);
        const id = unique(ids.has(baseId) ? `${baseId}-${String(doc.kind).toLowerCase()}` : baseId, ids);
        const o: PlannedObject = {
          id,
          var: { name, home: component.name, exported: true },
          file: plannedFile, component, doc, expected, source: `${f}#${index}`, ways: [], level: 0, suppressions: new Map(),
        };
        component.objects.push(o);
        objects.push(o);
      });
    }
    for (const patch of patchesOf(repo, src, notes)) {
      component.rawPatches.push(patch);
    }
    for (const g of generatorsOf(repo, src, notes)) {
      const files = g.files.map(f => {
        let file = component.files.find(x => x.source === f.path);
        if (!file) {
          file = { var: { name: unique(camelCase(f.fileName.replace(/\.yaml$/, ''), 'file') + 'File', fileVars), home: component.name, exported: false }, fileName: f.fileName, source: f.path, existing: repo.files.get(f.path)!.text, data: true };
          component.files.push(file);
          existingFiles.set(`${planned.target}/${f.fileName}`, file.existing!);
        }
        return f.key === f.fileName ? ref(file.var) : obj({ key: lit(f.key), file: ref(file.var) });
      });
      component.generators.push(methodCall(ref(planned.var), 'addConfigMapGenerator', obj({
        name: lit(g.name),
        namespace: g.namespace === undefined ? undefined : lit(g.namespace),
        files: files.length > 0 ? arr(files) : undefined,
        literals: g.literals === undefined ? undefined : lit(g.literals),
        disableNameSuffixHash: g.disableNameSuffixHash ? lit(true) : undefined,
        labels: g.labels === undefined ? undefined : lit(g.labels),
        annotations: g.annotations === undefined ? undefined : lit(g.annotations),
      })));
    }
    if (component.files.length > 0 || component.rawPatches.length > 0 || component.generators.length > 0) components.push(component);
  }

  // comments are not objects: image automation's markers in them are lost
  for (const f of repo.files.values()) {
    if (used.has(f.path.slice(0, Math.max(0, f.path.lastIndexOf('/')))) && /\{\s*"\$imagepolicy"/.test(f.text)) {
      for (const m of imagePolicyMarkers(f.text)) {
        const o = objects.find(x => x.source === `${f.path}#${m.doc}`);
        if (o) (o.markers ??= []).push(m);
        else notes.push({ where: `${f.path}:${m.line}`, message: markerNote(m) });
      }
    }
  }

  // environments and their sealed stores (the ciphertext as it is, for the cluster's certificate)
  const environments: PlannedEnvironment[] = originalClusters.map(c => {
    const pem = options.certificates?.[c.name] ?? certificateFor(repo, c.name);
    const dir = dirs.get(c.directory)!;
    const mine = objects.filter(o => o.doc.kind === 'SealedSecret' && appliedBy.get(o.source)?.[0] === c.name);
    if (!pem || mine.length === 0) return { name: c.name, dir };
    const sealed: Doc[] = [];
    for (const o of mine) {
      try {
        sealedStore(c.name, pem, path.join(os.tmpdir(), `cdk8s-flux-import-${process.pid}`, 'never-written.yaml'), sealed).importSealedSecrets([o.doc], o.source);
        sealed.push(o.doc);
      } catch (e) {
        notes.push({ where: o.source, message: `not moved into the sealed store of ${c.name}: ${(e as Error).message}` });
      }
    }
    return { name: c.name, dir, store: sealed.length > 0 ? { var: layoutVar(`${camelCase(c.name)}Store`), certificate: pem, sealed } : undefined };
  });

  // what differs between the environments' overlays: the same patch in each, with other values
  const dirClusters = new Map<string, Set<string>>();
  for (const cluster of model.clusters) {
    for (const a of cluster.applications) {
      for (const f of [a.built.source.file, ...a.built.patches.map(p => p.file)]) {
        const set = dirClusters.get(dirOf(f)) ?? new Set();
        set.add(cluster.name);
        dirClusters.set(dirOf(f), set);
      }
    }
  }
  const environmentFields = liftEnvironmentValues(components, dirClusters, originalClusters.map(c => c.name));
  for (const c of components) for (const p of c.rawPatches) c.patches.push(methodCall(ref(c.dir.var), 'addPatch', patchExpr(p, c, environmentFields)));

  // classes for the custom kinds nothing else types, from the CRDs the repository carries or the user names
  const untyped = new Set(objects.filter(o => !knownKind(o.doc) && !PLUS_CONVERTERS[String(o.doc.kind)]).map(o => `${groupOf(o.doc.apiVersion)}\0${String(o.doc.kind)}`));
  const crds = [...[...repo.files.values()].flatMap(f => f.docs), ...options.crds ?? []]
    .filter(d => d.kind === 'CustomResourceDefinition' && untyped.has(`${String(d.spec?.group)}\0${String(d.spec?.names?.kind)}`));
  const crdClasses = generateCrdClasses([...new Map(crds.map(d => [String(d.metadata?.name), d])).values()]);
  if (crdClasses.error) notes.push({ where: 'CustomResourceDefinitions', message: crdClasses.error });

  // the ways to write each object; references only to objects created before (else fromName)
  const order = orderComponents(components, objects);
  for (const component of order) {
    for (const o of component.objects) {
      const env = environments.find(e => e.name === appliedBy.get(o.source)?.[0]);
      o.ways = waysOf(o, { objects, dirs, directoryMap, crdClasses, store: env?.store && env.store.sealed.includes(o.doc) ? ref(env.store.var) : undefined, created: createdBefore(order, o) });
    }
  }
  return { directories: [...dirs.values()], components: order, environments, objects, notes, directoryMap, originalClusters, generatedClusters, existingFiles, environmentFields, crdClasses };
}

/**
 * The sealed store of an environment (at `file`, not read: a new one) holding `docs`, their
 * ciphertext unchanged, recorded as sealed for the environment's certificate.
 */
export function sealedStore(environment: string, certificatePem: string, file: string, docs: readonly Doc[]): SealedStore {
  const certificate = SealingCertificate.fromPem(certificatePem, `sealed-secrets/certs/${environment}.pem`, { checkValidity: false });
  const store = SealedStore.load(file, certificate, environment);
  if (docs.length > 0) store.importSealedSecrets(docs, `the SealedSecrets of ${environment}`);
  return store;
}

/** The clusters: `clusters/<c>/`, else directories holding a Flux Kustomization that syncs them. */
function findClusters(repo: SourceRepo): ClusterDirectory[] {
  const clustersDir = repo.directories.get('clusters');
  if (clustersDir) return clustersDir.dirs.map(d => ({ name: directoryName(d.slice('clusters/'.length)), directory: d }));
  const found: ClusterDirectory[] = [];
  for (const f of repo.files.values()) {
    for (const d of f.docs) {
      if (d.kind !== 'Kustomization' || groupOf(d.apiVersion) !== 'kustomize.toolkit.fluxcd.io' || typeof d.spec?.path !== 'string') continue;
      const p = joinRepoPath('', d.spec.path);
      if (p && p !== '' && (f.path.startsWith(`${p}/`)) && !found.some(c => c.directory === p)) found.push({ name: directoryName(p.replace(/\//g, '-')), directory: p });
    }
  }
  return found.sort((a, b) => a.directory.localeCompare(b.directory));
}

/** Where each directory of the original goes: the managed roots stay, clusters go under clusters/, the rest under apps/ (or infrastructure/). */
function mapDirectories(repo: SourceRepo, clusters: readonly ClusterDirectory[]): Map<string, string> {
  const map = new Map<string, string>();
  const tops = new Map<string, string>();
  for (const c of clusters) tops.set(c.directory, `clusters/${c.name}`);
  const used = new Set<string>([...repo.directories.keys()].filter(d => !d.includes('/')));
  for (const d of [...repo.directories.keys()].sort()) {
    if (d === '') continue;
    const cluster = [...tops.keys()].find(c => d === c || d.startsWith(`${c}/`));
    if (cluster !== undefined) {
      map.set(d, tops.get(cluster)! + d.slice(cluster.length).split('/').map(s => (s ? directoryName(s) : s)).join('/'));
      continue;
    }
    const [top, ...rest] = d.split('/');
    let root: string;
    if (MANAGED.includes(top)) root = top;
    else {
      const mapped = tops.get(top) ?? (() => {
        const base = /^(infra|platform|base|components|crds|controllers|system)/.test(top) ? 'infrastructure' : 'apps';
        const name = directoryName(top);
        const t = used.has(`${base}/${name}`) ? `${base}/${name}-imported` : `${base}/${name}`;
        tops.set(top, t);
        return t;
      })();
      root = mapped;
    }
    map.set(d, [root, ...rest.map(directoryName)].join('/'));
  }
  // the managed roots themselves
  for (const m of MANAGED) if (repo.directories.has(m)) map.set(m, m);
  return map;
}

function certificateFor(repo: SourceRepo, cluster: string): string | undefined {
  const certs = [...repo.certificates.entries()];
  const named = certs.filter(([p]) => p.split(/[/.]/).includes(cluster) || path.posix.basename(p).startsWith(cluster));
  if (named.length === 1) return named[0][1];
  return certs.length === 1 ? certs[0][1] : undefined;
}

/**
 * Orders components so that each comes after the components whose objects it refers to (a cycle
 * is broken by `fromName` imports), and the objects of each after those they refer to.
 */
function orderComponents(components: Component[], objects: readonly PlannedObject[]): Component[] {
  for (const o of objects) {
    for (const target of referencedObjects(o, objects)) if (target.component !== o.component) o.component.deps.add(target.component);
  }
  const done: Component[] = [];
  const pending = [...components];
  while (pending.length > 0) {
    const i = pending.findIndex(c => [...c.deps].every(d => done.includes(d) || d === c));
    const next = pending.splice(i >= 0 ? i : 0, 1)[0];
    done.push(next);
  }
  for (const c of done) {
    const sorted: PlannedObject[] = [];
    const rest = [...c.objects];
    while (rest.length > 0) {
      const i = rest.findIndex(o => referencedObjects(o, objects).every(t => t.component !== c || sorted.includes(t) || t === o));
      sorted.push(rest.splice(i >= 0 ? i : 0, 1)[0]);
    }
    c.objects.splice(0, c.objects.length, ...sorted);
  }
  // a dependency on a later component (a cycle) is dropped: those references become fromName
  for (const [i, c] of done.entries()) for (const d of [...c.deps]) if (done.indexOf(d) >= i) c.deps.delete(d);
  return done;
}

function createdBefore(order: readonly Component[], o: PlannedObject): (t: PlannedObject) => boolean {
  return t => {
    const ci = order.indexOf(o.component);
    const ti = order.indexOf(t.component);
    if (ti !== ci) return ti < ci && o.component.deps.has(t.component);
    return o.component.objects.indexOf(t) < o.component.objects.indexOf(o);
  };
}

const REFERENCE_FIELDS: readonly ((d: Doc) => unknown[])[] = [
  d => [d.spec?.sourceRef],
  d => [d.spec?.chart?.spec?.sourceRef && { ...d.spec.chart.spec.sourceRef }],
  d => (Array.isArray(d.spec?.dependsOn) ? d.spec.dependsOn.map((x: Doc) => ({ kind: d.kind, ...x })) : []),
  d => [d.spec?.providerRef && { kind: 'Provider', ...d.spec.providerRef }],
  d => (Array.isArray(d.spec?.eventSources) ? d.spec.eventSources : []),
  d => [d.spec?.secretRef && { kind: 'SealedSecret', ...d.spec.secretRef }],
  d => (Array.isArray(d.spec?.valuesFrom) ? d.spec.valuesFrom : []),
];

function referencedObjects(o: PlannedObject, objects: readonly PlannedObject[]): PlannedObject[] {
  const out: PlannedObject[] = [];
  // an image automation marker refers to its ImagePolicy (written as its setter call)
  const markerRefs = (o.markers ?? []).map(m => ({ kind: 'ImagePolicy', namespace: m.setter.split(':')[0], name: m.setter.split(':')[1] }));
  for (const f of [...REFERENCE_FIELDS, () => markerRefs]) {
    for (const r of f(o.doc)) {
      if (!isMap(r) || typeof r.name !== 'string' || typeof r.kind !== 'string') continue;
      const t = resolve(o, String(r.kind), r.name, typeof r.namespace === 'string' ? r.namespace : undefined, objects);
      if (t) out.push(t);
    }
  }
  return out;
}

/**
 * The object a reference names: of that kind and name, in the namespace the reference resolves to,
 * defined in the referring object's directory or one that contains it, or the only one the
 * repository has.
 */
function resolve(from: PlannedObject, kind: string, name: string, namespace: string | undefined, objects: readonly PlannedObject[]): PlannedObject | undefined {
  const ns = namespace ?? namespaceOf(from.doc);
  const candidates = objects.filter(o => o !== from && o.doc.kind === kind && o.doc.metadata?.name === name && namespaceOf(o.doc) === ns);
  if (candidates.length === 1) return candidates[0];
  const dir = from.source.slice(0, from.source.lastIndexOf('/'));
  const near = candidates.filter(o => { const d = o.source.slice(0, o.source.lastIndexOf('/')); return dir === d || dir.startsWith(`${d}/`); });
  return near.length > 0 ? near.sort((a, b) => b.source.length - a.source.length)[0] : undefined;
}

interface WayContext {
  readonly objects: readonly PlannedObject[];
  readonly dirs: ReadonlyMap<string, PlannedDirectory>;
  readonly directoryMap: ReadonlyMap<string, string>;
  readonly store?: Expr;
  readonly created: (t: PlannedObject) => boolean;
  readonly crdClasses: CrdClasses;
}

function waysOf(o: PlannedObject, w: WayContext): Way[] {
  const ways: Way[] = [];
  const because: string[] = [];
  const ctx: ConvertContext = {
    scope: ref(o.file.var),
    id: o.id,
    store: w.store,
    refTo: (kind, name, namespace, cls) => {
      const t = resolve(o, kind, name, namespace, w.objects);
      const ownNs = namespaceOf(o.doc);
      const renders = t !== undefined && (namespace !== undefined ? namespaceOf(t.doc) === namespace && namespace !== ownNs : namespaceOf(t.doc) === ownNs);
      if (t && w.created(t) && (renders || !cls)) return ref(t.var);
      if (!cls) return undefined;
      const key = `${kind}\0${namespace ?? ''}\0${name}`;
      let imported = o.component.imports.get(key);
      if (!imported) {
        const taken = new Set([...o.component.imports.values()].map(i => i.var.name));
        const v: Var = { name: unique(camelCase(`${name}-${kind}`), taken), home: o.component.name, exported: false };
        // imports live in the component's first file: one declaration per object named
        const scope = ref(o.component.files[0].var);
        const id = `${kind}-${namespace ? `${namespace}-` : ''}${name}`;
        imported = { var: v, expr: staticCall(cls, 'fromName', scope, lit(id), lit(namespace !== undefined ? { name, namespace } : { name })) };
        o.component.imports.set(key, imported);
      }
      return ref(imported.var);
    },
    directory: fluxPath => {
      const mapped = mapFluxPath(fluxPath, w.directoryMap);
      const d = [...w.dirs.values()].find(x => `./${x.target}` === mapped);
      return d ? ref(d.var) : undefined;
    },
  };
  const known = knownKind(o.doc);
  const library = LIBRARY_CONVERTERS[String(o.doc.kind)];
  // FluxInstance has no generated class (the library writes it by hand): its converter checks the group itself
  if (library && (known || o.doc.kind === 'FluxInstance')) {
    const c = library(o.expected, ctx);
    if ('expr' in c) ways.push({ as: ImportedAs.LIBRARY, cls: c.cls, expr: c.expr, because: [...because] });
    else because.push(`${String(o.doc.kind)}: ${c.reason}`);
  } else if (known) {
    because.push(`the library has no construct for ${String(o.doc.kind)} yet`);
  }
  const plusConverter = PLUS_CONVERTERS[String(o.doc.kind)];
  if (plusConverter && !known) {
    const c = plusConverter(o.expected, ctx);
    if ('expr' in c) ways.push({ as: ImportedAs.PLUS, cls: c.cls, expr: c.expr, because: [...because] });
    else because.push(c.reason);
  }
  if (known) {
    ways.push({ as: ImportedAs.GENERATED, cls: known.l1, expr: construct(known.l1, ctx.scope, lit(ctx.id), obj({ metadata: lit(o.expected.metadata), spec: o.expected.spec === undefined ? undefined : l1SpecExpr(known, o.expected.spec) })), because: [...because] });
    because.push(`the generated class of ${String(o.doc.kind)} does not write the object as it is`);
  }
  const crdClass = !known ? w.crdClasses.classes.get(`${String(o.doc.apiVersion)}\0${String(o.doc.kind)}`) : undefined;
  if (crdClass && Object.keys(o.expected).every(k => ['apiVersion', 'kind', 'metadata', 'spec'].includes(k))) {
    const cls: ClassRef = { module: crdClass.module, name: crdClass.name };
    ways.push({ as: ImportedAs.GENERATED, cls, expr: construct(cls, ctx.scope, lit(ctx.id), obj({ metadata: lit(o.expected.metadata), spec: o.expected.spec === undefined ? undefined : lit(o.expected.spec) })), because: [...because] });
    because.push(`the class cdk8s import generated for ${String(o.doc.kind)} does not write the object as it is`);
  } else if (!known && !plusConverter) {
    const group = groupOf(o.doc.apiVersion);
    because.push(group === '' || group.endsWith('.k8s.io') || !group.includes('.')
      ? `no cdk8s-plus construct writes ${String(o.doc.apiVersion)} ${String(o.doc.kind)} as it is`
      : `nothing typed has ${String(o.doc.apiVersion)} ${String(o.doc.kind)} (a custom resource whose CRD the repository does not carry: give it with --crd <file>, and its class is generated with cdk8s import)`);
  }
  const api: ClassRef = { module: 'cdk8s', name: 'ApiObject' };
  ways.push({ as: ImportedAs.API_OBJECT, cls: api, expr: construct(api, ctx.scope, lit(ctx.id), apiObjectProps(o.expected)), because: [...because] });
  // image automation markers: the marked values as setter calls of their ImagePolicy (the fleet's, or fromName)
  const markers = o.markers ?? [];
  return ways.map(way => withMarkers(way, markers, m => {
    const [ns, name] = m.setter.split(':');
    const t = w.objects.find(x => x.doc.kind === 'ImagePolicy' && x.doc.metadata?.name === name && namespaceOf(x.doc) === ns);
    return t && w.created(t) ? ref(t.var) : ctx.refTo('ImagePolicy', name, ns, { module: LIBRARY, name: 'ImagePolicy' });
  }));
}

/** An ApiObject's props: the document, with label and annotation values that are not strings cast (the API server refuses them: the report says so). */
function apiObjectProps(doc: Doc): Expr {
  const meta = isMap(doc.metadata) ? doc.metadata : {};
  const bad = ['labels', 'annotations'].filter(f => isMap(meta[f]) && Object.values(meta[f] as object).some(v => typeof v !== 'string'));
  if (bad.length === 0) return lit(doc);
  const metadata = obj(Object.entries(meta).map(([k, v]): [string, Expr] => [k, bad.includes(k)
    ? obj(Object.entries(v as object).map(([a, x]): [string, Expr] => [a, typeof x === 'string' ? lit(x) : cast(lit(x), 'string')]))
    : lit(v)]));
  return obj(Object.entries(doc).map(([k, v]): [string, Expr] => [k, k === 'metadata' ? metadata : lit(v)]));
}

/** The layout's statements: directories, their extra resources, the stores. */
export function layoutStatements(plan: Plan): { var?: Var; expr: Expr }[] {
  const out: { var?: Var; expr: Expr }[] = [];
  for (const d of plan.directories) {
    const props = obj({
      kustomize: d.kustomize ? undefined : lit(false),
      includeInParent: d.includeInParent ? undefined : lit(false),
      namespace: d.namespace === undefined ? undefined : lit(d.namespace),
      component: d.component ? lit(true) : undefined,
      dirName: d.dirName === d.var.name ? undefined : undefined,
    });
    out.push({ var: d.var, expr: construct({ module: LIBRARY, name: 'LayoutDirectory' }, d.parent, lit(d.dirName), ...(props.t === 'obj' && props.props.length > 0 ? [props] : [])) });
  }
  for (const d of plan.directories) for (const r of d.resources) out.push({ expr: methodCall(ref(d.var), 'addResource', ref(r.var)) });
  for (const d of plan.directories) for (const c of d.components) out.push({ expr: methodCall(ref(d.var), 'addComponent', ref(c.var)) });
  for (const e of plan.environments) {
    if (!e.store) continue;
    out.push({
      var: e.store.var,
      expr: staticCall({ module: LIBRARY, name: 'SealedStore' }, 'load',
        rootPath(`sealed-secrets/${e.name}.yaml`),
        staticCall({ module: LIBRARY, name: 'SealingCertificate' }, 'fromFile', rootPath(`sealed-secrets/certs/${e.name}.pem`), lit({ checkValidity: false })),
        lit(e.name)),
    });
  }
  return out;
}

/** An image automation marker of a YAML file: the scalar it comments and the setter it names. */
export interface ImagePolicyMarker {
  readonly doc: number;
  readonly line: number;
  readonly path: string;
  /** The path as keys and indices. */
  readonly segments: readonly (string | number)[];
  readonly value: string;
  readonly setter: string;
}

/** The `# {"$imagepolicy": "<ns>:<name>[:<field>]"}` markers of a YAML text, with the line and field path of each. */
function imagePolicyMarkers(text: string): ImagePolicyMarker[] {
  const out: ImagePolicyMarker[] = [];
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    docs = parseAllDocuments(text);
  } catch {
    return out;
  }
  docs.forEach((d, doc) => visit(d, {
    Scalar(_key, node, ancestors) {
      const m = /\{\s*"\$imagepolicy"\s*:\s*"([^"]+)"\s*\}/.exec(node.comment ?? '');
      if (!m) return;
      const parts: string[] = [];
      const segments: (string | number)[] = [];
      const chain = [...ancestors, node];
      chain.forEach((a, i) => {
        if (isPair(a) && a.value === chain[i + 1]) {
          const k = String((a.key as { value?: unknown })?.value ?? a.key);
          parts.push(k);
          segments.push(k);
        }
        if (isSeq(a)) {
          const at = a.items.indexOf(chain[i + 1] as never);
          parts.push(`[${at}]`);
          segments.push(at);
        }
      });
      const line = text.slice(0, node.range?.[0] ?? 0).split('\n').length;
      out.push({ doc, line, path: parts.join('.').replace(/\.\[/g, '['), segments, value: String(node.value), setter: m[1] });
    },
  }));
  return out;
}

/** Why a marker is not in the code, and what to write instead. */
export function markerNote(m: ImagePolicyMarker): string {
  const [ns, name, field] = m.setter.split(':');
  const method = field === undefined ? 'setter' : `${field}Setter`;
  return `image automation marker {"$imagepolicy": ${JSON.stringify(m.setter)}} on ${m.path} (document ${m.doc}) is not carried over (the value is): write the value in the code as the ImagePolicy ${ns}/${name}'s ${method}(${JSON.stringify(m.value)}), or image automation stops updating it`;
}

/**
 * The construct call with the literal at `path` of the object replaced by `replacement` (a setter
 * call): the path is followed through the props (a library construct's props hold the spec's
 * fields without `spec`), literals split as needed. Undefined when the path does not lead to the
 * value there.
 */
function replaceAt(e: Expr, path: readonly (string | number)[], value: string, replacement: Expr): Expr | undefined {
  if (path.length === 0) return e.t === 'lit' && e.v === value ? replacement : undefined;
  if (e.t === 'lit') {
    if (Array.isArray(e.v)) return replaceAt(arr(e.v.map(x => lit(x))), path, value, replacement);
    if (isMap(e.v)) return replaceAt(obj(Object.entries(e.v).map(([k, x]): [string, Expr] => [k, lit(x)])), path, value, replacement);
    return undefined;
  }
  if (e.t === 'arr' && typeof path[0] === 'number') {
    const i = path[0];
    const inner = e.items[i] === undefined ? undefined : replaceAt(e.items[i], path.slice(1), value, replacement);
    return inner && arr(e.items.map((x, j) => (j === i ? inner : x)));
  }
  if (e.t === 'obj' && typeof path[0] === 'string') {
    const at = e.props.findIndex(([k]) => k === path[0]);
    if (at < 0) return path[0] === 'spec' ? replaceAt(e, path.slice(1), value, replacement) : undefined;
    const inner = replaceAt(e.props[at][1], path.slice(1), value, replacement);
    return inner && obj(e.props.map(([k, x], j): [string, Expr] => [k, j === at ? inner : x]));
  }
  return undefined;
}

/** A way with the object's markers written as setter calls of their ImagePolicy, where its props hold the marked value. */
function withMarkers(way: Way, markers: readonly ImagePolicyMarker[], policy: (m: ImagePolicyMarker) => Expr | undefined): Way {
  if (way.expr.t !== 'new' || markers.length === 0) return way;
  let props = way.expr.args[way.expr.args.length - 1];
  const carried: number[] = [];
  markers.forEach((m, i) => {
    const parts = m.setter.split(':');
    if (parts.length < 2 || parts.length > 3 || (parts[2] !== undefined && !['tag', 'name', 'digest'].includes(parts[2]))) return;
    const target = policy(m);
    if (!target) return;
    const call = methodCall(target, parts[2] === undefined ? 'setter' : `${parts[2]}Setter`, lit(m.value));
    const next = replaceAt(props, m.segments, m.value, call);
    if (next) {
      props = next;
      carried.push(i);
    }
  });
  if (carried.length === 0) return way;
  return { ...way, expr: { ...way.expr, args: [...way.expr.args.slice(0, -1), props] }, carried };
}
