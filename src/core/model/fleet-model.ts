import { IConstruct } from 'constructs';
import { FleetProblem } from '../errors';
import { isClusterScoped } from '../kustomize/namespace';
import { Application, ClusterModel, IApplier } from './cluster-model';
import { KustomizeBuilder } from './kustomize-build';
import { Doc, RepoTree, TreeDocument } from './repo-tree';
import { DerivedObjects, DocumentReference, KindReferences, ReferenceTable } from './references';
import { groupOf } from './identity';
import { expandLists } from '../kustomize/lists';

/** A rule over the model of what each cluster applies. */
export interface ModelCheck {
  /** A stable id, e.g. `flux/references` (a second registration of the same id replaces the first). */
  readonly id: string;
  /** What it checks, in a sentence. */
  readonly description: string;
  /** The problems it finds, each naming the construct or file, the field, the value and the fix. */
  check(model: FleetModel): FleetProblem[];
  /**
   * `warning`: what it finds synthesizes, printed as warnings (`synth --strict` and `validate
   * --strict` make them problems); `error`: synth fails. @default 'error'
   */
  readonly severity?: 'error' | 'warning';
}

/** An object of a known kind declared to be defined outside the repository (a `fromName` import). */
export interface ExternalObject {
  /** Its kind. */
  readonly kind: string;
  /** Its name. */
  readonly name: string;
  /** Its namespace; undefined: whichever namespace a reference resolves it in. */
  readonly namespace?: string;
  /** Construct path of the declaration. */
  readonly declaredBy: string;
}

/** Keys a referenced Secret must have in every cluster that gets the reference (a `SecretDeclaration`). */
export interface RequiredKeys {
  /** The Secret's kind (`Secret`). */
  readonly kind: string;
  /** Its name. */
  readonly name: string;
  /** Its namespace. */
  readonly namespace: string;
  /** The keys. */
  readonly keys: readonly string[];
  /** Construct path of the declaration. */
  readonly declaredBy: string;
}

const DECLARES = Symbol.for('cdk8s-flux.declares-objects');
const KEYED = Symbol.for('cdk8s-flux.keyed-reference');

/** A Secret referred to by identity whose keys every cluster must provide (a `SecretDeclaration`). */
export interface IKeyedReference {
  /** The kind (`Secret`). */
  readonly kind: string;
  /** The name. */
  readonly name: string;
  /** The namespace. */
  readonly namespace: string;
  /** The keys it must carry. */
  readonly keys: readonly string[];
}

/** Brands an object as a keyed reference (call it in the constructor). */
export function markKeyedReference(x: IKeyedReference): void {
  Object.defineProperty(x, KEYED, { value: true });
}

/** Whether a value is a keyed reference. */
export function isKeyedReference(x: unknown): x is IKeyedReference {
  return typeof x === 'object' && x !== null && KEYED in x;
}

/**
 * A construct that declares objects the model cannot see in the repository: `fromName` imports
 * (defined outside the repository), and Secrets whose keys every cluster must provide.
 */
export interface IDeclaresObjects extends IConstruct {
  /** Objects defined outside the repository that this construct refers to. */
  externalObjects(): readonly ExternalObject[];
  /** Keys Secrets this construct refers to must carry. */
  requiredKeys(): readonly RequiredKeys[];
}

/** Brands a construct as declaring objects (call it in the constructor). */
export function declaresObjects(c: IDeclaresObjects): void {
  Object.defineProperty(c, DECLARES, { value: true });
}

function isDeclaring(c: IConstruct): c is IDeclaresObjects {
  return DECLARES in c;
}

/** A module of the library (Flux, secrets, image automation…) or of the user, that adds to a registry. */
export interface FleetModule {
  /** Its name, for messages. */
  readonly name: string;
  /** Registers its reference tables, appliers, derived objects and checks. */
  register(registry: FleetRegistry): void;
}

/**
 * Everything the model and its checks know beyond plain kustomize: the reference table, the
 * appliers (Flux's Kustomization), the objects controllers derive (a SealedSecret's Secret), and
 * the checks. Each module registers its own; a user registers rules of their own with
 * `registerCheck` and the references of kinds they import with `references.register`.
 */
