import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-27';
import * as l1 from '../imports/image-reflector-image.toolkit.fluxcd.io';
import { FieldChecks } from '../flux/field-checks';
import { apiObjectOf, FluxObject, FluxObjectProps, FluxReference, ImportedObject, ImportedObjectProps, IObjectRef } from '../flux/flux-object';
import { re2Problem } from '../flux/regex';
import { ISecretRef, nameRef, secretReference } from '../flux/sources/source';
import { FluxDuration, goDuration } from '../flux/duration';

export { ImageRepositorySpecProvider as ImageRegistryProvider } from '../imports/image-reflector-image.toolkit.fluxcd.io';
type ImageRegistryProvider = l1.ImageRepositorySpecProvider;

/** An ImageRepository of the fleet or imported by name, for an ImagePolicy to pick tags from. */
export interface IImageRepository extends IObjectRef {
  /** Brand: only image repositories implement it. */
  readonly isImageRepository: true;
}

/** Namespaces whose ImagePolicies may use an ImageRepository of another namespace. */
export interface ImageRepositoryAccessFrom {
  /** Namespaces selected by labels (any selector matches; `{}` selects every namespace). */
  readonly namespaceSelectors: readonly {
    /** The labels a namespace must carry. @default none: `{}` selects every namespace */
    readonly matchLabels?: Readonly<Record<string, string>>;
  }[];
}

/** Props of an `ImageRepository`. */
export interface ImageRepositoryProps extends FluxObjectProps {
  /** The image to scan, without tag or digest: `ghcr.io/stefanprodan/podinfo`. */
  readonly image: string;
  /**
   * How often the registry is scanned for tags.
   * @default '5m'
   */
  readonly interval?: FluxDuration;
  /** Registry credentials: a `kubernetes.io/dockerconfigjson` Secret or SealedSecret in the same namespace. @default anonymous */
  readonly secretRef?: ISecretRef;
  /** Tags never stored (Go regular expressions). @default ['^.*\\.sig$'] (Flux's default: cosign signatures) */
  readonly exclusionList?: readonly string[];
  /** Cloud provider for registry login without a Secret. @default ImageRegistryProvider.GENERIC */
  readonly provider?: ImageRegistryProvider | `${ImageRegistryProvider}`;
  /**
   * The ServiceAccount (a cdk8s-plus `ServiceAccount`, an import, or its name) whose image pull
   * secrets are used, or, with a cloud `provider`, whose token is exchanged for registry
   * credentials (object-level workload identity).
   * @default none
   */
  readonly serviceAccountName?: kplus.IServiceAccount | string;
  /** TLS client certificate and/or CA (`tls.crt`, `tls.key`, `ca.crt`). @default the system CAs */
  readonly certSecretRef?: ISecretRef;
  /** Proxy settings (`address`, `username`, `password`). @default no proxy */
  readonly proxySecretRef?: ISecretRef;
  /** Talk plain HTTP to the registry. @default false */
  readonly insecure?: boolean;
  /** Timeout of a scan (ms, s or m). @default the interval */
  readonly timeout?: FluxDuration;
  /** Which namespaces' ImagePolicies may use this repository. @default only its own namespace */
  readonly accessFrom?: ImageRepositoryAccessFrom;
  /** Stop scanning. @default false */
  readonly suspend?: boolean;
}

/** The CRD's limit on `spec.exclusionList`. */
const MAX_EXCLUSIONS = 25;

/** A Flux `ImageRepository` (image.toolkit.fluxcd.io/v1): scans a registry for an image's tags. */
export class ImageRepository extends FluxObject implements IImageRepository {
  /** References an ImageRepository defined outside the fleet. */
  public static fromName(scope: Construct, id: string, props: ImportedObjectProps): IImageRepository {
    return Object.assign(new ImportedObject(scope, id, l1.ImageRepository.GVK, props), { isImageRepository: true as const });
  }

  public readonly isImageRepository = true as const;

  constructor(scope: Construct, id: string, private readonly props: ImageRepositoryProps) {
    super(scope, id, l1.ImageRepository, props);
  }

  /** The scanned image, e.g. `ghcr.io/stefanprodan/podinfo`. */
  public get image(): string {
    return this.props.image;
  }

  /** Whether ImagePolicies of other namespaces may use it (`accessFrom` is set). */
  public get sharedWithOtherNamespaces(): boolean {
    return this.props.accessFrom !== undefined;
  }

  private get serviceAccountName(): string | undefined {
    const account = this.props.serviceAccountName;
    return typeof account === 'string' ? account : account?.name;
  }

