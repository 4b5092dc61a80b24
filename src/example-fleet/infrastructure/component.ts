import { LayoutDirectory } from '../../core/layout-directory';
import { SealedStore } from '../../secrets/sealed-store';
import { Promotion } from '../../fleet/promotion';
import { EnvironmentName, FleetEnvironment } from '../environments';

/** What a component gets to write an environment's differences. */
export interface OverlayContext {
  readonly env: FleetEnvironment;
  /** `infrastructure/overlays/<env>/`: patches and per-environment objects. */
  readonly overlay: LayoutDirectory;
  /**
   * `infrastructure/overlays/<env>/secrets/`: the environment's SealedSecrets, applied with the
   * infrastructure, whose Kustomization waits for the Sealed Secrets controller (and its CRD).
   */
  readonly secrets: LayoutDirectory;
  /** The environment's sealed values. */
  readonly store: SealedStore;
}

/**
 * A shared infrastructure component: declared once under `infrastructure/base/<name>/`,
 * with its per-environment differences written into each environment's overlay.
 */
export interface InfrastructureComponent {
  /** Writes this component's differences for one environment. */
  customize(context: OverlayContext): void;
}

/** The namespace Flux runs in, and where the fleet keeps its sources and notifications. */
export const FLUX_NAMESPACE = 'flux-system';

/** Annotation that binds a ServiceAccount to an IAM role on EKS (IRSA). */
export const IRSA_ROLE_ANNOTATION = 'eks.amazonaws.com/role-arn';

/**
 * The chart version fields of an environment's HelmRelease patch: empty when the environment runs
 * the base's version (the release train's baseline), so overlays carry only real differences.
 */
export function chartVersionFields(promotion: Promotion<EnvironmentName>, env: FleetEnvironment): { chart?: { spec: { version: string } } } {
  const version = promotion.override(env.name);
  return version === undefined ? {} : { chart: { spec: { version } } };
}
