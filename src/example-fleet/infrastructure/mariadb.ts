import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { HelmRelease } from '../../flux/helm-release';
import { OCIRepository } from '../../flux/sources/oci-repository';
import { ObjectPatch } from '../../core/object-patch';
import { LayoutDirectory } from '../../core/layout-directory';
import { ManifestFile } from '../../core/manifest-file';
import { toYaml } from '../../core/render';
import { SealedSecret } from '../../secrets/sealed-secret';
import { Promotion } from '../../fleet/promotion';
import { EnvironmentName } from '../environments';
import { FleetComponent, FleetOverlay } from './component';

const NAMESPACE = 'mariadb';

/**
 * The name of the Secret (sealed per environment) that holds the MariaDB passwords; the
 * chart reads it through `auth.existingSecret`.
 */
export const MARIADB_SECRET_NAME = 'prestashop-mariadb';

/** The keys the bitnami/mariadb chart reads from `auth.existingSecret`. */
export const MARIADB_SECRET_KEYS = ['mariadb-password', 'mariadb-replication-password', 'mariadb-root-password'];

/** The MariaDB image the chart runs: Bitnami's last public build, kept in `bitnamilegacy` (see `MariaDb`). */
export const MARIADB_IMAGE = { repository: 'bitnamilegacy/mariadb', tag: '12.0.2-debian-12-r0' };

/**
 * `infrastructure/base/mariadb/`: the PrestaShop MariaDB, its values kept in a ConfigMap
 * consumed through `valuesFrom`, as in seed 000. The chart is Bitnami's, from its OCI registry
 * (`oci://registry-1.docker.io/bitnamicharts/mariadb`, an OCIRepository the release points at with
 * `chartRef`); since August 2025 Bitnami's public images moved to `bitnamilegacy`, where they get
 * no updates, so the values override the image with the last build there (and let the chart run an
 * image it does not verify). A production fleet would move to a maintained image (Bitnami Secure
 * Images) or another chart.
 */
export class MariaDb extends LayoutDirectory implements FleetComponent {
  private readonly chart: OCIRepository;

  constructor(scope: Construct, private readonly chartVersion: Promotion<EnvironmentName>) {
    super(scope, 'mariadb');
    new kplus.Namespace(new ManifestFile(this, 'namespace'), 'namespace', { metadata: { name: NAMESPACE } });

    const values = new kplus.ConfigMap(new ManifestFile(this, 'prestashop-values'), 'values', {
      metadata: {
        name: 'prestashop-values',
        namespace: NAMESPACE,
        // helm-controller re-reconciles the release when a watched values ConfigMap changes
        labels: { 'reconcile.fluxcd.io/watch': 'Enabled' },
      },
      data: {
        'values.yaml': toYaml([{
          auth: { existingSecret: MARIADB_SECRET_NAME },
          primary: { persistence: { enabled: false, storageClass: 'standard' } },
          image: MARIADB_IMAGE,
          global: { security: { allowInsecureImages: true } },
        }]),
      },
    });

    this.chart = new OCIRepository(new ManifestFile(this, 'chart'), 'chart', {
      metadata: { name: 'mariadb', namespace: NAMESPACE },
      url: 'oci://registry-1.docker.io/bitnamicharts/mariadb',
      ref: { tag: chartVersion.baseline },
      interval: '1h',
      layerSelector: { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' },
    });
    new HelmRelease(new ManifestFile(this, 'prestashop-release'), 'release', {
      metadata: { name: 'prestashop-mariadb', namespace: NAMESPACE },
      chartRef: this.chart,
      releaseName: 'mariadb',
      interval: '1h',
      install: { remediation: { retries: 3 } },
      upgrade: { remediation: { retries: 3 } },
      valuesFrom: [{ source: values, valuesKey: 'values.yaml' }],
    });
  }

  /** The chart version where the environment is ahead, and the MariaDB passwords, sealed for each environment's own controller. */
  public customize(overlay: FleetOverlay): void {
    const version = this.chartVersion.override(overlay.environment.name);
    if (version !== undefined) new ObjectPatch(overlay, 'mariadb-version-patch', { target: this.chart, patch: { spec: { ref: { tag: version } } } });
    new SealedSecret(new ManifestFile(overlay.subdirectory('secrets'), 'prestashop-mariadb-secrets'), 'secret', {
      metadata: { name: MARIADB_SECRET_NAME, namespace: NAMESPACE },
      store: overlay.store,
      keys: MARIADB_SECRET_KEYS,
    });
  }
}
