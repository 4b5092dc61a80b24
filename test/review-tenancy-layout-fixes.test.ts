// Defects an independent review of #20 and #19's layout work found, each with the behaviour it now has.
import * as kplus from 'cdk8s-plus-27';
import { ApiObject } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { ArtifactGenerator, Kustomization, LayoutDirectory, ManifestFile, Tenant, gatewayApiReferences } from '../src';
import { generateConfigMap } from '../src/core/kustomize/config-map-generator';
import { fluxFleet } from './flux-fixture';
import { problemsOf } from './helpers';
import { tenantCluster } from './support/tenant-cluster';

function fleet(allow = false) {
  const f = tenantCluster({ allowCrossNamespaceReferences: allow });
  const tenant = new Tenant(f.base, { name: 'team-e', source: { git: { url: 'https://github.com/org/e', ref: { semver: '>=1.0.0' } } }, path: './' });
  return { ...f, tenant };
}

const binding = (scope: ManifestFile, id: string, kind: string, ns: string | undefined, role: string, subjects: unknown[]) => new ApiObject(scope, id, {
  apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name: id, namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role }, subjects,
} as never);

describe('tenancy', () => {
  it('refuses a platform Kustomization building a tenant\'s source whatever platform account it impersonates', () => {
    const f = fleet(true);
    f.overlay.addResource(f.tenant);
    const file = new ManifestFile(f.cluster, 'applier');
    new kplus.ServiceAccount(file, 'sa', { metadata: { name: 'platform-applier', namespace: 'flux-system' } });
    new Kustomization(file, 'ks', { metadata: { name: 'team-e-short', namespace: 'flux-system' }, sourceRef: f.tenant.source, externalPath: './', serviceAccountName: 'platform-applier' });
    expect(problemsOf(f.repo).join('\n')).toContain('spec.sourceRef points at GitRepository team-e/team-e, tenant "team-e"\'s source, and spec.serviceAccountName is "platform-applier", an account of the platform\'s namespace "flux-system"');
  });

  it('refuses a tenant\'s source laundered through an ArtifactGenerator', () => {
    const f = fleet(true);
    f.overlay.addResource(f.tenant);
    const file = new ManifestFile(f.cluster, 'gen');
    const gen = new ArtifactGenerator(file, 'gen', { metadata: { name: 'gen', namespace: 'flux-system' }, sources: { t: f.tenant.source }, artifacts: [{ name: 'team-e-art', copy: [{ source: 't', path: '**' }] }] });
    new Kustomization(file, 'ks', { metadata: { name: 'team-e-art', namespace: 'flux-system' }, sourceRef: gen.artifact('team-e-art'), externalPath: './' });
    expect(problemsOf(f.repo).join('\n')).toContain('(ExternalArtifact flux-system/team-e-art, which ArtifactGenerator flux-system/gen makes from GitRepository team-e/team-e), tenant "team-e"\'s source');
  });

  it('allows a tenant\'s HTTPRoute to attach to a platform Gateway (the Gateway\'s allowedRoutes decides)', () => {
    const f = fleet();
    f.overlay.addResource(f.tenant);
    gatewayApiReferences().forEach(r => f.repo.registerReferences(r));
    const infra = new ManifestFile(f.cluster, 'gateway');
    new ApiObject(infra, 'gc', { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'cilium' }, spec: { controllerName: 'io.cilium/gateway-controller' } } as never);
    new ApiObject(infra, 'gw', { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'shared', namespace: 'gateway' }, spec: { gatewayClassName: 'cilium', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }] } } as never);
    new ApiObject(new ManifestFile(f.tenant, 'route'), 'route', { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'web', namespace: 'team-e' }, spec: { parentRefs: [{ name: 'shared', namespace: 'gateway' }] } } as never);
    expect(problemsOf(f.repo).filter(p => p.includes('HTTPRoute'))).toEqual([]);
  });

  it('refuses a privileged role bound to the anonymous user', () => {
    const f = fleet();
    f.overlay.addResource(f.tenant);
    binding(new ManifestFile(f.cluster, 'rbac'), 'anon', 'ClusterRoleBinding', undefined, 'cluster-admin', [{ kind: 'User', name: 'system:anonymous', apiGroup: 'rbac.authorization.k8s.io' }]);
    expect(problemsOf(f.repo).join('\n')).toContain('subjects[0] is User "system:anonymous", bound to ClusterRole "cluster-admin" (a privileged built-in role) cluster-wide: every anonymous request would get it');
  });

  it('an environment\'s Git ref replaces the base\'s instead of merging with it', () => {
    const f = fleet();
    f.tenant.enable(f.overlay, { ref: { branch: 'staging' } });
    expect(problemsOf(f.repo)).toEqual([]);
    const source = f.repo.synthModel().model.clusters[0].applications.find(a => a.doc.kind === 'GitRepository' && a.doc.metadata?.name === 'team-e')!.doc;
    expect(source.spec.ref).toEqual({ branch: 'staging' });
  });

  it('checks the RoleBinding\'s name', () => {
    const f = fleet();
    new Tenant(f.base, { name: 'team-f', roleBindingName: 'also bad', source: { git: { url: 'https://github.com/org/f', ref: { branch: 'main' } } }, path: './' });
    expect(problemsOf(f.repo).join('\n')).toContain('tenant "team-f": roleBindingName "also bad" is not a valid Kubernetes name');
  });
});

