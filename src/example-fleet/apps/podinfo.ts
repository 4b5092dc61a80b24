import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Promotion } from '../../fleet/promotion';
import { HelmRelease } from '../../flux/helm-release';
import { GitRepository } from '../../flux/sources/git-repository';
import { OCIRepository } from '../../flux/sources/oci-repository';
import { ImagePolicy, ImagePolicyRule } from '../../image/image-policy';
import { ImageRepository } from '../../image/image-repository';
import { ImageUpdateAutomation } from '../../image/image-update-automation';
import { LayoutDirectory } from '../../core/layout-directory';
import { ManifestFile } from '../../core/manifest-file';
import { ObjectPatch } from '../../core/object-patch';
import { EnvironmentName, FLEET_REPOSITORY } from '../environments';
import { FleetComponent, FleetOverlay, FLUX_NAMESPACE } from '../infrastructure/component';

const NAME = 'podinfo';
const IMAGE = 'ghcr.io/stefanprodan/podinfo';

/** podinfo's values this fleet sets (a typed subset of the chart's values). */
interface PodinfoValues {
  readonly image: { readonly repository: string; readonly tag: string };
  readonly replicaCount: number;
}

/**
 * `apps/base/podinfo/`: podinfo from its OCI Helm chart, as seed 004 has it — an OCIRepository of
 * the chart that the release points at with `chartRef` (a HelmRepository of type oci is in
 * maintenance mode upstream), its version the repository's `ref.semver`. The release train
 * (`versions.podinfo`) decides each environment's chart and image: development follows a semver
 * range — its image through Flux image automation, which commits each new tag into the marked
 * line of `apps/overlays/development/podinfo/release-patch.yaml` — while staging pins the version
 * development validated and production follows staging.
 */
export class Podinfo extends LayoutDirectory implements FleetComponent {
  private readonly release: HelmRelease<PodinfoValues>;
  private readonly chart: OCIRepository;

  constructor(scope: Construct, private readonly version: Promotion<EnvironmentName>) {
    super(scope, NAME);
    new kplus.Namespace(new ManifestFile(this, 'namespace'), 'namespace', { metadata: { name: NAME } });
    // the source lives with the release, so neither reaches into another namespace
    this.chart = new OCIRepository(new ManifestFile(this, 'source'), 'charts', {
      metadata: { name: NAME, namespace: NAME },
      url: 'oci://ghcr.io/stefanprodan/charts/podinfo',
      ref: { semver: version.baseline },
      interval: '1h',
      layerSelector: { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' },
    });
    this.release = new HelmRelease<PodinfoValues>(new ManifestFile(this, 'release'), 'release', {
      metadata: { name: NAME, namespace: NAME },
      chartRef: this.chart,
      interval: '30m',
      install: { remediation: { retries: 3 } },
      upgrade: { remediation: { retries: 3 } },
      values: { image: { repository: IMAGE, tag: version.baseline }, replicaCount: 2 },
    });
  }

  /**
   * Writes `apps/overlays/<env>/podinfo/`: the base, and where the environment runs another
   * version, a patch of the chart version and image tag. An environment whose version is a range
   * gets image automation: an ImagePolicy over that range whose setter marks the tag.
   */
  public customize(overlay: FleetOverlay): void {
    const env = overlay.environment;
    const dir = new LayoutDirectory(overlay, NAME);
    dir.addResource(this);
    const version = this.version.override(env.name);
    if (version === undefined) return;
    new ObjectPatch(dir, 'source-patch', { target: this.chart, patch: { spec: { ref: { semver: version } } } });
    if (this.version.isPinned(env.name)) {
      new ObjectPatch(dir, 'release-patch', { target: this.release, patch: { spec: { values: { image: { tag: version } } } } });
      return;
    }
    const automation = new ManifestFile(dir, 'image-automation');
    const images = new ImageRepository(automation, 'repository', {
      metadata: { name: NAME, namespace: FLUX_NAMESPACE },
      image: IMAGE,
      interval: '5m',
    });
    const policy = new ImagePolicy(automation, 'policy', {
      metadata: { name: NAME, namespace: FLUX_NAMESPACE },
      imageRepository: images,
      policy: ImagePolicyRule.semver(version),
    });
    new ImageUpdateAutomation(automation, 'automation', {
      metadata: { name: NAME, namespace: FLUX_NAMESPACE },
      // this repository, as the cluster's sync knows it
      sourceRef: GitRepository.fromName(automation, 'fleet-repository', { name: 'flux-system', namespace: FLUX_NAMESPACE }),
      checkout: { branch: FLEET_REPOSITORY.branch },
      push: { branch: FLEET_REPOSITORY.branch },
      commit: {
        author: { name: 'fluxcdbot', email: 'fluxcdbot@users.noreply.github.com' },
        messageTemplate: `podinfo (${env.name}): {{range .Changed.Changes}}{{print .OldValue}} -> {{println .NewValue}}{{end}}`,
      },
      update: { path: dir },
      interval: '30m',
    });
    new ObjectPatch(dir, 'release-patch', {
      target: this.release,
      // the tag the automation starts from: the last version promoted out of this environment
      patch: { spec: { values: { image: { tag: policy.tagSetter(this.version.baseline) } } } },
    });
  }
}
