// How each kind becomes code: the library's typed construct where it has one and its props can say
// everything the YAML says; each converter declines (with the reason) otherwise, and the planner
// falls back to the next way (cdk8s-plus, the generated class, a raw ApiObject).
import { isMap } from '../core/json-values';
import { Doc } from '../core/model/repo-tree';
import { arr, ClassRef, construct, enumMember, Expr, lit, obj } from './code';
import { CrdPolicy, DriftDetectionMode, UpgradeRemediationStrategy } from '../flux/helm-release';
import { HelmRepositoryType } from '../flux/sources/helm-repository';
import { ProviderType } from '../notifications/provider';
import { SealingScope } from '../secrets/seal';
import { LIBRARY } from './kinds';

/** What a converter may ask of the planner. */
export interface ConvertContext {
  /** The scope to create the construct in (its file). */
  readonly scope: Expr;
  /** The construct id. */
  readonly id: string;
  /**
   * An expression for the object a reference field names, rendering exactly as written: the
   * fleet's own object where the repository has it, else a `fromName` import (of `cls`), else
   * undefined (the converter then declines).
   */
  refTo(kind: string, name: string, namespace: string | undefined, cls?: ClassRef): Expr | undefined;
  /** The directory a Flux `spec.path` names, if it is one of the repository's. */
  directory(fluxPath: string): Expr | undefined;
  /** The sealed store of the environment that applies this object, if it has a certificate. */
  readonly store?: Expr;
}

/** A converter's answer: the construct call, or why it cannot say the object. */
export type Conversion = { readonly expr: Expr; readonly cls: ClassRef } | { readonly reason: string };

const lib = (name: string): ClassRef => ({ module: LIBRARY, name });

