import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { LayoutDirectory } from '../../core/layout-directory';
import { ManifestFile } from '../../core/manifest-file';
import { ObjectPatch } from '../../core/object-patch';
import { HelmRelease } from '../../flux/helm-release';
import '../../flux/helm-release-patch';
import { OCIRepository } from '../../flux/sources/oci-repository';
import { EnvironmentOverlay, IEnvironmentComponent } from '../../patterns/environment-overlay';
import { UpstreamEnvironment } from '../environments';

/** The podinfo chart values the fleet sets (a typed patch of another key fails to compile). */
interface PodinfoValues {
  readonly replicaCount: number;
  readonly ingress: {
    readonly enabled: boolean;
    readonly className: string;
    readonly annotations: Readonly<Record<string, string>>;
    readonly hosts: readonly { readonly host: string; readonly paths: readonly { readonly path: string; readonly pathType: string }[] }[];
    readonly tls: readonly { readonly secretName: string; readonly hosts: readonly string[] }[];
  };
}

/** `apps/base/podinfo/`: the demo app from its OCI chart, served through Traefik with a certificate; each environment sets its host and replicas. */
export class Podinfo extends Construct implements IEnvironmentComponent<UpstreamEnvironment> {
  public readonly base: LayoutDirectory;
  private readonly release: HelmRelease<PodinfoValues>;

  constructor(root: LayoutDirectory) {
    super(root, 'podinfo-component');
    this.base = new LayoutDirectory(root, 'base');
    const dir = new LayoutDirectory(this.base, 'podinfo');
    new kplus.Namespace(new ManifestFile(dir, 'namespace'), 'ns', { metadata: { name: 'podinfo' } });
    const file = new ManifestFile(dir, 'release');
    const chart = new OCIRepository(file, 'chart', {
      metadata: { name: 'podinfo', namespace: 'podinfo' }, url: 'oci://ghcr.io/stefanprodan/charts/podinfo', ref: { tag: '6.9.2' },
      layerSelector: { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' }, interval: '1h',
    });
    this.release = new HelmRelease<PodinfoValues>(file, 'release', {
      metadata: { name: 'podinfo', namespace: 'podinfo' },
      chartRef: chart,
      interval: '30m',
      upgrade: { strategy: { name: 'RetryOnFailure', retryInterval: '5m' } },
      values: {
        replicaCount: 1,
        ingress: {
          enabled: true, className: 'traefik', annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt' },
          hosts: [{ host: 'podinfo.example.com', paths: [{ path: '/', pathType: 'ImplementationSpecific' }] }],
          tls: [{ secretName: 'podinfo-tls', hosts: ['podinfo.example.com'] }],
        },
      },
    });
  }

  public customize(overlay: EnvironmentOverlay<UpstreamEnvironment>): void {
    const { hostname, replicas } = overlay.environment;
    new ObjectPatch(overlay, 'podinfo', {
      target: this.release,
      patch: { spec: { values: { replicaCount: replicas, ingress: { hosts: [{ host: hostname, paths: [{ path: '/', pathType: 'ImplementationSpecific' }] }], tls: [{ secretName: 'podinfo-tls', hosts: [hostname] }] } } } },
    });
  }
}
