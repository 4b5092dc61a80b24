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
const NAME = 'aws-load-balancer-controller';

/** `infrastructure/base/aws-load-balancer-controller/`: the AWS Load Balancer Controller with its IRSA service account. */
export class AwsLoadBalancerController extends LayoutDirectory implements FleetComponent {
  private readonly serviceAccount: kplus.ServiceAccount;
  private readonly release: HelmRelease;

  constructor(scope: Construct, sources: Sources, private readonly chartVersion: Promotion<EnvironmentName>) {
    super(scope, NAME);
    this.serviceAccount = irsaServiceAccount(this, NAME, NAMESPACE);
    this.release = new HelmRelease(new ManifestFile(this, 'release'), 'release', {
      metadata: { name: NAME, namespace: NAMESPACE },
      chart: { repository: sources.eksCharts, name: NAME, version: chartVersion.baseline },
      releaseName: NAME,
      interval: '1h',
      // the chart ships its CRDs (TargetGroupBinding, IngressClassParams): upgrades replace them
      install: { crds: CrdPolicy.CREATE, remediation: { retries: 3 } },
      upgrade: { crds: CrdPolicy.CREATE_REPLACE, remediation: { retries: 3 } },
      values: { serviceAccount: { create: false, name: this.serviceAccount.name } },
    });
  }

  public customize(overlay: FleetOverlay): void {
    const env = overlay.environment;
    new ObjectPatch(overlay, 'aws-load-balancer-controller-patch', {
      target: this.release,
      patch: { spec: { ...chartVersionFields(this.chartVersion, env), values: { clusterName: env.eksClusterName, region: env.region, vpcId: env.vpcId } } },
    });
    patchRole(overlay, 'aws-load-balancer-serviceaccount-patch', this.serviceAccount, env.loadBalancerControllerRoleArn);
  }
}
