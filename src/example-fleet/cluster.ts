import { Construct } from 'constructs';
import { IKustomization, Kustomization } from '../flux/kustomization';
import { GitRepository } from '../flux/sources/git-repository';
import { LayoutDirectory } from '../core/layout-directory';
import { ManifestFile } from '../core/manifest-file';
import { FLEET_REPOSITORY, FleetEnvironment } from './environments';
import { FLUX_NAMESPACE } from './infrastructure/component';

/** Props of a `ClusterConfig`. */
export interface ClusterConfigProps {
  readonly env: FleetEnvironment;
  /** The environment's infrastructure overlay, reconciled by the `infrastructure` Kustomization. */
  readonly infrastructure: LayoutDirectory;
  /** The environment's applications overlay (`apps/overlays/<env>`), reconciled by the `apps` Kustomization. */
  readonly apps: LayoutDirectory;
  /** What the applications wait for besides the infrastructure (the environment's SealedSecrets, whose CRD they need). */
  readonly appsDependOn: readonly IKustomization[];
}

/**
 * `clusters/<cluster>/`: what the cluster's Flux reconciles. `flux-system/gotk-sync.yaml` holds
 * the sync objects (this repository and the Kustomization of this very directory, as `flux
 * bootstrap` writes them, so Flux manages its own sync); `infrastructure.yaml` reconciles the
 * environment's infrastructure overlay. Every path comes from the layout, never typed by hand.
 */
export class ClusterConfig extends LayoutDirectory {
  /** The GitRepository of this fleet repository, as seen by the cluster. */
  public readonly repository: GitRepository;
  /** The Kustomization of this very directory (the sync the bootstrap also applies). */
  public readonly sync: Kustomization;
  /** The Kustomization that reconciles the environment's infrastructure. */
  public readonly infrastructure: Kustomization;
  /** The Kustomization that reconciles the environment's applications and tenants, once the infrastructure is ready. */
  public readonly apps: Kustomization;
  /** The environment this cluster runs. */
  public readonly env: FleetEnvironment;

  constructor(scope: Construct, props: ClusterConfigProps) {
    super(scope, props.env.cluster);
    this.env = props.env;
    const sync = new ManifestFile(new LayoutDirectory(this, 'flux-system'), 'gotk-sync');
    this.repository = new GitRepository(sync, 'repository', {
      metadata: { name: 'flux-system', namespace: FLUX_NAMESPACE },
      url: FLEET_REPOSITORY.url,
      ref: { branch: FLEET_REPOSITORY.branch },
      interval: '1m0s',
      secretRef: { name: 'flux-system' }, // the deploy key, created by the cluster bootstrap
    });
    this.sync = new Kustomization(sync, 'kustomization', {
      metadata: { name: 'flux-system', namespace: FLUX_NAMESPACE },
      sourceRef: this.repository,
      path: this,
      interval: '10m0s',
    });
    this.infrastructure = new Kustomization(new ManifestFile(this, 'infrastructure'), 'kustomization', {
      metadata: { name: 'infrastructure', namespace: FLUX_NAMESPACE },
      sourceRef: this.repository,
      path: props.infrastructure,
      interval: '10m0s',
    });
    this.apps = new Kustomization(new ManifestFile(this, 'apps'), 'kustomization', {
      metadata: { name: 'apps', namespace: FLUX_NAMESPACE },
      sourceRef: this.repository,
      path: props.apps,
      interval: '10m0s',
      dependsOn: [this.infrastructure, ...props.appsDependOn],
    });
  }
}