export class FleetRegistry {
  /** The reference fields of every known kind. */
  public readonly references = new ReferenceTable();
  private readonly appliersList: IApplier[] = [];
  private readonly derivedList: DerivedObjects[] = [];
  private readonly checksById = new Map<string, ModelCheck>();
  private readonly modules = new Set<string>();
  private readonly clusterScoped = new Set<string>();

  /** Lets a module register what it knows, once. */
  public use(module: FleetModule): this {
    if (this.modules.has(module.name)) return this;
    this.modules.add(module.name);
    module.register(this);
    return this;
  }

  /** Adds a rule over the model (replacing one of the same id). */
  public registerCheck(check: ModelCheck): void {
    this.checksById.set(check.id, check);
  }

  /** Adds the reference fields of a kind (a kind imported with `cdk8s import`, say). */
  public registerReferences(entry: KindReferences): void {
    this.references.register(entry);
    if (entry.clusterScoped) this.registerClusterScoped(entry.group, entry.kind);
  }

  /**
   * Declares a custom kind cluster-scoped (its CRD says `scope: Cluster`), so that a reference to it
   * resolves whatever namespace the referring object is in (a Certificate's `issuerRef` naming a
   * ClusterIssuer) and whatever namespace a kustomization gave it (the API server drops it).
   */
  public registerClusterScoped(group: string, kind: string): void {
    this.clusterScoped.add(`${group}\0${kind}`);
  }

  /** Whether a kind was declared cluster-scoped (`registerClusterScoped`); with no group, of any group. */
  public isClusterScoped(group: string | undefined, kind: string): boolean {
    if (group !== undefined) return this.clusterScoped.has(`${group}\0${kind}`);
    return [...this.clusterScoped].some(k => k.endsWith(`\0${kind}`));
  }

  /** Adds an applier. */
  public registerApplier(applier: IApplier): void {
    this.appliersList.push(applier);
  }

  /** Adds objects a controller derives from a kind. */
  public registerDerived(derived: DerivedObjects): void {
    this.derivedList.push(derived);
  }

  /** The registered checks, in registration order. */
  public get checks(): readonly ModelCheck[] {
    return [...this.checksById.values()];
  }

  /** The registered appliers. */
  public get appliers(): readonly IApplier[] {
    return [...this.appliersList];
  }

  /** The registered derived objects. */
  public get derived(): readonly DerivedObjects[] {
    return [...this.derivedList];
  }
}

/** A reference read from an applied document, and what it resolves to in its cluster. */
export interface ResolvedReference {
  /** The referring application. */
  readonly from: Application;
  /** The reference, as the document states it. */
  readonly ref: DocumentReference;
  /** What it resolves to in the cluster (several for a wildcard); empty when nothing there matches. */
  readonly targets: readonly Application[];
  /** Whether a controller creates the target from an applied object (a SealedSecret's Secret). */
  readonly derived: boolean;
}

/** A file of the layout as synth writes it, with what rendered each document. */
export interface ModelFile {
  /** Repository path. */
  readonly path: string;
  /** Construct path of the file's construct. */
  readonly constructPath: string;
  /** Its documents. */
  readonly documents: readonly TreeDocument[];
  /** Whether it holds patches rather than resources. */
  readonly patch: boolean;
  /** Whether it is written (false: a template of a virtual directory, copied into flattened ones). */
  readonly written: boolean;
}

/**
 * The one model of what each cluster applies, that every check, `diff`, `graph` and the render
 * equivalence read: the repository tree as Flux will read it (generated files over the files the
 * user owns), each cluster's applications built the way kustomize-controller builds them, and the
 * references between them read through the registry's reference table.
 */
