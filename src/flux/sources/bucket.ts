import { Construct } from 'constructs';
import * as l1 from '../../imports/source-source.toolkit.fluxcd.io';
import { FieldChecks } from '../field-checks';
import { FluxReference, ImportedObject, ImportedObjectProps } from '../flux-object';
import { FluxSource } from './flux-source';
import { IChartSource, IKustomizationSource, ISecretRef, nameRef, secretReference, SourceProps } from './source';
import { nameOf, ServiceAccountReference } from '../object-refs';
import { EnumValue } from './source-options';
import { FluxDuration, goDuration } from '../duration';

/** The object storage API a Bucket speaks. */
export enum BucketProvider {
  /** Any S3-compatible server, with static credentials. */
  GENERIC = 'generic',
  /** Amazon S3, with IAM credentials of the controller. */
  AWS = 'aws',
  /** Google Cloud Storage. */
  GCP = 'gcp',
  /** Azure Blob Storage. */
  AZURE = 'azure',
}

/** Props of a `Bucket`. */
export interface BucketProps extends SourceProps {
  /** The bucket's name. */
  readonly bucketName: string;
  /** Storage endpoint as `host[:port]`, without a scheme (e.g. `s3.amazonaws.com`). */
  readonly endpoint: string;
  /** @default BucketProvider.GENERIC (Flux's default) */
  readonly provider?: EnumValue<BucketProvider>;
  /** @default none */
  readonly region?: string;
  /** Only objects under this key prefix. @default the whole bucket */
  readonly prefix?: string;
  /** @default '5m' */
  readonly interval?: FluxDuration;
  /** Connect over plain HTTP. @default false */
  readonly insecure?: boolean;
  /** `.sourceignore`-style exclusions. @default Flux's defaults */
  readonly ignore?: string;
  /** TLS client certificate and CA: a Secret with `tls.crt`, `tls.key`, `ca.crt`. @default the system's CAs */
  readonly certSecretRef?: ISecretRef;
  /** An HTTP/S proxy: a Secret with `address` (and `username`, `password`). @default no proxy */
  readonly proxySecretRef?: ISecretRef;
  /** The ServiceAccount whose workload identity is used (aws, azure, gcp). @default the controller's */
  readonly serviceAccountName?: ServiceAccountReference;
  /** Temporary credentials from a Security Token Service (generic and aws providers). @default none */
  readonly sts?: BucketSts;
}

/** A Security Token Service a Bucket gets temporary credentials from. */
export interface BucketSts {
  /** `aws` (with provider aws) or `ldap` (with provider generic, e.g. MinIO). */
  readonly provider: 'aws' | 'ldap';
  /** The service's `http(s)://` endpoint. */
  readonly endpoint: string;
  /** LDAP credentials (`username`, `password`). @default none */
  readonly secretRef?: ISecretRef;
  /** TLS client certificate and CA for the service. @default the system's CAs */
  readonly certSecretRef?: ISecretRef;
}

/** A Flux `Bucket` (source.toolkit.fluxcd.io/v1): manifests from S3-compatible object storage. */
export class Bucket extends FluxSource implements IKustomizationSource, IChartSource {
  /** References a Bucket defined outside the fleet. */
  public static fromName(scope: Construct, id: string, props: ImportedObjectProps): IKustomizationSource & IChartSource {
    return Object.assign(new ImportedObject(scope, id, l1.Bucket.GVK, props), { isKustomizationSource: true as const, isChartSource: true as const });
  }

  public readonly isKustomizationSource = true as const;
  /** A HelmRelease or HelmChart can take a chart from a path of the bucket. */
  public readonly isChartSource = true as const;

  constructor(scope: Construct, id: string, private readonly props: BucketProps) {
    super(scope, id, l1.Bucket, props);
  }

  public override fluxReferences(): FluxReference[] {
    const p = this.props;
    return [
      ...super.fluxReferences(),
      ...secretReference('spec.certSecretRef', p.certSecretRef),
      ...secretReference('spec.proxySecretRef', p.proxySecretRef),
      ...secretReference('spec.sts.secretRef', p.sts?.secretRef),
      ...secretReference('spec.sts.certSecretRef', p.sts?.certSecretRef),
    ];
  }

  protected renderSourceSpec() {
    const p = this.props;
    return {
      bucketName: p.bucketName,
      endpoint: p.endpoint,
      provider: p.provider,
      region: p.region,
      prefix: p.prefix,
      interval: goDuration(p.interval) ?? '5m',
      insecure: p.insecure,
      ignore: p.ignore,
      certSecretRef: nameRef(p.certSecretRef),
      proxySecretRef: nameRef(p.proxySecretRef),
      serviceAccountName: nameOf(p.serviceAccountName),
      sts: p.sts ? { provider: p.sts.provider, endpoint: p.sts.endpoint, secretRef: nameRef(p.sts.secretRef), certSecretRef: nameRef(p.sts.certSecretRef) } : undefined,
    };
  }

  protected validateSourceSpec(c: FieldChecks): void {
    const p = this.props;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(p.endpoint) || p.endpoint.includes('/')) {
      c.add(`spec.endpoint ${JSON.stringify(p.endpoint)} must be a host with an optional port, without scheme or path (e.g. "s3.amazonaws.com" or "minio.example.com:9000"); use insecure: true for plain HTTP`);
    }
    if (!/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/.test(p.bucketName)) {
      c.add(`spec.bucketName ${JSON.stringify(p.bucketName)} is not a valid bucket name: use lowercase letters, digits, '.', '-' or '_' (GCS), starting and ending with a letter or digit`);
    }
    c.duration('spec.interval', p.interval);
    c.oneOf('spec.provider', p.provider, Object.values(BucketProvider));
    c.objectName('spec.serviceAccountName', nameOf(p.serviceAccountName));
    if (p.serviceAccountName !== undefined && (p.provider ?? BucketProvider.GENERIC) === BucketProvider.GENERIC) {
      c.add(`spec.serviceAccountName ${JSON.stringify(nameOf(p.serviceAccountName))} is only used with provider aws, azure or gcp (workload identity): set provider, or remove serviceAccountName`);
    }
    if (p.secretRef && p.serviceAccountName !== undefined) {
      c.add(`spec.secretRef and spec.serviceAccountName are both set: Flux takes static credentials or a workload identity, not both; remove one`);
    }
    if (p.sts) {
      c.oneOf('spec.sts.provider', p.sts.provider, ['aws', 'ldap']).urlScheme('spec.sts.endpoint', p.sts.endpoint, ['https', 'http'], 'https://sts.amazonaws.com');
      const expected = p.sts.provider === 'aws' ? BucketProvider.AWS : BucketProvider.GENERIC;
      if ((p.provider ?? BucketProvider.GENERIC) !== expected) {
        c.add(`spec.sts.provider "${p.sts.provider}" needs spec.provider "${expected}" (it is "${p.provider ?? BucketProvider.GENERIC}"): Flux accepts aws STS with the aws provider and ldap with generic`);
      }
      if (p.sts.provider === 'aws' && (p.sts.secretRef || p.sts.certSecretRef)) {
        c.add('spec.sts.secretRef and certSecretRef are only used by the ldap STS provider: remove them');
      }
    }
  }
}
