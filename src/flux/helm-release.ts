import { Construct } from 'constructs';
import * as l1 from '../imports/helm-helm.toolkit.fluxcd.io';
import { FieldChecks } from './field-checks';
import { explicitNamespace, FluxObject, referenceTo, FluxObjectProps, FluxReference, ImportedObject, ImportedObjectProps, IObjectRef } from './flux-object';
import { IChartRefSource, IChartSource } from './sources/source';
import { IValuesSource, knownKeysOf, valuesKindOf, valuesTarget } from './values-source';
import { FluxDuration, goDuration } from './duration';
import { TargetSelector } from '../core/kustomize/selector';
import {
  checkKubeConfig, checkPatchTargets, HealthCheckExpression, KubeConfigReference, KustomizationPatch, KustomizeImage,
  renderHealthCheckExprs, renderImages, renderKubeConfig, renderPatches,
} from './kustomize-options';
import { nameOf, NamespaceReference, ServiceAccountReference } from './object-refs';
import { ChartReconcileStrategy } from './sources/helm-chart';
import { checkChartOfSource } from './sources/chart-checks';
import { EnumValue, SignatureProvider } from './sources/source-options';
import { ISecretRef, nameRef, secretReference } from './sources/source';

/** A HelmRelease of the fleet or imported by name, usable in `dependsOn`. */
export interface IHelmRelease extends IObjectRef {
  /** Marks a HelmRelease (structural typing would otherwise accept any object reference). */
  readonly isHelmRelease: true;
}

/** A chart taken by name from a Helm repository. */
export interface HelmReleaseChart {
  /** The repository object (never its name): a HelmRepository, or a GitRepository or Bucket holding the chart. */
  readonly repository: IChartSource;
  /** Chart name in a Helm repository, or the chart's path in a GitRepository or Bucket (e.g. `./charts/podinfo`). */
  readonly name: string;
  /** Exact version or semver range. @default '*' (the latest, Flux's default) */
  readonly version?: string;
  /** How often the chart is checked for new versions. @default the release's interval */
  readonly interval?: FluxDuration;
  /** Values files in the chart merged over its `values.yaml`, in order. @default none */
  readonly valuesFiles?: readonly string[];
  /** Do not fail when a values file is missing. @default false */
  readonly ignoreMissingValuesFiles?: boolean;
  /** What makes a new chart artifact: a new version, or (Git and Bucket sources) a new revision. @default ChartReconcileStrategy.CHART_VERSION */
  readonly reconcileStrategy?: EnumValue<ChartReconcileStrategy>;
  /** Verify the chart's signature (OCI Helm repositories). @default not verified */
  readonly verify?: { readonly provider?: EnumValue<SignatureProvider>; readonly secretRef?: ISecretRef };
  /** Labels and annotations of the HelmChart object helm-controller creates. @default none */
  readonly metadata?: { readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> };
}

/** Values read from a ConfigMap or Secret of the release's namespace. */
export interface ValuesReference {
  /** The ConfigMap, Secret or SealedSecret object. */
  readonly source: IValuesSource;
  /** The key holding the values. @default 'values.yaml' (Flux's default) */
  readonly valuesKey?: string;
  /** Where to place the value in the values tree (e.g. `auth.rootPassword`). @default merge at the root */
  readonly targetPath?: string;
  /** Do not fail when the source or key is missing. @default false */
  readonly optional?: boolean;
  /** Take the key's content as one literal value at `targetPath` (not as YAML). @default false */
  readonly literal?: boolean;
}

/** What helm-controller does with a chart's CRDs. */
export enum CrdPolicy {
  /** Leave the chart's CRDs alone. */
  SKIP = 'Skip',
  /** Create CRDs that do not exist yet; never update existing ones. */
  CREATE = 'Create',
  /** Create new CRDs and replace existing ones. */
  CREATE_REPLACE = 'CreateReplace',
}

/** Retries and their remediation after a failed install or upgrade. */
export interface Remediation {
  /** Attempts before giving up; a negative number retries forever. @default 0 */
  readonly retries?: number;
  /** Remediate the last failure too, when retries are exhausted. @default false */
  readonly remediateLastFailure?: boolean;
  /** Do not remediate when only the Helm tests failed. @default the test settings' ignoreFailures */
  readonly ignoreTestFailures?: boolean;
}

