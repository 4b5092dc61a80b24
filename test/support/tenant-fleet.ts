import { GitRepository, Kustomization, LayoutDirectory, ManifestFile, Tenant, TenantRole } from '../../src';
import { FleetTesting } from '../../src/testing';

/** A fleet with two tenants, app-a and sock-shop, onboarded in environment "development" (cluster dev). */
export function tenantFleet(options: { lockdown?: boolean; allowCrossNamespaceReferences?: boolean } = {}) {
  const repo = FleetTesting.repo({ allowCrossNamespaceReferences: options.allowCrossNamespaceReferences ?? true });
  const cluster = new LayoutDirectory(repo.clusters, 'dev');
  const sync = new ManifestFile(new LayoutDirectory(cluster, 'flux-system'), 'gotk-sync');
  const serviceAccountName = options.lockdown ? 'kustomize-controller' : undefined;
  const source = new GitRepository(sync, 'repo', { metadata: { name: 'flux-system', namespace: 'flux-system' }, url: 'https://github.com/org/fleet', ref: { branch: 'main' } });
  new Kustomization(sync, 'sync', { metadata: { name: 'flux-system', namespace: 'flux-system' }, sourceRef: source, path: cluster, serviceAccountName });
  const base = new LayoutDirectory(repo.apps, 'base', { kustomize: false });
  const overlay = new LayoutDirectory(new LayoutDirectory(repo.apps, 'overlays', { kustomize: false }), 'development');
  const apps = new Kustomization(new ManifestFile(cluster, 'apps'), 'apps', { metadata: { name: 'apps', namespace: 'flux-system' }, sourceRef: source, path: overlay, serviceAccountName });
  const appA = new Tenant(base, { name: 'app-a', source: { git: { url: 'https://github.com/org/app-a', ref: { branch: 'main' } } }, path: './overlays/production', dependsOn: [apps] });
  const sockShop = new Tenant(base, {
    name: 'sock-shop',
    source: { git: { url: 'https://github.com/org/sock-shop', ref: { branch: 'gitops' } } },
    path: './deploy/production',
    role: TenantRole.rules([{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'create', 'update', 'patch', 'delete'] }]),
  });
  const appAOverlay = appA.enable(overlay, { path: './overlays/development' });
  const sockShopOverlay = sockShop.enable(overlay, { path: './deploy/development', ref: { branch: 'main' } });
  repo.addEnvironment({ name: 'development', cluster: 'dev', lockdown: options.lockdown }, cluster);
  return { repo, cluster, source, base, overlay, apps, appA, sockShop, appAOverlay, sockShopOverlay };
}