/** The library's typed constructs, by kind. */
export const LIBRARY_CONVERTERS: Readonly<Record<string, (doc: Doc, ctx: ConvertContext) => Conversion>> = {
  GitRepository: (doc, ctx) => typed(doc, ctx, lib('GitRepository'), ['url', 'ref', 'interval', 'ignore', 'secretRef', 'timeout', 'suspend'], s => ({
    url: lit(s.url),
    ref: opt(s.ref),
    interval: opt(s.interval),
    ignore: opt(s.ignore),
    secretRef: secretRef(s.secretRef, doc, ctx),
    timeout: opt(s.timeout),
    suspend: opt(s.suspend),
  }), s => (s.interval === undefined ? 'spec.interval is not set (the construct would write its default)' : undefined)),

  HelmRepository: (doc, ctx) => typed(doc, ctx, lib('HelmRepository'), ['url', 'type', 'interval', 'secretRef', 'timeout', 'suspend'], s => ({
    url: lit(s.url),
    type: s.type === 'oci' ? member(HelmRepositoryType, 'HelmRepositoryType', 'oci') : undefined,
    interval: opt(s.interval),
    secretRef: secretRef(s.secretRef, doc, ctx),
    timeout: opt(s.timeout),
    suspend: opt(s.suspend),
  }), s => (s.interval === undefined ? 'spec.interval is not set (the construct would write its default)' : s.type === 'default' ? 'spec.type "default" is written out' : undefined)),

  Kustomization: (doc, ctx) => {
    const s = isMap(doc.spec) ? doc.spec : {};
    const ref = isMap(s.sourceRef) ? s.sourceRef : undefined;
    if (!ref) return { reason: 'spec.sourceRef is missing' };
    const source = ctx.refTo(String(ref.kind), String(ref.name), str(ref.namespace), sourceClass(String(ref.kind)));
    if (!source) return { reason: `spec.sourceRef is a ${String(ref.kind)}, which the construct does not take` };
    const dir = typeof s.path === 'string' ? ctx.directory(s.path) : undefined;
    const dependsOn = Array.isArray(s.dependsOn) ? s.dependsOn.map(d => ctx.refTo('Kustomization', String(d?.name), str(d?.namespace), lib('Kustomization'))) : undefined;
    if (dependsOn?.some(d => d === undefined)) return { reason: 'spec.dependsOn names an object the construct cannot refer to' };
    return typed(doc, ctx, lib('Kustomization'), [
      'sourceRef', 'path', 'interval', 'retryInterval', 'timeout', 'prune', 'wait', 'dependsOn', 'healthChecks', 'targetNamespace', 'serviceAccountName', 'postBuild', 'decryption', 'suspend',
    ], () => ({
      sourceRef: source,
      path: dir,
      externalPath: dir ? undefined : opt(s.path),
      interval: opt(s.interval),
      retryInterval: opt(s.retryInterval),
      timeout: opt(s.timeout),
      prune: opt(s.prune),
      wait: opt(s.wait),
      dependsOn: dependsOn ? arr(dependsOn as Expr[]) : undefined,
      healthChecks: Array.isArray(s.healthChecks) ? lit(s.healthChecks.map(h => ({ apiVersion: h?.apiVersion ?? '', kind: h?.kind, name: h?.name, namespace: h?.namespace }))) : undefined,
      targetNamespace: opt(s.targetNamespace),
      serviceAccountName: opt(s.serviceAccountName),
      postBuild: isMap(s.postBuild) ? obj({
        substitute: opt(s.postBuild.substitute),
        substituteFrom: Array.isArray(s.postBuild.substituteFrom)
          ? lit(s.postBuild.substituteFrom.map(f => ({ source: { kind: f?.kind, name: f?.name }, ...f?.optional !== undefined ? { optional: f.optional } : {} })))
          : undefined,
      }) : undefined,
      decryption: isMap(s.decryption) ? obj({ provider: lit(s.decryption.provider), secretRef: secretRef(s.decryption.secretRef, doc, ctx) }) : undefined,
      suspend: opt(s.suspend),
    }), () => {
      if (s.interval === undefined) return 'spec.interval is not set (the construct would write its default)';
      if (s.prune === undefined) return 'spec.prune is not set (the construct would write its default)';
      if (typeof s.path !== 'string') return 'spec.path is not set';
      return undefined;
    });
  },

  HelmRelease: (doc, ctx) => {
    const s = isMap(doc.spec) ? doc.spec : {};
    const chartSpec = isMap(s.chart) && isMap(s.chart.spec) ? s.chart.spec : undefined;
    if (!chartSpec) return { reason: 'spec.chart.spec is missing (a chartRef release is written through the generated class)' };
    const extra = Object.keys(chartSpec).filter(k => !['chart', 'version', 'sourceRef', 'interval'].includes(k));
    if (extra.length > 0) return { reason: `the construct has no spec.chart.spec.${extra[0]}` };
    const ref = isMap(chartSpec.sourceRef) ? chartSpec.sourceRef : {};
    if (ref.kind !== 'HelmRepository') return { reason: `spec.chart.spec.sourceRef is a ${String(ref.kind)}, not a HelmRepository` };
    const repository = ctx.refTo('HelmRepository', String(ref.name), str(ref.namespace), lib('HelmRepository'));
    const dependsOn = Array.isArray(s.dependsOn) ? s.dependsOn.map(d => ctx.refTo('HelmRelease', String(d?.name), str(d?.namespace), lib('HelmRelease'))) : undefined;
    if (!repository || dependsOn?.some(d => d === undefined)) return { reason: 'a reference names an object the construct cannot refer to' };
    return typed(doc, ctx, lib('HelmRelease'), [
      'chart', 'interval', 'releaseName', 'targetNamespace', 'storageNamespace', 'serviceAccountName', 'values', 'valuesFrom', 'dependsOn', 'install', 'upgrade', 'rollback', 'driftDetection', 'timeout', 'suspend',
    ], () => ({
      chart: obj({ repository, name: lit(chartSpec.chart), version: opt(chartSpec.version), interval: opt(chartSpec.interval) }),
      interval: opt(s.interval),
      releaseName: opt(s.releaseName),
      targetNamespace: opt(s.targetNamespace),
      storageNamespace: opt(s.storageNamespace),
      serviceAccountName: opt(s.serviceAccountName),
      dependsOn: dependsOn ? arr(dependsOn as Expr[]) : undefined,
      values: opt(s.values),
      valuesFrom: Array.isArray(s.valuesFrom) ? arr(s.valuesFrom.map(v => obj({
        source: ctx.refTo(String(v?.kind), String(v?.name), undefined) ?? lit({ kind: v?.kind, name: v?.name }),
        valuesKey: opt(v?.valuesKey),
        targetPath: opt(v?.targetPath),
        optional: opt(v?.optional),
      }))) : undefined,
      install: withEnums(s.install, { crds: [CrdPolicy, 'CrdPolicy'] }),
      upgrade: withEnums(s.upgrade, { crds: [CrdPolicy, 'CrdPolicy'], remediation: { strategy: [UpgradeRemediationStrategy, 'UpgradeRemediationStrategy'] } }),
      rollback: opt(s.rollback),
      driftDetection: withEnums(s.driftDetection, { mode: [DriftDetectionMode, 'DriftDetectionMode'] }),
      timeout: opt(s.timeout),
      suspend: opt(s.suspend),
    }), () => (s.interval === undefined ? 'spec.interval is not set (the construct would write its default)' : undefined));
  },

  Provider: (doc, ctx) => typed(doc, ctx, lib('Provider'), ['type', 'channel', 'address', 'username', 'secretRef', 'certSecretRef', 'proxySecretRef', 'timeout', 'suspend'], s => ({
    type: member(ProviderType, 'ProviderType', s.type),
    channel: opt(s.channel),
    address: opt(s.address),
    username: opt(s.username),
    secretRef: secretRef(s.secretRef, doc, ctx),
    certSecretRef: secretRef(s.certSecretRef, doc, ctx),
    proxySecretRef: secretRef(s.proxySecretRef, doc, ctx),
    timeout: opt(s.timeout),
    suspend: opt(s.suspend),
  })),

  Alert: (doc, ctx) => {
    const s = isMap(doc.spec) ? doc.spec : {};
    const provider = isMap(s.providerRef) ? ctx.refTo('Provider', String(s.providerRef.name), undefined, lib('Provider')) : undefined;
    if (!provider) return { reason: 'spec.providerRef names no Provider the construct can refer to' };
    const sources = Array.isArray(s.eventSources) ? s.eventSources : [];
    return typed(doc, ctx, lib('Alert'), ['providerRef', 'eventSources', 'eventSeverity', 'inclusionList', 'exclusionList', 'eventMetadata', 'summary', 'suspend'], () => ({
      provider,
      eventSources: arr(sources.map(e => (e?.name === '*' ? lit(e) : ctx.refTo(String(e?.kind), String(e?.name), str(e?.namespace)) ?? lit({ apiVersion: '', ...e })))),
      eventSeverity: opt(s.eventSeverity),
      inclusionList: opt(s.inclusionList),
      exclusionList: opt(s.exclusionList),
      eventMetadata: opt(s.eventMetadata),
      summary: opt(s.summary),
      suspend: opt(s.suspend),
    }));
  },

  SealedSecret: (doc, ctx) => {
    if (!ctx.store) return { reason: 'no certificate of the environment that applies it is in the repository (give one with --cert <cluster>=<file>), so its values cannot join a sealed store' };
    const maps = stringMaps(doc);
    if (maps) return { reason: maps };
    const s = isMap(doc.spec) ? doc.spec : {};
    const template = isMap(s.template) ? s.template : {};
    const meta = isMap(doc.metadata) ? doc.metadata : {};
    const tmeta = isMap(template.metadata) ? template.metadata : {};
    if (typeof meta.namespace !== 'string') return { reason: 'metadata.namespace is not set (strict sealed values are bound to it)' };
    const extra = Object.keys(template).filter(k => !['metadata', 'type', 'data'].includes(k) || (k === 'data' && template.data !== null));
    if (extra.length > 0) return { reason: `the construct has no spec.template.${extra[0]}` };
    const annotations: Record<string, unknown> = { ...meta.annotations as object };
    const scope = annotations['sealedsecrets.bitnami.com/cluster-wide'] === 'true' ? 'cluster-wide' : annotations['sealedsecrets.bitnami.com/namespace-wide'] === 'true' ? 'namespace-wide' : undefined;
    delete annotations['sealedsecrets.bitnami.com/cluster-wide'];
    delete annotations['sealedsecrets.bitnami.com/namespace-wide'];
    const tannotations: Record<string, unknown> = { ...tmeta.annotations as object };
    delete tannotations['sealedsecrets.bitnami.com/cluster-wide'];
    delete tannotations['sealedsecrets.bitnami.com/namespace-wide'];
    const metadata = { ...meta, annotations: Object.keys(annotations).length > 0 ? annotations : undefined };
    delete (metadata as Record<string, unknown>).creationTimestamp;
    return {
      cls: lib('SealedSecret'),
      expr: construct(lib('SealedSecret'), ctx.scope, lit(ctx.id), obj({
        metadata: lit(JSON.parse(JSON.stringify(metadata))),
        store: ctx.store,
        keys: lit(Object.keys(isMap(s.encryptedData) ? s.encryptedData : {}).sort()),
        scope: scope ? member(SealingScope, 'SealingScope', scope) : undefined,
        type: opt(template.type),
        template: tmeta.labels !== undefined || Object.keys(tannotations).length > 0 ? obj({ labels: opt(tmeta.labels), annotations: Object.keys(tannotations).length > 0 ? lit(tannotations) : undefined }) : undefined,
      })),
    };
  },
};

