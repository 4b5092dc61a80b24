import { isMap } from '../json-values';
import { strategicMerge, StrategicMergeError } from '../strategic-merge';
import { applyJson6902, isJson6902, JsonPatchOperation, KustomizePatchError, parsePatchContent } from '../kustomize/json-patch';
import { expandLists } from '../kustomize/lists';
import { configMapHash, followRenamedConfigMaps, generateConfigMap, GeneratorError } from '../kustomize/config-map-generator';
import { setNamespace } from '../kustomize/namespace';
import { compileSelector, OriginalId, SelectorError, TargetSelector } from '../kustomize/selector';
import { Doc, joinRepoPath, parseValues, RepoTree, TreeDocument, TreeFileError } from './repo-tree';
import { objectId, patchTargetId } from './identity';

/** The file names kustomize recognises as a directory's kustomization, in its order of preference. */
export const KUSTOMIZATION_FILE_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** A patch applied to an object of a build, for provenance. */
export interface AppliedPatch {
  /** Repository path of the patch file, or of the kustomization (or Flux object) that holds it inline. */
  readonly file: string;
  /** Where the patch is declared, e.g. `patches[2]` or `spec.patches[0]`. */
  readonly field: string;
  /** Construct path of what made the patch (an `ObjectPatch`, the directory, a Flux Kustomization…), if any. */
  readonly constructPath?: string;
  /** A strategic-merge patch document, or JSON 6902 operations. */
  readonly content: Doc | readonly JsonPatchOperation[];
}

/** One object of a build: what kustomize outputs, and where it came from. */
export interface BuiltObject {
  /** The object as the build outputs it: patches applied, namespace set. */
  readonly doc: Doc;
  /**
   * The document that defines it, in its file; for an object a generator made
   * (`configMapGenerator`), the generated object as the kustomization declares it.
   */
  readonly source: TreeDocument;
  /** The patches that changed it, in the order they were applied. */
  readonly patches: readonly AppliedPatch[];
  /**
   * Whether a generator made it and kustomize appends its content hash to its name once the whole
   * build is done (`configMapGenerator` without `disableNameSuffixHash`). @default false
   */
  readonly nameHash?: boolean;
}

/** Something the build cannot do, or that kustomize would do without a word. */
export interface BuildProblem {
  /** Repository path of the file at fault. */
  readonly file: string;
  /** Construct path behind it, if any. */
  readonly constructPath?: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

/** The result of building a directory. */
export interface DirectoryBuild {
  /** Repository path of the directory. */
  readonly directory: string;
  /** The objects, in kustomize's accumulation order. */
  readonly objects: readonly BuiltObject[];
  /** What went wrong (an empty list: kustomize would build exactly `objects`). */
  readonly problems: readonly BuildProblem[];
}

/** One patch added on top of a directory's own kustomization (Flux's `spec.patches`). */
export interface OverlayPatch {
  /** The patch: YAML or JSON text, a strategic-merge document, or JSON 6902 operations. */
  readonly patch: string | Doc | readonly JsonPatchOperation[];
  /** Which objects it applies to. @default the patch's own kind, name and namespace */
  readonly target?: TargetSelector;
  /** The field that declares it, e.g. `spec.patches[0]`. */
  readonly field: string;
}

/**
 * What a controller adds to a directory's kustomization when it builds it, as kustomize-controller
 * does for a Flux Kustomization: the namespace (replacing the directory's own) and patches
 * appended after the directory's own.
 */
export interface BuildOverlay {
  /** Who adds it, for messages (e.g. `Kustomization flux-system/apps`). */
  readonly by: string;
  /** Repository path of the file that declares it. */
  readonly file: string;
  /** Construct path of what declares it, if any. */
  readonly constructPath?: string;
  /** The namespace every namespaced object is moved into. @default the directory's own */
  readonly namespace?: string;
  /** Patches applied after the directory's own. @default none */
  readonly patches?: readonly OverlayPatch[];
  /**
   * Build a directory that has no kustomization file the way kustomize-controller does: as if one
   * listed every YAML file under it (and every sub-directory that has a kustomization).
   * @default false: kustomize refuses such a directory
   */
  readonly generateKustomization?: boolean;
  /** kustomize Components added after the directory's own (paths relative to it), as Flux's `spec.components`. @default none */
  readonly components?: readonly string[];
  /** Leave out an added component that does not exist, instead of failing. @default false */
  readonly ignoreMissingComponents?: boolean;
}

/** The kustomization fields the model builds; any other field is reported as not modelled. */
const MODELLED_FIELDS = new Set([
  'apiVersion', 'kind', 'metadata', 'resources', 'patches', 'patchesStrategicMerge', 'patchesJson6902', 'namespace', 'sortOptions',
  'configMapGenerator', 'generatorOptions', 'components',
]);

/** The `kind` of a kustomize Component's kustomization (`kustomize.config.k8s.io/v1alpha1`). */
export const COMPONENT_KIND = 'Component';

/** A directory's kustomization: its file and document. */
export interface Kustomization {
  /** Repository path of the file (of the one kustomize-controller would generate, for a directory without one). */
  readonly file: string;
  /** Construct path of what writes it, if synth does. */
  readonly constructPath?: string;
  /** The kustomization document. */
  readonly doc: Doc;
}

/**
 * Builds directories of a `RepoTree` as kustomize (and Flux's kustomize-controller) builds them:
 * `resources` (files, with `List`s expanded, and directories, built recursively), strategic-merge
 * and JSON 6902 patches with their targets in kustomize's order, and `namespace`. Everything the
 * model does not build (remote bases, generators, other transformers) is reported, so that no
 * check is blind to what the cluster would get.
 */
export class KustomizeBuilder {
  private readonly memo = new Map<string, DirectoryBuild>();
  private readonly accumulatedMemo = new Map<string, DirectoryBuild>();
  private readonly inProgress: string[] = [];
  private readonly kustomizations = new Map<string, Kustomization | undefined>();

