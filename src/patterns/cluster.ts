import { IConstruct } from 'constructs';
import { LayoutDirectory } from '../core/layout-directory';
import { ManifestFile } from '../core/manifest-file';
import { IObjectRef } from '../flux/flux-object';
import { Environment } from '../fleet/environment';
import { GitOpsRepo } from '../fleet/gitops-repo';
import { FluxDuration } from '../flux/duration';
import { Kustomization } from '../flux/kustomization';
import { FluxInstance, FluxInstanceProps, FluxInstanceSync } from '../flux/operator/flux-instance';
import { FluxOperator, FluxOperatorProps } from '../flux/operator/flux-operator';
import { GitRef, GitRepository } from '../flux/sources/git-repository';
import { IKustomizationSource } from '../flux/sources/source';

/** The namespace Flux runs in: where a cluster's sync and its Kustomizations live. */
const FLUX_NAMESPACE = 'flux-system';

/** A cluster's sync as `flux bootstrap` writes it: `flux-system/gotk-sync.yaml`. */
export interface GitRepositorySyncProps {
  /** The fleet repository's URL (`ssh://…`, `https://…`). */
  readonly url: string;
  /** The ref to sync. @default { branch: 'main' } */
  readonly ref?: GitRef;
  /** How often the repository is fetched. @default '1m0s' (flux bootstrap's) */
  readonly interval?: FluxDuration;
  /** How often the cluster's own Kustomization reconciles. @default '10m0s' (flux bootstrap's) */
  readonly kustomizationInterval?: FluxDuration;
  /** The Secret with the deploy key (created by the bootstrap, never in git). @default 'flux-system' */
  readonly secretName?: string;
  /** `.sourceignore` patterns of the repository. @default none */
  readonly ignore?: string;
}

/** A cluster's sync through the Flux Operator: `flux-system/flux-instance.yaml` and the operator's release. */
export interface FluxInstanceSyncProps extends Omit<FluxInstanceProps, 'sync'> {
  /** Where the cluster syncs from; the path is always the cluster's own directory. */
  readonly sync: Omit<FluxInstanceSync, 'path'>;
  /**
   * The operator's own release, in `flux-system/flux-operator.yaml` (so the operator upgrades
   * from git), or `false` when the platform installs the operator otherwise.
   * @default {} (the operator's chart at FLUX_OPERATOR_VERSION)
   */
  readonly operator?: FluxOperatorProps | false;
}

/**
 * How a cluster syncs its own directory: through a `FluxInstance` (the Flux Operator creates the
 * source and Kustomization) or as `flux bootstrap` writes it (a GitRepository and a Kustomization).
 */
export abstract class ClusterSync {
  /** A `FluxInstance` (and the operator's release) whose sync applies the cluster's directory. */
  public static fluxInstance(props: FluxInstanceSyncProps): ClusterSync {
    return new FluxInstanceSyncForm(props);
  }

  /** `flux-system/gotk-sync.yaml`: a GitRepository `flux-system` and a Kustomization of the cluster's directory. */
  public static gitRepository(props: GitRepositorySyncProps): ClusterSync {
    return new GitRepositorySyncForm(props);
  }

  /** @internal writes the sync into `flux-system/`; returns the source of the cluster's Kustomizations */
  public abstract _write(cluster: Cluster, fluxSystem: LayoutDirectory): { source: IKustomizationSource; instance?: FluxInstance };
}

class FluxInstanceSyncForm extends ClusterSync {
  constructor(private readonly props: FluxInstanceSyncProps) {
    super();
  }

  public _write(cluster: Cluster, fluxSystem: LayoutDirectory) {
    const { operator, sync, ...instance } = this.props;
    const flux = new FluxInstance(new ManifestFile(fluxSystem, 'flux-instance'), 'flux', {
      ...instance,
      // the lockdown exactly when the environment has it, unless said otherwise
      multitenant: instance.multitenant ?? cluster.environment.lockdown ?? false,
      sync: { ...sync, path: cluster },
    });
    if (operator !== false) new FluxOperator(new ManifestFile(fluxSystem, 'flux-operator'), 'operator', operator ?? {});
    return { source: flux.syncSource, instance: flux };
  }
}

class GitRepositorySyncForm extends ClusterSync {
  constructor(private readonly props: GitRepositorySyncProps) {
    super();
  }

  public _write(cluster: Cluster, fluxSystem: LayoutDirectory) {
    const p = this.props;
    const file = new ManifestFile(fluxSystem, 'gotk-sync');
    const metadata = { name: FLUX_NAMESPACE, namespace: FLUX_NAMESPACE };
    const source = new GitRepository(file, 'source', {
      metadata, url: p.url, ref: p.ref ?? { branch: 'main' }, interval: p.interval ?? '1m0s', secretRef: { name: p.secretName ?? FLUX_NAMESPACE }, ignore: p.ignore,
    });
    new Kustomization(file, 'kustomization', {
      metadata, sourceRef: source, path: cluster, interval: p.kustomizationInterval ?? '10m0s', prune: true,
      serviceAccountName: cluster.environment.lockdown ? 'kustomize-controller' : undefined,
    });
    return { source };
  }
}

