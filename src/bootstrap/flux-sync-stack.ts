import { LocalBackend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { BootstrapTarget } from './bootstrap-target';
import { clusterAccess } from './cluster-access';
import { FluxBootstrapStack } from './flux-bootstrap-stack';

/**
 * Second stack of an environment's bootstrap: the sync objects (this repository's GitRepository
 * and the Kustomization of the cluster's directory), exactly as the layout writes them into
 * `clusters/<cluster>/flux-system/gotk-sync.yaml`, applied with `kubernetes_manifest`. That
 * resource needs Flux's CRDs at plan time, so this stack depends on the bootstrap stack and is
 * planned and applied after it (two steps).
 */
export class FluxSyncStack extends TerraformStack {
  /** The path of the repository Flux syncs (`./clusters/<cluster>`). */
  public readonly path: string;

  constructor(scope: Construct, target: BootstrapTarget, bootstrap: FluxBootstrapStack) {
    super(scope, `${target.name}-sync`);
    new LocalBackend(this, { path: 'terraform.tfstate' });
    new KubernetesProvider(this, 'kubernetes', clusterAccess(this, target));
    this.addDependency(bootstrap);
    const repository = target.sync.repository.apiObject.toJson();
    const kustomization = target.sync.kustomization.apiObject.toJson();
    this.path = kustomization.spec.path;
    // Flux applies the same objects from gotk-sync.yaml afterwards: take over their fields on re-apply
    // rather than failing on server-side-apply conflicts. Destroying this stack deletes the pruning
    // Kustomization, and Flux then garbage-collects everything it applied: see the README.
    new Manifest(this, 'git-repository', { manifest: repository, fieldManager: { forceConflicts: true } });
    new Manifest(this, 'kustomization', { manifest: kustomization, fieldManager: { forceConflicts: true } });
  }
}
