import { Construct } from 'constructs';
import * as l1 from '../../imports/source-source.toolkit.fluxcd.io';
import { FieldChecks } from '../field-checks';
import { FluxReference, ImportedObject, ImportedObjectProps } from '../flux-object';
import { FluxSource } from './flux-source';
import { IChartSource, ISecretRef, nameRef, secretReference, SourceProps } from './source';
import { checkProvider, EnumValue, SourceProvider } from './source-options';
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
  readonly type?: EnumValue<HelmRepositoryType>;
  /**
   * How often the index is fetched (ignored by Flux for OCI repositories).
   * @default '1h'
   */
  readonly interval?: FluxDuration;
  /** How to authenticate to an OCI registry: static credentials, or a cloud identity. @default SourceProvider.GENERIC */
  readonly provider?: EnumValue<SourceProvider.GENERIC | SourceProvider.AWS | SourceProvider.AZURE | SourceProvider.GCP>;
  /** TLS client certificate and CA: a Secret with `tls.crt`, `tls.key`, `ca.crt`. @default the system's CAs */
  readonly certSecretRef?: ISecretRef;
  /** Connect over plain HTTP (OCI registries only). @default false */
  readonly insecure?: boolean;
  /** Pass the credentials to chart downloads on other hosts than the index's. @default false */
  readonly passCredentials?: boolean;
  /** Namespaces whose HelmReleases may use this repository across namespaces, by label. @default only this namespace (with lockdown) */
  readonly accessFrom?: readonly NamespaceSelector[];
}

/** Namespaces selected by their labels (`{}` selects every namespace). */
export interface NamespaceSelector {
  /** Labels the namespaces must all have. */
  readonly matchLabels: Readonly<Record<string, string>>;
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

  public override fluxReferences(): FluxReference[] {
    return [...super.fluxReferences(), ...secretReference('spec.certSecretRef', this.props.certSecretRef)];
  }

  protected renderSourceSpec() {
    const p = this.props;
    return {
      url: p.url,
      type: this.isOci ? 'oci' : undefined,
      interval: goDuration(p.interval) ?? '1h',
      provider: p.provider,
      certSecretRef: nameRef(p.certSecretRef),
      insecure: p.insecure,
      passCredentials: p.passCredentials,
      accessFrom: p.accessFrom ? { namespaceSelectors: p.accessFrom.map(s => ({ matchLabels: s.matchLabels })) } : undefined,
    };
  }

  protected validateSourceSpec(c: FieldChecks): void {
    const p = this.props;
    if (this.isOci) c.urlScheme('spec.url', p.url, ['oci'], 'oci://ghcr.io/stefanprodan/charts');
    else c.urlScheme('spec.url', p.url, ['https', 'http'], 'https://charts.bitnami.com/bitnami');
    c.duration('spec.interval', p.interval);
    c.oneOf('spec.type', p.type, Object.values(HelmRepositoryType));
    checkProvider(c, p.provider, [SourceProvider.GENERIC, SourceProvider.AWS, SourceProvider.AZURE, SourceProvider.GCP]);
    if (p.provider !== undefined && p.provider !== SourceProvider.GENERIC && !this.isOci) {
      c.add(`spec.provider "${p.provider}" is only used for OCI Helm repositories: set type oci, or remove provider`);
    }
    if (p.insecure && !this.isOci) c.add('spec.insecure only applies to OCI Helm repositories: use an http:// URL for a plain-HTTP index instead');
  }
}
