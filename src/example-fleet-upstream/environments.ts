import { Environment } from '../fleet/environment';

/** What differs between the fleet's clusters. */
export interface UpstreamEnvironment extends Environment {
  /** The ACME directory cert-manager's issuer talks to. */
  readonly acmeServer: string;
  /** The hostname podinfo is served at. */
  readonly hostname: string;
  /** podinfo's replicas. */
  readonly replicas: number;
  /** Resource requests of the ingress controller. */
  readonly ingressCpu: string;
}

/** The fleet's environments, in promotion order. */
export const UPSTREAM_ENVIRONMENTS: readonly UpstreamEnvironment[] = [
  {
    name: 'staging', cluster: 'staging',
    acmeServer: 'https://acme-staging-v02.api.letsencrypt.org/directory', hostname: 'podinfo.staging.example.com', replicas: 1, ingressCpu: '100m',
  },
  {
    name: 'production', cluster: 'production',
    acmeServer: 'https://acme-v02.api.letsencrypt.org/directory', hostname: 'podinfo.example.com', replicas: 3, ingressCpu: '500m',
  },
];
