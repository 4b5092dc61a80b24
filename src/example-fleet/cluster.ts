import { Construct } from 'constructs';
import { Kustomization } from '../flux/kustomization';
import { DEFAULT_FLUX_COMPONENTS, FluxComponent, FluxInstance } from '../flux/operator/flux-instance';
import { FluxOperator } from '../flux/operator/flux-operator';
import { IKustomizationSource } from '../flux/sources/source';
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
 * `clusters/<cluster>/`: what the cluster's Flux reconciles. `flux-system/` holds Flux's own
 * installation, reviewed like any other change: the `FluxInstance` (Flux's version, its
 * controllers, the multi-tenancy lockdown exactly when the environment has it, and the sync of this
 * very directory, which the Flux Operator creates) and the operator's own release. Every Flux
 * Kustomization is declared here, so the whole dependency graph exists from the first reconcile,
 * and each one that is depended on waits for what it applies: `sealed-secrets.yaml` (the
 * controller, health-checked) → `infrastructure.yaml` (the overlay with its SealedSecrets,
 * `wait: true`) → `apps.yaml`. Every path comes from the layout, never typed by hand.
 */
export class ClusterConfig extends LayoutDirectory {
  /** Flux's installation and sync in this cluster. */
  public readonly flux: FluxInstance;
  /** The source the operator creates for this repository (`GitRepository flux-system`). */
  public readonly repository: IKustomizationSource;
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
    const fluxSystem = new LayoutDirectory(this, 'flux-system');
    this.flux = new FluxInstance(new ManifestFile(fluxSystem, 'flux-instance'), 'flux', {
      version: '2.9.x',
      components: props.env.imageAutomation
        ? [...DEFAULT_FLUX_COMPONENTS, FluxComponent.IMAGE_REFLECTOR_CONTROLLER, FluxComponent.IMAGE_AUTOMATION_CONTROLLER]
        : DEFAULT_FLUX_COMPONENTS,
      multitenant: props.env.lockdown ?? false,
      sync: {
        url: FLEET_REPOSITORY.url,
        ref: `refs/heads/${FLEET_REPOSITORY.branch}`,
        path: this,
        interval: '1m',
        pullSecret: 'flux-system', // the deploy key, created by the cluster's bootstrap
      },
      // the cluster downloads the layout only, not the library's source, tests or keys
      patches: [{ target: { kind: 'GitRepository', name: 'flux-system' }, patch: [{ op: 'add', path: '/spec/ignore', value: FLEET_REPOSITORY_IGNORE }] }],
    });
    new FluxOperator(new ManifestFile(fluxSystem, 'flux-operator'), 'operator');
    this.repository = this.flux.syncSource;
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
