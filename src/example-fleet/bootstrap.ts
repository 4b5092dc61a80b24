import { App } from 'cdktf';
import { BootstrapTarget, FluxBootstrapStack, FluxSyncStack } from '../bootstrap';
import { GitOpsRepo } from '../fleet/gitops-repo';
import { SealingCertificate } from '../secrets/certificate';
import { ClusterConfig } from './cluster';
import { sealingEnvironments } from './index';

/** One bootstrap target per cluster of the fleet, from the very objects its layout writes. */
export function bootstrapTargets(repo: GitOpsRepo): BootstrapTarget[] {
  const sealing = sealingEnvironments();
  return repo.node.findAll()
    .filter((c): c is ClusterConfig => c instanceof ClusterConfig)
    .map(cluster => ({
      name: cluster.env.name,
      sync: { repository: cluster.repository, kustomization: cluster.sync },
      sealingCertificate: SealingCertificate.fromFile(sealing[cluster.env.name].certificate, { checkValidity: false }),
      lockdown: cluster.env.lockdown ? {} : undefined,
      fluxValues: cluster.env.fluxValues,
    }));
}

/**
 * The cdktf app of the example fleet: for every environment, the bootstrap stack (Flux, the
 * sealing key, the deploy key) and the sync stack that depends on it.
 */
export function createBootstrapApp(repo: GitOpsRepo, outdir = 'cdktf.out'): { app: App; stacks: { bootstrap: FluxBootstrapStack; sync: FluxSyncStack; target: BootstrapTarget }[] } {
  const app = new App({ outdir });
  const stacks = bootstrapTargets(repo).map(target => {
    const bootstrap = new FluxBootstrapStack(app, target);
    return { target, bootstrap, sync: new FluxSyncStack(app, target, bootstrap) };
  });
  return { app, stacks };
}
