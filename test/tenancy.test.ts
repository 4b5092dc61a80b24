import * as kplus from 'cdk8s-plus-27';
import { tenantFleet } from './support/tenant-fleet';
import { describe, expect, it } from 'vitest';
import { GitOpsRepo, GitRepository, HelmRelease, HelmRepository, Kustomization, LayoutDirectory, ManifestFile, ObjectPatch, Tenant } from '../src';
import { FleetTesting } from '../src/testing';
import { createExampleFleet } from '../src/example-fleet';
import { Cluster } from '../src/patterns/cluster';
import { ENVIRONMENTS } from '../src/example-fleet/environments';
import { problemsOf } from './helpers';

/** One cluster `dev` (environment "development") whose `apps` Kustomization builds apps/overlays/development. */
describe('Tenant', () => {
  it('writes namespace, reconciler, RBAC, source and Kustomization, and each environment\'s differences', () => {
    const { repo } = tenantFleet();
    const files = FleetTesting.synth(repo);
    expect(Object.keys(files).filter(f => f.startsWith('apps/'))).toEqual([
      'apps/base/app-a/kustomization.yaml', 'apps/base/app-a/namespace.yaml', 'apps/base/app-a/rbac.yaml', 'apps/base/app-a/sync.yaml',
      'apps/base/sock-shop/kustomization.yaml', 'apps/base/sock-shop/namespace.yaml', 'apps/base/sock-shop/rbac.yaml', 'apps/base/sock-shop/sync.yaml',
      'apps/overlays/development/app-a/kustomization.yaml', 'apps/overlays/development/app-a/sync-patch.yaml',
      'apps/overlays/development/kustomization.yaml',
      'apps/overlays/development/sock-shop/kustomization.yaml', 'apps/overlays/development/sock-shop/source-patch.yaml', 'apps/overlays/development/sock-shop/sync-patch.yaml',
    ]);
    for (const f of ['apps/base/app-a/rbac.yaml', 'apps/base/app-a/sync.yaml', 'apps/base/sock-shop/rbac.yaml', 'apps/overlays/development/sock-shop/source-patch.yaml']) {
      expect(files[f]).toMatchSnapshot(f);
    }
  });

  it('the example fleet onboards its tenants where their repositories have an overlay: app-a everywhere (production: overlays/product), sock-shop in development', () => {
    const docs = FleetTesting.synthDocuments(createExampleFleet({ rootDir: FleetTesting.tempDir() }));
    expect(docs['apps/overlays/development/kustomization.yaml'][0].resources).toEqual(['app-a', 'podinfo', 'sock-shop']);
    for (const env of ['staging', 'production']) {
      expect(docs[`apps/overlays/${env}/kustomization.yaml`][0].resources).toEqual(['app-a', 'podinfo']);
    }
    expect(docs['apps/base/app-a/sync.yaml'][1].spec.path).toBe('./overlays/product');
    expect(docs['apps/base/app-a/sync.yaml'][1].spec.dependsOn).toBeUndefined(); // the apps Kustomization already waits for the infrastructure
    expect(docs['apps/overlays/staging/app-a/sync-patch.yaml'][0].spec.path).toBe('./overlays/staging');
    const sync = docs['apps/base/sock-shop/sync.yaml'];
    expect(sync[0].spec.ref).toEqual({ branch: 'gitops' });
    expect(sync[1].spec).toMatchObject({ serviceAccountName: 'sock-shop-reconciler', targetNamespace: 'sock-shop', prune: true, path: './deploy/kubernetes/overlays/development' });
    const automation = docs['apps/overlays/development/sock-shop/image-automation.yaml'];
    // named as the markers of the tenant's repository name it: {"$imagepolicy": "sock-shop:sock-shop-front-end:tag"}
    expect(automation.map(d => `${d.kind} ${d.metadata.namespace}/${d.metadata.name}`)).toEqual([
      'ImageRepository sock-shop/sock-shop-front-end', 'ImagePolicy sock-shop/sock-shop-front-end', 'ImageUpdateAutomation sock-shop/sock-shop-front-end',
    ]);
    expect(automation[2].spec).toMatchObject({ sourceRef: { kind: 'GitRepository', name: 'sock-shop' }, update: { path: './deploy/kubernetes/overlays/development' } });
    expect(docs['apps/overlays/staging/sock-shop/image-automation.yaml']).toBeUndefined();
  });
});

