import { Construct } from 'constructs';
import { HelmRelease, HelmReleaseSpecInstallCrds, HelmReleaseSpecUpgradeCrds } from '../../imports/helm-helm.toolkit.fluxcd.io';
import { LayoutDirectory } from '../../layout/layout-directory';
import { ManifestFile } from '../../layout/manifest-file';
import { FLUX_NAMESPACE, InfrastructureComponent } from './component';
import { helmRepositoryRef } from './helm';
import { Sources } from './sources';

/**
 * `infrastructure/base/sealed-secrets/`: the Sealed Secrets controller (v0.36, chart 2.18).
 * Its release name is the controller name `kubeseal --fetch-cert` expects.
 */
export class SealedSecretsController extends LayoutDirectory implements InfrastructureComponent {
  constructor(scope: Construct, sources: Sources) {
    super(scope, 'sealed-secrets');
    new HelmRelease(new ManifestFile(this, 'release'), 'release', {
      metadata: { name: 'sealed-secrets', namespace: FLUX_NAMESPACE },
      spec: {
        releaseName: 'sealed-secrets-controller',
        targetNamespace: FLUX_NAMESPACE,
        interval: '1h',
        chart: { spec: { chart: 'sealed-secrets', version: '2.18.5', sourceRef: helmRepositoryRef(sources.sealedSecrets) } },
        install: { crds: HelmReleaseSpecInstallCrds.CREATE },
        upgrade: { crds: HelmReleaseSpecUpgradeCrds.CREATE_REPLACE },
      },
    });
  }

  public customize(): void {
    // the same controller in every environment; each cluster generates its own sealing key
  }
}