/** What helm-controller does after a failed install or upgrade. */
export enum ReleaseStrategy {
  /** Remediate (uninstall or roll back) after the retries (Flux's default). */
  REMEDIATE_ON_FAILURE = 'RemediateOnFailure',
  /** Retry the same action at `retryInterval`, without remediation. */
  RETRY_ON_FAILURE = 'RetryOnFailure',
}

/** The install or upgrade strategy. */
export interface ActionStrategy {
  /** @default ReleaseStrategy.REMEDIATE_ON_FAILURE */
  readonly name: EnumValue<ReleaseStrategy>;
  /** How long to wait between retries (RetryOnFailure). @default the release's interval */
  readonly retryInterval?: FluxDuration;
}

/** Options Helm's install, upgrade and rollback actions share. */
export interface HelmActionOptions extends HelmUninstallOptions {
  /** Do not wait for Jobs to complete. @default false */
  readonly disableWaitForJobs?: boolean;
}

/** Options every Helm action has, uninstall included. */
export interface HelmUninstallOptions {
  /** Do not run the chart's hooks. @default false */
  readonly disableHooks?: boolean;
  /** Do not wait for the resources to be ready (or, uninstalling, deleted). @default false */
  readonly disableWait?: boolean;
  /** @default the release's timeout */
  readonly timeout?: FluxDuration;
}

/** How resources are applied: server-side apply on, off, or as the release was installed. */
export enum ServerSideApplyMode {
  /** Use server-side apply. */
  ENABLED = 'enabled',
  /** Use client-side three-way merges. */
  DISABLED = 'disabled',
  /** As the release was installed (Flux's default). */
  AUTO = 'auto',
}

/** Install options. */
export interface HelmReleaseInstall extends HelmActionOptions {
  /** Re-use the release name if it is a deleted release in history. @default false */
  readonly replace?: boolean;
  /** Do not validate the rendered manifests against the cluster's OpenAPI schema. @default false */
  readonly disableOpenAPIValidation?: boolean;
  /** Do not validate the values against the chart's JSON schema. @default false */
  readonly disableSchemaValidation?: boolean;
  /** Do not take ownership of existing objects the chart creates. @default false */
  readonly disableTakeOwnership?: boolean;
  /** Install with server-side apply. @default false */
  readonly serverSideApply?: boolean;
  /** @default ReleaseStrategy.REMEDIATE_ON_FAILURE */
  readonly strategy?: ActionStrategy;
  /** @default CrdPolicy.CREATE (Flux's default) */
  readonly crds?: EnumValue<CrdPolicy>;
  /** Create the target namespace. @default false */
  readonly createNamespace?: boolean;
  /** @default no retries */
  readonly remediation?: Remediation;
  /** @default the release's timeout */
  readonly timeout?: FluxDuration;
}

/** How a failed upgrade is remediated. */
export enum UpgradeRemediationStrategy {
  /** Roll back to the last successful release. */
  ROLLBACK = 'rollback',
  /** Uninstall the release. */
  UNINSTALL = 'uninstall',
}

/** What happens when the chart's name changes. */
export enum ChartNameChangeStrategy {
  /** Upgrade in place (Flux's default). */
  IN_PLACE_UPDATE = 'InPlaceUpdate',
  /** Uninstall and install again. */
  REINSTALL = 'Reinstall',
}

