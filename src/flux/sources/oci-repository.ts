import { Construct } from 'constructs';
import * as l1 from '../../imports/source-source.toolkit.fluxcd.io';
import { FieldChecks } from '../field-checks';
import { FluxReference, ImportedObject, ImportedObjectProps } from '../flux-object';
import { FluxSource } from './flux-source';
import { IChartRefSource, IKustomizationSource, ISecretRef, nameRef, secretReference, SourceProps } from './source';
import { nameOf, ServiceAccountReference } from '../object-refs';
import {
  ArtifactVerification, checkProvider, checkVerification, EnumValue, renderVerification, SignatureProvider, SourceProvider, verificationReferences,
} from './source-options';
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
  /** `.sourceignore`-style exclusions. @default Flux's defaults */
  readonly ignore?: string;
  /** How to authenticate to the registry: static credentials, or a cloud identity. @default SourceProvider.GENERIC */
  readonly provider?: EnumValue<SourceProvider.GENERIC | SourceProvider.AWS | SourceProvider.AZURE | SourceProvider.GCP>;
  /** The ServiceAccount whose image pull secrets or workload identity are used. @default the controller's */
  readonly serviceAccountName?: ServiceAccountReference;
  /** TLS client certificate and CA: a Secret with `tls.crt`, `tls.key`, `ca.crt`. @default the system's CAs */
  readonly certSecretRef?: ISecretRef;
  /** An HTTP/S proxy: a Secret with `address` (and `username`, `password`). @default no proxy */
  readonly proxySecretRef?: ISecretRef;
  /** Connect to a registry over plain HTTP. @default false */
  readonly insecure?: boolean;
  /** Verify the artifact's signature (cosign or notation) before using it. @default not verified */
  readonly verify?: ArtifactVerification;
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

  public override fluxReferences(): FluxReference[] {
    const p = this.props;
    return [
      ...super.fluxReferences(),
      ...secretReference('spec.certSecretRef', p.certSecretRef),
      ...secretReference('spec.proxySecretRef', p.proxySecretRef),
      ...verificationReferences(p.verify),
    ];
  }

  protected renderSourceSpec() {
    const p = this.props;
    return {
      url: p.url,
      ref: p.ref,
      interval: goDuration(p.interval) ?? '5m',
      layerSelector: p.layerSelector,
      ignore: p.ignore,
      provider: p.provider,
      serviceAccountName: nameOf(p.serviceAccountName),
      certSecretRef: nameRef(p.certSecretRef),
      proxySecretRef: nameRef(p.proxySecretRef),
      insecure: p.insecure,
      verify: renderVerification(p.verify),
    };
  }

  protected validateSourceSpec(c: FieldChecks): void {
    const p = this.props;
    c.urlScheme('spec.url', p.url, ['oci'], 'oci://ghcr.io/stefanprodan/manifests/podinfo');
    c.duration('spec.interval', p.interval);
    if (p.ref && 'semver' in p.ref) {
      c.semverRange('spec.ref.semver', p.ref.semver).regex('spec.ref.semverFilter', p.ref.semverFilter);
    }
    if (p.ref && 'digest' in p.ref && !/^sha(256|384|512):[a-f0-9]{64,128}$/.test(String(p.ref.digest))) {
      c.add(`spec.ref.digest ${JSON.stringify(p.ref.digest)} is not a digest: use "sha256:" followed by 64 hexadecimal digits`);
    }
    c.oneOf('spec.layerSelector.operation', p.layerSelector?.operation, ['extract', 'copy']);
    checkProvider(c, p.provider, [SourceProvider.GENERIC, SourceProvider.AWS, SourceProvider.AZURE, SourceProvider.GCP], p.serviceAccountName);
    checkVerification(c, p.verify);
    if (p.verify?.trustedRootSecretRef && p.verify.provider === SignatureProvider.NOTATION) {
      c.add('spec.verify.trustedRootSecretRef is a Sigstore trusted root, used by cosign only: remove it, or use provider cosign');
    }
  }
}
