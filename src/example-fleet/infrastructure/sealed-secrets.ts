import { Construct } from 'constructs';
import { CrdPolicy, HelmRelease } from '../../flux/helm-release';
import { LayoutDirectory } from '../../layout/layout-directory';
import { ManifestFile } from '../../layout/manifest-file';
import { FLUX_NAMESPACE, InfrastructureComponent } from './component';
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
      chart: { repository: sources.sealedSecrets, name: 'sealed-secrets', version: '2.18.5' },
      releaseName: 'sealed-secrets-controller',
      targetNamespace: FLUX_NAMESPACE,
      interval: '1h',
      install: { crds: CrdPolicy.CREATE },
      upgrade: { crds: CrdPolicy.CREATE_REPLACE },
    });
  }

  public customize(): void {
    // the same controller in every environment; each cluster generates its own sealing key
  }
}
