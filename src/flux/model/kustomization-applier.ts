import { posix } from 'node:path';
import { isMap } from '../../core/json-values';
import { Application, ApplierResult, ClusterWalk, IApplier } from '../../core/model/cluster-model';
import { describeDoc, namespaceOf } from '../../core/model/identity';
import { OverlayPatch } from '../../core/model/kustomize-build';
import { Doc, joinRepoPath } from '../../core/model/repo-tree';
import { TargetSelector } from '../../core/kustomize/selector';
import { substituteDocument } from '../envsubst';
import { makesArtifact } from './artifact-generators';

const KUSTOMIZE_GROUP = 'kustomize.toolkit.fluxcd.io';

/** A source as a reference names it: kind, namespace, name. */
interface SourceId {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** Where a Flux Kustomization's path leads in this repository, if it builds this repository. */
export interface KustomizationTarget {
  /** Repository path of the directory (`''` for the root). */
  readonly path: string;
  /** Whether its source is the one the cluster syncs this repository from. */
  readonly fromThisRepository: boolean;
}

/**
 * Flux's Kustomization, as kustomize-controller applies it: when its source is this repository
 * (the source of the cluster's own sync, the Kustomization that applies `clusters/<name>`), it
 * builds `spec.path` with `spec.targetNamespace` replacing the directory's namespace and
 * `spec.patches` after the directory's own, then substitutes `${VAR}` where `spec.postBuild` says
 * so and the values are known. A Kustomization of another source (a tenant's repository) applies
 * what the model cannot see.
 */
export class KustomizationApplier implements IApplier {
  public readonly group = KUSTOMIZE_GROUP;
  public readonly kind = 'Kustomization';
  private readonly syncs = new WeakMap<ClusterWalk, SourceId[]>();

  public applies(application: Application, walk: ClusterWalk): ApplierResult | undefined {
    const doc = application.doc;
    const spec = isMap(doc.spec) ? doc.spec : {};
    const source = sourceOf(doc);
    if (!source) return undefined; // schema validation reports a missing sourceRef
    if (typeof spec.path !== 'string' || spec.path === '') {
      // Flux would build the whole repository: never what a fleet means
      return { problem: `${describeDoc(doc)} has no spec.path, so Flux would build the whole repository (every YAML file in it): set spec.path to the directory to apply, e.g. "./apps/${walk.name}"` };
    }
    const syncs = this.syncSources(walk);
    if (source.kind === 'ExternalArtifact') {
      const inArtifact = artifactDirectory(doc, source, String(spec.path), syncs, walk);
      if (inArtifact === undefined) return undefined; // made from another source, or its generator is not met yet
      if ('problem' in inArtifact) return inArtifact;
      // components are relative to spec.path inside the artifact: find where the generator took them from
      return this.build(application, doc, spec, inArtifact.path, walk, component => {
        const at = joinRepoPath(inArtifact.artifactPath, component);
        const repoPath = at === undefined ? undefined : inArtifact.toRepository(at);
        return repoPath === undefined ? component : posix.relative(inArtifact.path, repoPath) || '.';
      });
    }
    const path = joinRepoPath('', spec.path);
    // without a sync in the repository (the bootstrap installs it), this repository is a source the
    // cluster does not define itself; a source the cluster applies (a tenant's) is another repository
    const fromThisRepository = isThisRepository(source, syncs, walk);
    if (!fromThisRepository) return undefined;
    if (isMap(spec.kubeConfig)) return undefined; // it applies to another cluster, which the model does not hold
    if (path === undefined) {
      return { problem: `${describeDoc(doc)} spec.path ${JSON.stringify(spec.path)} leaves the repository; kustomize-controller refuses it: give a path relative to the repository root, such as "./apps/${walk.name}"` };
    }
    if (path === walk.directory) return undefined; // the cluster's own sync: it applies what is already being applied
    if (!walk.tree.isDirectory(path)) {
      if (syncs.length === 0) return undefined; // no sync to tell which source is this repository: perhaps another one
      return { problem: `${describeDoc(doc)} spec.path ${JSON.stringify(spec.path)} is not a directory of this repository, which cluster "${walk.name}" syncs from ${source.kind} ${source.namespace ? `${source.namespace}/` : ''}${source.name}, so Flux would fail with "kustomization path not found": point it at a directory synth writes (a LayoutDirectory) or that the repository has` };
    }
    return this.build(application, doc, spec, path, walk);
  }

