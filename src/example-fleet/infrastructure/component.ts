import { Promotion } from '../../fleet/promotion';
import { EnvironmentOverlay, IEnvironmentComponent } from '../../patterns/environment-overlay';
import { EnvironmentName, FleetEnvironment } from '../environments';

/** An environment's overlay of the example fleet (`infrastructure/overlays/<env>/`, `apps/overlays/<env>/`). */
export type FleetOverlay = EnvironmentOverlay<FleetEnvironment>;

/**
 * A shared component: declared once under a base, with its per-environment differences written
 * into each environment's overlay. Its SealedSecrets go into the overlay's `secrets/`, applied with
 * the infrastructure, whose Kustomization waits for the Sealed Secrets controller (and its CRD).
 */
export type FleetComponent = IEnvironmentComponent<FleetEnvironment>;

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