describe('tenant validation', () => {
  it('refuses an object in a tenant namespace that references another namespace', () => {
    const { appAOverlay, sockShopOverlay } = tenantFleet();
    const charts = new HelmRepository(new ManifestFile(appAOverlay, 'charts'), 'charts', { metadata: { name: 'bitnami', namespace: 'app-a' }, url: 'https://charts.bitnami.com/bitnami' });
    const appADatabase = new HelmRelease(new ManifestFile(appAOverlay, 'db'), 'db', {
      metadata: { name: 'db', namespace: 'app-a' }, chart: { repository: charts, name: 'mariadb', version: '10.4.0' }, serviceAccountName: 'app-a-reconciler',
    });
    new HelmRelease(new ManifestFile(sockShopOverlay, 'db'), 'db', {
      metadata: { name: 'db', namespace: 'sock-shop' },
      chart: { repository: charts, name: 'mariadb', version: '10.4.0' },
      serviceAccountName: 'sock-shop-reconciler',
      dependsOn: [appADatabase],
    });
    expect(problemsOf(appAOverlay.node.root as GitOpsRepo)).toEqual([
      '[apps/overlays/development/sock-shop/db/db] tenant "sock-shop": HelmRelease sock-shop/db spec.chart.spec.sourceRef points at HelmRepository app-a/bitnami in namespace "app-a": a tenant\'s objects may reference only objects of their own namespace "sock-shop"; define HelmRepository bitnami in "sock-shop"',
      '[apps/overlays/development/sock-shop/db/db] tenant "sock-shop": HelmRelease sock-shop/db spec.dependsOn[0] points at HelmRelease app-a/db in namespace "app-a": a tenant\'s objects may reference only objects of their own namespace "sock-shop"; define HelmRelease db in "sock-shop"',
    ]);
  });

  it('reads references from the objects as the cluster gets them: a patch cannot sneak one past', () => {
    const { repo, sockShopOverlay } = tenantFleet();
    const charts = new HelmRepository(new ManifestFile(sockShopOverlay, 'charts'), 'charts', { metadata: { name: 'charts', namespace: 'sock-shop' }, url: 'https://charts.example.com' });
    const release = new HelmRelease(new ManifestFile(sockShopOverlay, 'release'), 'release', {
      metadata: { name: 'cache', namespace: 'sock-shop' }, chart: { repository: charts, name: 'redis', version: '1.0.0' }, serviceAccountName: 'sock-shop-reconciler',
    });
    new ObjectPatch(sockShopOverlay, 'sneak', { target: release, patch: { spec: { chart: { spec: { sourceRef: { namespace: 'flux-system' } } } } } });
    expect(problemsOf(repo)).toEqual([
      '[apps/overlays/development/sock-shop/release/release] tenant "sock-shop": HelmRelease sock-shop/cache spec.chart.spec.sourceRef points at HelmRepository flux-system/charts in namespace "flux-system": a tenant\'s objects may reference only objects of their own namespace "sock-shop"; define HelmRepository charts in "sock-shop"',
      // the patched reference also names an object that does not exist there
      '[apps/overlays/development/sock-shop/sneak] HelmRelease sock-shop/cache spec.chart.spec.sourceRef (as the patch apps/overlays/development/sock-shop/sneak.yaml sets it) points at HelmRepository flux-system/charts, but cluster "dev" has HelmRepository charts only in "sock-shop": name the namespace where it is',
    ]);
  });

  it('refuses a tenant Kustomization or HelmRelease without the tenant\'s account, or aimed outside the tenant', () => {
    const { repo, sockShopOverlay } = tenantFleet();
    const charts = new HelmRepository(new ManifestFile(sockShopOverlay, 'charts'), 'charts', { metadata: { name: 'charts', namespace: 'sock-shop' }, url: 'https://charts.example.com' });
    new HelmRelease(new ManifestFile(sockShopOverlay, 'release'), 'release', {
      metadata: { name: 'cache', namespace: 'sock-shop' },
      chart: { repository: charts, name: 'redis', version: '1.0.0' },
      targetNamespace: 'kube-system',
    });
    expect(problemsOf(repo)).toEqual([
      '[apps/overlays/development/sock-shop/release/release] tenant "sock-shop": HelmRelease sock-shop/cache spec.serviceAccountName is not set: a tenant\'s HelmReleases must reconcile as the tenant\'s account; set serviceAccountName: "sock-shop-reconciler"',
      '[apps/overlays/development/sock-shop/release/release] tenant "sock-shop": HelmRelease sock-shop/cache spec.targetNamespace is "kube-system", outside the tenant: set it to "sock-shop" or leave it out',
    ]);
  });

  it('refuses tenant RBAC that reaches beyond the namespace', () => {
    const { repo, overlay, sockShop } = tenantFleet();
    const rbac = new ManifestFile(overlay, 'extra-rbac');
    new kplus.ClusterRoleBinding(rbac, 'crb', { metadata: { name: 'sock-shop-everywhere' }, role: kplus.ClusterRole.fromClusterRoleName(rbac, 'view', 'view') }).addSubjects(sockShop.serviceAccount);
    new kplus.RoleBinding(rbac, 'rb', { metadata: { name: 'sock-shop-in-kube-system', namespace: 'kube-system' }, role: kplus.ClusterRole.fromClusterRoleName(rbac, 'edit', 'edit') }).addSubjects(sockShop.serviceAccount);
    expect(problemsOf(repo)).toEqual([
      '[apps/overlays/development/extra-rbac/crb] tenant "sock-shop": ClusterRoleBinding sock-shop-everywhere binds ServiceAccount sock-shop/sock-shop-reconciler cluster-wide: a tenant\'s rights stop at its namespace; use a RoleBinding in "sock-shop"',
      '[apps/overlays/development/extra-rbac/rb] tenant "sock-shop": RoleBinding kube-system/sock-shop-in-kube-system gives ServiceAccount sock-shop/sock-shop-reconciler rights in namespace "kube-system", outside the tenant: bind tenant accounts only in "sock-shop"',
    ]);
  });

  it('refuses two tenants claiming one namespace, and a tenant name that is not a namespace name', () => {
    const { repo, base } = tenantFleet();
    new Tenant(new LayoutDirectory(base, 'again'), { name: 'app-a', source: { git: { url: 'https://github.com/org/other', ref: { branch: 'main' } } }, path: './' });
    new Tenant(base, { name: 'Team_B', source: { git: { url: 'https://github.com/org/b', ref: { branch: 'main' } } }, path: './' });
    expect(problemsOf(repo)).toEqual([
      '[apps/base/Team_B] tenant "Team_B": name (its namespace) "Team_B" is not a valid RFC 1123 label: use at most 63 lowercase letters, digits or \'-\', starting and ending with a letter or digit (e.g. "kube-system")',
      '[apps/base/again/app-a] tenant "app-a" claims namespace "app-a", which tenant "app-a" (apps/base/app-a) already owns: give each tenant its own namespace',
    ]);
  });

  it('catches the seed\'s copy-paste mistake: tenant sock-shop\'s objects pointed at app-a\'s namespace', () => {
    const { repo, sockShopOverlay, sockShop } = tenantFleet();
    // copied from app-a's overlay, still naming app-a
    new kplus.ConfigMap(new ManifestFile(sockShopOverlay, 'settings'), 'settings', { metadata: { name: 'settings', namespace: 'app-a' }, data: { a: 'b' } });
    new Kustomization(new ManifestFile(sockShopOverlay, 'extra'), 'extra', {
      metadata: { name: 'extra', namespace: 'sock-shop' },
      sourceRef: sockShop.source as GitRepository,
      externalPath: './extra',
      serviceAccountName: 'sock-shop-reconciler',
      targetNamespace: 'app-a',
    });
    expect(problemsOf(repo)).toEqual([
      '[apps/overlays/development/sock-shop/extra/extra] tenant "sock-shop": Kustomization sock-shop/extra spec.targetNamespace is "app-a", outside the tenant: set it to "sock-shop" or leave it out',
      '[apps/overlays/development/sock-shop/settings/settings] tenant "sock-shop": ConfigMap app-a/settings (in apps/overlays/development/sock-shop/settings.yaml) is in namespace "app-a", not the tenant\'s namespace "sock-shop": a tenant\'s objects live in its own namespace; put it there, or move it out of the tenant\'s directories',
    ]);
  });
});

