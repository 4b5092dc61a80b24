import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CrdPolicy, HelmRelease } from '../../flux/helm-release';
import { LayoutDirectory } from '../../core/layout-directory';
import { ManifestFile } from '../../core/manifest-file';
import { ObjectPatch } from '../../core/object-patch';
import { Promotion } from '../../fleet/promotion';
import { EnvironmentName } from '../environments';
import { chartVersionFields, FleetComponent, FleetOverlay } from './component';
import { irsaServiceAccount, patchRole } from './irsa';
import { Sources } from './sources';

const NAMESPACE = 'kube-system';
const NAME = 'external-dns';

/**
 * `infrastructure/base/dns/`: external-dns publishing Services and Ingresses to Route 53, from the
 * external-dns project's own chart (which ships its CRDs, so upgrades replace them).
 */
export class ExternalDns extends LayoutDirectory implements FleetComponent {
  private readonly serviceAccount: kplus.ServiceAccount;
  private readonly release: HelmRelease;

  constructor(scope: Construct, sources: Sources, private readonly chartVersion: Promotion<EnvironmentName>) {
    super(scope, 'dns');
    this.serviceAccount = irsaServiceAccount(this, NAME, NAMESPACE);
    this.release = new HelmRelease(new ManifestFile(this, 'release'), 'release', {
      metadata: { name: NAME, namespace: NAMESPACE },
      chart: { repository: sources.externalDns, name: NAME, version: chartVersion.baseline },
      releaseName: NAME,
      targetNamespace: NAMESPACE,
      interval: '1h',
      install: { crds: CrdPolicy.CREATE, remediation: { retries: 3 } },
      upgrade: { crds: CrdPolicy.CREATE_REPLACE, remediation: { retries: 3 } },
      values: {
        provider: { name: 'aws' },
        extraArgs: ['--aws-zone-type=public'],
        policy: 'sync',
        serviceAccount: { create: false, name: this.serviceAccount.name },
      },
    });
  }

  public customize(overlay: FleetOverlay): void {
    const env = overlay.environment;
    new ObjectPatch(overlay, 'dns-patch', {
      target: this.release,
      patch: { spec: { ...chartVersionFields(this.chartVersion, env), values: { txtOwnerId: env.eksClusterName, domainFilters: [env.domain] } } },
    });
    patchRole(overlay, 'dns-sa-patch', this.serviceAccount, env.externalDnsRoleArn);
  }
}
