import { isMap } from '../../core/json-values';
import { Application, ApplierResult, ClusterWalk, IApplier } from '../../core/model/cluster-model';
import { describeDoc, namespaceOf } from '../../core/model/identity';
import { OverlayPatch } from '../../core/model/kustomize-build';
import { Doc, joinRepoPath } from '../../core/model/repo-tree';
import { TargetSelector } from '../../core/kustomize/selector';
import { substituteDocument } from '../envsubst';

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
    const path = joinRepoPath('', spec.path);
    const syncs = this.syncSources(walk);
    // without a sync in the repository (the bootstrap installs it), this repository is a source the
    // cluster does not define itself; a source the cluster applies (a tenant's) is another repository
    const fromThisRepository = syncs.length > 0
      ? syncs.some(s => sameSource(s, source))
      : ['GitRepository', 'OCIRepository', 'Bucket'].includes(source.kind) && !definedByCluster(source, walk);
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
        },
        transform: isMap(spec.postBuild) ? substitution(application, spec.postBuild, walk) : undefined,
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
const UNMODELLED_FIELDS = ['images', 'components', 'namePrefix', 'nameSuffix', 'commonMetadata'];


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