describe('multi-tenancy lockdown', () => {
  /** A platform HelmRelease in kube-system using a HelmRepository of flux-system, as seed 000 has it. */
  function platformRelease(fixed: boolean) {
    const f = tenantFleet({ lockdown: true });
    const infra = new LayoutDirectory(f.repo.infrastructure, 'base');
    const file = new ManifestFile(infra, 'dns');
    const charts = new HelmRepository(file, 'charts', { metadata: { name: 'bitnami', namespace: 'flux-system' }, url: 'https://charts.bitnami.com/bitnami' });
    new HelmRelease(file, 'release', {
      metadata: { name: 'external-dns', namespace: fixed ? 'flux-system' : 'kube-system' },
      chart: { repository: charts, name: 'external-dns', version: '6.2.4' },
      targetNamespace: fixed ? 'kube-system' : undefined,
      serviceAccountName: fixed ? 'helm-controller' : undefined,
    });
    new Kustomization(new ManifestFile(f.cluster, 'infrastructure'), 'infra', {
      metadata: { name: 'infrastructure', namespace: 'flux-system' }, sourceRef: f.source, path: infra, serviceAccountName: 'kustomize-controller',
    });
    return f.repo;
  }

  it('fails a platform HelmRelease that references a source in another namespace, saying how to fix it', () => {
    expect(problemsOf(platformRelease(false))).toEqual([
      '[infrastructure/base/dns/release] environment "development" (cluster "dev") runs Flux with the multi-tenancy lockdown: HelmRelease kube-system/external-dns has no spec.serviceAccountName, so Flux would impersonate the "default" ServiceAccount of "kube-system", which has no rights: set serviceAccountName ("helm-controller" for a platform HelmRelease in "flux-system", a tenant\'s reconciler for a tenant\'s)',
      '[infrastructure/base/dns/release] spec.chart.spec.sourceRef points at HelmRepository flux-system/bitnami in another namespace (this HelmRelease is in "kube-system"); environment "development" (cluster "dev") runs Flux with the multi-tenancy lockdown, which refuses cross-namespace references: move this HelmRelease to namespace "flux-system" and install into "kube-system" with targetNamespace',
    ]);
  });

  it('passes once fixed', () => {
    expect(problemsOf(platformRelease(true))).toEqual([]);
  });

  it('enforces nothing of the sort where the lockdown is off (Flux\'s default)', () => {
    const { repo } = tenantFleet({ lockdown: false });
    const infra = new LayoutDirectory(repo.infrastructure, 'base');
    const file = new ManifestFile(infra, 'x');
    new kplus.ConfigMap(file, 'cm', { metadata: { name: 'x', namespace: 'default' } });
    expect(problemsOf(repo)).toEqual([]);
  });

  it('refuses an account the locked-down cluster does not have', () => {
    const { repo, overlay } = tenantFleet({ lockdown: true });
    const file = new ManifestFile(overlay, 'job');
    const source = GitRepository.fromName(file, 'src', { name: 'flux-system', namespace: 'flux-system' });
    new Kustomization(file, 'k', { metadata: { name: 'jobs', namespace: 'batch' }, sourceRef: source, externalPath: './jobs', serviceAccountName: 'kustomize-controller' });
    expect(problemsOf(repo)).toEqual([
      // the fleet's own sync source with a path this repository does not have: Flux would not find it
      '[apps/overlays/development/job/k] Kustomization batch/jobs spec.path "./jobs" is not a directory of this repository, which cluster "dev" syncs from GitRepository flux-system/flux-system, so Flux would fail with "kustomization path not found": point it at a directory synth writes (a LayoutDirectory) or that the repository has',
      '[apps/overlays/development/job/k] Kustomization batch/jobs spec.serviceAccountName "kustomize-controller" names no ServiceAccount of namespace "batch" in environment "development" (cluster "dev", lockdown on: Flux impersonates an account of the object\'s own namespace): define it there, or move this Kustomization to "flux-system", where the controllers\' accounts are',
      '[apps/overlays/development/job/k] spec.sourceRef points at GitRepository flux-system/flux-system in another namespace (this Kustomization is in "batch"); environment "development" (cluster "dev") runs Flux with the multi-tenancy lockdown, which refuses cross-namespace references: move Kustomization jobs to namespace "flux-system", or GitRepository flux-system to "batch"',
    ]);
  });

  it('each cluster\'s committed FluxInstance (what the bootstrap installs) has the lockdown exactly when its environment does', () => {
    const environments = ENVIRONMENTS.map(e => (e.name === 'staging' ? { ...e, lockdown: true } : e));
    const repo = createExampleFleet({ rootDir: FleetTesting.tempDir(), environments });
    const cluster = Object.fromEntries(repo.node.findAll().filter((c): c is Cluster => c instanceof Cluster)
      .map(c => [c.environment.name, c.flux!.apiObject.toJson().spec.cluster]));
    expect(cluster).toEqual({
      development: { multitenant: false, networkPolicy: true },
      staging: { multitenant: true, networkPolicy: true, tenantDefaultServiceAccount: 'default' },
      production: { multitenant: false, networkPolicy: true },
    });
  });
});