/** Upgrade options. */
export interface HelmReleaseUpgrade extends HelmActionOptions {
  /** Do not validate the rendered manifests against the cluster's OpenAPI schema. @default false */
  readonly disableOpenAPIValidation?: boolean;
  /** Do not validate the values against the chart's JSON schema. @default false */
  readonly disableSchemaValidation?: boolean;
  /** Do not take ownership of existing objects the chart creates. @default false */
  readonly disableTakeOwnership?: boolean;
  /** Recreate resources that cannot be updated. @default false */
  readonly force?: boolean;
  /** Re-use the last release's values and merge in the new ones. @default false */
  readonly preserveValues?: boolean;
  /** @default ServerSideApplyMode.AUTO */
  readonly serverSideApply?: EnumValue<ServerSideApplyMode>;
  /** @default ReleaseStrategy.REMEDIATE_ON_FAILURE */
  readonly strategy?: ActionStrategy;
  /** @default ChartNameChangeStrategy.IN_PLACE_UPDATE */
  readonly chartNameChangeStrategy?: EnumValue<ChartNameChangeStrategy>;
  /** @default CrdPolicy.SKIP (Flux's default) */
  readonly crds?: EnumValue<CrdPolicy>;
  /** @default no retries */
  readonly remediation?: Remediation & {
    /** What to do once the retries are exhausted. @default UpgradeRemediationStrategy.ROLLBACK */
    readonly strategy?: EnumValue<UpgradeRemediationStrategy>;
  };
  /** Delete new resources created by a failed upgrade. @default false */
  readonly cleanupOnFail?: boolean;
  /** @default the release's timeout */
  readonly timeout?: FluxDuration;
}

/** Rollback options (used by the `rollback` remediation strategy). */
export interface HelmReleaseRollback extends HelmActionOptions {
  /** Recreate resources that cannot be updated. @default false */
  readonly force?: boolean;
  /** @default ServerSideApplyMode.AUTO */
  readonly serverSideApply?: EnumValue<ServerSideApplyMode>;
  /** @default false */
  readonly cleanupOnFail?: boolean;
  /** @default false */
  readonly recreate?: boolean;
  /** @default the release's timeout */
  readonly timeout?: FluxDuration;
}

/** Whether and how helm-controller corrects drift of the release's objects in the cluster. */
export enum DriftDetectionMode {
  /** Detect drift and correct it. */
  ENABLED = 'enabled',
  /** Detect drift and only report it. */
  WARN = 'warn',
  /** Do not detect drift. */
  DISABLED = 'disabled',
}

/** Drift detection settings. */
export interface DriftDetection {
  /** Whether drift is corrected, only reported, or not detected. */
  readonly mode: EnumValue<DriftDetectionMode>;
  /** JSON pointers to ignore, optionally for one kind of object. @default none */
  readonly ignore?: readonly {
    /** JSON pointers into the objects (e.g. `/spec/replicas`). */
    readonly paths: readonly string[];
    /** The objects the pointers apply to. @default every object of the release */
    readonly target?: TargetSelector;
  }[];
}

/** Helm tests run after an install or upgrade. */
export interface HelmReleaseTest {
  /** Run the chart's tests. */
  readonly enable: boolean;
  /** Tests to run or skip by name. @default every test */
  readonly filters?: readonly { readonly name: string; readonly exclude?: boolean }[];
  /** Do not remediate when tests fail. @default false */
  readonly ignoreFailures?: boolean;
  /** @default the release's timeout */
  readonly timeout?: FluxDuration;
}

/** How deleted objects of an uninstalled release are garbage-collected. */
export enum DeletionPropagation {
  /** In the background (Flux's default). */
  BACKGROUND = 'background',
  /** Dependents first. */
  FOREGROUND = 'foreground',
  /** Leave dependents. */
  ORPHAN = 'orphan',
}

/** Uninstall options (also used by the `uninstall` remediation strategy). */
export interface HelmReleaseUninstall extends HelmUninstallOptions {
  /** Keep the release history (the release is marked uninstalled). @default false */
  readonly keepHistory?: boolean;
  /** @default DeletionPropagation.BACKGROUND */
  readonly deletionPropagation?: EnumValue<DeletionPropagation>;
}

/** A kustomize post-renderer of the chart's manifests. */
export interface PostRenderer {
  /** Patches, applied in order. @default none */
  readonly patches?: readonly KustomizationPatch[];
  /** Image rewrites. @default none */
  readonly images?: readonly KustomizeImage[];
}

/** Which manifests post-renderers see. */
export enum PostRenderStrategy {
  /** The chart's manifests without hooks. */
  NO_HOOKS = 'nohooks',
  /** Manifests and hooks together. */
  COMBINED = 'combined',
  /** Manifests and hooks in separate passes. */
  SEPARATE = 'separate',
}