  constructor(private readonly tree: RepoTree) {}

  /** The kustomization file of a directory, if it has one. */
  public kustomizationOf(dir: string): Kustomization | undefined {
    if (this.kustomizations.has(dir)) return this.kustomizations.get(dir);
    const found = this.findKustomization(dir);
    this.kustomizations.set(dir, found);
    return found;
  }

  private findKustomization(dir: string): Kustomization | undefined {
    for (const name of KUSTOMIZATION_FILE_NAMES) {
      const file = this.tree.file(dir ? `${dir}/${name}` : name);
      if (!file) continue;
      const [doc] = file.documents();
      return { file: file.path, constructPath: file.constructPath, doc: doc?.doc ?? {} };
    }
    return undefined;
  }

  /** Builds a directory, with what a controller adds on top when given (see `BuildOverlay`). */
  public build(dir: string, given?: BuildOverlay): DirectoryBuild {
    // an applier that adds nothing builds what kustomize builds: share that build
    const overlay = given && !given.namespace && (given.patches ?? []).length === 0 && (given.components ?? []).length === 0 && this.kustomizationOf(dir) ? undefined : given;
    // the same directory with the same additions builds the same objects (a second walk of a cluster, two clusters)
    const key = overlay ? `${dir}\0${overlay.namespace ?? ''}\0${overlay.generateKustomization ? 1 : 0}\0${JSON.stringify(overlay.patches ?? [])}\0${JSON.stringify(overlay.components ?? [])}\0${overlay.ignoreMissingComponents ? 1 : 0}\0${overlay.by}\0${overlay.file}` : dir;
    const cached = this.memo.get(key);
    if (cached) return cached;
    // without additions, the build is the directory's accumulation (shared with the builds that include it)
    const accumulated = overlay ? undefined : this.accumulated(dir);
    const problems: BuildProblem[] = accumulated ? [...accumulated.problems] : [];
    // generated names get their hash once the whole build is done, and references follow them
    const objects = withNameHashes(accumulated ? [...accumulated.objects] : this.buildInto(dir, overlay, problems));
    const result: DirectoryBuild = { directory: dir, objects, problems };
    this.memo.set(key, result);
    return result;
  }

  /** A directory's objects as another kustomization includes them: generated names not hashed yet. */
  private accumulated(dir: string): DirectoryBuild {
    const cached = this.accumulatedMemo.get(dir);
    if (cached) return cached;
    const problems: BuildProblem[] = [];
    const result: DirectoryBuild = { directory: dir, objects: this.buildInto(dir, undefined, problems), problems };
    this.accumulatedMemo.set(dir, result);
    return result;
  }

