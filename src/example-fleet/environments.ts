import { Environment } from '../fleet/environment';

/** The example fleet's environments, in promotion order. */
export const ENVIRONMENT_NAMES = ['development', 'staging', 'production'] as const;
/** The name of one of the example fleet's environments. */
export type EnvironmentName = typeof ENVIRONMENT_NAMES[number];

/**
 * The example fleet's environments: seed 000's three EKS clusters. Everything that differs
 * between environments is a typed field here, so components derive their differences from it
 * instead of carrying hand-written patches.
 */
export interface FleetEnvironment extends Environment {
  /** Environment name; also the overlay directory `infrastructure/overlays/<name>`. */
  readonly name: EnvironmentName;
  /** The EKS cluster's name (used by the load balancer controller and as external-dns owner id). */
  readonly eksClusterName: string;
  /** AWS region of the cluster. */
  readonly region: string;
  /** VPC the cluster runs in (the load balancer controller needs it when IMDS is not reachable). */
  readonly vpcId: string;
  /** Route 53 domain that external-dns manages in this environment. */
  readonly domain: string;
  /** IAM role (IRSA) of the AWS Load Balancer Controller's service account. */
  readonly loadBalancerControllerRoleArn: string;
  /** IAM role (IRSA) of external-dns's service account. */
  readonly externalDnsRoleArn: string;
  /**
   * Whether tenants' images are updated in this environment by Flux image automation (committing
   * new tags into the tenant's own repository), rather than promoted by hand.
   */
  readonly imageAutomation: boolean;
  /** Slack channel that receives this environment's Flux alerts. */
  readonly slackChannel: string;
  /**
   * The cluster's Sealed Secrets certificate (`kubeseal --fetch-cert`) and the store of values
   * sealed for it, relative to the repository root. Both are committed; the private key never is.
   */
  readonly sealing: { readonly certificate: string; readonly store: string };
}

/** Sealing files of an environment, by convention `sealed-secrets/certs/<env>.pem` and `sealed-secrets/<env>.yaml`. */
export function sealingFiles(env: string) {
  return { certificate: `sealed-secrets/certs/${env}.pem`, store: `sealed-secrets/${env}.yaml` };
}

/**
 * The Git repository every cluster's Flux syncs from: the repository that holds this layout (this
 * one). `your-org/cdk8s-flux` is a placeholder: a fork that bootstraps real clusters puts its own
 * URL here (the seed's zxkane/eks-gitops holds the seed's YAML, not this layout).
 */
export const FLEET_REPOSITORY = {
  url: 'ssh://git@github.com/your-org/cdk8s-flux',
  branch: 'main',
} as const;

/** What the clusters download of this repository: the layout only, not the library's source, tests or keys. */
export const FLEET_REPOSITORY_IGNORE = '/*\n!/clusters/\n!/infrastructure/\n!/apps/\n';

export const development: FleetEnvironment = {
  name: 'development',
  cluster: 'cluster-dev',
  imageAutomation: true,
  eksClusterName: 'gitops-cluster',
  region: 'ap-southeast-1',
  vpcId: 'vpc-0d1e2f3a4b5c60001',
  domain: 'test.kane.mx',
  loadBalancerControllerRoleArn: 'arn:aws:iam::845861764576:role/gitops-cluster-aws-load-balancer-controller-role',
  externalDnsRoleArn: 'arn:aws:iam::845861764576:role/gitops-cluster-external-dns-role',
  slackChannel: 'gitops-flux',
  sealing: sealingFiles('development'),
};

export const staging: FleetEnvironment = {
  name: 'staging',
  cluster: 'cluster-staging',
  imageAutomation: false,
  eksClusterName: 'gitops-cluster-staging',
  region: 'ap-southeast-1',
  vpcId: 'vpc-0d1e2f3a4b5c60002',
  domain: 'test.kane.mx',
  loadBalancerControllerRoleArn: 'arn:aws:iam::845861764576:role/gitops-cluster-staging-aws-load-balancer-controller-role',
  externalDnsRoleArn: 'arn:aws:iam::845861764576:role/gitops-cluster-staging-external-dns-role',
  slackChannel: 'gitops-flux-staging',
  sealing: sealingFiles('staging'),
};

export const production: FleetEnvironment = {
  name: 'production',
  cluster: 'cluster-prod',
  imageAutomation: false,
  eksClusterName: 'gitops-cluster-prod',
  region: 'ap-southeast-1',
  vpcId: 'vpc-0d1e2f3a4b5c60003',
  domain: 'gitops.test.kane.mx',
  loadBalancerControllerRoleArn: 'arn:aws:iam::324908031092:role/aws-load-balancer-serviceaccount-role',
  externalDnsRoleArn: 'arn:aws:iam::324908031092:role/gitops-cluster-prod-external-dns-role',
  slackChannel: 'gitops-flux-prod',
  sealing: sealingFiles('production'),
};

/** All environments, in promotion order. */
export const ENVIRONMENTS: readonly FleetEnvironment[] = [development, staging, production];
