import * as path from 'node:path';
import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { FleetProblem, FleetValidationError, sortProblems } from './errors';
import { splitBySeverity } from './model/rules';
import { addProblemWarning, clearProblemWarnings } from './warnings';
import { ConfigMapGenerator, ConfigMapGeneratorFile, LayoutDirectory } from './layout-directory';
import { FileRole, ILayoutFile, isLayoutFile } from './layout-file';
import { mergedPath, strategicMerge, StrategicMergeError } from './strategic-merge';
import { ManifestFile } from './manifest-file';
import { KUSTOMIZATION_FILE } from './names';
import { compareKeys, inlinePatchText, LineComment, orderDocument, toYaml, withHeader } from './render';
import { lineCommentsOf, placeMarkedValues } from './setter-markers';
import { CommittedMarkedValues } from './automated-values';
import { ExistingFile } from './existing-file';
import { scanUserFiles } from './disk-scan';
import { DiskFiles, Doc, GeneratedFile, RepoTree } from './model/repo-tree';
import { FleetModel, FleetRegistry, ModelFile } from './model/fleet-model';
import { KustomizeBuilder } from './model/kustomize-build';
import { coreModule } from './model/core-module';

/** The layout as it will be written: repository-relative path → file content, sorted by path. */
export type LayoutFiles = ReadonlyMap<string, string>;

interface RenderedFile {
  readonly file: ILayoutFile;
  readonly directory: LayoutDirectory;
  readonly repoPath: string;
  readonly docs: Record<string, unknown>[];
  /** The API object behind each document (resource files only). */
  readonly objects?: ApiObject[];
}

interface DirectoryModel {
  readonly dir: LayoutDirectory;
  readonly repoPath: string;
  readonly files: RenderedFile[];
  /** Files the user owns that its kustomization lists (`ExistingFile`). */
  readonly existing: string[];
  readonly subdirs: DirectoryModel[];
}

/** One object of a kustomize build. */
export interface BuildEntry {
  /** The rendered document. */
  readonly doc: Record<string, unknown>;
  /** The API object that rendered it. */
  readonly object?: ApiObject;
  /** Repository path of the file that holds it. */
  readonly file: string;
}

type BuildSet = Map<string, BuildEntry>;

/** One object of a kustomize build, as the build outputs it (patches applied). */
export interface EffectiveEntry extends BuildEntry {
  /** The patch files that changed it, in the order they were applied. */
  readonly patchedBy: readonly RenderedLayoutFile[];
}

/** A rendered file of the layout. */
export interface RenderedLayoutFile {
  /** Repository path. */
  readonly path: string;
  /** The file construct. */
  readonly file: ILayoutFile;
  /** Its documents, as they will be written. */
  readonly docs: readonly Record<string, unknown>[];
  /** The API object behind each document (resource files only). */
  readonly objects?: readonly ApiObject[];
}

/** What fleet-level checks can ask of the validated layout. */
export interface LayoutAnalysis {
  /** Every construct of the fleet (walked once per synth). */
  readonly constructs: readonly IConstruct[];
  /** Every directory of the layout. */
  readonly directories: readonly LayoutDirectory[];
  /** Every file that will be written (besides the generated kustomization.yaml files). */
  readonly files: readonly RenderedLayoutFile[];
  /**
   * Construct paths whose own validation already reported a problem: a check that would only
   * repeat it (in other words) can skip them.
   */
  readonly reported: ReadonlySet<string>;
  /** The objects a kustomize build of `dir` yields before patches, by kustomize identity. */
  build(dir: LayoutDirectory): ReadonlyMap<string, BuildEntry>;
  /**
   * The objects a kustomize build of `dir` outputs: its build with every patch applied, in
   * kustomize's order (see `strategicMerge`). What a Flux Kustomization of `dir` applies.
   */
  effectiveBuild(dir: LayoutDirectory): ReadonlyMap<string, EffectiveEntry>;
  /** The patch files applied in the build of `dir`, in kustomize's order: included directories first, then its own. */
  patchFiles(dir: LayoutDirectory): RenderedLayoutFile[];
}

/** A check over the whole layout (references between objects, per-cluster rules…). */
export type FleetCheck = (analysis: LayoutAnalysis) => FleetProblem[];

/** Options of `analyzeLayout`. */
export interface AnalyzeOptions {
  /**
   * Values image automation committed into marked fields, taken into the objects before the
   * checks (see `CommittedMarkedValues`).
   * @default none: every value comes from the code
   */
  readonly committedValues?: CommittedMarkedValues;
  /**
   * What the model knows beyond kustomize (reference tables, appliers) and the checks to run.
   * @default the core module alone
   */
  readonly registry?: FleetRegistry;
  /**
   * The repository root: the files of the managed directories that the user owns are read from
   * there into the model (they are part of what Flux applies).
   * @default none: the model holds only what synth writes
   */
  readonly rootDir?: string;
  /** The managed directories as scanned. @default scanned from `rootDir` */
  readonly disk?: DiskFiles;
  /** The directory whose sub-directories are clusters (`clusters/`). @default none: no cluster is modelled */
  readonly clustersDir?: LayoutDirectory;
  /**
   * Treat the rules' warnings as errors (`--strict`, on in CI).
   * @default false: warnings are returned in `LayoutModel.warnings` and the synth goes on
   */
  readonly strict?: boolean;
  /**
   * Called with each file of the layout as soon as its content is final (most of them while the
   * rest are still rendered, all of them before the model is built and its checks run), so
   * that a writer can stage them meanwhile: whether the synth succeeds is still decided by
   * `analyzeLayout` returning. A file whose rendering failed is not given.
   * @default none
   */
  readonly onFile?: (path: string, content: string) => void;
}

