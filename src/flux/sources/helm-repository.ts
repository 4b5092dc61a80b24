import { Construct } from 'constructs';
import * as l1 from '../../imports/source-source.toolkit.fluxcd.io';
import { FieldChecks } from '../field-checks';
import { ImportedObject, ImportedObjectProps } from '../flux-object';
import { FluxSource } from './flux-source';
import { IChartSource, SourceProps } from './source';
import { FluxDuration, goDuration } from '../duration';

/** Whether a Helm repository serves an HTTP index or OCI artifacts. */
export enum HelmRepositoryType {
  /** A classic repository with an `index.yaml` at an `https://` URL. */
  DEFAULT = 'default',
  /** Charts stored as OCI artifacts at an `oci://` URL. */
  OCI = 'oci',
}

/** Props of a `HelmRepository`. */
export interface HelmRepositoryProps extends SourceProps {
  /** Repository URL: `https://` (or `http://`) for the default type, `oci://` for OCI. */
  readonly url: string;
  /** @default HelmRepositoryType.DEFAULT */
  readonly type?: HelmRepositoryType;
  /**
   * How often the index is fetched (ignored by Flux for OCI repositories).
   * @default '1h'
   */
  readonly interval?: FluxDuration;
}

/** A Flux `HelmRepository` (source.toolkit.fluxcd.io/v1), HTTP or OCI. */
export class HelmRepository extends FluxSource implements IChartSource {
  /** References a HelmRepository defined outside the fleet. */
  public static fromName(scope: Construct, id: string, props: ImportedObjectProps): IChartSource {
    return Object.assign(new ImportedObject(scope, id, l1.HelmRepository.GVK, props), { isChartSource: true as const });
  }

  public readonly isChartSource = true as const;

  constructor(scope: Construct, id: string, private readonly props: HelmRepositoryProps) {
    super(scope, id, l1.HelmRepository, props);
  }

  /** Whether charts come from an OCI registry. */
  public get isOci(): boolean {
    return this.props.type === HelmRepositoryType.OCI;
  }

  protected renderSourceSpec() {
    const p = this.props;
    return {
      url: p.url,
      type: this.isOci ? 'oci' : undefined,
      interval: goDuration(p.interval) ?? '1h',
    };
  }

  protected validateSourceSpec(c: FieldChecks): void {
    const p = this.props;
    if (this.isOci) c.urlScheme('spec.url', p.url, ['oci'], 'oci://ghcr.io/stefanprodan/charts');
    else c.urlScheme('spec.url', p.url, ['https', 'http'], 'https://charts.bitnami.com/bitnami');
    c.duration('spec.interval', p.interval);
  }
}
