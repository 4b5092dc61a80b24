import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  fluxReconcilerUser, HelmRelease, Kustomization, LayoutDirectory, ManifestFile, ObjectPatch, OCIRepository, Tenant, TenantRole,
} from '../src';
import { FleetTesting } from '../src/testing';
import type { GitOpsRepo } from '../src';
import { problemsOf } from './helpers';
import { tenantCluster as fleet } from './support/tenant-cluster';

const FIXTURES = path.join(__dirname, 'fixtures');
const fixture = (file: string) => parseAllDocuments(fs.readFileSync(path.join(FIXTURES, file), 'utf8')).map(d => d.toJS()).filter(Boolean);


/** Flux's dev-team tenant, in namespace apps. */
function devTeam(base: LayoutDirectory, extra: Partial<ConstructorParameters<typeof Tenant>[1]> = {}) {
  return new Tenant(base, {
    name: 'dev-team',
    namespace: 'apps',
    serviceAccountName: 'dev-team',
    automountToken: 'kubernetes-default',
    extraSubjects: [fluxReconcilerUser('apps')],
    role: TenantRole.clusterRole('cluster-admin'),
    tenantLabel: 'rbac',
    namespaceFile: 'rbac',
    targetNamespace: false,
    source: { git: { url: 'https://github.com/fluxcd/flux2-multi-tenancy', ref: { branch: 'dev-team' }, interval: '1m' } },
    path: './',
    interval: '5m',
    ...extra,
  });
}

