import * as helm from '../imports/helm-helm.toolkit.fluxcd.io';
import * as imageAutomation from '../imports/image-automation-image.toolkit.fluxcd.io';
import * as imageReflector from '../imports/image-reflector-image.toolkit.fluxcd.io';
import * as kustomize from '../imports/kustomize-kustomize.toolkit.fluxcd.io';
import * as notification from '../imports/notification-notification.toolkit.fluxcd.io';
import * as sealedSecrets from '../imports/sealed-secrets-bitnami.com';
import * as source from '../imports/source-source.toolkit.fluxcd.io';
import * as sourceWatcher from '../imports/source-watcher-source.extensions.fluxcd.io';
import { Doc } from '../core/model/repo-tree';
import { groupOf } from '../core/model/identity';
import { ClassRef, enumMember, Expr, lit, obj, arr } from './code';
import { isMap } from '../core/json-values';

/** The package the generated fleet imports the library from. */
export const LIBRARY = 'cdk8s-flux';

/** A kind the library has a generated (L1) class for, with the API version Flux 2.9 serves. */
export interface KnownKind {
  /** Its API group. */
  readonly group: string;
  /** Its kind. */
  readonly kind: string;
  /** The API version the library emits. */
  readonly apiVersion: string;
  /** Its generated class, as `cdk8s-flux` exports it (`helm.HelmRelease`). */
  readonly l1: ClassRef;
}

const l1 = (namespace: string, cls: { GVK: { apiVersion: string; kind: string } }, name: string): KnownKind => ({
  group: groupOf(cls.GVK.apiVersion),
  kind: cls.GVK.kind,
  apiVersion: cls.GVK.apiVersion,
  l1: { module: LIBRARY, namespace, name },
});

/** Every kind the library knows through a generated class: Flux's and Sealed Secrets'. */
export const KNOWN_KINDS: readonly KnownKind[] = [
  l1('source', source.GitRepository, 'GitRepository'),
  l1('source', source.OciRepository, 'OciRepository'),
  l1('source', source.HelmRepository, 'HelmRepository'),
  l1('source', source.HelmChart, 'HelmChart'),
  l1('source', source.Bucket, 'Bucket'),
  l1('helm', helm.HelmRelease, 'HelmRelease'),
  l1('kustomize', kustomize.Kustomization, 'Kustomization'),
  l1('notification', notification.Provider, 'Provider'),
  l1('notification', notification.Alert, 'Alert'),
  l1('notification', notification.Receiver, 'Receiver'),
  l1('imageReflector', imageReflector.ImageRepository, 'ImageRepository'),
  l1('imageReflector', imageReflector.ImagePolicy, 'ImagePolicy'),
  l1('imageAutomation', imageAutomation.ImageUpdateAutomation, 'ImageUpdateAutomation'),
  l1('sealedSecrets', sealedSecrets.SealedSecret, 'SealedSecret'),
  l1('sourceWatcher', sourceWatcher.ArtifactGenerator, 'ArtifactGenerator'),
];

/** The known kind of a document (any API version of its group), if the library has it. */
export function knownKind(doc: Doc): KnownKind | undefined {
  const group = groupOf(doc.apiVersion);
  return KNOWN_KINDS.find(k => k.kind === doc.kind && k.group === group);
}

/** The API version the library emits for a document's kind, if it knows the kind. */
export function currentApiVersion(doc: Doc): string | undefined {
  return knownKind(doc)?.apiVersion;
}

/** The generated modules, by the namespace `cdk8s-flux` exports them under. */
const L1_MODULES: Readonly<Record<string, Readonly<Record<string, unknown>>>> = { source, helm, kustomize, notification, imageReflector, imageAutomation, sealedSecrets, sourceWatcher };

/** Fields whose content is free-form (no generated types below them). */
const FREE_FORM = new Set(['values', 'patches', 'postRenderers', 'substitute', 'messageTemplateValues']);

/**
 * A known kind's spec for its generated class: as written, each string a field types as one of
 * the generated enums (`HelmReleaseSpecChartRefKind`) written as that enum's member, so the code
 * type-checks.
 */
export function l1SpecExpr(known: KnownKind, spec: unknown): Expr {
  const module = L1_MODULES[known.l1.namespace ?? ''] ?? {};
  const walk = (v: unknown, typeName: string): Expr => {
    if (Array.isArray(v)) return arr(v.map(x => walk(x, typeName)));
    if (isMap(v)) {
      return obj(Object.entries(v).map(([k, x]): [string, Expr] => [k, FREE_FORM.has(k) ? lit(x) : walk(x, `${typeName}${k.charAt(0).toUpperCase()}${k.slice(1)}`)]));
    }
    if (typeof v === 'string') {
      const e = module[typeName];
      if (isMap(e)) {
        const member = Object.keys(e).find(m => e[m] === v);
        if (member) return enumMember({ module: known.l1.module, namespace: known.l1.namespace, name: typeName }, member);
      }
    }
    return lit(v);
  };
  return walk(spec, `${known.l1.name}Spec`);
}
