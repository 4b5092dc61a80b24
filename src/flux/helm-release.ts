import { Construct } from 'constructs';
import * as l1 from '../imports/helm-helm.toolkit.fluxcd.io';
import { FieldChecks } from './field-checks';
import { explicitNamespace, FluxObject, referenceTo, FluxObjectProps, FluxReference, ImportedObject, ImportedObjectProps, IObjectRef } from './flux-object';
import { IChartRefSource, IChartSource } from './sources/source';
import { IValuesSource, knownKeysOf, valuesKindOf, valuesTarget } from './values-source';
import { FluxDuration, goDuration } from './duration';

/** A HelmRelease of the fleet or imported by name, usable in `dependsOn`. */
export interface IHelmRelease extends IObjectRef {
  /** Marks a HelmRelease (structural typing would otherwise accept any object reference). */
  readonly isHelmRelease: true;
}

/** A chart taken by name from a Helm repository. */
export interface HelmReleaseChart {
  /** The repository object (never its name). */
  readonly repository: IChartSource;
  /** Chart name in the repository. */
  readonly name: string;
  /** Exact version or semver range. @default '*' (the latest, Flux's default) */
  readonly version?: string;
  /** How often the chart is checked for new versions. @default the release's interval */
  readonly interval?: FluxDuration;
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
}

/** Install options. */
export interface HelmReleaseInstall {
  /** @default CrdPolicy.CREATE (Flux's default) */
  readonly crds?: CrdPolicy;
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

/** Upgrade options. */
export interface HelmReleaseUpgrade {
  /** @default CrdPolicy.SKIP (Flux's default) */
  readonly crds?: CrdPolicy;
  /** @default no retries */
  readonly remediation?: Remediation & {
    /** What to do once the retries are exhausted. @default UpgradeRemediationStrategy.ROLLBACK */
    readonly strategy?: UpgradeRemediationStrategy;
  };
  /** Delete new resources created by a failed upgrade. @default false */
  readonly cleanupOnFail?: boolean;
  /** @default the release's timeout */
  readonly timeout?: FluxDuration;
}

/** Rollback options (used by the `rollback` remediation strategy). */
export interface HelmReleaseRollback {
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
  readonly mode: DriftDetectionMode;
  /** JSON pointers to ignore, optionally for one kind of object. @default none */
  readonly ignore?: readonly {
    /** JSON pointers into the objects (e.g. `/spec/replicas`). */
    readonly paths: readonly string[];
    /** The objects the pointers apply to. @default every object of the release */
    readonly target?: {
      /** Kind of the objects. @default any */
      readonly kind?: string;
      /** Name of the object. @default any */
      readonly name?: string;
    };
  }[];
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
  readonly targetNamespace?: string;
  /** Namespace of Helm's release storage. @default the HelmRelease's own namespace (Flux's default) */
  readonly storageNamespace?: string;
  /** Service account to impersonate (multi-tenancy). @default the controller's */
  readonly serviceAccountName?: string;
  /** Chart values, typed by the caller (`new HelmRelease<MyChartValues>(…)`). @default none */
  readonly values?: Values;
  /** Values from ConfigMaps and Secrets, merged in order before `values`. @default none */
  readonly valuesFrom?: readonly ValuesReference[];
  /** Releases that must be ready first. @default none */
  readonly dependsOn?: readonly IHelmRelease[];
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
  private readonly dependencies: IHelmRelease[];

  constructor(scope: Construct, id: string, private readonly props: HelmReleaseProps<Values>) {
    super(scope, id, l1.HelmRelease, props);
    this.dependencies = [...props.dependsOn ?? []];
  }

  /**
   * The controller writes the name into a label of every object it manages, and label values
   * are at most 63 characters.
   */
  protected override get maxNameLength(): number {
    return 63;
  }

  /** Makes this release wait for others to be ready. */
  public addDependsOn(...releases: IHelmRelease[]): void {
    this.dependencies.push(...releases);
  }

  public override fluxReferences(): FluxReference[] {
    const p = this.props;
    return [
      ...p.chart ? [{ field: 'spec.chart.spec.sourceRef', target: p.chart.repository, explicitNamespace: explicitNamespace(p.chart.repository, this) }] : [],
      ...p.chartRef ? [{ field: 'spec.chartRef', target: p.chartRef, explicitNamespace: explicitNamespace(p.chartRef, this) }] : [],
      // Flux's lockdown does not restrict dependsOn: any namespace may be waited for
      ...this.dependencies.map(d => ({ field: 'spec.dependsOn', target: d, dependsOn: true, lockedDown: false, explicitNamespace: explicitNamespace(d, this) })),
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
        },
      } : undefined,
      chartRef: p.chartRef ? referenceTo(p.chartRef, this, true) : undefined,
      releaseName: p.releaseName,
      targetNamespace: p.targetNamespace,
      storageNamespace: p.storageNamespace,
      serviceAccountName: p.serviceAccountName,
      dependsOn: this.dependencies.length > 0
        ? this.dependencies.map(d => ({ name: d.name, namespace: explicitNamespace(d, this) }))
        : undefined,
      values: p.values,
      valuesFrom: p.valuesFrom?.map(v => ({
        kind: valuesKindOf(v.source),
        name: v.source.name,
        valuesKey: v.valuesKey,
        targetPath: v.targetPath,
        optional: v.optional,
      })),
      install: p.install,
      upgrade: p.upgrade,
      rollback: p.rollback,
      driftDetection: p.driftDetection,
      timeout: goDuration(p.timeout),
      suspend: p.suspend,
    };
  }

  protected validateSpec(c: FieldChecks): void {
    const p = this.props;
    if ((p.chart === undefined) === (p.chartRef === undefined)) {
      c.add(`spec.chart and spec.chartRef are ${p.chart ? 'both set' : 'both missing'}: set exactly one (chart: { repository, name, version } or chartRef: an OCIRepository or HelmChart)`);
    }
    if (p.chart) {
      if (!/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/.test(p.chart.name)) {
        c.add(`spec.chart.spec.chart ${JSON.stringify(p.chart.name)} is not a chart name: use the chart's name in its repository (e.g. "external-dns")`);
      }
      c.semverRange('spec.chart.spec.version', p.chart.version).duration('spec.chart.spec.interval', p.chart.interval);
    }
    if (c.isString('spec.releaseName', p.releaseName) && (p.releaseName.length > 53 || !RELEASE_NAME.test(p.releaseName))) {
      c.add(`spec.releaseName ${JSON.stringify(p.releaseName)} is not a valid Helm release name: use at most 53 lowercase letters, digits, '-' or '.', starting and ending with a letter or digit`);
    }
    c.label('spec.targetNamespace', p.targetNamespace).label('spec.storageNamespace', p.storageNamespace);
    c.objectName('spec.serviceAccountName', p.serviceAccountName);
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
