import { LayoutDirectory } from '../../layout/layout-directory';
import { SealedStore } from '../../secrets/sealed-store';
import { FleetEnvironment } from '../environments';

/**
 * A shared infrastructure component: declared once under `infrastructure/base/<name>/`,
 * with its per-environment differences written into each environment's overlay.
 */
export interface InfrastructureComponent {
  /**
   * Writes this component's differences for `env` into the environment's overlay directory.
   * @param secrets the environment's sealed values
   */
  customize(overlay: LayoutDirectory, env: FleetEnvironment, secrets: SealedStore): void;
}

/** The namespace Flux runs in, and where the fleet keeps its sources and notifications. */
export const FLUX_NAMESPACE = 'flux-system';

/** Annotation that binds a ServiceAccount to an IAM role on EKS (IRSA). */
export const IRSA_ROLE_ANNOTATION = 'eks.amazonaws.com/role-arn';
