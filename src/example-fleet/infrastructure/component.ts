import { LayoutDirectory } from '../../layout/layout-directory';
import { SealedStore } from '../../secrets/sealed-store';
import { FleetEnvironment } from '../environments';

/** What a component gets to write an environment's differences. */
export interface OverlayContext {
  readonly env: FleetEnvironment;
  /** `infrastructure/overlays/<env>/`: patches and per-environment objects. */
  readonly overlay: LayoutDirectory;
  /**
   * `infrastructure/overlays/<env>/secrets/`: the environment's SealedSecrets, reconciled by their
   * own Flux Kustomization once the Sealed Secrets controller (and its CRD) is ready.
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
