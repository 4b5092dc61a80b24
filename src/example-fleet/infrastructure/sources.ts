import { Construct } from 'constructs';
import { HelmRepository } from '../../flux/sources/helm-repository';
import { LayoutDirectory } from '../../core/layout-directory';
import { ManifestFile } from '../../core/manifest-file';
import { FLUX_NAMESPACE } from './component';

/**
 * `infrastructure/base/sources/`: the Helm repositories every environment installs charts from.
 * The seed took external-dns and MariaDB from `charts.bitnami.com`, whose index keeps about six
 * months of versions (the seed's are long gone, their images moved to `bitnamilegacy`): external-dns
 * now comes from its own project's repository, MariaDB from an OCIRepository of its chart
 * (`infrastructure/base/mariadb/`).
 */
export class Sources extends LayoutDirectory {
  public readonly externalDns: HelmRepository;
  public readonly eksCharts: HelmRepository;
  public readonly sealedSecrets: HelmRepository;

  constructor(scope: Construct) {
    super(scope, 'sources');
    this.externalDns = new HelmRepository(new ManifestFile(this, 'external-dns'), 'repository', {
      metadata: { name: 'external-dns', namespace: FLUX_NAMESPACE },
      url: 'https://kubernetes-sigs.github.io/external-dns/',
      interval: '1h',
    });
    this.eksCharts = new HelmRepository(new ManifestFile(this, 'eks-charts'), 'repository', {
      metadata: { name: 'eks-charts', namespace: FLUX_NAMESPACE },
      url: 'https://aws.github.io/eks-charts',
      interval: '30m',
    });
    this.sealedSecrets = new HelmRepository(new ManifestFile(this, 'sealed-secrets'), 'repository', {
      metadata: { name: 'sealed-secrets', namespace: FLUX_NAMESPACE },
      url: 'https://bitnami-labs.github.io/sealed-secrets',
      interval: '1h',
    });
  }
}