describe('Tenant: fits the tenants of existing fleets', () => {
  it('writes exactly the objects of `flux create tenant dev-team --with-namespace=apps --export`', () => {
    const { repo, base, overlay } = fleet();
    overlay.addResource(devTeam(base));
    const docs = FleetTesting.synthDocuments(repo);
    expect(docs['apps/base/dev-team/rbac.yaml']).toEqual(fixture('flux-create-tenant/tenant-basic.yaml'));
    expect(docs['apps/base/dev-team/namespace.yaml']).toBeUndefined();
  });

  it('rebuilds Flux\'s multi-tenancy example: tenants/base/dev-team/{rbac,sync}.yaml and the staging overlay\'s patch', () => {
    const { repo, base, overlay } = fleet();
    const tenant = devTeam(base, { roleBindingName: 'gotk-reconciler', extraSubjects: [{ kind: 'User', name: 'gotk:apps:reconciler' }] });
    // tenants/staging/: the base and one patch of the tenant's path, as the example lays it out
    overlay.addResource(tenant);
    new ObjectPatch(overlay, 'dev-team-patch', { target: tenant.sync, patch: { spec: { path: './staging' } } });
    const docs = FleetTesting.synthDocuments(repo);
    expect(Object.keys(docs).filter(f => f.startsWith('apps/'))).toEqual([
      'apps/base/dev-team/kustomization.yaml', 'apps/base/dev-team/rbac.yaml', 'apps/base/dev-team/sync.yaml',
      'apps/development/dev-team-patch.yaml', 'apps/development/kustomization.yaml',
    ]);
    expect(docs['apps/base/dev-team/rbac.yaml']).toEqual(fixture('flux2-multi-tenancy/tenants/base/dev-team/rbac.yaml'));
    // the example's base Kustomization has no path (the root); this one builds './', the same directory
    const [gitRepository, kustomization] = docs['apps/base/dev-team/sync.yaml'];
    const expected = fixture('flux2-multi-tenancy/tenants/base/dev-team/sync.yaml');
    expect(gitRepository).toEqual(expected[0]);
    expect(kustomization).toEqual({ ...expected[1], spec: { ...expected[1].spec, path: './' } });
    expect(docs['apps/development/dev-team-patch.yaml']).toEqual(fixture('flux2-multi-tenancy/tenants/staging/dev-team-patch.yaml'));
    expect(docs['apps/development/kustomization.yaml'][0]).toMatchObject({ resources: ['../base/dev-team'], patches: [{ path: 'dev-team-patch.yaml' }] });
    expect(problemsOf(repo)).toEqual([]);
  });

  it('names: the tenant apart from its namespace, the account and binding as given, the label on its objects', () => {
    const { repo, base, overlay } = fleet();
    overlay.addResource(new Tenant(base, {
      name: 'team-a', namespace: 'shop', serviceAccountName: 'flux', roleBindingName: 'flux-reconciler',
      source: { git: { url: 'https://github.com/org/shop', ref: { branch: 'main' } } }, path: './deploy',
    }));
    const docs = FleetTesting.synthDocuments(repo);
    const ids = (file: string) => docs[file].map(d => `${d.kind} ${d.metadata.namespace ?? ''}/${d.metadata.name} ${d.metadata.labels?.['toolkit.fluxcd.io/tenant']}`);
    expect(ids('apps/base/team-a/namespace.yaml')).toEqual(['Namespace /shop team-a']);
    expect(ids('apps/base/team-a/rbac.yaml')).toEqual(['ServiceAccount shop/flux team-a', 'RoleBinding shop/flux-reconciler team-a']);
    expect(ids('apps/base/team-a/sync.yaml')).toEqual(['GitRepository shop/team-a team-a', 'Kustomization shop/team-a team-a']);
    expect(docs['apps/base/team-a/rbac.yaml'][0].automountServiceAccountToken).toBe(false); // Flux only impersonates it
    expect(docs['apps/base/team-a/rbac.yaml'][1]).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: 'admin' }, subjects: [{ kind: 'ServiceAccount', name: 'flux', namespace: 'shop' }],
    });
    expect(docs['apps/base/team-a/sync.yaml'][1].spec).toMatchObject({ serviceAccountName: 'flux', targetNamespace: 'shop' });
    expect(problemsOf(repo)).toEqual([]);
  });

  it('options: no tenant label at all, no targetNamespace, extra subjects before the account', () => {
    const { repo, base, overlay } = fleet();
    overlay.addResource(new Tenant(base, {
      name: 'team-b', tenantLabel: 'none', targetNamespace: false,
      extraSubjects: [{ kind: 'Group', name: 'team-b-oncall', apiGroup: 'rbac.authorization.k8s.io' }],
      source: { git: { url: 'https://github.com/org/b', ref: { branch: 'main' } } }, path: './',
    }));
    const docs = FleetTesting.synthDocuments(repo);
    const all = ['namespace', 'rbac', 'sync'].flatMap(f => docs[`apps/base/team-b/${f}.yaml`]);
    expect(all.map(d => d.metadata.labels)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(docs['apps/base/team-b/sync.yaml'][1].spec.targetNamespace).toBeUndefined();
    expect(docs['apps/base/team-b/rbac.yaml'][1].subjects).toEqual([
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'team-b-oncall' },
      { kind: 'ServiceAccount', name: 'team-b-reconciler', namespace: 'team-b' },
    ]);
  });

  it('refuses an invalid namespace name, naming the tenant and the field', () => {
    const { repo, base, overlay } = fleet();
    overlay.addResource(new Tenant(base, { name: 'team-c', namespace: 'Team_C', source: { git: { url: 'https://github.com/org/c', ref: { branch: 'main' } } }, path: './' }));
    expect(problemsOf(repo)).toEqual([
      expect.stringMatching(/^\[apps\/base\/team-c\] tenant "team-c": namespace "Team_C" /),
    ]);
  });
});

/** The problems about bindings, sorted (the fleet of these tests has an empty tenants overlay, reported on its own). */
const bindingProblems = (repo: GitOpsRepo) => problemsOf(repo).filter(p => p.includes(' subjects[')).sort();

/** The problems about platform objects building tenant sources, sorted. */
const platformProblems = (repo: GitOpsRepo) => problemsOf(repo).filter(p => p.includes('platform\'s rights')).sort();

