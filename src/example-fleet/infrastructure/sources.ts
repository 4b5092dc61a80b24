import { Construct } from 'constructs';
import { HelmRepository } from '../../flux/sources/helm-repository';
import { LayoutDirectory } from '../../core/layout-directory';
import { ManifestFile } from '../../core/manifest-file';
import { FLUX_NAMESPACE } from './component';

/** `infrastructure/base/sources/`: the Helm repositories every environment installs charts from. */
export class Sources extends LayoutDirectory {
  public readonly bitnami: HelmRepository;
  public readonly eksCharts: HelmRepository;
  public readonly sealedSecrets: HelmRepository;

  constructor(scope: Construct) {
    super(scope, 'sources');
    this.bitnami = new HelmRepository(new ManifestFile(this, 'bitnami'), 'repository', {
      metadata: { name: 'bitnami', namespace: FLUX_NAMESPACE },
      url: 'https://charts.bitnami.com/bitnami',
      interval: '30m',
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