/** Helm's way of waiting for resources. */
export enum WaitStrategy {
  /** kstatus polling (Flux's default). */
  POLLER = 'poller',
  /** Helm's own readiness checks. */
  LEGACY = 'legacy',
}

/** A HelmRelease this one waits for, with a CEL readiness expression. */
export interface HelmReleaseDependency {
  /** The release to wait for. */
  readonly release: IHelmRelease;
  /** CEL expression over `dep` (and `self`) deciding readiness. @default its Ready condition */
  readonly readyExpr?: string;
}

/** Props of a `HelmRelease`. */
export interface HelmReleaseProps<Values extends object = Record<string, unknown>> extends FluxObjectProps {
  /** The chart by name from a Helm repository. Exactly one of `chart` and `chartRef`. */
  readonly chart?: HelmReleaseChart;
  /** The chart as an OCIRepository or HelmChart object. Exactly one of `chart` and `chartRef`. */
  readonly chartRef?: IChartRefSource;
  /** @default '10m' */
  readonly interval?: FluxDuration;
  /** @default `<targetNamespace>-<name>` when targetNamespace is set, else `<name>` (Flux's default) */
  readonly releaseName?: string;
  /** Namespace the chart is installed into. @default the HelmRelease's namespace */
  readonly targetNamespace?: NamespaceReference;
  /** Namespace of Helm's release storage. @default the HelmRelease's own namespace (Flux's default) */
  readonly storageNamespace?: NamespaceReference;
  /** Service account to impersonate (multi-tenancy). @default the controller's */
  readonly serviceAccountName?: ServiceAccountReference;
  /** Chart values, typed by the caller (`new HelmRelease<MyChartValues>(…)`). @default none */
  readonly values?: NoInfer<Values>;
  /** Values from ConfigMaps and Secrets, merged in order before `values`. @default none */
  readonly valuesFrom?: readonly ValuesReference[];
  /** Releases that must be ready first. @default none */
  readonly dependsOn?: readonly (IHelmRelease | HelmReleaseDependency)[];
  /** @default Flux's defaults */
  readonly install?: HelmReleaseInstall;
  /** @default Flux's defaults */
  readonly upgrade?: HelmReleaseUpgrade;
  /** @default Flux's defaults */
  readonly rollback?: HelmReleaseRollback;
  /** @default disabled (Flux's default) */
  readonly driftDetection?: DriftDetection;
  /** Timeout of Helm operations. @default '5m' (Flux's default) */
  readonly timeout?: FluxDuration;
  /** @default false */
  readonly suspend?: boolean;
  /** Helm tests after install and upgrade. @default not run */
  readonly test?: HelmReleaseTest;
  /** @default Flux's defaults */
  readonly uninstall?: HelmReleaseUninstall;
  /** kustomize post-renderers of the chart's manifests, in order. @default none */
  readonly postRenderers?: readonly PostRenderer[];
  /** @default PostRenderStrategy.NO_HOOKS (Flux's default) */
  readonly postRenderStrategy?: EnumValue<PostRenderStrategy>;
  /** Labels and annotations added to every object of the release. @default none */
  readonly commonMetadata?: { readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> };
  /** Health of custom resources the chart creates, as CEL expressions. @default kstatus only */
  readonly healthCheckExprs?: readonly HealthCheckExpression[];
  /** Install into another cluster. @default this cluster */
  readonly kubeConfig?: KubeConfigReference;
  /** Helm release revisions kept. @default 5 (Flux's default); 0 keeps all */
  readonly maxHistory?: number;
  /** Keep one Kubernetes client for the release's actions. @default true */
  readonly persistentClient?: boolean;
  /** @default WaitStrategy.POLLER */
  readonly waitStrategy?: EnumValue<WaitStrategy>;
}

const RELEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const VALUES_KEY = /^[-._a-zA-Z0-9]+$/;
/** The CRD's pattern of `valuesFrom[].targetPath`. */
const TARGET_PATH = /^([a-zA-Z0-9_\-.\\/]|\[[0-9]{1,5}\])+$/;

