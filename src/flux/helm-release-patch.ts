import { DeepPartial, PATCH_TYPE, PatchContent } from '../core/object-patch';
import { FluxDuration, GoDurationString } from './duration';
import { HelmRelease, HelmReleaseInstall, HelmReleaseRollback, HelmReleaseTest, HelmReleaseUninstall, HelmReleaseUpgrade } from './helm-release';

/**
 * An action's options in a patch: the props' fields, with durations as Go duration strings (a patch
 * is written as it is given); `null` deletes a field, as in any strategic-merge patch.
 */
export type ActionPatch<T> = {
  readonly [K in keyof T]?: (NonNullable<T[K]> extends FluxDuration ? GoDurationString
    : NonNullable<T[K]> extends object ? ActionPatch<NonNullable<T[K]>> : T[K]) | null;
};

/**
 * A strategic-merge patch of a `HelmRelease<Values>`: its `spec` fields as Flux's CRD
 * (helm.toolkit.fluxcd.io/v2) names them, `values` typed by the release's values type, so that an
 * `ObjectPatch` of a typed release refuses a misspelt value at compile time.
 */
export interface HelmReleasePatch<Values extends object = Record<string, unknown>> {
  /** Labels and annotations to add or override. @default none */
  readonly metadata?: PatchContent['metadata'];
  /** The fields of `spec` to merge. @default none */
  readonly spec?: HelmReleasePatchSpec<Values>;
}

/** The fields of a HelmRelease's spec a patch may set (Flux v2.9's CRD). */
export interface HelmReleasePatchSpec<Values extends object = Record<string, unknown>> {
  /** Chart values, merged into the release's. @default unchanged */
  readonly values?: DeepPartial<Values>;
  /** The chart template (`chart.spec.version`…). @default unchanged */
  readonly chart?: {
    /** The chart's spec. */
    readonly spec?: {
      /** Chart name. */ readonly chart?: string;
      /** Version or semver range. */ readonly version?: string;
      /** The source. */ readonly sourceRef?: { readonly kind?: string; readonly name?: string; readonly namespace?: string };
      /** Fetch interval. */ readonly interval?: GoDurationString;
      /** Values files of the chart. */ readonly valuesFiles?: readonly string[];
      /** Whether missing values files are ignored. */ readonly ignoreMissingValuesFiles?: boolean;
      /** ChartVersion or Revision. */ readonly reconcileStrategy?: string;
      /** Signature verification. */ readonly verify?: Record<string, unknown>;
    };
  };
  /** @default unchanged */ readonly chartRef?: { readonly kind?: string; readonly name?: string; readonly namespace?: string };
  /** @default unchanged */ readonly interval?: GoDurationString;
  /** @default unchanged */ readonly timeout?: GoDurationString;
  /** @default unchanged */ readonly suspend?: boolean;
  /** @default unchanged */ readonly releaseName?: string;
  /** @default unchanged */ readonly targetNamespace?: string;
  /** @default unchanged */ readonly storageNamespace?: string;
  /** @default unchanged */ readonly serviceAccountName?: string;
  /** @default unchanged */ readonly maxHistory?: number;
  /** @default unchanged */ readonly persistentClient?: boolean;
  /** @default unchanged */ readonly valuesFrom?: readonly Record<string, unknown>[];
  /** @default unchanged */ readonly dependsOn?: readonly Record<string, unknown>[];
  /** @default unchanged */ readonly install?: ActionPatch<HelmReleaseInstall>;
  /** @default unchanged */ readonly upgrade?: ActionPatch<HelmReleaseUpgrade>;
  /** @default unchanged */ readonly rollback?: ActionPatch<HelmReleaseRollback>;
  /** @default unchanged */ readonly test?: ActionPatch<HelmReleaseTest>;
  /** @default unchanged */ readonly uninstall?: ActionPatch<HelmReleaseUninstall>;
  /** @default unchanged */ readonly driftDetection?: Record<string, unknown>;
  /** @default unchanged */ readonly postRenderers?: readonly Record<string, unknown>[];
  /** @default unchanged */ readonly commonMetadata?: Record<string, unknown>;
  /** @default unchanged */ readonly kubeConfig?: Record<string, unknown>;
  /** @default unchanged */ readonly healthCheckExprs?: readonly Record<string, unknown>[];
  /** @default unchanged */ readonly postRenderStrategy?: string;
  /** @default unchanged */ readonly waitStrategy?: Record<string, unknown>;
}

// The patch type of a HelmRelease, declared beside the class (type-only: nothing at run time).
declare module './helm-release' {
  interface HelmRelease<Values extends object = Record<string, unknown>> {
    /** Phantom: the type of an `ObjectPatch` of this release (never set at run time). */
    readonly [PATCH_TYPE]?: HelmReleasePatch<Values>;
  }
}

/** @internal keeps the augmented class referenced, so the augmentation is part of every build that imports this file */
export type _AugmentedHelmRelease = HelmRelease;
