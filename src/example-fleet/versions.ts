import { Construct } from 'constructs';
import { follows, Promotion } from '../fleet/promotion';
import { ENVIRONMENT_NAMES, EnvironmentName } from './environments';

/**
 * The fleet's release train: which chart version each environment runs. Promoting is a one-line
 * change here, reviewed as such; synth refuses a version that skips a stage.
 */
export class ReleaseTrain extends Construct {
  /** eks-charts `aws-load-balancer-controller`: development tries 1.4.1, staging and production stay on 1.4.0. */
  public readonly awsLoadBalancerController: Promotion<EnvironmentName>;
  /** bitnami `external-dns`: every environment takes 6.x releases from 6.2.1 on, as seed 000 does. */
  public readonly externalDns: Promotion<EnvironmentName>;
  /** bitnami `mariadb`. */
  public readonly mariaDb: Promotion<EnvironmentName>;
  /**
   * podinfo (chart and image, released together): development takes every 6.x from 6.5 on (its
   * image through image automation), staging pins what development validated, production follows.
   */
  public readonly podinfo: Promotion<EnvironmentName>;
  /** `sealed-secrets` (controller v0.36). */
  public readonly sealedSecrets: Promotion<EnvironmentName>;

  constructor(scope: Construct) {
    super(scope, 'release-train');
    const stages = ENVIRONMENT_NAMES;
    this.awsLoadBalancerController = new Promotion(this, 'aws-load-balancer-controller', {
      stages,
      versions: { development: '1.4.1', staging: '1.4.0', production: follows('staging') },
    });
    this.externalDns = new Promotion(this, 'external-dns', {
      stages,
      versions: { development: '>=6.2.1 <7', staging: follows('development'), production: follows('staging') },
    });
    this.mariaDb = new Promotion(this, 'mariadb', {
      stages,
      versions: { development: '10.4.0', staging: follows('development'), production: follows('staging') },
    });
    this.podinfo = new Promotion(this, 'podinfo', {
      stages,
      versions: { development: '>=6.5.0 <7.0.0', staging: '6.5.4', production: follows('staging') },
    });
    this.sealedSecrets = new Promotion(this, 'sealed-secrets', {
      stages,
      versions: { development: '2.18.5', staging: follows('development'), production: follows('staging') },
    });
  }
}