  private buildInto(dir: string, overlay: BuildOverlay | undefined, problems: BuildProblem[]): BuiltObject[] {
    if (this.inProgress.includes(dir)) {
      const k = this.kustomizationOf(dir);
      const cycle = [...this.inProgress.slice(this.inProgress.indexOf(dir)), dir].join(' -> ');
      const generated = k !== undefined && this.tree.file(k.file)?.generated === true;
      problems.push({ file: dir, constructPath: k?.constructPath, message: `directories include each other in a cycle (${cycle}); kustomize cannot build that: remove one ${generated ? 'addResource()' : 'of the resources'}` });
      return [];
    }
    const kustomization = overlay?.generateKustomization ? this.kustomizationOrGenerated(dir) : this.kustomizationOf(dir);
    if (!kustomization) {
      problems.push({ file: dir, message: this.tree.isDirectory(dir) ? `directory "${dir}" has no kustomization.yaml, so kustomize cannot build it` : `directory "${dir}" does not exist in the repository` });
      return [];
    }
    // a Component is built only as part of the kustomizations that list it (see accumulate)
    if (kustomization.doc.kind === COMPONENT_KIND) return [];
    this.inProgress.push(dir);
    try {
      return this.buildKustomization(dir, kustomization, overlay, problems);
    } finally {
      this.inProgress.pop();
    }
  }

  /**
   * A directory's kustomization, or the one kustomize-controller generates when it has none (every
   * YAML file under it, and each sub-directory that has a kustomization); undefined for a directory
   * the tree does not have.
   */
  public kustomizationOrGenerated(dir: string): Kustomization | undefined {
    const own = this.kustomizationOf(dir);
    if (own || !this.tree.isDirectory(dir)) return own;
    return { file: `${dir}/kustomization.yaml`, doc: { resources: this.generatedResources(dir) } };
  }

  /** What kustomize-controller lists when a directory has no kustomization: its YAML files, and sub-directories with one. */
  private generatedResources(dir: string): string[] {
    const out: string[] = [];
    const walk = (d: string) => {
      for (const f of this.tree.filesIn(d)) if (/\.ya?ml$/.test(f)) out.push(relativeTo(dir, f));
      for (const sub of this.tree.directoriesIn(d)) {
        if (this.kustomizationOf(sub)) out.push(relativeTo(dir, sub));
        else walk(sub);
      }
    };
    walk(dir);
    return out;
  }

  private buildKustomization(dir: string, k: Kustomization, overlay: BuildOverlay | undefined, problems: BuildProblem[]): BuiltObject[] {
    if ((overlay?.components?.length ?? 0) > 0) {
      // the applier's components come after the directory's own, as kustomize-controller appends them
      const added = overlay!.components!.filter(c => !overlay!.ignoreMissingComponents || this.kustomizationOf(joinRepoPath(dir, c) ?? '') !== undefined);
      k = { ...k, doc: { ...k.doc, components: [...asList(k.doc.components), ...added] } };
    }
    return this.accumulate(dir, k, [], overlay, problems);
  }

