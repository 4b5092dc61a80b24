import { CrdPolicy, HelmRelease } from '../../flux/helm-release';
import { LayoutDirectory } from '../../core/layout-directory';
import { ManifestFile } from '../../core/manifest-file';
import { Promotion } from '../../fleet/promotion';
import { EnvironmentName } from '../environments';
import { FLUX_NAMESPACE, FleetComponent, FleetOverlay } from './component';
import { Sources } from './sources';

/**
 * `infrastructure/base/sealed-secrets/`: the Sealed Secrets controller (v0.36, chart 2.18), whose
 * release name is the controller name `kubeseal --fetch-cert` expects.
 *
 * SealedSecrets cannot be applied before the controller's CRD exists, so the controller has its
 * own Flux Kustomization (`clusters/<cluster>/sealed-secrets.yaml`, health-checking the release),
 * which each environment's infrastructure depends on — otherwise a fresh cluster fails its first
 * reconcile on "no matches for kind SealedSecret". The controller never renews its key: every
 * cluster's key is the one its bootstrap installs for the certificate committed in
 * `sealed-secrets/certs/`, which is what the fleet's values are sealed for.
 */
export class SealedSecretsController extends LayoutDirectory implements FleetComponent {
  /** The controller's release, which its Kustomization health-checks. */
  public readonly release: HelmRelease;

  /**
   * @param scope the base
   * @param home the directory the controller's own directory goes into (default: the base). Fully
   *   rendered overlays keep their base in `GitOpsRepo.templates`, which is never written, so the
   *   directory its Kustomization builds must live elsewhere.
   */
  constructor(scope: LayoutDirectory, sources: Sources, private readonly chartVersion: Promotion<EnvironmentName>, home: LayoutDirectory = scope) {
    super(home, 'sealed-secrets', { includeInParent: false });
    this.release = new HelmRelease(new ManifestFile(this, 'release'), 'release', {
      metadata: { name: 'sealed-secrets', namespace: FLUX_NAMESPACE },
      chart: { repository: sources.sealedSecrets, name: 'sealed-secrets', version: chartVersion.baseline },
      releaseName: 'sealed-secrets-controller',
      targetNamespace: FLUX_NAMESPACE,
      interval: '1h',
      install: { crds: CrdPolicy.CREATE, remediation: { retries: 3 } },
      upgrade: { crds: CrdPolicy.CREATE_REPLACE, remediation: { retries: 3 } },
      // the bootstrap installs each cluster's key; a renewed key would be one no one holds
      values: { keyrenewperiod: '0' },
    });
  }

  /**
   * The same controller in every environment (each cluster has its own sealing key): its
   * directory is built by its own Kustomization, not by the overlays, so no overlay can patch it.
   */
  public customize({ environment: env }: FleetOverlay): void {
    const version = this.chartVersion.override(env.name);
    if (version !== undefined) {
      this.node.addValidation({
        validate: () => [`the release train gives ${env.name} sealed-secrets chart ${version} but the base has ${this.chartVersion.baseline}: this directory is shared by every environment (its own Kustomization builds it, the overlays cannot patch it), so give every stage the same version`],
      });
    }
  }
}

