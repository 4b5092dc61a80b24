import { LayoutDirectory } from '../core/layout-directory';

/**
 * What the library needs to know of an environment. Declare your own environment type once by
 * extending it with typed fields (region, domain, IAM roles, alert channel, version policy…) and
 * derive every per-environment difference from those fields.
 */
export interface Environment {
  /** The environment's name (`development`): names its overlays, and is how `diff` and `graph` refer to it. */
  readonly name: string;
  /** The name of the cluster's directory under `clusters/` (`cluster-dev`). */
  readonly cluster: string;
  /**
   * Run this environment's Flux with the multi-tenancy lockdown (no cross-namespace references,
   * `default` as the account to impersonate). Synth then enforces the same rules on every object
   * the cluster reconciles, platform included; the bootstrap installs Flux with it.
   * @default false, as in Flux
   */
  readonly lockdown?: boolean;
}

/** An environment registered with its fleet, and the cluster directory that reconciles it. */
export interface RegisteredEnvironment<E extends Environment = Environment> {
  /** The environment definition. */
  readonly env: E;
  /** `clusters/<cluster>/`: what the environment's cluster reconciles. */
  readonly cluster: LayoutDirectory;
}