describe('tenant refusals', () => {
  for (const namespace of ['kube-system', 'kube-public', 'kube-node-lease', 'default', 'flux-system']) {
    it(`refuses ${namespace} as a tenant namespace`, () => {
      const { repo, base, overlay } = fleet();
      overlay.addResource(new Tenant(base, { name: 'team-d', namespace, source: { git: { url: 'https://github.com/org/d', ref: { branch: 'main' } } }, path: './' }));
      expect(problemsOf(repo)).toContain(
        `[apps/base/team-d] tenant "team-d": namespace "${namespace}" is a system namespace (kube-system, kube-public, kube-node-lease, default, flux-system): a tenant's reconciler would get rights over the cluster's or Flux's own objects there; give the tenant a namespace of its own (e.g. namespace: "team-d")`,
      );
    });
  }

  const binding = (scope: ManifestFile, kind: 'RoleBinding' | 'ClusterRoleBinding', role: { kind: string; name: string }, group: string) => new ApiObject(scope, `${kind}-${role.name}-${group}`, {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind,
    metadata: { name: `everyone-${role.name}`, namespace: kind === 'RoleBinding' ? 'tools' : undefined },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...role },
    subjects: [{ kind: 'User', name: 'alice' }, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group }],
  } as never);

  it('refuses a privileged built-in role bound to a broad group, anywhere in the fleet', () => {
    const { repo, cluster } = fleet();
    const rbac = new ManifestFile(cluster, 'rbac');
    binding(rbac, 'ClusterRoleBinding', { kind: 'ClusterRole', name: 'cluster-admin' }, 'system:authenticated');
    binding(rbac, 'RoleBinding', { kind: 'ClusterRole', name: 'edit' }, 'system:serviceaccounts');
    binding(rbac, 'RoleBinding', { kind: 'ClusterRole', name: 'admin' }, 'system:unauthenticated');
    binding(rbac, 'RoleBinding', { kind: 'ClusterRole', name: 'view' }, 'system:authenticated'); // read-only: allowed
    expect(bindingProblems(repo)).toEqual([
      '[clusters/dev/rbac/ClusterRoleBinding-cluster-admin-system:authenticated] ClusterRoleBinding everyone-cluster-admin subjects[1] is Group "system:authenticated", bound to ClusterRole "cluster-admin" (a privileged built-in role) cluster-wide: every signed-in user and account would get it; bind the role to named subjects (a ServiceAccount, a user, a group of your own) instead of "system:serviceaccounts", "system:authenticated", "system:unauthenticated"',
      '[clusters/dev/rbac/RoleBinding-admin-system:unauthenticated] RoleBinding tools/everyone-admin subjects[1] is Group "system:unauthenticated", bound to ClusterRole "admin" (a privileged built-in role) in namespace "tools": every anonymous request would get it; bind the role to named subjects (a ServiceAccount, a user, a group of your own) instead of "system:serviceaccounts", "system:authenticated", "system:unauthenticated"',
      '[clusters/dev/rbac/RoleBinding-edit-system:serviceaccounts] RoleBinding tools/everyone-edit subjects[1] is Group "system:serviceaccounts", bound to ClusterRole "edit" (a privileged built-in role) in namespace "tools": every ServiceAccount of the cluster, tenants\' included, would get it; bind the role to named subjects (a ServiceAccount, a user, a group of your own) instead of "system:serviceaccounts", "system:authenticated", "system:unauthenticated"',
    ]);
  });

  it('refuses a ClusterRole of the fleet with "*" verbs or resources bound to a broad group', () => {
    const { repo, cluster } = fleet();
    const rbac = new ManifestFile(cluster, 'rbac');
    new ApiObject(rbac, 'role', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'anything' }, rules: [{ apiGroups: ['apps'], resources: ['*'], verbs: ['get'] }] } as never);
    new ApiObject(rbac, 'reader', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] } as never);
    binding(rbac, 'ClusterRoleBinding', { kind: 'ClusterRole', name: 'anything' }, 'system:serviceaccounts');
    binding(rbac, 'ClusterRoleBinding', { kind: 'ClusterRole', name: 'reader' }, 'system:serviceaccounts'); // no wildcard: allowed
    expect(bindingProblems(repo)).toEqual([
      '[clusters/dev/rbac/ClusterRoleBinding-anything-system:serviceaccounts] ClusterRoleBinding everyone-anything subjects[1] is Group "system:serviceaccounts", bound to ClusterRole "anything" (a role with "*" verbs or resources) cluster-wide: every ServiceAccount of the cluster, tenants\' included, would get it; bind the role to named subjects (a ServiceAccount, a user, a group of your own) instead of "system:serviceaccounts", "system:authenticated", "system:unauthenticated"',
    ]);
  });

  it('refuses a platform Kustomization that builds a tenant\'s repository with the platform\'s rights', () => {
    const { repo, base, overlay, cluster } = fleet();
    const tenant = new Tenant(base, { name: 'team-e', source: { git: { url: 'https://github.com/org/e', ref: { branch: 'main' } } }, path: './' });
    overlay.addResource(tenant);
    new Kustomization(new ManifestFile(cluster, 'shortcut'), 'shortcut', {
      metadata: { name: 'team-e', namespace: 'flux-system' }, sourceRef: tenant.source, externalPath: './',
    });
    new Kustomization(new ManifestFile(cluster, 'as-controller'), 'as-controller', {
      metadata: { name: 'team-e-controller', namespace: 'flux-system' }, sourceRef: tenant.source, externalPath: './', serviceAccountName: 'kustomize-controller',
    });
    expect(platformProblems(repo)).toEqual([
      '[clusters/dev/as-controller/as-controller] Kustomization flux-system/team-e-controller spec.sourceRef points at GitRepository team-e/team-e, tenant "team-e"\'s source, and spec.serviceAccountName is "kustomize-controller", an account of the platform\'s namespace "flux-system": it would apply what the tenant commits with the platform\'s rights; let the tenant\'s own Kustomization in "team-e" build it (Tenant.sync), or move this Kustomization to "team-e" with serviceAccountName: "team-e-reconciler"',
      '[clusters/dev/shortcut/shortcut] Kustomization flux-system/team-e spec.sourceRef points at GitRepository team-e/team-e, tenant "team-e"\'s source, and spec.serviceAccountName is not set (the controller\'s own account): it would apply what the tenant commits with the platform\'s rights; let the tenant\'s own Kustomization in "team-e" build it (Tenant.sync), or move this Kustomization to "team-e" with serviceAccountName: "team-e-reconciler"',
    ]);
  });

  it('refuses a platform HelmRelease that installs a chart from a tenant\'s OCI repository with helm-controller\'s rights', () => {
    const { repo, base, overlay, cluster } = fleet();
    const tenant = new Tenant(base, { name: 'team-f', source: { oci: { url: 'oci://ghcr.io/org/f', ref: { tag: 'latest' } } }, path: './' });
    overlay.addResource(tenant);
    new HelmRelease(new ManifestFile(cluster, 'release'), 'release', {
      metadata: { name: 'team-f', namespace: 'flux-system' }, chartRef: tenant.source as OCIRepository,
    });
    expect(platformProblems(repo)).toEqual([
      '[clusters/dev/release/release] HelmRelease flux-system/team-f spec.chartRef points at OCIRepository team-f/team-f, tenant "team-f"\'s source, and spec.serviceAccountName is not set (the controller\'s own account): it would install what the tenant commits with the platform\'s rights; let the tenant\'s own Kustomization in "team-f" build it (Tenant.sync), or move this HelmRelease to "team-f" with serviceAccountName: "team-f-reconciler"',
    ]);
  });
});