  /** What the Kustomization applies from a directory of this repository. */
  private build(application: Application, doc: Doc, spec: Doc, path: string, walk: ClusterWalk, componentPath: (c: string) => string = c => c): ApplierResult {
    const unmodelled = UNMODELLED_FIELDS.filter(f => spec[f] !== undefined && !(Array.isArray(spec[f]) && spec[f].length === 0));
    if (unmodelled.length > 0) {
      return { problem: `${describeDoc(doc)} sets ${unmodelled.map(f => `spec.${f}`).join(', ')}, which cdk8s-flux does not model, so its checks would not see what Flux applies: express the change in the fleet code (an ObjectPatch, or spec.patches) instead` };
    }
    const namespace = typeof spec.targetNamespace === 'string' && spec.targetNamespace !== '' ? spec.targetNamespace : undefined;
    const patches: OverlayPatch[] = (Array.isArray(spec.patches) ? spec.patches : []).flatMap((p: unknown, i: number) => (isMap(p) && p.patch !== undefined
      ? [{ patch: p.patch as string, target: isMap(p.target) ? p.target as TargetSelector : undefined, field: `spec.patches[${i}]` }]
      : []));
    return {
      applies: {
        path,
        overlay: {
          by: `Kustomization ${describeName(doc)}`,
          file: application.built.source.file,
          constructPath: application.built.source.origin.constructPath,
          namespace,
          patches,
          generateKustomization: true,
          components: Array.isArray(spec.components) ? spec.components.filter((c: unknown): c is string => typeof c === 'string').map(componentPath) : undefined,
          ignoreMissingComponents: spec.ignoreMissingComponents === true,
        },
        // as kustomize-controller: images in the build, then post-build substitution, then the common metadata it sets when applying
        transform: composeTransforms(
          Array.isArray(spec.images) ? imageRewrites(spec.images) : undefined,
          isMap(spec.postBuild) ? substitution(application, spec.postBuild, walk) : undefined,
          isMap(spec.commonMetadata) ? commonMetadata(spec.commonMetadata) : undefined,
        ),
      },
    };
  }

  /** The sources of the Kustomizations that apply the cluster directory itself (its bootstrap sync). */
  private syncSources(walk: ClusterWalk): SourceId[] {
    let found = this.syncs.get(walk);
    if (!found) {
      found = walk.bootstrap
        .filter(a => a.doc.kind === 'Kustomization' && String(a.doc.apiVersion).startsWith(`${KUSTOMIZE_GROUP}/`))
        .filter(a => joinRepoPath('', String((a.doc.spec as Doc | undefined)?.path ?? './')) === walk.directory)
        .map(a => sourceOf(a.doc))
        .filter((s): s is SourceId => s !== undefined);
      this.syncs.set(walk, found);
    }
    return found;
  }
}

/** Kustomization fields that change what is applied in ways the model does not build (renames, image rewrites, components, common metadata). */
const UNMODELLED_FIELDS = ['namePrefix', 'nameSuffix'];

/** Applies transforms in order. */
function composeTransforms(...transforms: (((doc: Doc) => Doc) | undefined)[]): ((doc: Doc) => Doc) | undefined {
  const present = transforms.filter((t): t is (doc: Doc) => Doc => t !== undefined);
  if (present.length === 0) return undefined;
  return doc => present.reduce((d, t) => t(d), doc);
}

/** `spec.commonMetadata`: labels and annotations added to every applied object. */
function commonMetadata(meta: Doc): (doc: Doc) => Doc {
  return doc => {
    const metadata = isMap(doc.metadata) ? doc.metadata : {};
    return {
      ...doc,
      metadata: {
        ...metadata,
        ...(isMap(meta.labels) ? { labels: { ...(isMap(metadata.labels) ? metadata.labels : {}), ...meta.labels } } : {}),
        ...(isMap(meta.annotations) ? { annotations: { ...(isMap(metadata.annotations) ? metadata.annotations : {}), ...meta.annotations } } : {}),
      },
    };
  };
}

/** `spec.images`: kustomize's image rewrite of every container, init container and ephemeral container. */
function imageRewrites(images: unknown[]): (doc: Doc) => Doc {
  const rules = images.filter(isMap);
  const rewrite = (image: string): string => {
    const at = image.indexOf('@');
    const withoutDigest = at >= 0 ? image.slice(0, at) : image;
    const colon = withoutDigest.lastIndexOf(':');
    const hasTag = colon > withoutDigest.lastIndexOf('/');
    const name = hasTag ? withoutDigest.slice(0, colon) : withoutDigest;
    const rule = rules.find(r => r.name === name);
    if (!rule) return image;
    const newName = typeof rule.newName === 'string' ? rule.newName : name;
    // as kubectl kustomize: a new tag or digest replaces both old ones (both given: name:tag@digest); a new name keeps them
    if (typeof rule.newTag === 'string' || typeof rule.digest === 'string') {
      return `${newName}${typeof rule.newTag === 'string' ? `:${rule.newTag}` : ''}${typeof rule.digest === 'string' ? `@${rule.digest}` : ''}`;
    }
    return `${newName}${image.slice(name.length)}`;
  };
  const walkValue = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walkValue);
    if (!isMap(value)) return value;
    const out: Doc = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = ['containers', 'initContainers', 'ephemeralContainers'].includes(k) && Array.isArray(v)
        ? v.map(c => (isMap(c) && typeof c.image === 'string' ? { ...walkValue(c) as Doc, image: rewrite(c.image) } : walkValue(c)))
        : walkValue(v);
    }
    return out;
  };
  return doc => walkValue(doc) as Doc;
}

