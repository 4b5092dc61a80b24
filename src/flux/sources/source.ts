import { apiObjectOf, FluxObjectProps, FluxReference, IObjectRef } from '../flux-object';
import { FluxDuration } from '../duration';
import { LayoutDirectory } from '../../core/layout-directory';

/** A Flux source a Kustomization can reconcile (GitRepository, OCIRepository, Bucket, ExternalArtifact). */
export interface IKustomizationSource extends IObjectRef {
  /** Brand: only source kinds implement it. */
  readonly isKustomizationSource: true;
  /**
   * For a source whose root is not this repository's root (an artifact generated from parts of
   * it): where Flux finds a directory of this repository in it.
   * @default the repository's own layout (paths relative to the repository root)
   */
  readonly artifactLayout?: IArtifactLayout;
}

/** How the directories of this repository appear inside an artifact made from parts of it. */
export interface IArtifactLayout {
  /** The path Flux reads a directory at inside the artifact (`./…`), or undefined when the artifact does not hold it. */
  pathOf(directory: LayoutDirectory): string | undefined;
  /** The directories of this repository the artifact holds, for messages (e.g. `apps/podinfo`). */
  readonly contents: readonly string[];
}

/** A Flux source a HelmRelease can install a chart from (`spec.chart.spec.sourceRef`): a HelmRepository by name, a GitRepository or Bucket by path. */
export interface IChartSource extends IObjectRef {
  /** Brand: only chart repository kinds implement it. */
  readonly isChartSource: true;
}

/** A Flux object a HelmRelease can take as `spec.chartRef` (OCIRepository, HelmChart). */
export interface IChartRefSource extends IObjectRef {
  /** Brand: only kinds a HelmRelease's `chartRef` accepts implement it. */
  readonly isChartRefSource: true;
}

/** A Secret (or SealedSecret) a Flux object points at, e.g. with `secretRef`. */
export interface ISecretRef {
  /** The Secret's name. */
  readonly name: string;
  /** The Secret's namespace, when known; `secretRef` resolves in the referrer's own namespace. */
  readonly namespace?: string;
}

/** Kubernetes `Secret` group/version/kind, for references to Secrets. */
export const SECRET_GVK = {
  /** The core API version. */
  apiVersion: 'v1',
  /** The kind. */
  kind: 'Secret',
} as const;

/**
 * The reference record of a `secretRef`-style field, for synth-time checks. A secretRef always
 * resolves in the referrer's own namespace.
 */
export function secretReference(field: string, secret: ISecretRef | undefined): FluxReference[] {
  if (!secret) return [];
  const namespace = apiObjectOf(secret)?.metadata.namespace ?? secret.namespace;
  return [{ field, target: { ...SECRET_GVK, name: secret.name, namespace }, object: secret, crossNamespace: false }];
}

/** The `{ name }` a `secretRef`-style field renders, or nothing. */
export function nameRef(secret: ISecretRef | undefined): { name: string } | undefined {
  return secret ? { name: secret.name } : undefined;
}

/** Props every source shares. */
export interface SourceProps extends FluxObjectProps {
  /** Credentials (a deploy key, token or registry login): a Secret or SealedSecret in the same namespace. @default none */
  readonly secretRef?: ISecretRef;
  /** Timeout of the source's remote operations (ms, s or m). @default '60s' (Flux's default) */
  readonly timeout?: FluxDuration;
  /** Stop reconciling. @default false */
  readonly suspend?: boolean;
}
