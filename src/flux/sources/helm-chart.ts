import { Construct } from 'constructs';
import * as l1 from '../../imports/source-source.toolkit.fluxcd.io';
import { FieldChecks } from '../field-checks';
import { referenceTo, FluxObject, FluxObjectProps, FluxReference, ImportedObject, ImportedObjectProps } from '../flux-object';
import { IChartRefSource, IChartSource } from './source';
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
    return [{ field: 'spec.sourceRef', target: this.props.repository, crossNamespace: false }];
  }

  protected renderSpec() {
    const p = this.props;
    const { kind, name } = referenceTo(p.repository, this);
    return { chart: p.chart, version: p.version, sourceRef: { kind, name }, interval: goDuration(p.interval) ?? '10m', suspend: p.suspend };
  }

  protected validateSpec(c: FieldChecks): void {
    c.semverRange('spec.version', this.props.version).duration('spec.interval', this.props.interval);
  }
}