/** A Flux `HelmRelease` (helm.toolkit.fluxcd.io/v2). */
export class HelmRelease<Values extends object = Record<string, unknown>> extends FluxObject implements IHelmRelease {
  /** References a HelmRelease defined outside the fleet (e.g. for `dependsOn`). */
  public static fromName(scope: Construct, id: string, props: ImportedObjectProps): IHelmRelease {
    return Object.assign(new ImportedObject(scope, id, l1.HelmRelease.GVK, props), { isHelmRelease: true as const });
  }

  /** Marks a HelmRelease. */
  public readonly isHelmRelease = true as const;
  private readonly dependencies: HelmReleaseDependency[];

  constructor(scope: Construct, id: string, private readonly props: HelmReleaseProps<Values>) {
    super(scope, id, l1.HelmRelease, props);
    this.dependencies = (props.dependsOn ?? []).map(d => ('release' in d ? d : { release: d }));
  }

  /**
   * The controller writes the name into a label of every object it manages, and label values
   * are at most 63 characters.
   */
  protected override get maxNameLength(): number {
    return 63;
  }

  /** Makes this release wait for others to be ready. */
  public addDependsOn(...releases: (IHelmRelease | HelmReleaseDependency)[]): void {
    this.dependencies.push(...releases.map(d => ('release' in d ? d : { release: d })));
  }

  public override fluxReferences(): FluxReference[] {
    const p = this.props;
    return [
      ...p.chart ? [{ field: 'spec.chart.spec.sourceRef', target: p.chart.repository, explicitNamespace: explicitNamespace(p.chart.repository, this) }] : [],
      ...p.chartRef ? [{ field: 'spec.chartRef', target: p.chartRef, explicitNamespace: explicitNamespace(p.chartRef, this) }] : [],
      // Flux's lockdown does not restrict dependsOn: any namespace may be waited for
      ...this.dependencies.map(({ release: d }) => ({ field: 'spec.dependsOn', target: d, dependsOn: true, lockedDown: false, explicitNamespace: explicitNamespace(d, this) })),
      ...secretReference('spec.kubeConfig.secretRef', p.kubeConfig?.secret),
      ...secretReference('spec.chart.spec.verify.secretRef', p.chart?.verify?.secretRef),
      ...(p.valuesFrom ?? []).map((v, i) => ({
        field: `spec.valuesFrom[${i}]`, target: valuesTarget(v.source), object: v.source, crossNamespace: false,
      })),
    ];
  }

  protected renderSpec() {
    const p = this.props;
    return {
      interval: goDuration(p.interval) ?? '10m',
      chart: p.chart ? {
        spec: {
          chart: p.chart.name,
          version: p.chart.version,
          sourceRef: referenceTo(p.chart.repository, this),
          interval: goDuration(p.chart.interval),
          valuesFiles: p.chart.valuesFiles,
          ignoreMissingValuesFiles: p.chart.ignoreMissingValuesFiles,
          reconcileStrategy: p.chart.reconcileStrategy,
          verify: p.chart.verify ? { provider: p.chart.verify.provider ?? SignatureProvider.COSIGN, secretRef: nameRef(p.chart.verify.secretRef) } : undefined,
        },
        metadata: p.chart.metadata,
      } : undefined,
      chartRef: p.chartRef ? referenceTo(p.chartRef, this, true) : undefined,
      releaseName: p.releaseName,
      targetNamespace: nameOf(p.targetNamespace),
      storageNamespace: nameOf(p.storageNamespace),
      serviceAccountName: nameOf(p.serviceAccountName),
      dependsOn: this.dependencies.length > 0
        ? this.dependencies.map(({ release: d, readyExpr }) => ({ name: d.name, namespace: explicitNamespace(d, this), readyExpr }))
        : undefined,
      values: p.values,
      valuesFrom: p.valuesFrom?.map(v => ({
        kind: valuesKindOf(v.source),
        name: v.source.name,
        valuesKey: v.valuesKey,
        targetPath: v.targetPath,
        optional: v.optional,
        literal: v.literal,
      })),
      install: withDurations(p.install),
      upgrade: withDurations(p.upgrade),
      rollback: withDurations(p.rollback),
      driftDetection: p.driftDetection,
      timeout: goDuration(p.timeout),
      suspend: p.suspend,
      test: withDurations(p.test),
      uninstall: withDurations(p.uninstall),
      postRenderers: p.postRenderers?.map(r => ({
        kustomize: {
          patches: renderPatches(r.patches),
          images: renderImages(r.images),
        },
      })),
      postRenderStrategy: p.postRenderStrategy,
      commonMetadata: p.commonMetadata,
      healthCheckExprs: renderHealthCheckExprs(p.healthCheckExprs),
      kubeConfig: renderKubeConfig(p.kubeConfig),
      maxHistory: p.maxHistory,
      persistentClient: p.persistentClient,
      waitStrategy: p.waitStrategy !== undefined ? { name: p.waitStrategy } : undefined,
    };
  }

