import { Application, ClusterModel } from '../core/model/cluster-model';
import { ResolvedReference } from '../core/model/fleet-model';
import { groupOf } from '../core/model/identity';
import { GitOpsRepo } from '../fleet/gitops-repo';
import { LayoutModel } from '../core/layout-model';
import { joinRepoPath } from '../core/model/repo-tree';
import { markersOf } from '../core/setter-markers';
import { ImageSetter } from '../image/image-setter';

/** What a node of a fleet graph stands for. */
export enum GraphNodeCategory {
  /** A Flux Kustomization. */
  KUSTOMIZATION = 'kustomization',
  /** A HelmRelease. */
  HELM_RELEASE = 'helmrelease',
  /** A Flux source (GitRepository, HelmRepository, OCIRepository, Bucket, HelmChart…). */
  SOURCE = 'source',
  /** A SealedSecret or a Secret. */
  SECRET = 'secret',
  /** An Alert, Provider or Receiver. */
  NOTIFICATION = 'notification',
  /** Any other object (a ConfigMap that values come from, an image policy…). */
  OTHER = 'other',
}

/** One object of a fleet graph. */
export interface GraphNode {
  /** Mermaid node id, unique in the graph and stable across runs. */
  readonly id: string;
  /** The object's kind; for a wildcard reference, the kind it selects. */
  readonly kind: string;
  /** The object's name (`*` for a wildcard reference). */
  readonly name: string;
  /** Its namespace in the cluster (after a Kustomization's `targetNamespace`). */
  readonly namespace?: string;
  /** How it is drawn. */
  readonly category: GraphNodeCategory;
  /** Index into `FleetGraph.groups` of the build that applies it; undefined when the fleet does not apply it. */
  readonly group?: number;
  /** For a wildcard reference: the labels the selected objects carry. */
  readonly matchLabels?: Readonly<Record<string, string>>;
  /** What else the label shows: a HelmRelease's chart and version (`chart podinfo 6.5.x`). */
  readonly detail?: string;
}

/** One reference between two objects, or a Kustomization applying a group. */
export interface GraphEdge {
  /** Id of the referring node (or of the applying Kustomization). */
  readonly from: string;
  /** Id of the referenced node, or `group:<index>` for an `applies` edge. */
  readonly to: string;
  /** `dependsOn`, `source`, `secret`, `values`, `substitute`, `provider`, `event`, `healthCheck`, `resource`, `updates` (an ImageUpdateAutomation to the ImagePolicies whose markers it updates) or `applies`. */
  readonly label: string;
}

/** The objects one build applies: the cluster directory, or one Kustomization's directory. */
export interface GraphGroup {
  /** Who applies them: `clusters/<cluster>` (the bootstrap sync) or `Kustomization ns/name`. */
  readonly title: string;
}

/** The Flux objects one environment's cluster reconciles and how they reference each other. */
export interface FleetGraph {
  /** The environment's name. */
  readonly environment: string;
  /** The cluster directory, `clusters/<cluster>`. */
  readonly clusterPath: string;
  /** Builds, in the order Flux discovers them. */
  readonly groups: readonly GraphGroup[];
  /** Nodes, in the order the cluster's builds yield them, then the objects outside the fleet. */
  readonly nodes: readonly GraphNode[];
  /** Edges, in the order of their nodes and references, without duplicates. */
  readonly edges: readonly GraphEdge[];
}

const SOURCE_KINDS = new Set(['GitRepository', 'HelmRepository', 'OCIRepository', 'Bucket', 'HelmChart', 'ExternalArtifact']);
const NOTIFICATION_KINDS = new Set(['Alert', 'Provider', 'Receiver']);

/**
 * The graph of one registered environment, read from the model of what its cluster applies: every
 * Flux object and SealedSecret the cluster reconciles (the cluster directory and, transitively,
 * every Kustomization's directory; whatever wrote them, patches applied), plus the objects they
 * reference, with `dependsOn`, source, secret, values, provider and event edges read from the
 * documents through the reference table.
 *
 * @param model the fleet's synthesized model (`repo.synthModel()`), to share one synth across environments
 * @throws UnknownEnvironmentError when the fleet registers no such environment
 */
