import { Construct } from 'constructs';
import { follows, Promotion } from '../fleet/promotion';
import { ENVIRONMENT_NAMES, EnvironmentName } from './environments';

/**
 * The fleet's release train: which chart version each environment runs. Promoting is a one-line
 * change here, reviewed as such; synth refuses a version that skips a stage.
 */
export class ReleaseTrain extends Construct {
  /** eks-charts `aws-load-balancer-controller`: development tries 3.5.0, staging and production stay on 3.4.3. */
  public readonly awsLoadBalancerController: Promotion<EnvironmentName>;
  /**
   * The external-dns project's chart (kubernetes-sigs.github.io/external-dns): development takes
   * every 1.x from 1.21.1 on, staging pins what development validated, production follows. (Seed
   * 000 gave every environment bitnami's `>=6.2.1 <7`, long gone from bitnami's index, and a range
   * shared by every stage upgrades them all at once.)
   */
  public readonly externalDns: Promotion<EnvironmentName>;
  /** bitnami `mariadb`, from its OCI chart (the chart's tag in the OCIRepository). */
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
      versions: { development: '3.5.0', staging: '3.4.3', production: follows('staging') },
    });
    this.externalDns = new Promotion(this, 'external-dns', {
      stages,
      versions: { development: '>=1.21.1 <2', staging: '1.21.1', production: follows('staging') },
    });
    this.mariaDb = new Promotion(this, 'mariadb', {
      stages,
      versions: { development: '23.0.1', staging: follows('development'), production: follows('staging') },
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
