// How each kind becomes code: the library's typed construct where it has one and its props can say
// everything the YAML says; each converter declines (with the reason) otherwise, and the planner
// falls back to the next way (cdk8s-plus, the generated class, a raw ApiObject).
import { parse as parseYaml } from 'yaml';
import { isMap } from '../core/json-values';
import { Doc } from '../core/model/repo-tree';
import { arr, ClassRef, construct, enumMember, Expr, lit, obj, staticCall } from './code';
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
      'patches', 'images', 'commonMetadata', 'components', 'ignoreMissingComponents', 'force', 'deletionPolicy', 'healthCheckExprs', 'ignore', 'kubeConfig',
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
        substituteStrategy: opt(s.postBuild.substituteStrategy),
        substituteFrom: Array.isArray(s.postBuild.substituteFrom)
          ? lit(s.postBuild.substituteFrom.map(f => ({ source: { kind: f?.kind, name: f?.name }, ...f?.optional !== undefined ? { optional: f.optional } : {} })))
          : undefined,
      }) : undefined,
      decryption: isMap(s.decryption) ? obj({ provider: lit(s.decryption.provider), secretRef: secretRef(s.decryption.secretRef, doc, ctx), serviceAccountName: opt(s.decryption.serviceAccountName) }) : undefined,
      suspend: opt(s.suspend),
      patches: Array.isArray(s.patches) ? arr(s.patches.map(x => obj({ patch: lit(patchContent(x?.patch)), target: opt(x?.target) }))) : undefined,
      ...passThrough(s, ['images', 'commonMetadata', 'components', 'ignoreMissingComponents', 'force', 'deletionPolicy', 'healthCheckExprs', 'ignore']),
      kubeConfig: kubeConfig(s.kubeConfig, doc, ctx),
    }), () => {
      if (Array.isArray(s.patches) && s.patches.some(x => typeof x?.patch !== 'string' || patchContent(x.patch) === undefined)) return 'spec.patches holds a patch that is not YAML text';
      if (s.interval === undefined) return 'spec.interval is not set (the construct would write its default)';
      if (s.prune === undefined) return 'spec.prune is not set (the construct would write its default)';
      if (typeof s.path !== 'string') return 'spec.path is not set';
      return undefined;
    });
  },

  HelmRelease: (doc, ctx) => {
    const s = isMap(doc.spec) ? doc.spec : {};
    let chart: Expr | undefined;
    let chartRef: Expr | undefined;
    if (isMap(s.chartRef)) {
      const r = s.chartRef;
      chartRef = ctx.refTo(String(r.kind), String(r.name), str(r.namespace), chartRefClass(String(r.kind)));
      if (!chartRef) return { reason: `spec.chartRef is a ${String(r.kind)}, which the construct does not take` };
    } else {
      const template = isMap(s.chart) ? s.chart : undefined;
      const chartSpec = template && isMap(template.spec) ? template.spec : undefined;
      if (!template || !chartSpec) return { reason: 'neither spec.chart.spec nor spec.chartRef is set' };
      const extraTemplate = Object.keys(template).filter(k => !['spec', 'metadata'].includes(k));
      if (extraTemplate.length > 0) return { reason: `the construct has no spec.chart.${extraTemplate[0]}` };
      const extra = Object.keys(chartSpec).filter(k => !['chart', 'version', 'sourceRef', 'interval', 'valuesFiles', 'ignoreMissingValuesFiles', 'reconcileStrategy', 'verify'].includes(k));
      if (extra.length > 0) return { reason: `the construct has no spec.chart.spec.${extra[0]}` };
      const ref = isMap(chartSpec.sourceRef) ? chartSpec.sourceRef : {};
      const repository = ctx.refTo(String(ref.kind), String(ref.name), str(ref.namespace), chartSourceClass(String(ref.kind)));
      if (!repository) return { reason: `spec.chart.spec.sourceRef is a ${String(ref.kind)}, which the construct cannot refer to` };
      chart = obj({
        repository,
        name: lit(chartSpec.chart),
        ...passThrough(chartSpec, ['version', 'interval', 'valuesFiles', 'ignoreMissingValuesFiles', 'reconcileStrategy']),
        verify: isMap(chartSpec.verify) ? obj({ provider: opt(chartSpec.verify.provider), ...secretRefs(chartSpec.verify, ['secretRef'], doc, ctx) }) : undefined,
        metadata: opt(template.metadata),
      });
    }
    const dependsOn = Array.isArray(s.dependsOn) ? s.dependsOn.map(d => ctx.refTo('HelmRelease', String(d?.name), str(d?.namespace), lib('HelmRelease'))) : undefined;
    if (dependsOn?.some(d => d === undefined)) return { reason: 'spec.dependsOn names an object the construct cannot refer to' };
    return typed(doc, ctx, lib('HelmRelease'), [
      'chart', 'chartRef', 'interval', 'releaseName', 'targetNamespace', 'storageNamespace', 'serviceAccountName', 'values', 'valuesFrom', 'dependsOn', 'install', 'upgrade', 'rollback',
      'driftDetection', 'timeout', 'suspend', 'test', 'uninstall', 'postRenderers', 'postRenderStrategy', 'commonMetadata', 'healthCheckExprs', 'kubeConfig', 'maxHistory', 'persistentClient', 'waitStrategy',
    ], () => ({
      chart,
      chartRef,
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
      ...passThrough(s, ['test', 'uninstall', 'postRenderStrategy', 'commonMetadata', 'healthCheckExprs', 'maxHistory', 'persistentClient', 'waitStrategy']),
      postRenderers: Array.isArray(s.postRenderers) ? arr(s.postRenderers.map(r => {
        const k = isMap(r?.kustomize) ? r.kustomize : {};
        return obj({ patches: Array.isArray(k.patches) ? arr(k.patches.map((x: any) => obj({ patch: lit(patchContent(x?.patch)), target: opt(x?.target) }))) : undefined, images: opt(k.images) });
      })) : undefined,
      kubeConfig: kubeConfig(s.kubeConfig, doc, ctx),
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

  OCIRepository: (doc, ctx) => typed(doc, ctx, lib('OCIRepository'), [
    'url', 'ref', 'interval', 'layerSelector', 'ignore', 'provider', 'serviceAccountName', 'secretRef', 'certSecretRef', 'proxySecretRef', 'insecure', 'verify', 'timeout', 'suspend',
  ], s => ({
    ...passThrough(s, ['url', 'ref', 'interval', 'layerSelector', 'ignore', 'provider', 'serviceAccountName', 'insecure', 'timeout', 'suspend']),
    ...secretRefs(s, ['secretRef', 'certSecretRef', 'proxySecretRef'], doc, ctx),
    verify: verification(s.verify, doc, ctx),
  }), needsInterval),

  Bucket: (doc, ctx) => typed(doc, ctx, lib('Bucket'), [
    'bucketName', 'endpoint', 'provider', 'region', 'prefix', 'interval', 'insecure', 'ignore', 'serviceAccountName', 'sts', 'secretRef', 'certSecretRef', 'proxySecretRef', 'timeout', 'suspend',
  ], s => ({
    ...passThrough(s, ['bucketName', 'endpoint', 'provider', 'region', 'prefix', 'interval', 'insecure', 'ignore', 'serviceAccountName', 'timeout', 'suspend']),
    ...secretRefs(s, ['secretRef', 'certSecretRef', 'proxySecretRef'], doc, ctx),
    sts: isMap(s.sts) ? obj({ ...passThrough(s.sts, ['provider', 'endpoint']), ...secretRefs(s.sts, ['secretRef', 'certSecretRef'], doc, ctx) }) : undefined,
  }), needsInterval),

  HelmChart: (doc, ctx) => {
    const s = isMap(doc.spec) ? doc.spec : {};
    const ref = isMap(s.sourceRef) ? s.sourceRef : {};
    const repository = ctx.refTo(String(ref.kind), String(ref.name), undefined, chartSourceClass(String(ref.kind)));
    if (!repository) return { reason: `spec.sourceRef is a ${String(ref.kind)}, which the construct does not take` };
    return typed(doc, ctx, lib('HelmChart'), ['sourceRef', 'chart', 'version', 'interval', 'suspend', 'reconcileStrategy', 'valuesFiles', 'ignoreMissingValuesFiles', 'verify'], () => ({
      repository,
      ...passThrough(s, ['chart', 'version', 'interval', 'suspend', 'reconcileStrategy', 'valuesFiles', 'ignoreMissingValuesFiles']),
      verify: verification(s.verify, doc, ctx),
    }), needsInterval);
  },

  Receiver: (doc, ctx) => {
    const s = isMap(doc.spec) ? doc.spec : {};
    const resources: Expr[] = [];
    for (const r of Array.isArray(s.resources) ? s.resources : []) {
      if (!isMap(r)) return { reason: 'spec.resources holds an entry that is not an object' };
      // a wildcard (name '*', with matchLabels) stays as written; a named object is referenced
      if (r.name === '*') {
        resources.push(lit(r));
        continue;
      }
      const extra = Object.keys(r).filter(k => !['apiVersion', 'kind', 'name', 'namespace'].includes(k));
      if (extra.length > 0) return { reason: `spec.resources[].${extra[0]} of a named resource is not something the construct writes` };
      const target = ctx.refTo(String(r.kind), String(r.name), str(r.namespace), receiverTargetClass(String(r.kind)));
      if (!target) return { reason: `spec.resources names a ${String(r.kind)} the construct cannot refer to` };
      resources.push(target);
    }
    return typed(doc, ctx, lib('Receiver'), ['type', 'resources', 'secretRef', 'oidcProviders', 'resourceFilter', 'events', 'interval', 'suspend'], () => ({
      ...passThrough(s, ['type']),
      resources: arr(resources),
      ...secretRefs(s, ['secretRef'], doc, ctx),
      ...passThrough(s, ['oidcProviders', 'resourceFilter', 'events', 'interval', 'suspend']),
    }));
  },

  ImageRepository: (doc, ctx) => typed(doc, ctx, lib('ImageRepository'), [
    'image', 'interval', 'secretRef', 'exclusionList', 'provider', 'serviceAccountName', 'certSecretRef', 'proxySecretRef', 'insecure', 'timeout', 'accessFrom', 'suspend',
  ], s => ({
    ...passThrough(s, ['image', 'interval', 'exclusionList', 'provider', 'serviceAccountName', 'insecure', 'timeout', 'accessFrom', 'suspend']),
    ...secretRefs(s, ['secretRef', 'certSecretRef', 'proxySecretRef'], doc, ctx),
  }), needsInterval),

  ImagePolicy: (doc, ctx) => {
    const s = isMap(doc.spec) ? doc.spec : {};
    const ref = isMap(s.imageRepositoryRef) ? s.imageRepositoryRef : {};
    const imageRepository = ctx.refTo('ImageRepository', String(ref.name), str(ref.namespace), lib('ImageRepository'));
    if (!imageRepository) return { reason: 'spec.imageRepositoryRef names no ImageRepository the construct can refer to' };
    const policy = imagePolicyRule(s.policy);
    if ('reason' in policy) return policy;
    return typed(doc, ctx, lib('ImagePolicy'), ['imageRepositoryRef', 'policy', 'filterTags', 'digestReflectionPolicy', 'interval', 'suspend'], () => ({
      imageRepository,
      policy: policy.expr,
      ...passThrough(s, ['filterTags', 'digestReflectionPolicy', 'interval', 'suspend']),
    }));
  },

  ImageUpdateAutomation: (doc, ctx) => {
    const s = isMap(doc.spec) ? doc.spec : {};
    const ref = isMap(s.sourceRef) ? s.sourceRef : {};
    if ((ref.kind ?? 'GitRepository') !== 'GitRepository') return { reason: `spec.sourceRef is a ${String(ref.kind)}, not a GitRepository` };
    const sourceRef = ctx.refTo('GitRepository', String(ref.name), str(ref.namespace), lib('GitRepository'));
    if (!sourceRef) return { reason: 'spec.sourceRef names no GitRepository the construct can refer to' };
    const git = isMap(s.git) ? s.git : {};
    const extraGit = Object.keys(git).filter(k => !['checkout', 'commit', 'push'].includes(k));
    if (extraGit.length > 0) return { reason: `the construct has no spec.git.${extraGit[0]}` };
    const checkout = isMap(git.checkout) ? git.checkout : undefined;
    if (checkout && Object.keys(checkout).some(k => k !== 'ref')) return { reason: 'spec.git.checkout holds more than ref' };
    const commit = isMap(git.commit) ? git.commit : undefined;
    if (!commit) return { reason: 'spec.git.commit is missing' };
    const update = isMap(s.update) ? s.update : {};
    const dir = typeof update.path === 'string' ? ctx.directory(update.path) : undefined;
    return typed(doc, ctx, lib('ImageUpdateAutomation'), ['sourceRef', 'git', 'update', 'policySelector', 'interval', 'suspend'], () => ({
      sourceRef,
      update: obj({ path: dir, externalPath: dir ? undefined : opt(update.path), strategy: opt(update.strategy) }),
      commit: obj({
        ...passThrough(commit, ['author', 'messageTemplate', 'messageTemplateValues']),
        signingKey: isMap(commit.signingKey) ? obj({ ...secretRefs(commit.signingKey, ['secretRef'], doc, ctx), ...passThrough(commit.signingKey, ['type']) }) : undefined,
      }),
      checkout: checkout ? lit(checkout.ref) : undefined,
      push: opt(git.push),
      ...passThrough(s, ['policySelector', 'interval', 'suspend']),
    }));
  },

  ArtifactGenerator: (doc, ctx) => {
    const s = isMap(doc.spec) ? doc.spec : {};
    const sources: [string, Expr][] = [];
    for (const src of Array.isArray(s.sources) ? s.sources : []) {
      if (!isMap(src) || typeof src.alias !== 'string') return { reason: 'spec.sources holds an entry without an alias' };
      const extra = Object.keys(src).find(k => !['alias', 'kind', 'name', 'namespace'].includes(k));
      if (extra) return { reason: `the construct has no spec.sources[].${extra}` };
      const target = ctx.refTo(String(src.kind), String(src.name), str(src.namespace), sourceClass(String(src.kind)) ?? (src.kind === 'HelmChart' ? lib('HelmChart') : undefined));
      if (!target) return { reason: `spec.sources names a ${String(src.kind)} the construct cannot refer to` };
      sources.push([src.alias, target]);
    }
    const at = (v: unknown): string | undefined => (typeof v === 'string' && v.startsWith('@') ? v.slice(1) : undefined);
    const artifacts: Expr[] = [];
    for (const a of Array.isArray(s.artifacts) ? s.artifacts : []) {
      if (!isMap(a)) return { reason: 'spec.artifacts holds an entry that is not an object' };
      const extra = Object.keys(a).find(k => !['name', 'revision', 'originRevision', 'copy'].includes(k));
      if (extra) return { reason: `the construct has no spec.artifacts[].${extra}` };
      if ((a.revision !== undefined && at(a.revision) === undefined) || (a.originRevision !== undefined && at(a.originRevision) === undefined)) return { reason: 'a revision does not name a source (@alias)' };
      const copies: Expr[] = [];
      for (const c of Array.isArray(a.copy) ? a.copy : []) {
        const from = at(c?.from);
        const slash = from?.indexOf('/') ?? -1;
        if (!from || slash <= 0 || typeof c?.to !== 'string' || !c.to.startsWith('@artifact/')) return { reason: `spec.artifacts[].copy from ${JSON.stringify(c?.from)} to ${JSON.stringify(c?.to)} is not "@alias/path" to "@artifact/path"` };
        const extraCopy = Object.keys(c).find(k => !['from', 'to', 'exclude', 'strategy'].includes(k));
        if (extraCopy) return { reason: `the construct has no spec.artifacts[].copy[].${extraCopy}` };
        const to = c.to.slice('@artifact/'.length);
        copies.push(obj({ source: lit(from.slice(0, slash)), path: lit(from.slice(slash + 1)), to: to === '' ? undefined : lit(to), exclude: opt(c.exclude), strategy: opt(c.strategy) }));
      }
      artifacts.push(obj({ name: lit(a.name), revision: opt(at(a.revision)), originRevision: opt(at(a.originRevision)), copy: arr(copies) }));
    }
    let pathPattern: Expr | undefined;
    if (s.pathPattern !== undefined) {
      const p = at(s.pathPattern);
      const slash = p?.indexOf('/') ?? -1;
      if (!p || slash <= 0) return { reason: 'spec.pathPattern is not "@alias/pattern"' };
      pathPattern = obj({ source: lit(p.slice(0, slash)), pattern: lit(p.slice(slash + 1)) });
    }
    return typed(doc, ctx, lib('ArtifactGenerator'), ['sources', 'artifacts', 'pathPattern', 'commonMetadata'], () => ({
      sources: obj(sources),
      artifacts: arr(artifacts),
      pathPattern,
      commonMetadata: opt(s.commonMetadata),
    }));
  },

  FluxInstance: (doc, ctx) => {
    if (doc.apiVersion !== 'fluxcd.controlplane.io/v1') return { reason: `apiVersion ${String(doc.apiVersion)}` };
    const meta = isMap(doc.metadata) ? doc.metadata : {};
    const extraMeta = Object.keys(meta).find(k => !['name', 'namespace'].includes(k));
    if (meta.name !== 'flux' || extraMeta) return { reason: extraMeta ? `the construct has no metadata.${extraMeta}` : 'its name is not "flux" (the only name the operator reconciles, and the one the construct writes)' };
    const top = Object.keys(doc).find(k => !['apiVersion', 'kind', 'metadata', 'spec'].includes(k));
    if (top) return { reason: `the construct has no ${top}` };
    const s = isMap(doc.spec) ? doc.spec : {};
    const extra = Object.keys(s).find(k => !['distribution', 'components', 'cluster', 'commonMetadata', 'kustomize', 'sync'].includes(k));
    if (extra) return { reason: `the construct has no spec.${extra}` };
    const dist = isMap(s.distribution) ? s.distribution : {};
    const cluster = isMap(s.cluster) ? s.cluster : {};
    const kustomize = isMap(s.kustomize) ? s.kustomize : {};
    if (Object.keys(kustomize).some(k => k !== 'patches')) return { reason: 'spec.kustomize holds more than patches' };
    const patches = Array.isArray(kustomize.patches) ? kustomize.patches : [];
    if (patches.some(x => patchContent(x?.patch) === undefined || !isMap(x?.target))) return { reason: 'spec.kustomize.patches holds a patch that is not YAML text with a target' };
    const sync = isMap(s.sync) ? s.sync : undefined;
    const syncPath = sync && typeof sync.path === 'string' ? ctx.directory(sync.path.startsWith('./') ? sync.path : `./${sync.path}`) : undefined;
    if (sync && !syncPath) return { reason: `spec.sync.path ${JSON.stringify(sync.path)} is not a directory of the repository (the construct takes a LayoutDirectory)` };
    return {
      cls: lib('FluxInstance'),
      expr: construct(lib('FluxInstance'), ctx.scope, lit(ctx.id), obj({
        namespace: typeof meta.namespace === 'string' && meta.namespace !== 'flux-system' ? lit(meta.namespace) : undefined,
        version: opt(dist.version),
        registry: opt(dist.registry),
        artifact: opt(dist.artifact),
        components: opt(s.components),
        multitenant: opt(cluster.multitenant),
        tenantDefaultServiceAccount: opt(cluster.tenantDefaultServiceAccount),
        networkPolicy: opt(cluster.networkPolicy),
        clusterType: opt(cluster.type),
        size: opt(cluster.size),
        domain: opt(cluster.domain),
        sync: sync ? obj({ ...passThrough(sync, ['kind', 'url', 'ref']), path: syncPath, ...passThrough(sync, ['interval', 'pullSecret', 'provider', 'name']) }) : undefined,
        patches: patches.length > 0 ? arr(patches.map(x => obj({ target: lit(x.target), patch: lit(patchContent(x.patch)) }))) : undefined,
        commonMetadata: opt(s.commonMetadata),
      })),
    };
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

function needsInterval(s: Record<string, any>): string | undefined {
  return s.interval === undefined ? 'spec.interval is not set (the construct would write its default)' : undefined;
}

/** The spec's fields as the construct's props of the same name, written as they are. */
function passThrough(s: Record<string, any>, fields: readonly string[]): Record<string, Expr | undefined> {
  return Object.fromEntries(fields.map(f => [f, opt(s[f])]));
}

/** Secret reference fields, each the fleet's SealedSecret where it has one. */
function secretRefs(s: Record<string, any>, fields: readonly string[], doc: Doc, ctx: ConvertContext): Record<string, Expr | undefined> {
  return Object.fromEntries(fields.map(f => [f, secretRef(s[f], doc, ctx)]));
}

/** `spec.verify`: its secret references as the fleet's objects, the rest as written. */
function verification(v: unknown, doc: Doc, ctx: ConvertContext): Expr | undefined {
  if (!isMap(v)) return opt(v);
  return obj({ provider: opt(v.provider), matchOidcIdentity: opt(v.matchOIDCIdentity), ...secretRefs(v, ['secretRef', 'trustedRootSecretRef'], doc, ctx) });
}

/** An ImagePolicy's `spec.policy` as an `ImagePolicyRule` factory call. */
function imagePolicyRule(policy: unknown): { expr: Expr } | { reason: string } {
  if (!isMap(policy) || Object.keys(policy).length !== 1) return { reason: 'spec.policy is not exactly one of semver, alphabetical, numerical' };
  const rule = lib('ImagePolicyRule');
  if (isMap(policy.semver) && Object.keys(policy.semver).every(k => k === 'range')) return { expr: staticCall(rule, 'semver', lit(policy.semver.range)) };
  for (const kind of ['alphabetical', 'numerical'] as const) {
    const p = policy[kind];
    if (isMap(p) && Object.keys(p).every(k => k === 'order')) return { expr: staticCall(rule, kind, ...(p.order === undefined ? [] : [lit(p.order)])) };
  }
  return { reason: `spec.policy.${Object.keys(policy)[0]} is not something ImagePolicyRule writes` };
}

function chartSourceClass(kind: string): ClassRef | undefined {
  return kind === 'HelmRepository' ? lib('HelmRepository') : kind === 'GitRepository' ? lib('GitRepository') : kind === 'Bucket' ? lib('Bucket') : undefined;
}

function chartRefClass(kind: string): ClassRef | undefined {
  return kind === 'OCIRepository' ? lib('OCIRepository') : kind === 'HelmChart' ? lib('HelmChart') : kind === 'ExternalArtifact' ? lib('ExternalArtifact') : undefined;
}

/** The library class whose `fromName` refers to an object a Receiver's resources name. */
function receiverTargetClass(kind: string): ClassRef | undefined {
  return sourceClass(kind) ?? chartSourceClass(kind) ?? (['HelmChart', 'ImageRepository', 'ImagePolicy', 'Kustomization', 'HelmRelease'].includes(kind) ? lib(kind) : undefined);
}

/** A patch's YAML text as the object (strategic merge) or operations (JSON 6902) the typed props take; the render check proves the text comes out the same. */
function patchContent(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    const v = parseYaml(text);
    return isMap(v) || Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** `spec.kubeConfig` as the typed reference: the Secret (and key) or the ConfigMap. */
function kubeConfig(v: unknown, doc: Doc, ctx: ConvertContext): Expr | undefined {
  if (!isMap(v)) return opt(v);
  return obj({
    secret: secretRef(v.secretRef, doc, ctx),
    key: isMap(v.secretRef) ? opt(v.secretRef.key) : undefined,
    configMap: isMap(v.configMapRef) ? lit({ name: v.configMapRef.name }) : undefined,
  });
}