export function fleetGraph(repo: GitOpsRepo, environment: string, model: LayoutModel = repo.synthModel()): FleetGraph {
  const { cluster } = repo.environment(environment);
  const contents = model.model.clusters.find(c => c.directory === cluster.repoPath);
  if (!contents) return { environment, clusterPath: cluster.repoPath, groups: [], nodes: [], edges: [] };
  const builder = new GraphBuilder(contents);
  for (const a of contents.applications) if (isGraphObject(a)) builder.applied(a);
  for (const r of model.model.references(contents)) {
    if (!isGraphObject(r.from)) continue;
    builder.edge(builder.applied(r.from).id, builder.resolve(r).id, r.ref.rule.dependsOn ? 'dependsOn' : r.ref.rule.role);
  }
  for (const [automation, policy] of imageUpdates(model, contents)) builder.edge(builder.applied(automation).id, builder.applied(policy).id, 'updates');
  builder.appliesEdges();
  return { environment, clusterPath: cluster.repoPath, groups: builder.groups, nodes: builder.nodes, edges: builder.edges };
}

/**
 * Each ImageUpdateAutomation of a cluster with the ImagePolicies it updates: those of its namespace
 * (and policySelector) whose setter markers sit in a written file under its `update.path`.
 */
function imageUpdates(model: LayoutModel, cluster: ClusterModel): [Application, Application][] {
  const automations = cluster.applications.filter(a => a.doc.kind === 'ImageUpdateAutomation' && groupOf(a.doc.apiVersion) === 'image.toolkit.fluxcd.io');
  if (automations.length === 0) return [];
  const marked: { file: string; namespace: string; name: string }[] = [];
  for (const file of model.model.files) {
    if (!file.written) continue;
    for (const d of file.documents) {
      for (const marker of markersOf(d.doc)) {
        const origin = marker.marked.origin;
        if (marker.problem || !(origin instanceof ImageSetter)) continue;
        const [namespace, name] = origin.setterName.split(':');
        marked.push({ file: file.path, namespace, name });
      }
    }
  }
  const pairs: [Application, Application][] = [];
  for (const automation of automations) {
    const update = automation.doc.spec?.update?.path;
    const dir = joinRepoPath('', typeof update === 'string' && update !== '' ? update : './');
    if (dir === undefined) continue;
    const labels = Object.entries((automation.doc.spec?.policySelector?.matchLabels ?? {}) as Record<string, string>);
    const seen = new Set<Application>();
    for (const m of marked) {
      if (m.namespace !== automation.namespace || !(dir === '' || m.file.startsWith(`${dir}/`))) continue;
      for (const policy of cluster.find('ImagePolicy', m.namespace, m.name)) {
        if (seen.has(policy) || !labels.every(([k, v]) => policy.doc.metadata?.labels?.[k] === v)) continue;
        seen.add(policy);
        pairs.push([automation, policy]);
      }
    }
  }
  return pairs;
}

/** A HelmRelease's chart and version, for its label: from its chart, or from the OCIRepository or HelmChart its chartRef names. */
function chartOf(a: Application, cluster: ClusterModel): string | undefined {
  if (a.doc.kind !== 'HelmRelease') return undefined;
  const chart = a.doc.spec?.chart?.spec;
  if (chart?.chart) return `chart ${String(chart.chart)}${chart.version ? ` ${String(chart.version)}` : ''}`;
  const ref = a.doc.spec?.chartRef;
  if (!ref?.name) return undefined;
  const source = cluster.find(String(ref.kind), typeof ref.namespace === 'string' ? ref.namespace : a.namespace, String(ref.name))[0]?.doc;
  if (source?.kind === 'OCIRepository' && typeof source.spec?.url === 'string') {
    const version = source.spec.ref?.tag ?? source.spec.ref?.semver ?? source.spec.ref?.digest;
    return `chart ${source.spec.url.split('/').pop()}${version ? ` ${String(version)}` : ''}`;
  }
  if (source?.kind === 'HelmChart' && source.spec?.chart) return `chart ${String(source.spec.chart)}${source.spec.version ? ` ${String(source.spec.version)}` : ''}`;
  return `chartRef ${String(ref.kind ?? '')} ${String(ref.name)}`.replace('  ', ' ');
}

/** Flux objects (any `*.fluxcd.io` group) and SealedSecrets are drawn; other objects only when referenced. */
function isGraphObject(a: Application): boolean {
  const group = groupOf(a.doc.apiVersion);
  return group.endsWith('.fluxcd.io') || group === 'bitnami.com';
}

class GraphBuilder {
  public readonly groups: GraphGroup[] = [];
  public readonly nodes: GraphNode[] = [];
  public readonly edges: GraphEdge[] = [];
  private readonly external: GraphNode[] = [];
  private readonly byKey = new Map<string, GraphNode>();
  private readonly ids = new Set<string>();
  private readonly groupIndex = new Map<string, number>();
  private readonly edgeKeys = new Set<string>();

