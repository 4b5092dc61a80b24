import { Construct } from 'constructs';
import * as l1 from '../../imports/source-source.toolkit.fluxcd.io';
import { FieldChecks } from '../field-checks';
import { referenceTo, FluxObject, FluxObjectProps, FluxReference, ImportedObject, ImportedObjectProps } from '../flux-object';
import { IChartRefSource, IChartSource } from './source';
import { checkChartOfSource } from './chart-checks';
import { ArtifactVerification, checkVerification, EnumValue, renderVerification, verificationReferences } from './source-options';
import { FluxDuration, goDuration } from '../duration';

/** Props of a `HelmChart`. */
export interface HelmChartProps extends FluxObjectProps {
  /** The repository the chart comes from (the object, never its name). */
  readonly repository: IChartSource;
  /** Chart name in the repository. */
  readonly chart: string;
  /** Exact version or semver range. @default '*' (the latest, Flux's default) */
  readonly version?: string;
  /** @default '10m' */
  readonly interval?: FluxDuration;
  /** @default false */
  readonly suspend?: boolean;
  /** What makes a new artifact: a new chart version, or (Git and Bucket sources) a new revision. @default ChartReconcileStrategy.CHART_VERSION */
  readonly reconcileStrategy?: EnumValue<ChartReconcileStrategy>;
  /** Values files in the chart merged over its `values.yaml`, in order. @default none */
  readonly valuesFiles?: readonly string[];
  /** Do not fail when a values file is missing. @default false */
  readonly ignoreMissingValuesFiles?: boolean;
  /** Verify the chart's signature (OCI Helm repositories). @default not verified */
  readonly verify?: ArtifactVerification;
}

/** What makes a HelmChart produce a new artifact. */
export enum ChartReconcileStrategy {
  /** A new chart version (Flux's default). */
  CHART_VERSION = 'ChartVersion',
  /** A new revision of the Git or Bucket source, even at the same chart version. */
  REVISION = 'Revision',
}

/** A Flux `HelmChart` (source.toolkit.fluxcd.io/v1), usable as a HelmRelease `chartRef`. */
export class HelmChart extends FluxObject implements IChartRefSource {
  /** References a HelmChart defined outside the fleet. */
  public static fromName(scope: Construct, id: string, props: ImportedObjectProps): IChartRefSource {
    return Object.assign(new ImportedObject(scope, id, l1.HelmChart.GVK, props), { isChartRefSource: true as const });
  }

  public readonly isChartRefSource = true as const;

  constructor(scope: Construct, id: string, private readonly props: HelmChartProps) {
    super(scope, id, l1.HelmChart, props);
  }

  public override fluxReferences(): FluxReference[] {
    // HelmChart.spec.sourceRef has no namespace field: the repository must be in the chart's namespace
    return [{ field: 'spec.sourceRef', target: this.props.repository, crossNamespace: false }, ...verificationReferences(this.props.verify)];
  }

  protected renderSpec() {
    const p = this.props;
    const { kind, name } = referenceTo(p.repository, this);
    return {
      chart: p.chart, version: p.version, sourceRef: { kind, name }, interval: goDuration(p.interval) ?? '10m', suspend: p.suspend,
      reconcileStrategy: p.reconcileStrategy, valuesFiles: p.valuesFiles, ignoreMissingValuesFiles: p.ignoreMissingValuesFiles, verify: renderVerification(p.verify),
    };
  }

  protected validateSpec(c: FieldChecks): void {
    const p = this.props;
    c.semverRange('spec.version', p.version).duration('spec.interval', p.interval);
    checkChartOfSource(c, 'spec', p.repository, p.chart, p.verify !== undefined);
    c.oneOf('spec.reconcileStrategy', p.reconcileStrategy, Object.values(ChartReconcileStrategy));
    checkVerification(c, p.verify);
    if (p.verify?.trustedRootSecretRef) c.add('spec.verify.trustedRootSecretRef is not a HelmChart field (only OCIRepository takes a custom trusted root): remove it');
    (p.valuesFiles ?? []).forEach((f, i) => c.relativePath(`spec.valuesFiles[${i}]`, f, 'values-production.yaml'));
  }
}