  /**
   * kustomize's accumulation of one kustomization into the objects so far (a Component works on
   * those of the kustomization that lists it): its resources, its components in order, its
   * generators, then its transformers (patches, the namespace, JSON 6902 patches) over them all.
   */
  private accumulate(dir: string, k: Kustomization, into: readonly BuiltObject[], overlay: BuildOverlay | undefined, problems: BuildProblem[], buildOf = dir): BuiltObject[] {
    // a component's patches work on the build of the directory that lists it: messages name that build
    const build = buildOf === dir ? `"${dir}"` : `"${buildOf}" (through the component "${dir}")`;
    const report = (message: string) => problems.push({ file: k.file, constructPath: k.constructPath, message });
    for (const field of Object.keys(k.doc)) {
      if (!MODELLED_FIELDS.has(field)) report(`${k.file}: "${field}" is a kustomize feature cdk8s-flux does not model, so its checks would not see what the cluster gets: express it in the fleet code (an ObjectPatch, a Kustomization's targetNamespace…) instead`);
    }
    let objects: BuiltObject[] = [...into];
    const ids = new Map<string, BuiltObject>(objects.map(o => [objectId(o.doc), o]));
    const add = (o: BuiltObject) => {
      const id = objectId(o.doc);
      const other = ids.get(id);
      if (other) {
        if (other.source.file === o.source.file) report(`object ${id} is defined twice in ${o.source.file}; keep one`);
        else report(`object ${id} is defined twice in the build of "${dir}" (in ${describeSource(other.source)} and in ${describeSource(o.source)}); kustomize refuses duplicate objects: keep one`);
        return;
      }
      ids.set(id, o);
      objects.push(o);
    };
    for (const [i, entry] of asList(k.doc.resources).entries()) {
      if (typeof entry !== 'string') {
        report(`resources[${i}] is ${JSON.stringify(entry)}, not a path: list files or directories of this repository`);
        continue;
      }
      if (/^[a-z][a-z0-9+.-]*:\/\/|^git@|^github\.com\//i.test(entry)) {
        report(`resources[${i}] "${entry}" is a remote base, which cdk8s-flux does not fetch (and Flux's lockdown refuses with --no-remote-bases): vendor it into the repository`);
        continue;
      }
      const target = joinRepoPath(dir, entry);
      if (target === undefined) {
        report(`resources[${i}] "${entry}" points outside the repository; kustomize-controller refuses paths that leave its source`);
      } else if (this.tree.file(target)) {
        for (const source of this.documentsOf(target, report)) add({ doc: source.doc, source, patches: [] });
      } else if (this.kustomizationOf(target)?.doc.kind === COMPONENT_KIND) {
        report(`resources[${i}] "${entry}" is a kustomize Component (kind: Component), which kustomize refuses as a resource: list it under components:`);
      } else if (this.tree.isDirectory(target)) {
        const sub = this.accumulated(target);
        problems.push(...sub.problems);
        sub.objects.forEach(add);
      } else {
        report(`resources[${i}] "${entry}" does not exist: there is no file or directory "${target}" in the repository`);
      }
    }

    for (const [i, entry] of asList(k.doc.components).entries()) {
      const target = typeof entry === 'string' ? joinRepoPath(dir, entry) : undefined;
      const component = target === undefined ? undefined : this.kustomizationOf(target);
      if (typeof entry !== 'string' || target === undefined || !component) {
        report(`components[${i}] ${JSON.stringify(entry)} is not a directory of this repository with a kustomization.yaml: list the directory of a kustomize Component`);
        continue;
      }
      if (component.doc.kind !== COMPONENT_KIND) {
        report(`components[${i}] "${entry}" is a ${String(component.doc.kind ?? 'Kustomization')}, not a Component (apiVersion kustomize.config.k8s.io/v1alpha1, kind: Component): list it under resources: instead`);
        continue;
      }
      if (this.inProgress.includes(target)) {
        report(`components[${i}] "${entry}" includes a directory that is being built (${[...this.inProgress.slice(this.inProgress.indexOf(target)), target].join(' -> ')}); kustomize cannot build that cycle`);
        continue;
      }
      this.inProgress.push(target);
      try {
        objects = this.accumulate(target, component, objects, undefined, problems, buildOf);
      } finally {
        this.inProgress.pop();
      }
      ids.clear();
      for (const o of objects) ids.set(objectId(o.doc), o);
    }

    asList(k.doc.configMapGenerator).forEach((entry, i) => {
      try {
        const generated = generateConfigMap(entry, k.doc.generatorOptions, p => {
          const file = joinRepoPath(dir, p);
          return file === undefined ? undefined : this.tree.file(file)?.text;
        });
        const source: TreeDocument = { doc: generated.doc, file: k.file, index: 0, origin: { constructPath: k.constructPath } };
        add({ doc: generated.doc, source, patches: [], ...generated.hashed ? { nameHash: true } : {} });
      } catch (e) {
        if (!(e instanceof GeneratorError)) throw e;
        report(`configMapGenerator[${i}]${isMap(entry) && typeof entry.name === 'string' ? ` "${entry.name}"` : ''} ${e.message}`);
      }
    });

    const patches = [
      ...asList(k.doc.patchesStrategicMerge).map((p, i) => this.loadPatch(dir, k, typeof p === 'string' && !p.includes('\n') && !p.trim().startsWith('{') ? { path: p } : { patch: p }, `patchesStrategicMerge[${i}]`, report)),
      ...asList(k.doc.patches).map((p, i) => this.loadPatch(dir, k, p, `patches[${i}]`, report)),
      ...(overlay?.patches ?? []).map(p => this.overlayPatch(overlay!, p, report)),
    ];
    const byName = new NameIndex(objects);
    for (const patch of patches) if (patch) this.applyPatch(objects, patch, build, report, byName, problems);

    const namespace = overlay?.namespace ?? (typeof k.doc.namespace === 'string' && k.doc.namespace !== '' ? k.doc.namespace : undefined);
    let out: BuiltObject[] = namespace === undefined ? objects : followMovedAccounts(objects, objects.map(o => ({ ...o, doc: setNamespace(o.doc, namespace) })));

    const json6902 = asList(k.doc.patchesJson6902).map((p, i) => this.loadPatch(dir, k, p, `patchesJson6902[${i}]`, report));
    if (json6902.length > 0) {
      out = [...out];
      const outByName = new NameIndex(out);
      for (const patch of json6902) if (patch) this.applyPatch(out, patch, build, report, outByName, problems);
    }
    return out;
  }