  protected validateSpec(c: FieldChecks): void {
    const p = this.props;
    if ((p.chart === undefined) === (p.chartRef === undefined)) {
      c.add(`spec.chart and spec.chartRef are ${p.chart ? 'both set' : 'both missing'}: set exactly one (chart: { repository, name, version } or chartRef: an OCIRepository or HelmChart)`);
    }
    if (p.chart) {
      checkChartOfSource(c, 'spec.chart.spec', p.chart.repository, p.chart.name, p.chart.verify !== undefined);
      c.semverRange('spec.chart.spec.version', p.chart.version).duration('spec.chart.spec.interval', p.chart.interval);
    }
    if (c.isString('spec.releaseName', p.releaseName) && (p.releaseName.length > 53 || !RELEASE_NAME.test(p.releaseName))) {
      c.add(`spec.releaseName ${JSON.stringify(p.releaseName)} is not a valid Helm release name: use at most 53 lowercase letters, digits, '-' or '.', starting and ending with a letter or digit`);
    }
    c.label('spec.targetNamespace', nameOf(p.targetNamespace)).label('spec.storageNamespace', nameOf(p.storageNamespace));
    c.objectName('spec.serviceAccountName', nameOf(p.serviceAccountName));
    c.oneOf('spec.install.crds', p.install?.crds, Object.values(CrdPolicy)).oneOf('spec.upgrade.crds', p.upgrade?.crds, Object.values(CrdPolicy));
    c.oneOf('spec.install.strategy.name', p.install?.strategy?.name, Object.values(ReleaseStrategy))
      .oneOf('spec.upgrade.strategy.name', p.upgrade?.strategy?.name, Object.values(ReleaseStrategy))
      .oneOf('spec.upgrade.remediation.strategy', p.upgrade?.remediation?.strategy, Object.values(UpgradeRemediationStrategy))
      .oneOf('spec.upgrade.serverSideApply', p.upgrade?.serverSideApply, Object.values(ServerSideApplyMode))
      .oneOf('spec.rollback.serverSideApply', p.rollback?.serverSideApply, Object.values(ServerSideApplyMode))
      .oneOf('spec.upgrade.chartNameChangeStrategy', p.upgrade?.chartNameChangeStrategy, Object.values(ChartNameChangeStrategy))
      .oneOf('spec.uninstall.deletionPropagation', p.uninstall?.deletionPropagation, Object.values(DeletionPropagation))
      .oneOf('spec.postRenderStrategy', p.postRenderStrategy, Object.values(PostRenderStrategy))
      .oneOf('spec.waitStrategy.name', p.waitStrategy, Object.values(WaitStrategy))
      .oneOf('spec.driftDetection.mode', p.driftDetection?.mode, Object.values(DriftDetectionMode))
      .oneOf('spec.chart.spec.reconcileStrategy', p.chart?.reconcileStrategy, Object.values(ChartReconcileStrategy))
      .oneOf('spec.chart.spec.verify.provider', p.chart?.verify?.provider, Object.values(SignatureProvider));
    for (const [action, strategy, remediation] of [['install', p.install?.strategy, p.install?.remediation], ['upgrade', p.upgrade?.strategy, p.upgrade?.remediation]] as const) {
      if (strategy?.retryInterval !== undefined && strategy.name !== ReleaseStrategy.RETRY_ON_FAILURE) {
        c.add(`spec.${action}.strategy.retryInterval is only used by the RetryOnFailure strategy (this one is "${strategy.name}"): remove it, or use ReleaseStrategy.RETRY_ON_FAILURE`);
      }
      if (strategy?.name === ReleaseStrategy.RETRY_ON_FAILURE && remediation !== undefined) {
        c.add(`spec.${action}.remediation is ignored by the RetryOnFailure strategy (it retries instead of remediating): remove remediation, or use RemediateOnFailure`);
      }
      c.duration(`spec.${action}.strategy.retryInterval`, strategy?.retryInterval);
    }
    c.duration('spec.test.timeout', p.test?.timeout).duration('spec.uninstall.timeout', p.uninstall?.timeout);
    c.integer('spec.maxHistory', p.maxHistory, 0);
    (p.test?.filters ?? []).forEach((f, i) => { if (!f.name) c.add(`spec.test.filters[${i}].name is empty: name the test to run or exclude`); });
    if (p.test?.filters && !p.test.enable) c.add('spec.test.filters have no effect while spec.test.enable is false: enable the tests, or remove the filters');
    (p.postRenderers ?? []).forEach((r, i) => checkPatchTargets(c, `spec.postRenderers[${i}].kustomize.patches`, r.patches));
    (p.chart?.valuesFiles ?? []).forEach((f, i) => c.relativePath(`spec.chart.spec.valuesFiles[${i}]`, f, 'values-production.yaml'));
    checkKubeConfig(c, p.kubeConfig);
    c.duration('spec.interval', p.interval).duration('spec.timeout', p.timeout)
      .duration('spec.install.timeout', p.install?.timeout)
      .duration('spec.upgrade.timeout', p.upgrade?.timeout)
      .duration('spec.rollback.timeout', p.rollback?.timeout);
    // any negative number means "retry forever" to Flux
    c.integer('spec.install.remediation.retries', p.install?.remediation?.retries)
      .integer('spec.upgrade.remediation.retries', p.upgrade?.remediation?.retries);
    (p.valuesFrom ?? []).forEach((v, i) => {
      const key = v.valuesKey ?? 'values.yaml';
      if (v.targetPath !== undefined && (v.targetPath.length > 250 || !TARGET_PATH.test(v.targetPath))) {
        c.add(`spec.valuesFrom[${i}].targetPath ${JSON.stringify(v.targetPath)} is not a values path: use dot-separated keys with optional [index], e.g. "auth.rootPassword" or "hosts[0].name"`);
      }
      if (!VALUES_KEY.test(key) || key.length > 253) {
        c.add(`spec.valuesFrom[${i}].valuesKey ${JSON.stringify(key)} is not a valid key: use at most 253 letters, digits, '-', '.' or '_'`);
        return;
      }
      const keys = knownKeysOf(v.source);
      if (keys && !v.optional && !keys.includes(key)) {
        c.add(`spec.valuesFrom[${i}].valuesKey ${JSON.stringify(key)} is not a key of ${valuesKindOf(v.source)} ${v.source.name}: it has ${keys.length > 0 ? keys.map(k => `"${k}"`).join(', ') : 'no keys'}`);
      }
    });
    for (const d of p.driftDetection?.ignore ?? []) {
      for (const path of d.paths) {
        if (!path.startsWith('/')) c.add(`spec.driftDetection.ignore paths ${JSON.stringify(path)} is not a JSON pointer: start it with "/" (e.g. "/spec/replicas")`);
      }
    }
  }
}

/** An action's options as Flux reads them: durations as Go duration strings. */
function withDurations<T extends { readonly timeout?: FluxDuration; readonly strategy?: ActionStrategy }>(options: T | undefined): Record<string, unknown> | undefined {
  if (!options) return undefined;
  const strategy = options.strategy ? { name: options.strategy.name, retryInterval: goDuration(options.strategy.retryInterval) } : undefined;
  // the generated L1 class spells the OpenAPI field its own way, and drops keys it does not know
  const { disableOpenAPIValidation, ...rest } = options as T & { disableOpenAPIValidation?: boolean };
  return { ...rest, disableOpenApiValidation: disableOpenAPIValidation, timeout: goDuration(options.timeout), strategy };
}