export class FleetModel {
  /** The clusters, in the order of their directories. */
  public readonly clusters: readonly ClusterModel[];
  private declared?: { externals: ExternalObject[]; requiredKeys: RequiredKeys[] };
  private allDocuments?: ModelDocumentEntry[];
  private readonly resolved = new Map<ClusterModel, ResolvedReference[]>();
  private readonly derivedIndex = new Map<ClusterModel, Map<string, Application[]>>();
  private fleetIndex?: Map<string, Application[]>;

  /** @internal (`analyzeLayout` builds the model) */
  constructor(
    /** The repository as Flux will read it. */
    public readonly tree: RepoTree,
    /** The builder of its directories (memoized). */
    public readonly builder: KustomizeBuilder,
    /** The cluster directories (repository paths, e.g. `clusters/dev`). */
    clusterDirectories: readonly string[],
    /** What the modules registered. */
    public readonly registry: FleetRegistry,
    /** The files synth writes. */
    public readonly files: readonly ModelFile[],
    /** Every construct of the fleet: definitions (tenants, environments) that modules read besides the model. */
    public readonly constructs: readonly IConstruct[],
    /**
     * Construct paths whose own validation already reported a problem: a check that would only
     * repeat it in other words can skip them.
     */
    public readonly reported: ReadonlySet<string> = new Set(),
  ) {
    this.clusters = clusterDirectories.map(d => new ClusterModel(d.slice(d.lastIndexOf('/') + 1), d, builder, tree, registry.appliers));
  }

  /** Objects declared to be defined outside the repository (`fromName` imports). */
  public get externals(): readonly ExternalObject[] {
    return this.declarations().externals;
  }

  /** Keys that referenced Secrets must carry (`SecretDeclaration`). */
  public get requiredKeys(): readonly RequiredKeys[] {
    return this.declarations().requiredKeys;
  }

  private declarations(): { externals: ExternalObject[]; requiredKeys: RequiredKeys[] } {
    if (!this.declared) {
      const declaring = this.constructs.filter(isDeclaring);
      this.declared = { externals: declaring.flatMap(c => c.externalObjects()), requiredKeys: declaring.flatMap(c => c.requiredKeys()) };
    }
    return this.declared;
  }

  /**
   * Every document of the repository as committed: those synth writes (patches too) and those of
   * the files you own, with `List`s expanded into their items, each with where it comes from.
   * Files that are not YAML are skipped (the builds report them).
   */
  public documents(): readonly ModelDocumentEntry[] {
    this.allDocuments ??= [...this.readDocuments()];
    return this.allDocuments;
  }

  private *readDocuments(): Generator<ModelDocumentEntry> {
    for (const f of this.files) {
      if (!f.written) continue;
      for (const d of f.documents) yield* expanded(d, f.patch, f.constructPath, true);
    }
    for (const f of this.tree.allFiles()) {
      if (f.generated) continue;
      let docs: readonly TreeDocument[];
      try {
        docs = f.documents();
      } catch {
        continue;
      }
      for (const d of docs) yield* expanded(d, false, f.constructPath ?? f.path, false);
    }
  }

  /** The cluster of a name. */
  public cluster(name: string): ClusterModel | undefined {
    return this.clusters.find(c => c.name === name);
  }

  /** The references of an applied document (read through the reference table). */
  public referencesOf(a: Application): DocumentReference[] {
    return this.registry.references.referencesOf(a.doc, a.namespace);
  }

  /** Every reference of every application of a cluster, resolved in that cluster. */
  public references(cluster: ClusterModel): readonly ResolvedReference[] {
    let list = this.resolved.get(cluster);
    if (!list) {
      list = [];
      for (const from of cluster.applications) {
        for (const ref of this.referencesOf(from)) list.push(this.resolve(cluster, from, ref));
      }
      this.resolved.set(cluster, list);
    }
    return list;
  }