  constructor(private readonly contents: ClusterModel) {}

  /** The node of an applied object, added on first use. */
  public applied(a: Application): GraphNode {
    const kind = String(a.doc.kind);
    const name = String(a.doc.metadata?.name);
    const key = `${String(a.doc.apiVersion)} ${kind} ${a.namespace ?? ''}/${name}`;
    let node = this.byKey.get(key);
    if (!node) {
      let group = this.groupIndex.get(a.by);
      if (group === undefined) {
        group = this.groups.push({ title: a.by }) - 1;
        this.groupIndex.set(a.by, group);
      }
      const detail = chartOf(a, this.contents);
      node = { id: this.newId(kind, a.namespace, name), kind, name, namespace: a.namespace, category: categoryOf(kind), group, ...detail ? { detail } : {} };
      this.byKey.set(key, node);
      this.nodes.push(node);
    }
    return node;
  }

  /** The node a reference points at: an object the cluster applies, a wildcard, or an object outside the fleet. */
  public resolve(r: ResolvedReference): GraphNode {
    const { kind, name, namespace } = r.ref;
    if (name === '*') {
      const labels = Object.entries(r.ref.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).sort().join(',');
      return this.outside(`* ${kind} ${namespace ?? ''} ${labels}`, { kind, name, namespace, matchLabels: r.ref.matchLabels });
    }
    const found = r.targets[0];
    return found ? this.applied(found) : this.outside(`${kind} ${namespace ?? ''}/${name}`, { kind, name, namespace });
  }

  public edge(from: string, to: string, label: string): void {
    const key = `${from} ${to} ${label}`;
    if (this.edgeKeys.has(key)) return;
    this.edgeKeys.add(key);
    this.edges.push({ from, to, label });
  }

  /** `applies` edges from each Kustomization to the group it applies (the cluster's own sync to the cluster group). */
  public appliesEdges(): void {
    const applies: { from: string; group: number }[] = [];
    for (const build of this.contents.builds) {
      const group = this.groupIndex.get(build.by);
      const applier = build.applications[0]?.appliedBy;
      if (group === undefined) continue;
      if (applier) {
        const node = this.byKey.get(`${String(applier.doc.apiVersion)} ${String(applier.doc.kind)} ${applier.namespace ?? ''}/${String(applier.doc.metadata?.name)}`);
        if (node) applies.push({ from: node.id, group });
      } else {
        // the cluster directory: applied by the sync Kustomization(s) whose path is the directory itself
        for (const a of build.applications) {
          if (a.doc.kind !== 'Kustomization' || !isGraphObject(a)) continue;
          const path = String(a.doc.spec?.path ?? '').replace(/^\.\//, '').replace(/\/$/, '');
          if (path === this.contents.directory) applies.push({ from: this.applied(a).id, group });
        }
      }
    }
    // in the order of the groups, which is the order Flux discovers them
    for (const { from, group } of applies.sort((x, y) => x.group - y.group)) this.edge(from, `group:${group}`, 'applies');
    this.nodes.push(...this.external);
    this.external.length = 0;
  }

  private outside(key: string, props: Omit<GraphNode, 'id' | 'category'>): GraphNode {
    let node = this.byKey.get(`outside ${key}`);
    if (!node) {
      node = { ...props, id: this.newId(props.kind, props.namespace, props.name === '*' ? 'any' : props.name), category: categoryOf(props.kind) };
      this.byKey.set(`outside ${key}`, node);
      this.external.push(node);
    }
    return node;
  }

  private newId(kind: string, namespace: string | undefined, name: string): string {
    const base = [kind, namespace, name].filter(Boolean).join('_').replace(/[^A-Za-z0-9]+/g, '_');
    let id = base;
    for (let i = 2; this.ids.has(id); i++) id = `${base}_${i}`;
    this.ids.add(id);
    return id;
  }
}

function categoryOf(kind: string): GraphNodeCategory {
  if (kind === 'Kustomization') return GraphNodeCategory.KUSTOMIZATION;
  if (kind === 'HelmRelease') return GraphNodeCategory.HELM_RELEASE;
  if (SOURCE_KINDS.has(kind)) return GraphNodeCategory.SOURCE;
  if (kind === 'SealedSecret' || kind === 'Secret') return GraphNodeCategory.SECRET;
  if (NOTIFICATION_KINDS.has(kind)) return GraphNodeCategory.NOTIFICATION;
  return GraphNodeCategory.OTHER;
}