  /** A file's documents with `List`s expanded into their items. */
  private documentsOf(file: string, report: (m: string) => void): TreeDocument[] {
    let docs: readonly TreeDocument[];
    try {
      docs = this.tree.file(file)!.documents();
    } catch (e) {
      if (e instanceof TreeFileError) {
        report(e.message);
        return [];
      }
      throw e;
    }
    const out: TreeDocument[] = [];
    for (const d of docs) {
      const expanded = String(d.doc.kind).endsWith('List') ? expandLists([d.doc]) : [{ doc: d.doc, index: d.index, item: undefined }];
      if (expanded.length === 1 && expanded[0].item === undefined) {
        out.push(d);
      } else {
        for (const e of expanded) out.push({ ...d, doc: e.doc as Doc, item: e.item });
      }
    }
    for (const d of out) {
      if (typeof d.doc.kind !== 'string' || typeof d.doc.apiVersion !== 'string' || typeof d.doc.metadata?.name !== 'string') {
        report(`${describeSource(d)} is not a Kubernetes object (it needs apiVersion, kind and metadata.name), so kustomize refuses the file`);
      }
    }
    return out.filter(d => typeof d.doc.kind === 'string' && typeof d.doc.metadata?.name === 'string');
  }

  private loadPatch(dir: string, k: Kustomization, entry: unknown, field: string, report: (m: string) => void): LoadedPatch | undefined {
    if (!isMap(entry)) {
      report(`${field} is ${JSON.stringify(entry)}: give a patch as { path } or { patch }, with an optional target`);
      return undefined;
    }
    const target = isMap(entry.target) ? entry.target as TargetSelector : undefined;
    if (typeof entry.path === 'string') {
      const file = joinRepoPath(dir, entry.path);
      const tf = file === undefined ? undefined : this.tree.file(file);
      if (!tf) {
        report(`${field}.path "${entry.path}" does not exist in the repository`);
        return undefined;
      }
      let values: readonly unknown[];
      try {
        values = tf.values();
        // JSON 6902 operations are read by other rules (sigs.k8s.io/yaml: YAML 1.1 scalars)
        if (tf.text !== undefined && values.length === 1 && Array.isArray(values[0])) values = [parsePatchText(tf.text)];
      } catch (e) {
        if (!(e instanceof TreeFileError) && !(e instanceof KustomizePatchError)) throw e;
        report(`${field}.path "${entry.path}": ${e.message}`);
        return undefined;
      }
      return {
        field, target, file: tf.path, constructPath: tf.constructPath, generated: tf.generated,
        contents: values.filter(v => v !== null && v !== undefined) as (Doc | JsonPatchOperation[])[],
      };
    }
    if (entry.patch !== undefined) {
      const contents = parsePatchValue(entry.patch, field, report);
      return contents ? { field, target, file: k.file, constructPath: k.constructPath, contents } : undefined;
    }
    report(`${field} has neither path nor patch`);
    return undefined;
  }