/** The rendered layout together with the model the checks saw. */
export interface LayoutModel {
  /** Every file of the layout, by repository path, sorted. */
  readonly files: LayoutFiles;
  /**
   * How the layout's directories are built from the constructs, for rendering.
   * @internal
   */
  readonly analysis: LayoutAnalysis;
  /** The model of what each cluster applies. */
  readonly model: FleetModel;
  /** The rules' warnings (empty with `strict`, which makes them errors), sorted by construct path. */
  readonly warnings: readonly FleetProblem[];
}

/** Like `renderLayout`, but also returns the model (for tools such as env diff and the fleet graph). */
export function analyzeLayout(root: IConstruct, managedRoots: readonly string[], options: AnalyzeOptions = {}): LayoutModel {
  const problems: FleetProblem[] = [];
  const all = root.node.findAll();

  for (const c of all) {
    for (const message of c.node.validate()) problems.push({ path: c.node.path, message });
  }

  const directories = all.filter(LayoutDirectory.isLayoutDirectory);
  for (const dir of directories) {
    if (!LayoutDirectory.enclosing(dir) && !dir.isVirtual && !managedRoots.includes(dir.dirName)) {
      problems.push({
        path: dir.node.path,
        message: `dirName "${dir.dirName}" cannot be a top-level directory: the layout writes only under ${managedRoots.map(r => `"${r}/"`).join(', ')}; create it inside one of those`,
      });
    }
  }

  for (const c of all) {
    if (c instanceof Chart && !isLayoutFile(c)) {
      problems.push({
        path: c.node.path,
        message: `is a plain cdk8s Chart, which the layout writer cannot place: use ManifestFile (a Chart that knows its file name) inside a LayoutDirectory`,
      });
    }
  }

  const rendered: RenderedFile[] = [];
  const existing: { file: ExistingFile; directory: LayoutDirectory; repoPath: string }[] = [];
  // a file is final once rendered, unless a flattened directory may rewrite or leave it out
  const flattened = directories.filter(d => d.flatten && d.kustomize && !d.isVirtual).map(d => `${d.repoPath}/`);
  const streamed = new Map<string, string>();
  for (const file of all.filter(isLayoutFile)) {
    const directory = LayoutDirectory.enclosing(file);
    if (!directory) {
      problems.push({
        path: file.node.path,
        message: `file "${file.fileName}" is not inside any LayoutDirectory, so it has no place in the repository: create it inside a directory such as repo.infrastructure`,
      });
      continue;
    }
    if (ExistingFile.isExistingFile(file)) {
      existing.push({ file, directory, repoPath: `${directory.repoPath}/${file.fileName}` });
      continue;
    }
    let done: RenderedFile | undefined;
    try {
      const objects = file instanceof ManifestFile ? file.apiObjects : undefined;
      const docs = placeMarkedValues(file.renderDocuments(), objects);
      const repoPath = `${directory.repoPath}/${file.fileName}`;
      for (const doc of docs) options.committedValues?.apply(repoPath, doc, lineCommentsOf(doc));
      if (docs.length > 0) rendered.push(done = { file, directory, repoPath, docs, objects });
    } catch (e) {
      problems.push({ path: file.node.path, message: `could not be rendered: ${(e as Error).message}` });
    }
    if (done && options.onFile && !directory.isVirtual && !flattened.some(f => done.repoPath.startsWith(f)) && !streamed.has(done.repoPath)) {
      const text = withHeader(toYaml(done.docs, done.docs.map(lineCommentsOf)), file.node.path);
      streamed.set(done.repoPath, text);
      options.onFile(done.repoPath, text);
    }
  }

  const models = buildDirectoryModels(directories, rendered, existing);
  checkPathCollisions(directories, rendered, problems, existing);
  checkDirectoryUse(models, problems);
  checkKustomizeFeatures(models, problems);
  const reported = new Set(problems.map(p => p.path));
  const analysis = { ...checkBuilds(models, problems, rendered, reported, options.committedValues), constructs: all };
  const flat = flattenedOutputs(models, analysis, problems);

  // the files this synth writes, with what rendered each document
  const generated: GeneratedFile[] = [];
  const modelFiles: ModelFile[] = [];
  const serialize: { path: string; docs: Record<string, unknown>[]; comments: LineComment[][]; source: string }[] = [];
  for (const f of rendered) {
    if (f.directory.isVirtual || flat.suppressed.has(f.repoPath)) continue;
    // a data file's text is what a generator reads: the model needs it as it will be written
    const dataText = f.file.role === FileRole.DATA ? streamed.get(f.repoPath) ?? withHeader(toYaml(f.docs, f.docs.map(lineCommentsOf)), f.file.node.path) : undefined;
    generated.push({ path: f.repoPath, docs: f.docs, objects: f.objects, constructPath: f.file.node.path, ...dataText !== undefined ? { dataText } : {} });
    serialize.push({ path: f.repoPath, docs: f.docs, comments: f.docs.map(lineCommentsOf), source: f.file.node.path });
  }
  for (const [p, file] of flat.files) {
    generated.push({ path: p, docs: file.docs, objects: file.objects, constructPath: file.constructPath });
    serialize.push({ path: p, docs: file.docs, comments: file.comments, source: file.source });
  }
  for (const model of models.values()) {
    if (!model.dir.kustomize || isEmpty(model) || model.dir.isVirtual || flat.inlined.has(model.dir)) continue;
    const doc = flat.kustomizations.get(model.dir) ?? kustomizationOf(model);
    const p = `${model.repoPath}/${KUSTOMIZATION_FILE}`;
    generated.push({ path: p, docs: [doc], constructPath: model.dir.node.path });
    serialize.push({ path: p, docs: [doc], comments: [], source: model.dir.node.path });
  }
  const disk = options.disk ?? (options.rootDir !== undefined ? scanUserFiles(options.rootDir, managedRoots) : undefined);
  for (const e of existing) {
    const content = disk?.foreign.get(e.repoPath);
    if (disk && content === undefined) {
      problems.push({ path: e.file.node.path, message: disk.generated.has(e.repoPath) || disk.foreign.has(e.repoPath) ? `"${e.repoPath}" is not a file you own (it is generated by cdk8s-flux, or not a regular file): ExistingFile declares a file written by hand; remove the ExistingFile, or replace the file with your own` : `"${e.repoPath}" does not exist: ExistingFile declares a file you write by hand (synth never creates it); add the file, or remove the ExistingFile` });
    }
  }
  // serialized before the checks, so that a writer can stage the files while they run
  const out = new Map<string, string>();
  for (const f of serialize) {
    const text = streamed.get(f.path) ?? withHeader(toYaml(f.docs, f.comments), f.source);
    out.set(f.path, text);
    if (!streamed.has(f.path)) options.onFile?.(f.path, text);
  }
  const files: LayoutFiles = new Map([...out.entries()].sort(([a], [b]) => compareKeys(a, b)));
  const tree = new RepoTree(generated, disk, new Map(existing.map(e => [e.repoPath, e.file.node.path])),
    options.rootDir !== undefined ? { rootDir: options.rootDir, scanned: managedRoots } : undefined);
  for (const f of rendered) {
    if (f.file.role === FileRole.DATA) continue; // data, not objects: no check reads it as such
    // a written file's documents are the tree's own; a template's are made here
    const written = !f.directory.isVirtual && tree.file(f.repoPath)?.generated === true && !flat.suppressed.has(f.repoPath);
    const docs = written ? tree.file(f.repoPath)!.documents() : f.docs.map((doc, index) => ({ doc: doc as Doc, file: f.repoPath, index, origin: { constructPath: f.objects?.[index]?.node.path ?? f.file.node.path, object: f.objects?.[index] } }));
    modelFiles.push({ path: f.repoPath, constructPath: f.file.node.path, documents: docs, patch: f.file.role === FileRole.PATCH, written: !f.directory.isVirtual });
  }
  const clusterDirs = options.clustersDir
    ? directories.filter(d => LayoutDirectory.enclosing(d) === options.clustersDir && d.kustomize && !d.isVirtual && !isEmpty(models.get(d)!)).map(d => d.repoPath)
    : [];
  const registry = options.registry ?? new FleetRegistry().use(coreModule);
  const model = new FleetModel(tree, new KustomizeBuilder(tree), clusterDirs, registry, modelFiles, all, new Set(problems.map(p => p.path)));
  clearProblemWarnings(root); // this synth's checks say what is still to warn about
  const found: FleetProblem[] = [];
  for (const check of registry.checks) {
    // a check of severity warning makes every finding a warning; a rule says so per finding
    found.push(...check.check(model).map(p => (check.severity === 'warning' && p.severity === undefined ? { ...p, severity: 'warning' as const } : p)));
  }
  const { errors, warnings } = splitBySeverity(found, options.strict ?? false);
  warnings.forEach(p => addProblemWarning(root, p));
  problems.push(...errors);
  if (problems.length > 0) throw new FleetValidationError(problems);

  return { files, analysis, model, warnings: sortProblems(warnings) };
}

