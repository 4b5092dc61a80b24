import { Construct } from 'constructs';
import { Kustomization } from '../flux/kustomization';
import { GitRepository } from '../flux/sources/git-repository';
import { LayoutDirectory } from '../core/layout-directory';
import { ManifestFile } from '../core/manifest-file';
import { FLEET_REPOSITORY, FLEET_REPOSITORY_IGNORE, FleetEnvironment } from './environments';
import { SealedSecretsController } from './infrastructure/sealed-secrets';
import { FLUX_NAMESPACE } from './infrastructure/component';

/** Props of a `ClusterConfig`. */
export interface ClusterConfigProps {
  readonly env: FleetEnvironment;
  /** The environment's infrastructure overlay, reconciled by the `infrastructure` Kustomization. */
  readonly infrastructure: LayoutDirectory;
  /** The environment's applications overlay (`apps/overlays/<env>`), reconciled by the `apps` Kustomization. */
  readonly apps: LayoutDirectory;
  /** The Sealed Secrets controller, which the infrastructure waits for (its SealedSecrets need the CRD and the controller). */
  readonly sealedSecrets: SealedSecretsController;
}

/**
 * `clusters/<cluster>/`: what the cluster's Flux reconciles. `flux-system/gotk-sync.yaml` holds
 * the sync objects (this repository and the Kustomization of this very directory, as `flux
 * bootstrap` writes them, so Flux manages its own sync). Every Flux Kustomization is declared here,
 * so the whole dependency graph exists from the first reconcile, and each one that is depended on
 * waits for what it applies: `sealed-secrets.yaml` (the controller, health-checked) →
 * `infrastructure.yaml` (the overlay with its SealedSecrets, `wait: true`) → `apps.yaml`. Every path
 * comes from the layout, never typed by hand.
 */
export class ClusterConfig extends LayoutDirectory {
  /** The GitRepository of this fleet repository, as seen by the cluster. */
  public readonly repository: GitRepository;
  /** The Kustomization of this very directory (the sync the bootstrap also applies). */
  public readonly sync: Kustomization;
  /** The Kustomization that installs the Sealed Secrets controller. */
  public readonly sealedSecrets: Kustomization;
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
      ignore: FLEET_REPOSITORY_IGNORE,
    });
    this.sync = new Kustomization(sync, 'kustomization', {
      metadata: { name: 'flux-system', namespace: FLUX_NAMESPACE },
      sourceRef: this.repository,
      path: this,
      interval: '10m0s',
    });
    this.sealedSecrets = new Kustomization(new ManifestFile(this, 'sealed-secrets'), 'kustomization', {
      metadata: { name: 'sealed-secrets', namespace: FLUX_NAMESPACE },
      sourceRef: this.repository,
      path: props.sealedSecrets,
      interval: '10m0s',
      timeout: '5m',
      healthChecks: [props.sealedSecrets.release],
    });
    this.infrastructure = new Kustomization(new ManifestFile(this, 'infrastructure'), 'kustomization', {
      metadata: { name: 'infrastructure', namespace: FLUX_NAMESPACE },
      sourceRef: this.repository,
      path: props.infrastructure,
      interval: '10m0s',
      timeout: '15m',
      wait: true,
      dependsOn: [this.sealedSecrets],
    });
    this.apps = new Kustomization(new ManifestFile(this, 'apps'), 'kustomization', {
      metadata: { name: 'apps', namespace: FLUX_NAMESPACE },
      sourceRef: this.repository,
      path: props.apps,
      interval: '10m0s',
      dependsOn: [this.infrastructure],
    });
  }
}
