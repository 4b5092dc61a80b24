import { App } from 'cdktf';
import { FluxOperatorBootstrapStack, OperatorBootstrapTarget } from '../bootstrap';
import { GitOpsRepo } from '../fleet/gitops-repo';
import { SealingCertificate } from '../secrets/certificate';
import { Cluster } from '../patterns/cluster';
import { FleetEnvironment } from './environments';
import { sealingEnvironments } from './index';

/** One bootstrap target per cluster of the fleet: the files synth writes for it, and its sealing certificate. */
export function bootstrapTargets(repo: GitOpsRepo): OperatorBootstrapTarget[] {
  const sealing = sealingEnvironments();
  const files = repo.synthLayout();
  return repo.node.findAll()
    .filter((c): c is Cluster<FleetEnvironment> => c instanceof Cluster)
    .map(cluster => ({
      name: cluster.environment.name,
      clusterDirectory: cluster.repoPath,
      files,
      sealingCertificate: SealingCertificate.fromFile(sealing[cluster.environment.name].certificate, { checkValidity: false }),
    }));
}

/**
 * The cdktf app of the example fleet: for every environment, one stack that bootstraps its
 * cluster in a single apply from the files of `clusters/<cluster>/flux-system/` (the operator, the
 * FluxInstance, the sealing key and the deploy key).
 */
export function createBootstrapApp(repo: GitOpsRepo, outdir = 'cdktf.out'): { app: App; stacks: { stack: FluxOperatorBootstrapStack; target: OperatorBootstrapTarget }[] } {
  const app = new App({ outdir });
  const stacks = bootstrapTargets(repo).map(target => ({ target, stack: new FluxOperatorBootstrapStack(app, target) }));
  return { app, stacks };
}
