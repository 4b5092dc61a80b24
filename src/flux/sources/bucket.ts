import { Construct } from 'constructs';
import * as l1 from '../../imports/source-source.toolkit.fluxcd.io';
import { FieldChecks } from '../field-checks';
import { ImportedObject, ImportedObjectProps } from '../flux-object';
import { FluxSource } from './flux-source';
import { IKustomizationSource, SourceProps } from './source';
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
  readonly provider?: BucketProvider;
  /** @default none */
  readonly region?: string;
  /** Only objects under this key prefix. @default the whole bucket */
  readonly prefix?: string;
  /** @default '5m' */
  readonly interval?: FluxDuration;
  /** Connect over plain HTTP. @default false */
  readonly insecure?: boolean;
}

/** A Flux `Bucket` (source.toolkit.fluxcd.io/v1): manifests from S3-compatible object storage. */
export class Bucket extends FluxSource implements IKustomizationSource {
  /** References a Bucket defined outside the fleet. */
  public static fromName(scope: Construct, id: string, props: ImportedObjectProps): IKustomizationSource {
    return Object.assign(new ImportedObject(scope, id, l1.Bucket.GVK, props), { isKustomizationSource: true as const });
  }

  public readonly isKustomizationSource = true as const;

  constructor(scope: Construct, id: string, private readonly props: BucketProps) {
    super(scope, id, l1.Bucket, props);
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
  }
}