/** The directory of this repository a Kustomization of an ExternalArtifact builds, and how the artifact maps to the repository. */
interface ArtifactDirectory {
  /** The repository directory. */
  readonly path: string;
  /** `spec.path` inside the artifact. */
  readonly artifactPath: string;
  /** The repository directory at a path of the artifact, if the generator copied one there. */
  readonly toRepository: (artifactPath: string) => string | undefined;
}

/** One copy of an artifact's generator from this repository, as source-watcher places its files. */
interface ArtifactCopyRule {
  /** The copy's source pattern, for messages. */
  readonly from: string;
  /** Where in the artifact its files go. */
  readonly to: string;
  /** The repository directory whose contents land at `to` (`dir/**`, or `dir/` under its own name); undefined for a glob that keeps whole paths. */
  readonly dir?: string;
  /** For a glob keeping whole paths: the literal prefix before its first glob segment. */
  readonly root: string;
}

/** How source-watcher copies one pattern: `dir/**` strips `dir`, a plain directory lands under its name, other globs keep the whole path. */
function copyRule(pattern: string, to: string): ArtifactCopyRule {
  const glob = /[*?[\]]/;
  const contents = /^(.*)\/\*\*$/.exec(pattern);
  if (contents && !glob.test(contents[1])) return { from: pattern, to, dir: contents[1].replace(/^\.\//, ''), root: contents[1] };
  if (!glob.test(pattern)) {
    const dir = pattern.replace(/^\.\//, '').replace(/\/$/, '');
    const name = dir.slice(dir.lastIndexOf('/') + 1);
    return { from: pattern, to: to === '' ? name : `${to}/${name}`, dir, root: dir };
  }
  const segments = pattern.split('/');
  const literal = segments.slice(0, segments.findIndex(seg => glob.test(seg))).join('/');
  return { from: pattern, to, root: literal };
}

/**
 * The directory of this repository a Kustomization of an ExternalArtifact builds: the artifact's
 * generator (source-watcher's ArtifactGenerator, applied in the cluster) copies directories of
 * this repository (`@alias/<dir>/**`) to places in the artifact (`@artifact/<to>`), and
 * `spec.path` is relative to the artifact. Undefined when the artifact is made from other sources
 * or its generator has not been met yet.
 */
function artifactDirectory(doc: Doc, source: SourceId, specPath: string, syncs: readonly SourceId[], walk: ClusterWalk): ArtifactDirectory | { problem: string } | undefined {
  const isGenerator = (a: Application) => makesArtifact(a.doc, a.namespace, source.namespace, source.name);
  const generator = walk.applications.find(isGenerator) ?? walk.previous?.find(isGenerator);
  if (!generator) {
    walk.needsAnotherWalk(); // a later build may apply it; the reference check reports it if none does
    return undefined;
  }
  const aliases = new Map<string, SourceId>();
  for (const s of Array.isArray(generator.doc.spec?.sources) ? generator.doc.spec.sources : []) {
    if (isMap(s) && typeof s.alias === 'string' && typeof s.kind === 'string' && typeof s.name === 'string') {
      aliases.set(s.alias, { kind: s.kind, name: s.name, namespace: typeof s.namespace === 'string' ? s.namespace : generator.namespace });
    }
  }
  const artifact = generator.doc.spec.artifacts.find((x: unknown) => isMap(x) && x.name === source.name) as Doc;
  const copies = (Array.isArray(artifact.copy) ? artifact.copy : []).filter(isMap).flatMap((c: Doc): ArtifactCopyRule[] => {
    const from = /^@([^/]+)\/(.*)$/.exec(String(c.from));
    const to = /^@artifact\/?(.*)$/.exec(String(c.to));
    if (!from || !to) return [];
    const alias = aliases.get(from[1]);
    if (!alias || !isThisRepository(alias, syncs, walk)) return [];
    return [copyRule(from[2], to[1].replace(/^\.\//, '').replace(/\/$/, ''))];
  });
  if (copies.length === 0) return undefined; // the artifact holds no directory of this repository: another source
  const inArtifact = joinRepoPath('', specPath);
  if (inArtifact === undefined) {
    return { problem: `${describeDoc(doc)} spec.path ${JSON.stringify(specPath)} leaves the artifact; kustomize-controller refuses it: give a path relative to the artifact's root, such as "./"` };
  }
  const toRepository = (artifactPath: string): string | undefined => {
    // the last copy wins, as later copies overwrite earlier files
    for (const c of [...copies].reverse()) {
      const rest = c.to === '' ? artifactPath : artifactPath === c.to ? '' : artifactPath.startsWith(`${c.to}/`) ? artifactPath.slice(c.to.length + 1) : undefined;
      if (rest === undefined) continue;
      // `dir/**` and `dir/` put the directory's contents at `to` (under its own name for `dir/`); other globs keep the whole path
      const repoPath = c.dir !== undefined ? joinRepoPath(c.dir, rest === '' ? '.' : rest) : rest;
      if (repoPath === undefined || !walk.tree.isDirectory(repoPath)) continue;
      if (c.dir === undefined && !(c.root === '' || repoPath === c.root || repoPath.startsWith(`${c.root}/`))) continue;
      return repoPath;
    }
    return undefined;
  };
  const found = toRepository(inArtifact);
  if (found !== undefined) return { path: found, artifactPath: inArtifact, toRepository };
  return {
    problem: `${describeDoc(doc)} spec.path ${JSON.stringify(specPath)} is not a directory of ExternalArtifact ${source.namespace ? `${source.namespace}/` : ''}${source.name}, whose generator copies ${copies.map(c => `"${c.from}" to "./${c.to}"`).join(', ')}: paths are relative to the artifact, e.g. "./${copies[0].to}"`,
  };
}


/**
 * Whether a source is this repository: the source of the cluster's own sync when the repository
 * holds it; without one (the bootstrap or a FluxInstance makes it), a Git, OCI or Bucket source the
 * cluster does not define itself (one it applies, such as a tenant's, is another repository).
 */
function isThisRepository(source: SourceId, syncs: readonly SourceId[], walk: ClusterWalk): boolean {
  return syncs.length > 0
    ? syncs.some(s => sameSource(s, source))
    : ['GitRepository', 'OCIRepository', 'Bucket'].includes(source.kind) && !definedByCluster(source, walk);
}

/** Whether the cluster applies the source itself (wherever it is discovered: a first walk may not have met it yet). */
function definedByCluster(source: SourceId, walk: ClusterWalk): boolean {
  const isIt = (a: Application) => a.doc.kind === source.kind && a.namespace === source.namespace && a.doc.metadata?.name === source.name;
  if (walk.applications.some(isIt) || walk.previous?.some(isIt)) return true;
  walk.needsAnotherWalk(); // a later build may define it
  return false;
}

function sourceOf(doc: Doc): SourceId | undefined {
  const ref = doc.spec?.sourceRef;
  if (!isMap(ref) || typeof ref.name !== 'string' || typeof ref.kind !== 'string') return undefined;
  return { kind: ref.kind, name: ref.name, namespace: typeof ref.namespace === 'string' ? ref.namespace : namespaceOf(doc) };
}

function sameSource(a: SourceId, b: SourceId): boolean {
  return a.kind === b.kind && a.name === b.name && a.namespace === b.namespace;
}

function describeName(doc: Doc): string {
  const ns = namespaceOf(doc);
  return `${ns ? `${ns}/` : ''}${String(doc.metadata?.name)}`;
}

/**
 * Flux's post-build substitution of one Kustomization: `substitute` and the ConfigMaps of
 * `substituteFrom` the cluster applies. A variable that can only come from a Secret (sealed, so
 * unknown here) leaves the objects that use it as written.
 */
function substitution(application: Application, postBuild: Doc, walk: ClusterWalk): (doc: Doc) => Doc {
  const variables = new Map<string, string>();
  for (const from of Array.isArray(postBuild.substituteFrom) ? postBuild.substituteFrom : []) {
    if (!isMap(from)) continue;
    const isIt = (a: Application) => a.doc.kind === 'ConfigMap' && a.namespace === application.namespace && a.doc.metadata?.name === from.name;
    const configMap = from.kind === 'ConfigMap' ? walk.applications.find(isIt) ?? walk.previous?.find(isIt) : undefined;
    if (from.kind === 'ConfigMap' && !configMap) walk.needsAnotherWalk(); // it may be applied by a Kustomization found later
    if (configMap && isMap(configMap.doc.data)) {
      for (const [k, v] of Object.entries(configMap.doc.data)) variables.set(k, String(v));
    }
    // a Secret's values are sealed: objects that use its variables stay as written
  }
  // inline values win over substituteFrom, as in kustomize-controller
  for (const [k, v] of Object.entries(isMap(postBuild.substitute) ? postBuild.substitute : {})) variables.set(k, String(v));
  return doc => {
    try {
      // not strict here: an undefined variable is reported by the post-build check, with its fix
      const result = substituteDocument(doc, variables, { strict: false });
      return result.undefinedVariables.length > 0 ? doc : result.doc;
    } catch {
      return doc; // a document envsubst cannot parse: the post-build check reports it
    }
  };
}
