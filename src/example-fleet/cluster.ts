import { GitOpsRepo } from '../fleet/gitops-repo';
import { DEFAULT_FLUX_COMPONENTS, FluxComponent } from '../flux/operator/flux-instance';
import { LayoutDirectory } from '../core/layout-directory';
import { Cluster, ClusterSync } from '../patterns/cluster';
import { FLEET_REPOSITORY, FLEET_REPOSITORY_IGNORE, FleetEnvironment } from './environments';
import { SealedSecretsController } from './infrastructure/sealed-secrets';

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
export function exampleCluster(repo: GitOpsRepo, env: FleetEnvironment, infrastructure: LayoutDirectory, apps: LayoutDirectory, sealedSecrets: SealedSecretsController): Cluster<FleetEnvironment> {
  const imageControllers = env.imageAutomation ? [FluxComponent.IMAGE_REFLECTOR_CONTROLLER, FluxComponent.IMAGE_AUTOMATION_CONTROLLER] : [];
  return new Cluster(repo, {
    environment: env,
    sync: ClusterSync.fluxInstance({
      version: '2.9.x',
      components: [...DEFAULT_FLUX_COMPONENTS, ...imageControllers],
      // the deploy key is created by the cluster's bootstrap
      sync: { url: FLEET_REPOSITORY.url, ref: `refs/heads/${FLEET_REPOSITORY.branch}`, interval: '1m', pullSecret: 'flux-system' },
      // the cluster downloads the layout only, not the library's source, tests or keys
      patches: [{ target: { kind: 'GitRepository', name: 'flux-system' }, patch: [{ op: 'add', path: '/spec/ignore', value: FLEET_REPOSITORY_IGNORE }] }],
    }),
    stages: [
      { name: 'sealed-secrets', path: sealedSecrets, timeout: '5m', healthChecks: [sealedSecrets.release] },
      { name: 'infrastructure', path: infrastructure, timeout: '15m' },
      { name: 'apps', path: apps },
    ],
  });
}