describe('the model as kustomize builds', () => {
  it('moves a RoleBinding\'s subject with its ServiceAccount through two namespace: transforms', () => {
    const f = fluxFleet();
    const shared = new LayoutDirectory(f.repo.apps, 'shared', { namespace: 'base-ns' });
    const file = new ManifestFile(shared, 'rbac');
    new kplus.ServiceAccount(file, 'sa', { metadata: { name: 'web' } });
    new ApiObject(file, 'rb', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'web' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'ServiceAccount', name: 'web' }] } as never);
    const prod = new LayoutDirectory(f.repo.apps, 'prod', { namespace: 'prod' });
    prod.addResource(shared);
    new Kustomization(new ManifestFile(f.cluster, 'prod'), 'prod', { metadata: { name: 'prod', namespace: 'flux-system' }, sourceRef: f.gitRepo, path: prod });
    const rb = f.repo.synthModel().model.clusters[0].applications.find(a => a.doc.kind === 'RoleBinding' && a.doc.metadata?.name === 'web')!.doc;
    expect(rb.metadata.namespace).toBe('prod');
    expect(rb.subjects).toEqual([{ kind: 'ServiceAccount', name: 'web', namespace: 'prod' }]);
  });

  it('a generator cannot turn off what generatorOptions turns on (kustomize ORs them)', () => {
    const { doc, hashed } = generateConfigMap({ name: 'one', literals: ['a=b'], options: { disableNameSuffixHash: false, immutable: false } }, { disableNameSuffixHash: true, immutable: true }, () => undefined);
    expect(hashed).toBe(false);
    expect(doc.immutable).toBe(true);
  });
});

describe('layout roots', () => {
  it('a root named ".." is refused at synth without the parent directory being read', () => {
    const f = fluxFleet();
    f.repo.addRoot('..');
    expect(f.repo.managedRoots).toEqual(['clusters', 'infrastructure', 'apps']);
    expect(problemsOf(f.repo).join('\n')).toContain('[..] dirName ".." is not a valid directory name');
  });
});

describe('OCI tenants per environment', () => {
  function ociTenant() {
    const f = fleet();
    const t = new Tenant(f.base, { name: 'team-o', source: { oci: { url: 'oci://ghcr.io/org/team-o', ref: { semver: '1.x' } } }, path: './' });
    return { f, t };
  }

  it('take another tag, semver or digest per environment, replacing the base\'s', () => {
    const { f, t } = ociTenant();
    t.enable(f.overlay, { ref: { tag: 'staging' } });
    expect(problemsOf(f.repo)).toEqual([]);
    const source = f.repo.synthModel().model.clusters[0].applications.find(a => a.doc.kind === 'OCIRepository' && a.doc.metadata?.name === 'team-o')!.doc;
    expect(source.spec.ref).toEqual({ tag: 'staging' });
  });

  it('refuse a Git ref, naming what an OCI ref has', () => {
    const { f, t } = ociTenant();
    t.enable(f.overlay, { ref: { branch: 'main' } });
    expect(problemsOf(f.repo).join('\n')).toContain('tenant "team-o": ref {"branch":"main"} sets "branch", which an OCIRepository ref does not have: give a tag, semver (with semverFilter) or digest');
  });
});
