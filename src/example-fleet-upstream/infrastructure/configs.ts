import { Construct } from 'constructs';
import { LayoutDirectory } from '../../core/layout-directory';
import { ManifestFile } from '../../core/manifest-file';
import { ObjectPatch } from '../../core/object-patch';
import { EnvironmentOverlay, IEnvironmentComponent } from '../../patterns/environment-overlay';
import { UpstreamEnvironment } from '../environments';
import { ClusterIssuer } from '../imports/cert-manager-cert-manager.io';

/**
 * `infrastructure/configs/`: what needs the controllers' CRDs, so it is applied after them: a
 * Let's Encrypt `ClusterIssuer` (a cert-manager kind, from `cdk8s import`), whose ACME server
 * each environment sets.
 */
export class Configs extends Construct implements IEnvironmentComponent<UpstreamEnvironment> {
  public readonly base: LayoutDirectory;
  private readonly issuer: ClusterIssuer;

  constructor(root: LayoutDirectory) {
    super(root, 'configs-component');
    this.base = new LayoutDirectory(root, 'base');
    this.issuer = new ClusterIssuer(new ManifestFile(this.base, 'cluster-issuers'), 'letsencrypt', {
      metadata: { name: 'letsencrypt' },
      spec: {
        acme: {
          email: 'platform@example.com',
          server: 'https://acme-staging-v02.api.letsencrypt.org/directory',
          privateKeySecretRef: { name: 'letsencrypt-account' },
          solvers: [{ http01: { ingress: { ingressClassName: 'traefik' } } }],
        },
      },
    });
  }

  public customize(overlay: EnvironmentOverlay<UpstreamEnvironment>): void {
    new ObjectPatch(overlay, 'issuer', { target: this.issuer, patch: { spec: { acme: { server: overlay.environment.acmeServer } } } });
  }
}