describe('tenant RBAC in every subject form', () => {
  it('recognises service-account users and groups', () => {
    const { repo, overlay } = tenantFleet();
    const rbac = new ManifestFile(overlay, 'more-rbac');
    new kplus.ClusterRoleBinding(rbac, 'by-user', { metadata: { name: 'by-user' }, role: kplus.ClusterRole.fromClusterRoleName(rbac, 'view', 'view') })
      .addSubjects(kplus.User.fromName(rbac, 'user', 'system:serviceaccount:sock-shop:sock-shop-reconciler'));
    new kplus.ClusterRoleBinding(rbac, 'by-group', { metadata: { name: 'by-group' }, role: kplus.ClusterRole.fromClusterRoleName(rbac, 'edit', 'edit') })
      .addSubjects(kplus.Group.fromName(rbac, 'group', 'system:serviceaccounts:app-a'));
    expect(problemsOf(repo)).toEqual([
      '[apps/overlays/development/more-rbac/by-group] tenant "app-a": ClusterRoleBinding by-group binds ServiceAccount app-a/* cluster-wide: a tenant\'s rights stop at its namespace; use a RoleBinding in "app-a"',
      '[apps/overlays/development/more-rbac/by-user] tenant "sock-shop": ClusterRoleBinding by-user binds ServiceAccount sock-shop/sock-shop-reconciler cluster-wide: a tenant\'s rights stop at its namespace; use a RoleBinding in "sock-shop"',
    ]);
  });

  it('reports two invalid tenant names once each, not as a namespace claimed twice', () => {
    const { repo, base } = tenantFleet();
    const long = 'x'.repeat(64);
    new Tenant(base, { name: long, source: { git: { url: 'https://github.com/org/a', ref: { branch: 'main' } } }, path: './' });
    new Tenant(new LayoutDirectory(base, 'other'), { name: `${long}y`, source: { git: { url: 'https://github.com/org/b', ref: { branch: 'main' } } }, path: './' });
    expect(problemsOf(repo).every(p => p.includes('is not a valid RFC 1123 label'))).toBe(true);
    expect(problemsOf(repo)).toHaveLength(2);
  });
});
