import { GitRepository, Kustomization, LayoutDirectory, ManifestFile } from '../../src';
import { FleetTesting } from '../../src/testing';

/** One cluster `dev` (environment development) whose `tenants` Kustomization builds apps/development. */
export function tenantCluster(options: { allowCrossNamespaceReferences?: boolean } = {}) {
  const repo = FleetTesting.repo({ allowCrossNamespaceReferences: options.allowCrossNamespaceReferences });
  const cluster = new LayoutDirectory(repo.clusters, 'dev');
  const sync = new ManifestFile(new LayoutDirectory(cluster, 'flux-system'), 'gotk-sync');
  const source = new GitRepository(sync, 'repo', { metadata: { name: 'flux-system', namespace: 'flux-system' }, url: 'https://github.com/org/fleet', ref: { branch: 'main' } });
  new Kustomization(sync, 'sync', { metadata: { name: 'flux-system', namespace: 'flux-system' }, sourceRef: source, path: cluster });
  const base = new LayoutDirectory(repo.apps, 'base', { kustomize: false });
  const overlay = new LayoutDirectory(repo.apps, 'development');
  new Kustomization(new ManifestFile(cluster, 'tenants'), 'tenants', { metadata: { name: 'tenants', namespace: 'flux-system' }, sourceRef: source, path: overlay });
  repo.addEnvironment({ name: 'development', cluster: 'dev' }, cluster);
  return { repo, cluster, source, base, overlay };
}
