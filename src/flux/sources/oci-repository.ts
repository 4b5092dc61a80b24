import { Construct } from 'constructs';
import * as l1 from '../../imports/source-source.toolkit.fluxcd.io';
import { FieldChecks } from '../field-checks';
import { ImportedObject, ImportedObjectProps } from '../flux-object';
import { FluxSource } from './flux-source';
import { IChartRefSource, IKustomizationSource, SourceProps } from './source';
import { FluxDuration, goDuration } from '../duration';

/** Which artifact of an OCI repository to pull: one of these. */
export type OciRef =
  | {
    /** A tag, e.g. `6.5.0`. */
    readonly tag: string;
  }
  | {
    /** The newest tag in a semver range, e.g. `6.x`. */
    readonly semver: string;
    /** A regular expression the tags must also match (e.g. `.*-rc.*` for release candidates). @default none */
    readonly semverFilter?: string;
  }
  | {
    /** An artifact digest, `sha256:…`. */
    readonly digest: string;
  };

/** Props of an `OCIRepository`. */
export interface OCIRepositoryProps extends SourceProps {
  /** Artifact URL, `oci://`. */
  readonly url: string;
  /** @default { tag: 'latest' } (Flux's default) */
  readonly ref?: OciRef;
  /** How often Flux checks for new artifacts. @default '5m' */
  readonly interval?: FluxDuration;
  /**
   * Which layer of the artifact to use, and whether to extract it or copy it as is (a Helm
   * chart used as a HelmRelease `chartRef`: `{ mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' }`).
   * @default the first layer, extracted
   */
  readonly layerSelector?: {
    /** Media type of the layer. @default the first layer */
    readonly mediaType?: string;
    /** Extract the layer's tarball, or copy it as is. @default 'extract' */
    readonly operation?: 'extract' | 'copy';
  };
}

/** A Flux `OCIRepository` (source.toolkit.fluxcd.io/v1): manifests or a Helm chart as an OCI artifact. */
export class OCIRepository extends FluxSource implements IKustomizationSource, IChartRefSource {
  /** References an OCIRepository defined outside the fleet. */
  public static fromName(scope: Construct, id: string, props: ImportedObjectProps): IKustomizationSource & IChartRefSource {
    return Object.assign(new ImportedObject(scope, id, l1.OciRepository.GVK, props), {
      isKustomizationSource: true as const, isChartRefSource: true as const,
    });
  }

  public readonly isKustomizationSource = true as const;
  public readonly isChartRefSource = true as const;

  constructor(scope: Construct, id: string, private readonly props: OCIRepositoryProps) {
    super(scope, id, l1.OciRepository, props);
  }

  protected renderSourceSpec() {
    const p = this.props;
    return {
      url: p.url,
      ref: p.ref,
      interval: goDuration(p.interval) ?? '5m',
      layerSelector: p.layerSelector,
    };
  }

  protected validateSourceSpec(c: FieldChecks): void {
    const p = this.props;
    c.urlScheme('spec.url', p.url, ['oci'], 'oci://ghcr.io/stefanprodan/manifests/podinfo');
    c.duration('spec.interval', p.interval);
    if (p.ref && 'semver' in p.ref) c.semverRange('spec.ref.semver', p.ref.semver);
  }
}
