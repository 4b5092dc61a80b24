import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { LayoutDirectory } from '../../core/layout-directory';
import { ManifestFile } from '../../core/manifest-file';
import { ValuesFile } from '../../core/values-file';
import { CrdPolicy, HelmRelease, ReleaseStrategy } from '../../flux/helm-release';
import { OCIRepository } from '../../flux/sources/oci-repository';
import { EnvironmentOverlay, IEnvironmentComponent } from '../../patterns/environment-overlay';
import { UpstreamEnvironment } from '../environments';

/** The layer of a Helm chart stored as an OCI artifact, which a HelmRelease's chartRef installs. */
const HELM_CHART_LAYER = { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' } as const;

/** A controller installed from its OCI chart into its own namespace (one directory of the base). */
class ChartController extends Construct {
  public readonly release: HelmRelease;

  constructor(base: LayoutDirectory, name: string, props: { chart: string; /** an exact version: every cluster installs it */ version: string; values?: Record<string, unknown>; valuesFrom?: string }) {
    super(base, `${name}-controller`);
    const dir = new LayoutDirectory(base, name);
    new kplus.Namespace(new ManifestFile(dir, 'namespace'), 'ns', { metadata: { name } });
    const file = new ManifestFile(dir, 'release');
    const chart = new OCIRepository(file, 'chart', { metadata: { name, namespace: name }, url: props.chart, ref: { tag: props.version }, layerSelector: HELM_CHART_LAYER, interval: '12h' });
    this.release = new HelmRelease(file, 'release', {
      metadata: { name, namespace: name },
      chartRef: chart,
      interval: '30m',
      install: { crds: CrdPolicy.CREATE, strategy: { name: ReleaseStrategy.RETRY_ON_FAILURE, retryInterval: '2m' } },
      upgrade: { crds: CrdPolicy.CREATE_REPLACE, strategy: { name: 'RetryOnFailure', retryInterval: '3m' } },
      values: props.values,
      valuesFrom: props.valuesFrom ? [{ source: kplus.ConfigMap.fromConfigMapName(file, 'values', props.valuesFrom) }] : undefined,
    });
  }
}

/**
 * `infrastructure/controllers/`: cert-manager and Traefik from their OCI charts; each environment
 * gives Traefik its values as a generated ConfigMap, as Flux's examples do.
 */
export class Controllers extends Construct implements IEnvironmentComponent<UpstreamEnvironment> {
  public readonly base: LayoutDirectory;

  constructor(root: LayoutDirectory) {
    super(root, 'controllers-component');
    this.base = new LayoutDirectory(root, 'base');
    new ChartController(this.base, 'cert-manager', { chart: 'oci://quay.io/jetstack/charts/cert-manager', version: 'v1.19.1', values: { crds: { enabled: true } } });
    new ChartController(this.base, 'traefik', { chart: 'oci://ghcr.io/traefik/helm/traefik', version: '37.3.0', valuesFrom: 'traefik-values' });
  }

  public customize(overlay: EnvironmentOverlay<UpstreamEnvironment>): void {
    const values = new ValuesFile(overlay, 'traefik-values', { values: { deployment: { replicas: overlay.environment.replicas }, resources: { requests: { cpu: overlay.environment.ingressCpu } } } });
    overlay.addConfigMapGenerator({ name: 'traefik-values', namespace: 'traefik', files: [{ key: 'values.yaml', file: values }], disableNameSuffixHash: true });
  }
}
