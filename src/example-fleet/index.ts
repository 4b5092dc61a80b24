import { GitOpsRepo } from '../layout/gitops-repo';
import { LayoutDirectory } from '../layout/layout-directory';
import { ClusterConfig } from './cluster';
import { ENVIRONMENTS } from './environments';
import { AwsLoadBalancerController } from './infrastructure/aws-load-balancer-controller';
import { InfrastructureComponent } from './infrastructure/component';
import { ExternalDns } from './infrastructure/external-dns';
import { MariaDb } from './infrastructure/mariadb';
import { SealedSecretsController } from './infrastructure/sealed-secrets';
import { SlackNotifications } from './infrastructure/slack';
import { Sources } from './infrastructure/sources';

/** Props of the example fleet. */
export interface ExampleFleetProps {
  /**
   * Where the layout is written.
   * @default the current working directory
   */
  readonly rootDir?: string;
}

/**
 * Seed 000's fleet (zxkane/eks-gitops) as typed code: three EKS clusters (development,
 * staging, production) that share the infrastructure components of `infrastructure/base/`,
 * each with an overlay carrying only its differences.
 */
export function createExampleFleet(props: ExampleFleetProps = {}): GitOpsRepo {
  // As in seed 000, the HelmReleases of kube-system and mariadb use the HelmRepositories of
  // flux-system: cross-namespace references, which Flux allows unless locked down.
  const repo = new GitOpsRepo({ rootDir: props.rootDir, allowCrossNamespaceReferences: true });

  const base = new LayoutDirectory(repo.infrastructure, 'base');
  const sources = new Sources(base);
  const components: InfrastructureComponent[] = [
    new AwsLoadBalancerController(base, sources),
    new ExternalDns(base, sources),
    new SealedSecretsController(base, sources),
    new MariaDb(base, sources),
    new SlackNotifications(base),
  ];

  const overlays = new LayoutDirectory(repo.infrastructure, 'overlays', { kustomize: false });
  for (const env of ENVIRONMENTS) {
    const overlay = new LayoutDirectory(overlays, env.name);
    overlay.addResource(base);
    for (const component of components) component.customize(overlay, env);
    new ClusterConfig(repo.clusters, { env, infrastructure: overlay });
  }
  return repo;
}