  /** What a reference resolves to in a cluster. */
  public resolve(cluster: ClusterModel, from: Application, ref: DocumentReference): ResolvedReference {
    const declaredClusterScoped = this.registry.isClusterScoped(ref.group, ref.kind);
    const namespace = declaredClusterScoped || isClusterScoped(ref.group !== undefined ? `${ref.group}/v1` : 'v1', ref.kind) ? undefined : ref.namespace;
    let targets: Application[];
    // the API server drops a namespace kustomize may have given a custom cluster-scoped object
    const candidates = declaredClusterScoped ? cluster.ofKind(ref.kind, null) : undefined;
    if (ref.name === '*') {
      const labels = Object.entries(ref.matchLabels ?? {});
      targets = (candidates ?? cluster.ofKind(ref.kind, namespace)).filter(a => labels.every(([k, v]) => a.doc.metadata?.labels?.[k] === v));
    } else {
      targets = candidates ? candidates.filter(a => a.doc.metadata?.name === ref.name) : cluster.find(ref.kind, namespace, ref.name) as Application[];
    }
    if (ref.group !== undefined) targets = targets.filter(t => groupOf(t.doc.apiVersion) === ref.group);
    let derived = false;
    if (targets.length === 0 && ref.name !== '*') {
      targets = this.derivedIn(cluster).get(`${ref.kind}\0${namespace ?? ''}\0${ref.name}`) ?? [];
      derived = targets.length > 0;
    }
    return { from, ref, targets, derived };
  }

  /** The applications of other clusters (or of no cluster) with an identity, fleet-wide: for "only another cluster has it". */
  public elsewhere(kind: string, namespace: string | undefined, name: string): Application[] {
    if (!this.fleetIndex) {
      this.fleetIndex = new Map();
      for (const c of this.clusters) {
        for (const a of c.applications) {
          const key = `${String(a.doc.kind)}\0${a.namespace ?? ''}\0${String(a.doc.metadata?.name)}`;
          const list = this.fleetIndex.get(key);
          if (list) list.push(a);
          else this.fleetIndex.set(key, [a]);
        }
      }
    }
    return this.fleetIndex.get(`${kind}\0${namespace ?? ''}\0${name}`) ?? [];
  }

  /** The external declaration that covers a reference, if any. */
  public externalFor(ref: { kind: string; name: string; namespace?: string }): ExternalObject | undefined {
    return this.externals.find(e => e.kind === ref.kind && e.name === ref.name && (e.namespace === undefined || e.namespace === ref.namespace));
  }

  private derivedIn(cluster: ClusterModel): Map<string, Application[]> {
    let index = this.derivedIndex.get(cluster);
    if (!index) {
      index = new Map();
      const derivers = this.registry.derived;
      if (derivers.length > 0) {
        for (const a of cluster.applications) {
          for (const d of derivers) {
            if (d.kind !== a.doc.kind || d.group !== groupOf(a.doc.apiVersion)) continue;
            for (const o of d.derive(a.doc, a.namespace)) {
              const key = `${o.kind}\0${o.namespace ?? ''}\0${o.name}`;
              index.set(key, [...index.get(key) ?? [], a]);
            }
          }
        }
      }
      this.derivedIndex.set(cluster, index);
    }
    return index;
  }
}

/** One document of the repository, as `FleetModel.documents()` yields it. */
export interface ModelDocumentEntry {
  /** The document (a `List`'s item when it came in one). */
  readonly doc: Doc;
  /** Where it is: the file, its index, its position in `List`s, what made it. */
  readonly source: TreeDocument;
  /** Whether it is a patch rather than an object. */
  readonly patch: boolean;
  /** Whether synth writes it (false: a file you own). */
  readonly generated: boolean;
  /** Where problems about it are reported: its construct, else its file's construct or path. */
  readonly location: string;
}

function* expanded(d: TreeDocument, patch: boolean, fileLocation: string, generated: boolean): Generator<ModelDocumentEntry> {
  const location = d.origin.constructPath ?? fileLocation;
  const items = patch || !String(d.doc.kind).endsWith('List') ? [{ doc: d.doc, item: undefined }] : expandLists([d.doc]);
  if (items.length === 1 && items[0].item === undefined) {
    yield { doc: d.doc, source: d, patch, location, generated };
    return;
  }
  for (const e of items) yield { doc: e.doc as Doc, source: { ...d, doc: e.doc as Doc, item: e.item }, patch, location, generated };
}