/** One Flux Kustomization of a cluster, reconciled in order after the ones before it. */
export interface ClusterStage {
  /** Its name: the file `clusters/<cluster>/<name>.yaml` and the Kustomization's `metadata.name`. */
  readonly name: string;
  /** The directory it applies. */
  readonly path: LayoutDirectory;
  /**
   * Where it builds `path` from, e.g. an ExternalArtifact an ArtifactGenerator makes of the directory
   * (the path is then written relative to the artifact).
   * @default the cluster's sync source (this repository)
   */
  readonly sourceRef?: IKustomizationSource;
  /**
   * The stages (by name) it waits for.
   * @default the stage before it (none for the first)
   */
  readonly dependsOn?: readonly string[];
  /**
   * Whether Flux waits for every applied object to be ready before marking it ready.
   * @default true when a later stage depends on it and it has no healthChecks, false otherwise
   */
  readonly wait?: boolean;
  /** Objects whose readiness makes it ready (instead of `wait`). @default none */
  readonly healthChecks?: readonly (IConstruct | IObjectRef)[];
  /** @default the cluster's `interval` */
  readonly interval?: FluxDuration;
  /** @default Flux's default (the interval) */
  readonly timeout?: FluxDuration;
  /** @default true */
  readonly prune?: boolean;
  /** @default 'kustomize-controller' when the environment has the lockdown, else none */
  readonly serviceAccountName?: string;
}

/** Props of a `Cluster`. */
export interface ClusterProps<E extends Environment = Environment> {
  /** The environment the cluster runs: its `cluster` names the directory `clusters/<cluster>/`. */
  readonly environment: E;
  /** How the cluster syncs its own directory. */
  readonly sync: ClusterSync;
  /**
   * Its Kustomizations, in the order they reconcile (e.g. infrastructure, then apps): each waits
   * for the one before it unless it says otherwise, and one that is waited for waits for what it applies.
   * @default none
   */
  readonly stages?: readonly ClusterStage[];
  /** How often the stages reconcile. @default '10m0s' */
  readonly interval?: FluxDuration;
}

/**
 * A cluster of the fleet in one call: its directory `clusters/<cluster>/`, `flux-system/` with the
 * Flux sync of that directory, its Kustomizations (`<name>.yaml` each, in flux-system, ordered with
 * `dependsOn` and `wait`), and its environment registered with the repository.
 */
export class Cluster<E extends Environment = Environment> extends LayoutDirectory {
  /** The environment this cluster runs. */
  public readonly environment: E;
  /** `clusters/<cluster>/flux-system/`. */
  public readonly fluxSystem: LayoutDirectory;
  /** The source of the cluster's sync (`GitRepository flux-system`), which its stages build. */
  public readonly repository: IKustomizationSource;
  /** The FluxInstance, when the cluster syncs through the Flux Operator. */
  public readonly flux?: FluxInstance;
  private readonly byName = new Map<string, Kustomization>();

  constructor(repo: GitOpsRepo, props: ClusterProps<E>) {
    super(repo.clusters, props.environment.cluster);
    this.environment = props.environment;
    this.fluxSystem = new LayoutDirectory(this, 'flux-system');
    const { source, instance } = props.sync._write(this, this.fluxSystem);
    this.repository = source;
    this.flux = instance;
    const stages = props.stages ?? [];
    const dependencies = stages.map((s, i) => s.dependsOn ?? (i > 0 ? [stages[i - 1].name] : []));
    const waitedFor = new Set(dependencies.flat());
    const problems: string[] = [];
    stages.forEach((stage, i) => {
      if (this.byName.has(stage.name)) {
        problems.push(`stages[${i}].name "${stage.name}" is given twice: each stage is a file clusters/${props.environment.cluster}/<name>.yaml and a Kustomization of that name; give each its own`);
        return;
      }
      const unknown = dependencies[i].filter(d => !this.byName.has(d));
      if (unknown.length > 0) {
        problems.push(`stages[${i}] ("${stage.name}").dependsOn names ${unknown.map(u => `"${u}"`).join(', ')}, which is not a stage before it: list the stages in the order they reconcile (now ${stages.map(s => `"${s.name}"`).join(', ')})`);
      }
      const healthChecks = stage.healthChecks ?? [];
      this.byName.set(stage.name, new Kustomization(new ManifestFile(this, stage.name), 'kustomization', {
        metadata: { name: stage.name, namespace: FLUX_NAMESPACE },
        sourceRef: stage.sourceRef ?? this.repository,
        path: stage.path,
        interval: stage.interval ?? props.interval ?? '10m0s',
        timeout: stage.timeout,
        prune: stage.prune,
        wait: stage.wait ?? (waitedFor.has(stage.name) && healthChecks.length === 0 ? true : undefined),
        healthChecks: stage.healthChecks,
        dependsOn: dependencies[i].filter(d => this.byName.has(d)).map(d => this.byName.get(d)!),
        serviceAccountName: stage.serviceAccountName ?? (props.environment.lockdown ? 'kustomize-controller' : undefined),
      }));
    });
    this.node.addValidation({ validate: () => problems });
    repo.addEnvironment(props.environment, this);
  }

  /** The Kustomizations of the stages, in order. */
  public get stages(): readonly Kustomization[] {
    return [...this.byName.values()];
  }

  /** The Kustomization of a stage, by name. */
  public stage(name: string): Kustomization {
    const found = this.byName.get(name);
    if (!found) throw new Error(`${this.node.path}: no stage "${name}"; the stages are ${[...this.byName.keys()].map(n => `"${n}"`).join(', ') || 'none'}`);
    return found;
  }
}