/** cdk8s-plus constructs for the built-in kinds whose output they leave as written. */
export const PLUS_CONVERTERS: Readonly<Record<string, (doc: Doc, ctx: ConvertContext) => Conversion>> = {
  Namespace: (doc, ctx) => plus(doc, ctx, 'Namespace', ['apiVersion', 'kind', 'metadata', 'spec'], () => ({})),
  ConfigMap: (doc, ctx) => plus(doc, ctx, 'ConfigMap', ['apiVersion', 'kind', 'metadata', 'data', 'binaryData', 'immutable'], () => ({
    data: opt(doc.data), binaryData: opt(doc.binaryData), immutable: opt(doc.immutable),
  })),
  ServiceAccount: (doc, ctx) => plus(doc, ctx, 'ServiceAccount', ['apiVersion', 'kind', 'metadata', 'automountServiceAccountToken'], () => ({
    automountToken: lit(doc.automountServiceAccountToken ?? true),
  })),
};

function plus(doc: Doc, ctx: ConvertContext, kind: string, fields: readonly string[], props: () => Record<string, Expr | undefined>): Conversion {
  if (doc.apiVersion !== 'v1') return { reason: `apiVersion ${String(doc.apiVersion)}` };
  const maps = stringMaps(doc);
  if (maps) return { reason: maps };
  const extra = Object.keys(doc).filter(k => !fields.includes(k));
  if (extra.length > 0) return { reason: `cdk8s-plus ${kind} has no ${extra[0]}` };
  const cls: ClassRef = { module: 'cdk8s-plus-27', namespace: 'kplus', name: kind };
  return { cls, expr: construct(cls, ctx.scope, lit(ctx.id), obj({ metadata: lit(doc.metadata), ...props() })) };
}