interface FlattenedOutputs {
  /** Files written by flattened directories: path → documents (patches applied) and source construct. */
  readonly files: Map<string, { docs: Record<string, unknown>[]; comments: LineComment[][]; objects: (ApiObject | undefined)[]; source: string; constructPath: string }>;
  /** Files not written as rendered: patches a flattened directory applied, files it rewrote. */
  readonly suppressed: Set<string>;
  /** Sub-directories a flattened directory lists file by file (they get no kustomization.yaml). */
  readonly inlined: Set<LayoutDirectory>;
  /** The kustomization of each flattened directory. */
  readonly kustomizations: Map<LayoutDirectory, Record<string, unknown>>;
}

/**
 * Renders every `flatten`ed directory: each object of its build, patches applied, in a file of
 * its own tree — its own files keep their paths, files of a directory added with `addResource`
 * keep their path relative to that directory — and a kustomization.yaml that lists them all.
 */
function flattenedOutputs(models: Map<LayoutDirectory, DirectoryModel>, analysis: LayoutAnalysis, problems: FleetProblem[]): FlattenedOutputs {
  const result: FlattenedOutputs = { files: new Map(), suppressed: new Set(), inlined: new Set(), kustomizations: new Map() };
  for (const model of models.values()) {
    const dir = model.dir;
    if (!dir.flatten || !dir.kustomize || dir.isVirtual) continue;
    const subtree = builtSubtree(model);
    for (const m of subtree) {
      if (m !== model) result.inlined.add(m.dir);
      for (const f of m.files.filter(x => x.file.role === FileRole.PATCH)) result.suppressed.add(f.repoPath);
    }
    const sourceOf = new Map(subtree.flatMap(m => m.files).map(f => [f.repoPath, f.file.node.path]));
    const constructOf = new Map(analysis.files.map(f => [f.path, f.file.node.path]));
    const written: string[] = [];
    const placeOf = flattenedPlacement(model);
    for (const entry of analysis.effectiveBuild(dir).values()) {
      const target = placeOf(entry.file);
      if (target === undefined) {
        problems.push({ path: dir.node.path, message: `cannot place ${entry.file} in the flattened directory "${model.repoPath}": it comes from neither this directory nor a directory added with addResource (but from one of theirs); add that directory with addResource` });
        continue;
      }
      if (target !== entry.file && sourceOf.has(target)) {
        problems.push({ path: dir.node.path, message: `flattened directory "${model.repoPath}" would write ${entry.file} (from "${resourceHolding(dir, entry.file)!.repoPath}") as ${target}, which it already has: rename one of the two files` });
        continue;
      }
      if (!result.files.has(target)) {
        result.files.set(target, { docs: [], comments: [], objects: [], constructPath: constructOf.get(entry.file) ?? dir.node.path, source: `${constructOf.get(entry.file) ?? entry.file}${target === entry.file ? '' : ` (flattened into ${model.repoPath})`}` });
        written.push(target);
      }
      const file = result.files.get(target)!;
      const doc = orderDocument(entry.doc);
      // committed image-automation values are already in entry.doc (effectiveBuild took them in)
      const comments = flattenedComments(analysis.build(dir).get(objectId(entry.doc))?.doc, entry);
      file.docs.push(doc);
      file.comments.push(comments);
      file.objects.push(entry.object);
      result.suppressed.add(target);
    }
    const resources = written.map(f => path.posix.relative(model.repoPath, f)).sort(compareKeys);
    result.kustomizations.set(dir, { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', ...resources.length > 0 ? { resources } : {} });
  }
  return result;
}

/** The directory added with addResource to `dir` that holds `file`, if any. */
function resourceHolding(dir: LayoutDirectory, file: string): LayoutDirectory | undefined {
  return dir.resources.find(r => file.startsWith(`${r.repoPath}/`));
}

/** A directory and, recursively, the sub-directories its kustomization includes. */
function builtSubtree(model: DirectoryModel): DirectoryModel[] {
  return [model, ...includedSubdirs(model).flatMap(builtSubtree)];
}

/**
 * Where a flattened directory writes the objects of each file: the files of its own built tree keep
 * their path, a file of a directory added with addResource keeps its path relative to that directory.
 */
function flattenedPlacement(model: DirectoryModel): (file: string) => string | undefined {
  const own = new Set(builtSubtree(model).flatMap(m => m.files.map(f => f.repoPath)));
  return file => {
    if (own.has(file)) return file;
    const from = resourceHolding(model.dir, file);
    return from ? `${model.repoPath}/${file.slice(from.repoPath.length + 1)}` : undefined;
  };
}

/**
 * The setter markers of a flattened object: the object's own, following their field through each
 * patch (list items move) and dropped where a patch sets the field, then each patch's own.
 */
function flattenedComments(original: Record<string, unknown> | undefined, entry: EffectiveEntry): LineComment[] {
  if (!original) return [];
  let comments: LineComment[] = lineCommentsOf(original);
  if (comments.length === 0 && entry.patchedBy.every(p => p.docs.every(d => lineCommentsOf(d).length === 0))) return [];
  let current = original;
  for (const p of entry.patchedBy) {
    const patch = p.docs[0];
    comments = comments.flatMap(c => {
      const to = mergedPath(current, patch, c.path);
      return to ? [{ ...c, path: to }] : [];
    });
    comments.push(...p.docs.flatMap(lineCommentsOf));
    current = strategicMerge(current, patch);
  }
  return comments;
}

function buildDirectoryModels(directories: LayoutDirectory[], rendered: RenderedFile[], existing: readonly { file: ExistingFile; directory: LayoutDirectory }[]): Map<LayoutDirectory, DirectoryModel> {
  const models = new Map<LayoutDirectory, DirectoryModel>();
  for (const dir of directories) models.set(dir, { dir, repoPath: dir.repoPath, files: [], existing: [], subdirs: [] });
  for (const f of rendered) models.get(f.directory)!.files.push(f);
  // a data file (a generator's input) is not a resource of its directory
  for (const e of existing) if (e.file.role === FileRole.RESOURCE) models.get(e.directory)!.existing.push(e.file.fileName);
  for (const dir of directories) {
    const parent = LayoutDirectory.enclosing(dir);
    if (parent) models.get(parent)!.subdirs.push(models.get(dir)!);
  }
  return models;
}

/** A directory with nothing to write is skipped, and its parent does not list it. */
function isEmpty(model: DirectoryModel): boolean {
  return model.files.length === 0 && model.existing.length === 0 && model.dir.resources.length === 0
    && model.dir.components.length === 0 && model.dir.configMapGenerators.length === 0
    && !(model.dir.component && model.dir.patches.length > 0) // a component of patches only patches its users
    && model.subdirs.every(isEmpty);
}

/** Sub-directories that the kustomization of `model` lists under `resources:`. */
function includedSubdirs(model: DirectoryModel): DirectoryModel[] {
  return model.subdirs.filter(s => s.dir.kustomize && s.dir.includeInParent && !isEmpty(s));
}

/** A directory's own patch files, in the order its kustomization.yaml lists them and kustomize applies them. */
function ownPatches(model: DirectoryModel): RenderedFile[] {
  return model.files.filter(f => f.file.role === FileRole.PATCH).sort((a, b) => compareKeys(a.file.fileName, b.file.fileName));
}

function kustomizationOf(model: DirectoryModel): Record<string, unknown> {
  const relative = (target: string) => path.posix.relative(model.repoPath, target);
  const resources = [
    ...model.dir.resources.map(r => relative(r.repoPath)),
    ...includedSubdirs(model).map(s => relative(s.repoPath)),
    ...model.files.filter(f => f.file.role === FileRole.RESOURCE).map(f => f.file.fileName),
    ...model.existing,
  ].sort(compareKeys);
  const patches: Record<string, unknown>[] = [
    ...ownPatches(model).map(f => ({ path: f.file.fileName, target: definedOnly({ ...f.file.patchTarget }) })),
    // inline, after the patch files, in the order they were added
    ...model.dir.patches.map(p => ({ patch: inlinePatchText(p.patch), target: definedOnly({ ...p.target }) })),
  ];

  const doc: Record<string, unknown> = model.dir.component
    ? { apiVersion: 'kustomize.config.k8s.io/v1alpha1', kind: 'Component' }
    : { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' };
  // an invalid namespace is reported by the directory; the model would only repeat it per object
  if (model.dir.kustomizationNamespace !== undefined && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(model.dir.kustomizationNamespace)) doc.namespace = model.dir.kustomizationNamespace;
  if (resources.length > 0) doc.resources = resources;
  // in the order they were added: kustomize applies each component's patches in turn
  if (model.dir.components.length > 0) doc.components = model.dir.components.map(c => relative(c.repoPath));
  if (model.dir.configMapGenerators.length > 0) doc.configMapGenerator = model.dir.configMapGenerators.map(g => generatorEntry(model, g));
  if (patches.length > 0) doc.patches = patches;
  return doc;
}

/** A `configMapGenerator` entry as written: files relative to the directory, literals sorted by key. */
function generatorEntry(model: DirectoryModel, g: ConfigMapGenerator): Record<string, unknown> {
  const files = (g.files ?? []).map(f => {
    const { key, file } = generatorFile(f);
    const where = path.posix.relative(model.repoPath, `${LayoutDirectory.enclosing(file)?.repoPath ?? ''}/${file.fileName}`);
    return key === file.fileName ? where : `${key}=${where}`;
  });
  const literals = Object.entries(g.literals ?? {}).sort(([a], [b]) => compareKeys(a, b)).map(([k, v]) => `${k}=${v}`);
  const options = definedOnly({
    disableNameSuffixHash: g.disableNameSuffixHash ? true : undefined,
    labels: g.labels && Object.keys(g.labels).length > 0 ? { ...g.labels } : undefined,
    annotations: g.annotations && Object.keys(g.annotations).length > 0 ? { ...g.annotations } : undefined,
  });
  return definedOnly({
    name: g.name,
    namespace: g.namespace,
    files: files.length > 0 ? files : undefined,
    literals: literals.length > 0 ? literals : undefined,
    options: Object.keys(options).length > 0 ? options : undefined,
  });
}

/** A generator's file and the key it is written under. */
function generatorFile(f: ILayoutFile | ConfigMapGeneratorFile): { key: string; file: ILayoutFile } {
  return isLayoutFile(f) ? { key: f.fileName, file: f } : { key: f.key, file: f.file };
}

/**
 * Reports what a directory's namespace, components and generators cannot do: a component that is
 * not one or belongs to another repository, a generator file that is not a data file under the
 * directory, invalid names and keys, and these features where the layout does not write a
 * kustomization as kustomize builds it (flattened and virtual directories, `kustomize: false`).
 */
function checkKustomizeFeatures(models: Map<LayoutDirectory, DirectoryModel>, problems: FleetProblem[]): void {
  const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
  for (const model of models.values()) {
    const dir = model.dir;
    const report = (message: string) => problems.push({ path: dir.node.path, message });
    const features = [
      dir.kustomizationNamespace !== undefined ? 'namespace' : undefined,
      dir.components.length > 0 ? 'addComponent()' : undefined,
      dir.configMapGenerators.length > 0 ? 'addConfigMapGenerator()' : undefined,
      dir.component ? 'component: true' : undefined,
    ].filter((f): f is string => f !== undefined);
    if (features.length > 0 && !dir.kustomize) report(`${features.join(', ')}: the directory has no kustomization.yaml (kustomize: false), so nothing would apply it; use a built directory`);
    else if (features.length > 0 && (dir.flatten || dir.isVirtual)) report(`${features.join(', ')}: a ${dir.flatten ? 'flattened' : 'virtual'} directory is rendered by the layout, which does not model these kustomize features there; use them in a directory that is not flattened (kustomize builds it)`);
    for (const c of dir.components) {
      if (!models.has(c)) report(`addComponent(${c.node.path}): the directory belongs to another GitOpsRepo; add components of this repository`);
      else if (!c.component) report(`addComponent("${c.repoPath}"): the directory is not a kustomize Component; create it with component: true, or include it with addResource()`);
      else if (c === dir) report(`addComponent(): a directory cannot be its own component`);
    }
    for (const r of dir.resources) {
      if (r.component) report(`addResource("${r.repoPath}"): the directory is a kustomize Component, which kustomize refuses as a resource; list it with addComponent()`);
    }
    const names = new Set<string>();
    dir.configMapGenerators.forEach((g, i) => {
      const where = `addConfigMapGenerator() #${i + 1} ("${g.name}")`;
      if (!NAME.test(g.name) || g.name.length > 253) report(`${where}: name "${g.name}" is not a valid object name: lowercase letters, digits, '-' and '.' (e.g. "podinfo-values")`);
      if (names.has(`${g.namespace ?? ''}/${g.name}`)) report(`${where}: a ConfigMap "${g.name}" is already generated in this directory; kustomize refuses the duplicate: give it another name`);
      names.add(`${g.namespace ?? ''}/${g.name}`);
      if (g.namespace !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(g.namespace)) report(`${where}: namespace "${g.namespace}" is not a valid namespace (e.g. "team-a")`);
      if ((g.files ?? []).length === 0 && Object.keys(g.literals ?? {}).length === 0) report(`${where}: it has neither files nor literals, so the ConfigMap would be empty; give it a ValuesFile or literals`);
      const keys = new Set<string>();
      for (const f of [...(g.files ?? []).map(x => generatorFile(x).key), ...Object.keys(g.literals ?? {})]) {
        if (!/^[-._a-zA-Z0-9]+$/.test(f)) report(`${where}: key "${f}" is not a valid ConfigMap key (letters, digits, '-', '_' or '.')`);
        if (keys.has(f)) report(`${where}: key "${f}" is given twice; kustomize refuses that: give one of them another key ({ key, file })`);
        keys.add(f);
      }
      for (const f of g.files ?? []) {
        const { file } = generatorFile(f);
        const home = LayoutDirectory.enclosing(file);
        const inside = home !== undefined && (home === dir || home.repoPath.startsWith(`${dir.repoPath}/`)) && models.has(home);
        if (file.role !== FileRole.DATA) report(`${where}: file ${file.node.path} holds Kubernetes objects or a patch; a generator reads data files: use a ValuesFile`);
        else if (!inside) report(`${where}: file ${file.node.path} is not in "${dir.repoPath}" or below, and kustomize reads generator files only under the kustomization's directory: create the ValuesFile in this directory`);
      }
    });
  }
}

function checkPathCollisions(directories: LayoutDirectory[], rendered: RenderedFile[], problems: FleetProblem[], existing: readonly { file: ExistingFile; repoPath: string }[]): void {
  const dirOwners = new Map<string, LayoutDirectory>();
  for (const dir of directories) {
    const other = dirOwners.get(dir.repoPath);
    if (other) {
      problems.push({
        path: dir.node.path,
        message: `directory "${dir.repoPath}" is already declared by ${other.node.path}: two constructs cannot share one directory; give one of them another dirName`,
      });
    } else {
      dirOwners.set(dir.repoPath, dir);
    }
  }
  const fileOwners = new Map<string, ILayoutFile>();
  for (const f of [...rendered, ...existing]) {
    const other = fileOwners.get(f.repoPath);
    if (other) {
      problems.push({
        path: f.file.node.path,
        message: `file "${f.repoPath}" is already written by ${other.node.path}: give one of them another fileName`,
      });
    } else {
      fileOwners.set(f.repoPath, f.file);
    }
  }
}

/**
 * Reports directory wiring kustomize cannot build or would ignore: a resource directory from
 * another repository or one without a kustomization, and patches in a directory that is not built.
 */
function checkDirectoryUse(models: Map<LayoutDirectory, DirectoryModel>, problems: FleetProblem[]): void {
  for (const model of models.values()) {
    for (const r of model.dir.resources) {
      if (!models.has(r)) {
        problems.push({ path: model.dir.node.path, message: `includes directory ${r.node.path}, which belongs to another GitOpsRepo; include only directories of this repository` });
      } else if (r.isVirtual && !model.dir.flatten && !model.dir.isVirtual) {
        problems.push({ path: model.dir.node.path, message: `includes directory "${r.repoPath}", which is virtual (never written), so kustomize could not find it: set flatten: true on this directory, or include a directory that is written` });
      } else if (!r.kustomize) {
        problems.push({ path: model.dir.node.path, message: `includes directory "${r.repoPath}", which has no kustomization.yaml (kustomize: false), so kustomize cannot build it: include a directory built by kustomize` });
      }
    }
    if (!model.dir.kustomize) {
      if (model.dir.resources.length > 0) {
        problems.push({ path: model.dir.node.path, message: `has resources added with addResource(), but kustomize: false means no kustomization.yaml lists them; set kustomize: true or remove the addResource()` });
      }
      for (const f of model.files.filter(x => x.file.role === FileRole.PATCH)) {
        problems.push({ path: f.file.node.path, message: `patch "${f.repoPath}" is in a directory that kustomize does not build (kustomize: false), so nothing would apply it: put it in a built directory such as an overlay` });
      }
    }
    model.dir.patches.forEach((p, i) => {
      const where = `addPatch() #${i + 1} of directory "${model.repoPath}"`;
      if (!model.dir.kustomize) problems.push({ path: model.dir.node.path, message: `${where}: the directory has no kustomization.yaml (kustomize: false), so nothing would apply it; add it to a built directory` });
      else if (model.dir.flatten) problems.push({ path: model.dir.node.path, message: `${where}: a flattened directory writes its objects with patches applied and lists no patch; patch with ObjectPatch there, or add it to a directory that is not flattened` });
      const t = p.target as Record<string, unknown>;
      if (!['kind', 'name', 'labelSelector', 'annotationSelector'].some(k => typeof t[k] === 'string' && t[k] !== '')) {
        problems.push({ path: model.dir.node.path, message: `${where}: its target selects every object of the build; give at least a kind, a name or a label selector (e.g. { kind: 'Deployment', name: 'kustomize-controller' })` });
      }
      if (!Array.isArray(p.patch) && (typeof (p.patch as Record<string, unknown>).kind !== 'string' || typeof ((p.patch as Record<string, unknown>).metadata as Record<string, unknown> | undefined)?.name !== 'string')) {
        problems.push({ path: model.dir.node.path, message: `${where}: a strategic-merge patch needs kind and metadata.name, which kustomize requires although the target selects the objects (any name will do, e.g. { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'not-used' }, spec: { … } }); or give JSON 6902 operations` });
      }
      if (Array.isArray(p.patch) && hasNonPointerPath(p.patch)) {
        problems.push({ path: model.dir.node.path, message: `${where}: a JSON 6902 operation's path is not a JSON pointer: start it with "/" (e.g. "/spec/template/spec/containers/0/args/-")` });
      }
    });
  }
}

export { objectId } from './model/identity';
import { objectId, patchTargetId } from './model/identity';
import { hasNonPointerPath } from './kustomize/json-patch';

/**
 * Computes, for every kustomize-built directory, the objects its build yields (before patches),
 * and reports: objects defined twice in one build, resource cycles, and patches whose target is
 * not part of the build (kustomize would drop such a targeted patch without a word).
 */
function checkBuilds(models: Map<LayoutDirectory, DirectoryModel>, problems: FleetProblem[], rendered: RenderedFile[], reported: ReadonlySet<string>, committed?: CommittedMarkedValues): Omit<LayoutAnalysis, 'constructs'> {
  const memo = new Map<LayoutDirectory, BuildSet>();
  const inProgress: LayoutDirectory[] = [];
  const children = (model: DirectoryModel) => [
    ...model.dir.resources.map(r => models.get(r)).filter((m): m is DirectoryModel => m !== undefined && m.dir.kustomize),
    ...includedSubdirs(model),
  ];

  const build = (model: DirectoryModel): BuildSet => {
    const cached = memo.get(model.dir);
    if (cached) return cached;
    if (inProgress.includes(model.dir)) {
      const cycle = [...inProgress.slice(inProgress.indexOf(model.dir)), model.dir].map(d => d.repoPath).join(' -> ');
      problems.push({ path: model.dir.node.path, message: `directories include each other in a cycle (${cycle}); kustomize cannot build that: remove one addResource()` });
      return new Map();
    }
    inProgress.push(model.dir);
    const set: BuildSet = new Map();
    const add = (id: string, entry: BuildEntry) => {
      const existing = set.get(id);
      if (existing !== undefined && existing.file !== entry.file) {
        problems.push({
          path: model.dir.node.path,
          message: `object ${id} is defined twice in the build of "${model.repoPath}" (in ${existing.file} and in ${entry.file}); kustomize refuses duplicate objects: keep one`,
        });
      } else if (existing !== undefined) {
        problems.push({ path: model.dir.node.path, message: `object ${id} is defined twice in ${entry.file}; keep one` });
      } else {
        set.set(id, entry);
      }
    };
    for (const f of model.files.filter(x => x.file.role === FileRole.RESOURCE)) {
      f.docs.forEach((doc, i) => add(objectId(doc), { doc, object: f.objects?.[i], file: f.repoPath }));
    }
    for (const child of children(model)) {
      for (const [id, entry] of build(child)) {
        if (set.get(id)?.file !== entry.file) add(id, entry);
      }
    }
    inProgress.pop();
    memo.set(model.dir, set);
    return set;
  };

  const patchFiles = (model: DirectoryModel, seen = new Set<LayoutDirectory>()): RenderedFile[] => {
    if (seen.has(model.dir)) return [];
    seen.add(model.dir);
    return [
      ...children(model).flatMap(c => patchFiles(c, seen)),
      ...ownPatches(model),
    ];
  };

  const renderedOnly = new Set<LayoutDirectory>();
  for (const model of models.values()) {
    if (model.dir.isVirtual) renderedOnly.add(model.dir);
    if (model.dir.flatten) builtSubtree(model).forEach(m => renderedOnly.add(m.dir));
  }
  for (const model of models.values()) {
    if (!model.dir.kustomize) continue;
    const subdirs = includedSubdirs(model).map(s => s.dir);
    for (const r of model.dir.resources) {
      if (subdirs.includes(r)) {
        problems.push({ path: model.dir.node.path, message: `lists directory "${r.repoPath}" twice: it is a sub-directory (included automatically) and was also added with addResource(); remove the addResource()` });
      }
      const target = models.get(r);
      if (target && isEmpty(target)) {
        problems.push({ path: model.dir.node.path, message: `includes directory "${r.repoPath}", which has nothing to write; add objects to it or remove the addResource()` });
      }
    }
    // written directories are built by the model, which reports their patches and duplicates; templates
    // and flattened directories are not written as they are built, so they are checked here
    if (!renderedOnly.has(model.dir)) continue;
    const set = build(model);
    for (const f of model.files.filter(x => x.file.role === FileRole.PATCH)) {
      const id = patchTargetId(f.file.patchTarget!);
      if (!set.has(id)) {
        problems.push({
          path: f.file.node.path,
          message: `patch "${f.repoPath}" targets ${id}, which is not part of the build of "${model.repoPath}"; kustomize would apply it to nothing without a word. Build the directory that holds the object into "${model.repoPath}" (addResource), or patch an object that is there`,
        });
      }
    }
  }

  const effectiveMemo = new Map<LayoutDirectory, Map<string, EffectiveEntry>>();
  const effective = (model: DirectoryModel): Map<string, EffectiveEntry> => {
    const cached = effectiveMemo.get(model.dir);
    if (cached) return cached;
    const out = new Map<string, EffectiveEntry>([...build(model)].map(([id, e]) => [id, { ...e, patchedBy: [] }]));
    for (const p of patchFiles(model)) {
      const id = patchTargetId(p.file.patchTarget!);
      const entry = out.get(id);
      if (!entry || p.docs.length === 0) continue; // a patch of nothing is reported above
      try {
        out.set(id, { ...entry, doc: strategicMerge(entry.doc, p.docs[0]), patchedBy: [...entry.patchedBy, toRendered(p)] });
      } catch (e) {
        if (!(e instanceof StrategicMergeError)) throw e;
        if (model.dir.isVirtual) problems.push({ path: p.file.node.path, message: `patch "${p.repoPath}" cannot be merged into ${id}: ${e.message}` });
      }
    }
    if (committed && model.dir.flatten && !model.dir.isVirtual) {
      // a flattened directory writes these objects itself: what image automation committed there counts
      const placeOf = flattenedPlacement(model);
      for (const [id, entry] of out) {
        const target = placeOf(entry.file);
        const comments = target ? flattenedComments(build(model).get(id)?.doc, entry) : [];
        if (comments.length === 0) continue;
        const doc = structuredClone(entry.doc);
        committed.apply(target!, doc, comments);
        out.set(id, { ...entry, doc });
      }
    }
    effectiveMemo.set(model.dir, out);
    return out;
  };

  // a patch kustomize cannot merge is reported by the model's build of every generated directory;
  // the builds here serve rendering only (flattened directories), so they merge lazily

  const modelOf = (dir: LayoutDirectory) => {
    const model = models.get(dir);
    if (!model) throw new Error(`directory ${dir.node.path} is not part of this layout`);
    return model;
  };
  return {
    directories: [...models.keys()],
    files: rendered.map(toRendered),
    reported,
    build: dir => build(modelOf(dir)),
    effectiveBuild: dir => effective(modelOf(dir)),
    patchFiles: dir => patchFiles(modelOf(dir)).map(toRendered),
  };
}

function toRendered(f: RenderedFile): RenderedLayoutFile {
  return { path: f.repoPath, file: f.file, docs: f.docs, objects: f.objects };
}

function definedOnly(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}
