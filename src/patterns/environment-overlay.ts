import { Construct } from 'constructs';
import { LayoutDirectory } from '../core/layout-directory';
import { Environment } from '../fleet/environment';
import { SealedStore } from '../secrets/sealed-store';

/**
 * A piece of the fleet declared once (in a base) with differences per environment: the
 * environment overlays call `customize` with each environment's overlay, where the component
 * writes its patches and its per-environment objects.
 */
export interface IEnvironmentComponent<E extends Environment = Environment> {
  /** Writes this component's differences for one environment into its overlay. */
  customize(overlay: EnvironmentOverlay<E>): void;
}

/** Props of an `EnvironmentOverlay`. */
export interface EnvironmentOverlayProps<E extends Environment = Environment> {
  /** The environment. Its name is the directory's. */
  readonly environment: E;
  /** The directories it builds on (e.g. `infrastructure/base`). @default none */
  readonly bases?: readonly LayoutDirectory[];
  /** The components that customise it, called in order. @default none */
  readonly components?: readonly IEnvironmentComponent<E>[];
  /** The environment's sealed values, for components that seal secrets into it. @default none */
  readonly store?: SealedStore;
  /**
   * Write the overlay fully rendered (every object, patches applied) instead of bases plus patches.
   * @default false
   */
  readonly flatten?: boolean;
}

/**
 * `<overlays>/<environment>/`: an environment's view of shared bases, with what each component
 * writes for this environment only (patches, per-environment objects, sealed secrets).
 */
export class EnvironmentOverlay<E extends Environment = Environment> extends LayoutDirectory {
  /** The environment. */
  public readonly environment: E;
  private readonly sealedStore?: SealedStore;
  private readonly subdirectories = new Map<string, LayoutDirectory>();

  constructor(scope: Construct, props: EnvironmentOverlayProps<E>) {
    super(scope, props.environment.name, { flatten: props.flatten });
    this.environment = props.environment;
    this.sealedStore = props.store;
    for (const base of props.bases ?? []) this.addResource(base);
    for (const component of props.components ?? []) component.customize(this);
  }

  /** The environment's sealed values; an error names the overlay when none was given. */
  public get store(): SealedStore {
    if (!this.sealedStore) throw new Error(`${this.node.path}: a component seals values for environment "${this.environment.name}", but its overlay has no store: pass store to the EnvironmentOverlay`);
    return this.sealedStore;
  }

  /**
   * A subdirectory of the overlay, created on first use (e.g. `secrets/`, which the overlay
   * includes): components share it by name.
   */
  public subdirectory(name: string): LayoutDirectory {
    let dir = this.subdirectories.get(name);
    if (!dir) {
      dir = new LayoutDirectory(this, name);
      this.subdirectories.set(name, dir);
    }
    return dir;
  }
}
