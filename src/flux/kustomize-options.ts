// Options a Flux Kustomization and a HelmRelease's kustomize post-renderer share, with how they are
// written and checked, so that both write them the same way.
import { JsonPatchOperation } from '../core/kustomize/json-patch';
import { TargetSelector } from '../core/kustomize/selector';
import { inlinePatchText } from '../core/render';
import { FieldChecks } from './field-checks';
import { ISecretRef } from './sources/source';

/** A kustomize patch (a Kustomization's, after the directory's own, or a post-renderer's): strategic merge, or JSON 6902 operations with a target. */
export interface KustomizationPatch {
  /** A strategic-merge document (its kind and name select the object unless `target` is given), or JSON 6902 operations. */
  readonly patch: Readonly<Record<string, unknown>> | readonly JsonPatchOperation[];
  /** The objects to patch (required for JSON 6902). @default the object the strategic-merge document names */
  readonly target?: TargetSelector;
}

/** A container image rewrite (kustomize `images`). */
export interface KustomizeImage {
  /** The image as written in the manifests, without tag, e.g. `ghcr.io/stefanprodan/podinfo`. */
  readonly name: string;
  /** Replacement name. @default unchanged */
  readonly newName?: string;
  /** Replacement tag. @default unchanged */
  readonly newTag?: string;
  /** Replacement digest (`sha256:…`), instead of a tag. @default none */
  readonly digest?: string;
}

/** CEL expressions that tell the health of a custom resource kstatus does not understand. */
export interface HealthCheckExpression {
  /** API version of the kind, e.g. `cert-manager.io/v1`. */
  readonly apiVersion: string;
  /** The kind, e.g. `Certificate`. */
  readonly kind: string;
  /** True when the object is healthy, e.g. `status.conditions.filter(c, c.type == 'Ready').all(c, c.status == 'True')`. */
  readonly current: string;
  /** True when it has failed. @default none */
  readonly failed?: string;
  /** True while it is progressing. @default none */
  readonly inProgress?: string;
}

/** A remote cluster a Kustomization or HelmRelease applies to instead of its own. */
export interface KubeConfigReference {
  /** A Secret holding a kubeconfig. Exactly one of `secret` and `configMap`. */
  readonly secret?: ISecretRef;
  /** The key of the kubeconfig in the Secret. @default `value` or `value.yaml` */
  readonly key?: string;
  /** A ConfigMap with the cluster's address and CA, for workload identity. Exactly one of `secret` and `configMap`. */
  readonly configMap?: { readonly name: string };
}

/** `patches` as Flux reads them: each patch as inline YAML, with its target. */
export function renderPatches(patches: readonly KustomizationPatch[] | undefined): Record<string, unknown>[] | undefined {
  return patches?.map(x => ({ patch: inlinePatchText(x.patch), target: x.target }));
}

/** `images` as Flux reads them. */
export function renderImages(images: readonly KustomizeImage[] | undefined): Record<string, unknown>[] | undefined {
  return images?.map(i => ({ name: i.name, newName: i.newName, newTag: i.newTag, digest: i.digest }));
}

/** `healthCheckExprs` as Flux reads them. */
export function renderHealthCheckExprs(exprs: readonly HealthCheckExpression[] | undefined): Record<string, unknown>[] | undefined {
  return exprs?.map(h => ({ apiVersion: h.apiVersion, kind: h.kind, current: h.current, failed: h.failed, inProgress: h.inProgress }));
}

/** `kubeConfig` as Flux reads it: a Secret's key, or a ConfigMap. */
export function renderKubeConfig(ref: KubeConfigReference | undefined): Record<string, unknown> | undefined {
  if (!ref) return undefined;
  return {
    secretRef: ref.secret ? { name: ref.secret.name, key: ref.key } : undefined,
    configMapRef: ref.configMap ? { name: ref.configMap.name } : undefined,
  };
}

/** JSON 6902 patches need a target: kustomize cannot tell what they patch otherwise. */
export function checkPatchTargets(c: FieldChecks, field: string, patches: readonly KustomizationPatch[] | undefined): void {
  (patches ?? []).forEach((x, i) => {
    if (Array.isArray(x.patch) && !x.target) c.add(`${field}[${i}] is a JSON 6902 patch without a target: JSON 6902 operations need target (e.g. { kind: 'Deployment', name: 'web' })`);
  });
}

/** A remote cluster is named by exactly one of a Secret and a ConfigMap. */
export function checkKubeConfig(c: FieldChecks, ref: KubeConfigReference | undefined): void {
  if (ref && (ref.secret === undefined) === (ref.configMap === undefined)) {
    c.add('spec.kubeConfig needs exactly one of secret (a kubeconfig Secret) and configMap (a cluster address for workload identity)');
  }
}