  public override fluxReferences(): FluxReference[] {
    const p = this.props;
    return [
      ...secretReference('spec.secretRef', p.secretRef),
      ...secretReference('spec.certSecretRef', p.certSecretRef),
      ...secretReference('spec.proxySecretRef', p.proxySecretRef),
      // a name alone is written as is (as Kustomization's serviceAccountName); an object is resolved
      ...(p.serviceAccountName === undefined || typeof p.serviceAccountName === 'string' ? [] : [{
        field: 'spec.serviceAccountName', target: { apiVersion: 'v1', kind: 'ServiceAccount', name: p.serviceAccountName.name, namespace: apiObjectOf(p.serviceAccountName)?.metadata.namespace },
        object: p.serviceAccountName, crossNamespace: false,
      }]),
    ];
  }

  protected renderSpec() {
    const p = this.props;
    return {
      image: p.image,
      interval: goDuration(p.interval) ?? '5m',
      secretRef: nameRef(p.secretRef),
      exclusionList: p.exclusionList,
      provider: p.provider,
      serviceAccountName: this.serviceAccountName,
      certSecretRef: nameRef(p.certSecretRef),
      proxySecretRef: nameRef(p.proxySecretRef),
      insecure: p.insecure,
      timeout: goDuration(p.timeout),
      accessFrom: p.accessFrom,
      suspend: p.suspend,
    };
  }

  protected validateSpec(c: FieldChecks): void {
    const p = this.props;
    const problem = imageNameProblem(p.image);
    if (problem) c.add(`spec.image ${JSON.stringify(p.image)} ${problem}`);
    c.duration('spec.interval', p.interval).shortDuration('spec.timeout', p.timeout);
    c.objectName('spec.serviceAccountName', this.serviceAccountName);
    const accountNamespace = apiObjectOf(p.serviceAccountName)?.metadata.namespace;
    if (accountNamespace !== undefined && accountNamespace !== this.namespace) {
      c.add(`spec.serviceAccountName: ServiceAccount ${accountNamespace}/${this.serviceAccountName} is in another namespace, but the controller looks for it in the ImageRepository's ("${this.namespace ?? 'default'}"): define the ServiceAccount there`);
    }
    const providers = Object.values(l1.ImageRepositorySpecProvider) as string[];
    if (p.provider !== undefined && !providers.includes(p.provider)) {
      c.add(`spec.provider ${JSON.stringify(p.provider)} is not a provider: use ${providers.join(', ')}`);
    }
    if ((p.exclusionList?.length ?? 0) > MAX_EXCLUSIONS) {
      c.add(`spec.exclusionList has ${p.exclusionList!.length} entries: the CRD allows at most ${MAX_EXCLUSIONS}; combine them with "|"`);
    }
    (p.exclusionList ?? []).forEach((re, i) => {
      const bad = re2Problem(re, 'the image-reflector-controller would fail the scan');
      if (bad) c.add(`spec.exclusionList[${i}] ${JSON.stringify(re)} ${bad}`);
    });
    if (p.accessFrom?.namespaceSelectors.length === 0) {
      c.add('spec.accessFrom.namespaceSelectors is empty, which grants no namespace: list selectors (e.g. { matchLabels: { "kubernetes.io/metadata.name": "apps" } }), or drop accessFrom');
    }
  }
}

/** A registry host: a first path component with a dot or a port, or `localhost`. */
const REGISTRY_HOST = /^(localhost(?::[0-9]+)?|[^/]*[.:][^/]*)\//;
/** A repository path as OCI distribution names it: lowercase components separated by '/'. */
const REPOSITORY_PATH = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;

/**
 * Why an image name (registry and repository, no tag) is not one, phrased to follow the value in
 * a message, or undefined. Mirrors the image-reflector-controller's parsing: no URL scheme, no tag,
 * no digest.
 */
export function imageNameProblem(image: string): string | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(image);
  if (scheme) return `must not start with a URL scheme: remove "${scheme[0]}" (e.g. "ghcr.io/stefanprodan/podinfo")`;
  const host = REGISTRY_HOST.exec(image)?.[1];
  const path = host ? image.slice(host.length + 1) : image;
  if (path.includes('@') || path.includes(':')) {
    const bare = path.replace(/[@:].*$/, '');
    return `must name the repository without a tag or digest: use "${host ? `${host}/` : ''}${bare}" (the ImagePolicy picks the tag)`;
  }
  if (!REPOSITORY_PATH.test(path)) {
    return 'is not an image name: use an optional registry host, then lowercase path components of letters, digits, \'.\', \'_\' or \'-\' separated by \'/\' (e.g. "ghcr.io/stefanprodan/podinfo")';
  }
  return undefined;
}

/** The Docker Hub spellings of one image (`nginx`, `docker.io/library/nginx`) made the same, for comparing names. */
export function canonicalImageName(image: string): string {
  const withHost = REGISTRY_HOST.test(image) ? image : `docker.io/${image}`;
  const hub = /^(?:index\.)?docker\.io\/(.*)$/.exec(withHost);
  if (!hub) return withHost;
  return `docker.io/${hub[1].includes('/') ? hub[1] : `library/${hub[1]}`}`;
}