  private overlayPatch(overlay: BuildOverlay, p: OverlayPatch, report: (m: string) => void): LoadedPatch | undefined {
    const contents = parsePatchValue(p.patch, p.field, m => report(`${overlay.by} ${m}`));
    return contents ? { field: p.field, target: p.target, file: overlay.file, constructPath: overlay.constructPath, contents, by: overlay.by } : undefined;
  }

  private applyPatch(objects: BuiltObject[], patch: LoadedPatch, build: string, report: (m: string) => void, byName: NameIndex, problems: BuildProblem[]): void {
    const where = `${patch.by ? `${patch.by} ` : ''}${patch.field}${patch.file.endsWith('kustomization.yaml') || patch.by ? '' : ` (${patch.file})`}`;
    let select: ((doc: Record<string, unknown>, original?: OriginalId) => boolean) | undefined;
    if (patch.target) {
      try {
        select = compileSelector(patch.target);
      } catch (e) {
        if (!(e instanceof SelectorError)) throw e;
        report(`${where} has a target kustomize cannot read: ${e.message}`);
        return;
      }
    }
    for (const content of patch.contents) {
      const ops = isJson6902(content) ? content : undefined;
      if (!ops && !isMap(content)) {
        report(`${where} is neither a strategic-merge patch (a mapping) nor JSON 6902 operations (a list of { op, path })`);
        continue;
      }
      if (!ops && patch.target && (typeof (content as Doc).kind !== 'string' || typeof (content as Doc).metadata?.name !== 'string')) {
        // kustomize parses a strategic-merge patch as an object before the target picks what it patches
        report(`${where} is a strategic-merge patch without kind and metadata.name, which kustomize refuses ("unable to parse SM or JSON patch") although a target selects the objects: add them (any name will do)`);
        continue;
      }
      const directive = ops ? undefined : findDirective(content as Doc);
      if (directive && patch.generated) continue; // ObjectPatch refuses directives itself
      if (directive) {
        report(`${where} uses the strategic-merge directive "${directive}", which cdk8s-flux does not model (its checks would not see the result): express the change as plain fields, or as JSON 6902 operations`);
        continue;
      }
      let matched: number[];
      if (patch.target) {
        // kustomize matches the current and the original name; a plain name looks up its candidates
        matched = byName.candidates(patch.target.name).filter(i => select!(objects[i].doc, { name: objects[i].source.doc.metadata?.name, namespace: objects[i].source.doc.metadata?.namespace }));
      } else if (ops) {
        report(`${where} is a JSON 6902 patch without a target; kustomize refuses it: add target (kind, name, namespace)`);
        continue;
      } else {
        const self = content as Doc;
        const group = groupOf(String(self.apiVersion ?? ''));
        matched = objects.flatMap((o, i) => (String(o.doc.kind) === String(self.kind) && groupOf(String(o.doc.apiVersion ?? '')) === group
          // kustomize matches the object's current id or its original one (before a base's namespace: moved it)
          && o.doc.metadata?.name === self.metadata?.name
          && (sameNamespace(o.doc.metadata?.namespace, self.metadata?.namespace) || sameNamespace(o.source.doc.metadata?.namespace, self.metadata?.namespace)) ? [i] : []));
      }
      if (matched.length === 0) {
        if (patch.generated && patch.target) {
          const id = patchTargetId(patch.target);
          problems.push({ file: patch.file, constructPath: patch.constructPath, message: `patch "${patch.file}" targets ${id}, which is not part of the build of ${build}; kustomize would apply it to nothing without a word. Build the directory that holds the object into ${build} (addResource), or patch an object that is there` });
          continue;
        }
        report(`${where} ${patch.target ? `targets ${describeSelector(patch.target)}` : `patches ${objectId(content as Doc)}`}, which matches no object of the build of ${build}: kustomize would apply it to nothing without a word. Target an object the build has, or remove the patch`);
        continue;
      }
      const applied: AppliedPatch = { file: patch.file, field: patch.field, constructPath: patch.constructPath, content: ops ?? content as Doc };
      for (const i of matched) {
        const o = objects[i];
        try {
          const doc = ops ? applyJson6902(o.doc, ops) as Doc : strategicMerge(o.doc, withoutIdentity(content as Doc));
          objects[i] = { ...o, doc, patches: [...o.patches, applied] };
          if (ops?.some(op => op.path.startsWith('/metadata/name') || op.path === '/metadata' || op.path === '')) byName.invalidate();
        } catch (e) {
          if (!(e instanceof StrategicMergeError) && !(e instanceof KustomizePatchError)) throw e;
          if (patch.generated) problems.push({ file: patch.file, constructPath: patch.constructPath, message: `patch "${patch.file}" cannot be merged into ${objectId(o.doc)}: ${e.message}` });
          else report(`${where} cannot be applied to ${objectId(o.doc)}: ${e.message}`);
        }
      }
    }
  }
}

interface LoadedPatch {
  readonly field: string;
  readonly target?: TargetSelector;
  readonly file: string;
  readonly constructPath?: string;
  readonly contents: readonly (Doc | readonly JsonPatchOperation[])[];
  readonly by?: string;
  /**
   * Whether synth wrote the patch (an `ObjectPatch`): the layout reports its problems with the
   * construct's own words, so the build does not repeat them.
   */
  readonly generated?: boolean;
}

/** One patch's content applied to a document as the build applies it (for tools that replay a build's patches). */
export function applyPatchContent(doc: Doc, content: Doc | readonly JsonPatchOperation[]): Doc {
  return isJson6902(content) ? applyJson6902(doc, content) as Doc : strategicMerge(doc, withoutIdentity(content as Doc));
}

/**
 * A strategic-merge patch's identity selects what it patches (or its target does); it is not merged
 * in (a patch stating `namespace: default` does not give a namespace-less object one).
 */
function withoutIdentity(patch: Doc): Doc {
  const { apiVersion: _a, kind: _k, ...rest } = patch;
  const metadata = isMap(rest.metadata) ? { ...rest.metadata } : undefined;
  if (metadata) {
    delete metadata.name;
    delete metadata.namespace;
  }
  const out: Doc = { ...rest };
  if (metadata) out.metadata = metadata;
  return out;
}

function parsePatchValue(value: unknown, field: string, report: (m: string) => void): (Doc | JsonPatchOperation[])[] | undefined {
  if (typeof value !== 'string') return [value as Doc];
  try {
    // a patch given inline is YAML or JSON text, possibly several documents; kustomize trims it first
    const text = value.trim();
    const values = parseValues(field, text).filter(v => v !== null && v !== undefined);
    return values.length === 1 && Array.isArray(values[0]) ? [parsePatchText(text)] : values as Doc[];
  } catch (e) {
    report(`${field} is not a patch kustomize can read: ${(e as Error).message}`);
    return undefined;
  }
}

/** JSON 6902 operations as kustomize reads them (YAML 1.1 scalars: `yes` is true, `0777` octal). */
function parsePatchText(text: string): JsonPatchOperation[] {
  const parsed = parsePatchContent(text);
  if (parsed.type !== 'json6902') throw new KustomizePatchError('a list is not a strategic-merge patch: give JSON 6902 operations ({ op, path, value })');
  return [...parsed.ops];
}

function findDirective(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    for (const v of value) {
      const found = findDirective(v);
      if (found) return found;
    }
  } else if (isMap(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k.startsWith('$')) return k;
      const found = findDirective(v);
      if (found) return found;
    }
  }
  return undefined;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

