import { Kustomization } from '../flux/kustomization';
import { GitRepository } from '../flux/sources/git-repository';
import { SealingCertificate } from '../secrets/certificate';

/** Flux's multi-tenancy lockdown, as the flux2 chart installs it. */
export interface MultiTenancyLockdown {
  /**
   * Kustomizations and HelmReleases without `serviceAccountName` impersonate this account of
   * their own namespace (which should have no rights).
   * @default 'default'
   */
  readonly defaultServiceAccount?: string;
}

/** What a bootstrap stack needs of one environment: the same objects the layout uses. */
export interface BootstrapTarget {
  /** The environment's name; the stacks are `<name>` and `<name>-sync`. */
  readonly name: string;
  /**
   * The sync objects exactly as the layout writes them into `clusters/<cluster>/flux-system/`:
   * this repository and the Kustomization of the cluster's directory.
   */
  readonly sync: {
    /** The GitRepository of the fleet repository (`flux-system`). */
    readonly repository: GitRepository;
    /** The Kustomization of the cluster directory (`flux-system`). */
    readonly kustomization: Kustomization;
  };
  /** The environment's committed Sealed Secrets certificate (what its SealedSecrets are sealed for). */
  readonly sealingCertificate: SealingCertificate;
  /** @default 'flux-system' (where the example fleet's controller runs) */
  readonly sealedSecretsNamespace?: string;
  /**
   * The kubeconfig context of the cluster: the default of the `kube_context` variable. Note that
   * `aws eks update-kubeconfig` names contexts by cluster ARN unless given `--alias`.
   * @default none (given at plan time)
   */
  readonly kubeContext?: string;
  /**
   * The fluxcd-community `flux2` chart version.
   * @default FLUX_CHART_VERSION
   */
  readonly fluxChartVersion?: string;
  /** Extra values for the flux2 chart. @default none */
  readonly fluxValues?: Record<string, unknown>;
  /** Turn on Flux's multi-tenancy lockdown. @default off, as in Flux */
  readonly lockdown?: MultiTenancyLockdown;
}

/**
 * The flux2 chart version installed: an exact version, because the Terraform Helm provider (v3)
 * records the installed version and a range would never match it. The chart's minor version is
 * Flux's plus ten (2.18.x ships Flux 2.8.x), so 2.19.x ships Flux 2.9; bump it with Flux.
 */
export const FLUX_CHART_VERSION = '2.19.0';

/** The fluxcd-community Helm repository. */
export const FLUX_CHART_REPOSITORY = 'https://fluxcd-community.github.io/helm-charts';