function typed(
  doc: Doc, ctx: ConvertContext, cls: ClassRef, fields: readonly string[],
  props: (spec: Record<string, any>) => Record<string, Expr | undefined>,
  decline?: (spec: Record<string, any>) => string | undefined,
): Conversion {
  const spec = isMap(doc.spec) ? doc.spec : {};
  const maps = stringMaps(doc);
  if (maps) return { reason: maps };
  const top = Object.keys(doc).filter(k => !['apiVersion', 'kind', 'metadata', 'spec'].includes(k));
  if (top.length > 0) return { reason: `the construct has no ${top[0]}` };
  const extra = Object.keys(spec).filter(k => !fields.includes(k));
  if (extra.length > 0) return { reason: `the construct has no spec.${extra[0]}` };
  const why = decline?.(spec);
  if (why) return { reason: why };
  return { cls, expr: construct(cls, ctx.scope, lit(ctx.id), obj({ metadata: lit(doc.metadata), ...props(spec) })) };
}

type EnumSpec = readonly [Record<string, string>, string];
interface EnumFields { readonly [field: string]: EnumSpec | EnumFields }

/** The member of an exported enum that has a value (a literal when none has: the type check then says so). */
function member(values: Record<string, string>, name: string, value: unknown): Expr {
  const key = Object.keys(values).find(k => values[k] === value);
  return key ? enumMember(lib(name), key) : lit(value);
}

/** An object literal whose enum-typed fields are written as enum members. */
function withEnums(value: unknown, fields: EnumFields): Expr | undefined {
  if (value === undefined) return undefined;
  if (!isMap(value)) return lit(value);
  return obj(Object.entries(value).map(([k, v]): [string, Expr | undefined] => {
    const f = fields[k];
    if (f === undefined) return [k, lit(v)];
    if (Array.isArray(f)) return [k, member((f as EnumSpec)[0], (f as EnumSpec)[1], v)];
    return [k, withEnums(v, f as EnumFields)];
  }));
}

/** Whether metadata holds only what the typed constructs take (string labels and annotations). */
function stringMaps(doc: Doc): string | undefined {
  for (const field of ['labels', 'annotations']) {
    const m = doc.metadata?.[field];
    if (m === undefined) continue;
    if (!isMap(m)) return `metadata.${field} is not a map`;
    const bad = Object.entries(m).find(([, v]) => typeof v !== 'string');
    if (bad) return `metadata.${field}[${JSON.stringify(bad[0])}] is ${JSON.stringify(bad[1])}, not a string (the API server refuses it)`;
  }
  return undefined;
}

function opt(v: unknown): Expr | undefined {
  return v === undefined ? undefined : lit(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function secretRef(v: unknown, doc: Doc, ctx: ConvertContext): Expr | undefined {
  if (!isMap(v)) return undefined;
  const name = String(v.name);
  // the fleet's SealedSecret of that name in the object's namespace, else the name alone
  return ctx.refTo('SealedSecret', name, doc.metadata?.namespace) ?? lit({ name });
}

function sourceClass(kind: string): ClassRef | undefined {
  return kind === 'GitRepository' ? lib('GitRepository') : kind === 'OCIRepository' ? lib('OCIRepository') : kind === 'Bucket' ? lib('Bucket') : undefined;
}
