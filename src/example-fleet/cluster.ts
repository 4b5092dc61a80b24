import { Construct } from 'constructs';
import {
  Kustomization, KustomizationSpecSourceRef, KustomizationSpecSourceRefKind,
} from '../imports/kustomize-kustomize.toolkit.fluxcd.io';
import { GitRepository } from '../imports/source-source.toolkit.fluxcd.io';
import { LayoutDirectory } from '../layout/layout-directory';
import { ManifestFile } from '../layout/manifest-file';
import { FLEET_REPOSITORY, FleetEnvironment } from './environments';
import { FLUX_NAMESPACE } from './infrastructure/component';

/** Props of a `ClusterConfig`. */
export interface ClusterConfigProps {
  readonly env: FleetEnvironment;
  /** The environment's infrastructure overlay, reconciled by the `infrastructure` Kustomization. */
  readonly infrastructure: LayoutDirectory;
}

/**
 * `clusters/<cluster>/`: what the cluster's Flux reconciles. `flux-system/gotk-sync.yaml` holds
 * the sync objects (this repository and the Kustomization of this very directory, as `flux
 * bootstrap` writes them, so Flux manages its own sync); `infrastructure.yaml` reconciles the
 * environment's infrastructure overlay. Every path comes from the layout, never typed by hand.
 */
export class ClusterConfig extends LayoutDirectory {
  constructor(scope: Construct, props: ClusterConfigProps) {
    super(scope, props.env.cluster);
    const sync = new ManifestFile(new LayoutDirectory(this, 'flux-system'), 'gotk-sync');
    const repository = new GitRepository(sync, 'repository', {
      metadata: { name: 'flux-system', namespace: FLUX_NAMESPACE },
      spec: {
        interval: '1m0s',
        url: FLEET_REPOSITORY.url,
        ref: { branch: FLEET_REPOSITORY.branch },
        secretRef: { name: 'flux-system' },
      },
    });
    const sourceRef: KustomizationSpecSourceRef = { kind: KustomizationSpecSourceRefKind.GIT_REPOSITORY, name: repository.name };
    new Kustomization(sync, 'kustomization', {
      metadata: { name: 'flux-system', namespace: FLUX_NAMESPACE },
      spec: { interval: '10m0s', path: this.fluxPath, prune: true, sourceRef },
    });
    new Kustomization(new ManifestFile(this, 'infrastructure'), 'kustomization', {
      metadata: { name: 'infrastructure', namespace: FLUX_NAMESPACE },
      spec: { interval: '10m0s', path: props.infrastructure.fluxPath, prune: true, sourceRef },
    });
  }
}
