import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { HelmRelease } from '../../flux/helm-release';
import { LayoutDirectory } from '../../core/layout-directory';
import { ManifestFile } from '../../core/manifest-file';
import { toYaml } from '../../core/render';
import { SealedSecret } from '../../secrets/sealed-secret';
import { Promotion } from '../../fleet/promotion';
import { EnvironmentName } from '../environments';
import { InfrastructureComponent, OverlayContext, patchChartVersion } from './component';
import { Sources } from './sources';

const NAMESPACE = 'mariadb';

/**
 * The name of the Secret (sealed per environment) that holds the MariaDB passwords; the
 * chart reads it through `auth.existingSecret`.
 */
export const MARIADB_SECRET_NAME = 'prestashop-mariadb';

/** The keys the bitnami/mariadb chart reads from `auth.existingSecret`. */
export const MARIADB_SECRET_KEYS = ['mariadb-password', 'mariadb-replication-password', 'mariadb-root-password'];

/**
 * `infrastructure/base/mariadb/`: the PrestaShop MariaDB, its values kept in a ConfigMap
 * consumed through `valuesFrom`, as in seed 000.
 */
export class MariaDb extends LayoutDirectory implements InfrastructureComponent {
  private readonly release: HelmRelease;

  constructor(scope: Construct, sources: Sources, private readonly chartVersion: Promotion<EnvironmentName>) {
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
        }]),
      },
    });

    this.release = new HelmRelease(new ManifestFile(this, 'prestashop-release'), 'release', {
      metadata: { name: 'prestashop-mariadb', namespace: NAMESPACE },
      chart: { repository: sources.bitnami, name: 'mariadb', version: chartVersion.baseline },
      releaseName: 'mariadb',
      interval: '1h',
      install: { remediation: { retries: 3 } },
      valuesFrom: [{ source: values, valuesKey: 'values.yaml' }],
    });
  }

  /** The chart version where the environment is ahead, and the MariaDB passwords, sealed for each environment's own controller. */
  public customize({ env, overlay, secrets, store }: OverlayContext): void {
    patchChartVersion(overlay, 'mariadb-version-patch', this.release, this.chartVersion, env);
    new SealedSecret(new ManifestFile(secrets, 'prestashop-mariadb-secrets'), 'secret', {
      metadata: { name: MARIADB_SECRET_NAME, namespace: NAMESPACE },
      store,
      keys: MARIADB_SECRET_KEYS,
    });
  }
}