/** kustomize compares namespaces with an empty one read as `default`. */
function sameNamespace(a: unknown, b: unknown): boolean {
  const effective = (x: unknown) => (typeof x === 'string' && x !== '' ? x : 'default');
  return effective(a) === effective(b);
}

function relativeTo(dir: string, p: string): string {
  return dir === '' ? p : p.slice(dir.length + 1);
}

function describeSelector(t: TargetSelector): string {
  const parts = Object.entries(t).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${k}=${String(v)}`);
  return parts.length > 0 ? `{${parts.join(', ')}}` : 'every object';
}

/** `file#index` (and the List item) of a document, for messages. */
export function describeSource(d: TreeDocument): string {
  return `${d.file}${d.index > 0 || d.item ? `#${d.index}` : ''}${d.item ? ` item ${d.item.join('.')}` : ''}`;
}


/** The objects of a build by name (current and original), rebuilt when a patch renames one. */
class NameIndex {
  private index?: Map<string, number[]>;

  constructor(private readonly objects: readonly BuiltObject[]) {}

  /** The indexes of the objects a target name may select: all of them unless the name is a plain name (no pattern). */
  public candidates(name: string | undefined): number[] {
    if (name === undefined || name === '' || !/^[A-Za-z0-9_-]+$/.test(name)) return this.objects.map((_, i) => i);
    if (!this.index) {
      this.index = new Map();
      this.objects.forEach((o, i) => {
        for (const n of new Set([o.doc.metadata?.name, o.source.doc.metadata?.name])) {
          if (typeof n !== 'string') continue;
          const list = this.index!.get(n);
          if (list) list.push(i);
          else this.index!.set(n, [i]);
        }
      });
    }
    return this.index.get(name) ?? [];
  }

  /** Forgets the index (a patch changed a name). */
  public invalidate(): void {
    this.index = undefined;
  }
}

/**
 * The end of a build, as kustomize ends it: each generated ConfigMap's name gets the hash of its
 * content (patches and namespace applied), and the workloads of its namespace that name it follow.
 */
function withNameHashes(objects: BuiltObject[]): BuiltObject[] {
  if (!objects.some(o => o.nameHash)) return objects;
  const renames = new Map<string, Map<string, string>>();
  const ns = (doc: Doc) => (typeof doc.metadata?.namespace === 'string' && doc.metadata.namespace !== '' ? doc.metadata.namespace : 'default');
  const hashed = objects.map(o => {
    if (!o.nameHash) return o;
    const name = String(o.doc.metadata?.name);
    const renamed = `${name}-${configMapHash(o.doc)}`;
    const inNamespace = renames.get(ns(o.doc)) ?? new Map<string, string>();
    inNamespace.set(name, renamed);
    renames.set(ns(o.doc), inNamespace);
    return { ...o, doc: { ...o.doc, metadata: { ...o.doc.metadata, name: renamed } } };
  });
  return hashed.map(o => {
    const forNamespace = renames.get(ns(o.doc));
    if (!forNamespace) return o;
    const doc = followRenamedConfigMaps(o.doc, forNamespace) as Doc;
    return doc === o.doc ? o : { ...o, doc };
  });
}

/**
 * kustomize's name references: a RoleBinding or ClusterRoleBinding subject that names a
 * ServiceAccount of the build (in its namespace before the move, or in none) follows it into its
 * new namespace. Checked against kubectl kustomize (which does it whatever the subject's kind).
 */
function followMovedAccounts(before: readonly BuiltObject[], after: BuiltObject[]): BuiltObject[] {
  // kustomize compares with the account's namespace (none reads as `default`)
  const effective = (ns: unknown) => (typeof ns === 'string' && ns !== '' ? ns : 'default');
  const moved = new Map<string, { from: string; current: string; to?: string }>();
  before.forEach((o, i) => {
    if (o.doc.kind !== 'ServiceAccount' || groupOf(String(o.doc.apiVersion ?? '')) !== '') return;
    moved.set(String(o.doc.metadata?.name), { from: effective(o.source.doc.metadata?.namespace), current: effective(o.doc.metadata?.namespace), to: after[i].doc.metadata?.namespace });
  });
  if (moved.size === 0) return after;
  return after.map(o => {
    if ((o.doc.kind !== 'RoleBinding' && o.doc.kind !== 'ClusterRoleBinding') || !Array.isArray(o.doc.subjects)) return o;
    let changed = false;
    const subjects = o.doc.subjects.map((s: unknown) => {
      if (!isMap(s) || typeof s.name !== 'string') return s;
      const account = moved.get(s.name);
      if (!account || account.to === undefined || s.namespace === account.to) return s;
      // the account's namespace in its file, or where an earlier namespace: (a base's, a component's) moved it
      if (effective(s.namespace) !== account.from && effective(s.namespace) !== account.current) return s;
      changed = true;
      return { ...s, namespace: account.to };
    });
    return changed ? { ...o, doc: { ...o.doc, subjects } } : o;
  });
}
