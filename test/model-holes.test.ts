import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject, Include, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { describe, expect, it } from 'vitest';
import { environmentObjects, ExistingFile, fleetGraph, GitRepository, HelmRelease, HelmRepository, Kustomization, LayoutDirectory, ManifestFile, ObjectPatch, runSynth } from '../src';
import { FleetTesting } from '../src/testing';
import { fluxFleet } from './flux-fixture';
import { problemsOf, readTree } from './helpers';
import { tenantFleet } from './support/tenant-fleet';

/**
 * Every hole of "the checks judge what the constructs were told, not what Flux will apply": each
 * is now caught at synth from the model of what each cluster applies, with a message naming the
 * construct or file, the field, the value and the fix, and nothing is written.
 */

/** Synthesizes through the CLI and returns its error output; asserts that nothing was written. */
function refused(repo: ReturnType<typeof fluxFleet>['repo']): string {
  const io = { out: '', err: '' };
  const code = runSynth(repo, [], { out: t => { io.out += t; }, err: t => { io.err += t; } });
  expect(code).toBe(1);
  expect(io.err).toMatch(/^The fleet has \d+ problems?; nothing was written:/);
  expect(readTree(repo.rootDir)).toEqual({});
  return io.err;
}

describe('references changed by patches are resolved', () => {
  it('an ObjectPatch that renames a HelmRelease\'s sourceRef to a name that does not exist', () => {
    const f = fluxFleet();
    new ObjectPatch(f.apps, 'rename', { target: f.release, patch: { spec: { chart: { spec: { sourceRef: { name: 'podinfo-charts' } } } } } });
    expect(problemsOf(f.repo)).toEqual([
      '[apps/base/rename] HelmRelease flux-system/podinfo spec.chart.spec.sourceRef (as the patch apps/base/rename.yaml sets it) points at HelmRepository flux-system/podinfo-charts, which cluster "dev" does not reconcile although it reconciles this HelmRelease: define it in the fleet and build its directory into the cluster, or import it with HelmRepository.fromName if it is defined outside the fleet',
    ]);
  });

  it('of several patches, the one that wrote the reference is named', () => {
    const f = fluxFleet();
    new ObjectPatch(f.apps, 'a-rename', { target: f.release, patch: { spec: { chart: { spec: { sourceRef: { name: 'podinfo-charts' } } } } } });
    new ObjectPatch(f.apps, 'b-values', { target: f.release, patch: { spec: { values: { replicaCount: 2 } } } });
    expect(problemsOf(f.repo).map(p => p.slice(0, p.indexOf(']') + 1))).toEqual(['[apps/base/a-rename]']);
  });

  it('a cdk8s JSON patch on the API object that points dependsOn at nothing', () => {
    const f = fluxFleet();
    f.release.apiObject.addJsonPatch(JsonPatch.add('/spec/dependsOn', [{ name: 'databse' }]));
    new HelmRelease(f.releases, 'database', { metadata: { name: 'database', namespace: 'flux-system' }, chart: { repository: f.podinfo, name: 'redis' } });
    expect(problemsOf(f.repo)).toEqual([
      '[apps/base/releases/podinfo] spec.dependsOn[0] points at HelmRelease flux-system/databse, which cluster "dev" does not reconcile although it reconciles this HelmRelease; did you mean "database"?: define it in the fleet and build its directory into the cluster, or import it with HelmRelease.fromName if it is defined outside the fleet',
    ]);
  });

  it('a patch pointing a tenant\'s HelmRelease at another namespace, with lockdown on and cross-namespace references disallowed', () => {
    const { repo, sockShopOverlay } = tenantFleet({ lockdown: true, allowCrossNamespaceReferences: false });
    const release = new HelmRelease(new ManifestFile(sockShopOverlay, 'release'), 'release', {
      metadata: { name: 'cache', namespace: 'sock-shop' },
      chart: { repository: HelmRepository.fromName(sockShopOverlay, 'charts', { name: 'charts', namespace: 'sock-shop' }), name: 'redis' },
      serviceAccountName: 'sock-shop-reconciler',
    });
    new ObjectPatch(sockShopOverlay, 'escape', { target: release, patch: { spec: { chart: { spec: { sourceRef: { name: 'bitnami', namespace: 'flux-system' } } } } } });
    const problems = problemsOf(repo);
    expect(problems).toContain('[apps/overlays/development/sock-shop/release/release] spec.chart.spec.sourceRef points at HelmRepository flux-system/bitnami in another namespace (this HelmRelease is in "sock-shop"); environment "development" (cluster "dev") runs Flux with the multi-tenancy lockdown, which refuses cross-namespace references: move this HelmRelease to namespace "flux-system" and install into "sock-shop" with targetNamespace');
    expect(problems).toContain('[apps/overlays/development/sock-shop/release/release] tenant "sock-shop": HelmRelease sock-shop/cache spec.chart.spec.sourceRef points at HelmRepository flux-system/bitnami in namespace "flux-system": a tenant\'s objects may reference only objects of their own namespace "sock-shop"; define HelmRepository bitnami in "sock-shop"');
  });
});

describe('List documents are expanded', () => {
  it('a plaintext Secret wrapped in a List is refused', () => {
    const f = fluxFleet();
    new ApiObject(new ManifestFile(f.apps, 'wrapped'), 'list', {
      apiVersion: 'v1', kind: 'List',
      metadata: { name: 'wrapped' },
      items: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'flux-system' }, stringData: { password: 'hunter2' } }],
    } as never);
    const err = refused(f.repo);
    expect(err).toContain('[apps/base/wrapped/list] Secret flux-system/db (in a List of apps/base/wrapped.yaml) carries plaintext stringData ("password")');
    expect(err).not.toContain('hunter2');
  });

  it('a ClusterRoleBinding to cluster-admin for a tenant account, wrapped in a List', () => {
    const { repo, overlay } = tenantFleet();
    new ApiObject(new ManifestFile(overlay, 'rbac'), 'list', {
      apiVersion: 'v1', kind: 'List', metadata: { name: 'rbac' },
      items: [{
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'sock-shop-admin' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ kind: 'ServiceAccount', name: 'sock-shop-reconciler', namespace: 'sock-shop' }],
      }],
    } as never);
    expect(problemsOf(repo)).toEqual([
      '[apps/overlays/development/rbac/list] tenant "sock-shop": ClusterRoleBinding sock-shop-admin binds ServiceAccount sock-shop/sock-shop-reconciler cluster-wide: a tenant\'s rights stop at its namespace; use a RoleBinding in "sock-shop"',
    ]);
  });
});

describe('fromName references to objects the fleet defines are resolved', () => {
  it('a typo in the name of the fleet\'s own GitRepository', () => {
    const f = fluxFleet();
    const typo = GitRepository.fromName(f.apps, 'fleet', { name: 'flux-sytem', namespace: 'flux-system' });
    new Kustomization(new ManifestFile(f.apps, 'more'), 'more', { metadata: { name: 'more', namespace: 'flux-system' }, sourceRef: typo, externalPath: './more' });
    expect(problemsOf(f.repo)).toEqual([
      '[apps/base/more/more] spec.sourceRef names GitRepository flux-system/flux-sytem, imported with fromName at apps/base/fleet as defined outside the fleet, but the fleet defines no such GitRepository while cluster "dev" has GitRepository flux-system/flux-system: did you mean "flux-system"? Reference that object itself instead of a fromName import',
    ]);
  });

  it('a typo in a dependsOn target, a cycle through fromName, and a Kustomization only another cluster has', () => {
    const f = fluxFleet();
    // a second cluster with its own Kustomization "monitoring"
    const prod = new LayoutDirectory(f.repo.clusters, 'prod');
    const prodSync = new ManifestFile(new LayoutDirectory(prod, 'flux-system'), 'gotk-sync');
    const prodRepo = new GitRepository(prodSync, 'repo', { metadata: { name: 'flux-system', namespace: 'flux-system' }, url: 'https://github.com/org/fleet', ref: { branch: 'main' } });
    new Kustomization(prodSync, 'sync', { metadata: { name: 'flux-system', namespace: 'flux-system' }, sourceRef: prodRepo, path: prod });
    const monitoringDir = new LayoutDirectory(f.repo.infrastructure, 'monitoring');
    new kplus.ConfigMap(new ManifestFile(monitoringDir, 'settings'), 'settings', { metadata: { name: 'settings', namespace: 'monitoring' } });
    new Kustomization(new ManifestFile(prod, 'monitoring'), 'monitoring', { metadata: { name: 'monitoring', namespace: 'flux-system' }, sourceRef: prodRepo, path: monitoringDir });
    // in cluster dev: "apps" waits for "monitoring", which only prod has; "a" and "b" wait for each other by name
    f.appsKustomization.addDependsOn(Kustomization.fromName(f.cluster, 'monitoring-ref', { name: 'monitoring', namespace: 'flux-system' }));
    const file = new ManifestFile(f.cluster, 'cycle');
    new Kustomization(file, 'a', { metadata: { name: 'a', namespace: 'flux-system' }, sourceRef: f.gitRepo, path: f.apps, targetNamespace: 'a', dependsOn: [Kustomization.fromName(file, 'b-ref', { name: 'b' })] });
    new Kustomization(file, 'b', { metadata: { name: 'b', namespace: 'flux-system' }, sourceRef: f.gitRepo, path: f.apps, targetNamespace: 'b', dependsOn: [Kustomization.fromName(file, 'a-ref', { name: 'a' })] });
    new Kustomization(file, 'c', { metadata: { name: 'c', namespace: 'flux-system' }, sourceRef: f.gitRepo, path: f.apps, targetNamespace: 'c', dependsOn: [Kustomization.fromName(file, 'typo', { name: 'aps' })] });
    expect(problemsOf(f.repo)).toEqual([
      '[clusters/dev/apps/apps] spec.dependsOn[0] points at Kustomization flux-system/monitoring, which cluster "dev" does not reconcile although it reconciles this Kustomization (only "prod" applies it, from clusters/prod/monitoring.yaml): build its directory into cluster "dev" too, or remove the reference',
      '[clusters/dev/cycle/a] spec.dependsOn forms a cycle: Kustomization flux-system/a -> Kustomization flux-system/b -> Kustomization flux-system/a; Flux would wait forever: remove one of these dependsOn',
      '[clusters/dev/cycle/c] spec.dependsOn[0] names Kustomization flux-system/aps, imported with fromName at clusters/dev/cycle/typo as defined outside the fleet, but the fleet defines no such Kustomization while cluster "dev" has Kustomization flux-system/apps: did you mean "apps"? Reference that object itself instead of a fromName import',
    ]);
  });
});

describe('files a user adds to generated directories', () => {
  it('a manifest added by hand to a generated directory is refused, naming the file and the fix', () => {
    const f = fluxFleet();
    fs.mkdirSync(path.join(f.repo.rootDir, 'clusters/dev'), { recursive: true });
    fs.writeFileSync(path.join(f.repo.rootDir, 'clusters/dev/monitoring.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: monitoring\n');
    expect(problemsOf(f.repo)).toEqual([
      '[clusters/dev] file "clusters/dev/monitoring.yaml" is in "clusters/dev", a directory synth generates, but its kustomization.yaml does not list it, so Flux never applies it (and the checks never saw it): declare it with new ExistingFile(directory, \'monitoring\', { fileName: \'monitoring.yaml\' }) so that synth lists it and checks what it holds, or move it out of "clusters/dev"',
    ]);
  });

  it('declared with ExistingFile, it is listed, never touched, and checked like any object', () => {
    const f = fluxFleet();
    const file = path.join(f.repo.rootDir, 'clusters/dev/monitoring.yaml');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const content = 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: monitoring\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: agent\n    namespace: monitoring\n';
    fs.writeFileSync(file, content);
    new ExistingFile(f.cluster, 'monitoring', { fileName: 'monitoring.yaml' });
    f.repo.write();
    expect(fs.readFileSync(file, 'utf8')).toBe(content);
    expect(fs.readFileSync(path.join(f.repo.rootDir, 'clusters/dev/kustomization.yaml'), 'utf8')).toContain('- monitoring.yaml');
    const objects = environmentObjectsOf(f);
    expect(objects).toContain('Namespace monitoring');
    expect(objects).toContain('ServiceAccount monitoring/agent');

    // a plaintext Secret in it is refused like one the code made
    fs.writeFileSync(file, 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: token\n  namespace: monitoring\ndata:\n  token: aHVudGVyMg==\n');
    expect(problemsOf(f.repo)).toEqual([
      '[clusters/dev/monitoring] Secret monitoring/token (in clusters/dev/monitoring.yaml) carries plaintext data ("token"); the files of this repository are committed to git, so its values would leak: seal them with `npm run seal` and use a SealedSecret instead (or encrypt the file with SOPS and decrypt it with the Kustomization\'s spec.decryption)',
    ]);
  });

  it('an ExistingFile whose file is missing', () => {
    const f = fluxFleet();
    new ExistingFile(f.cluster, 'monitoring', { fileName: 'monitoring.yaml' });
    expect(problemsOf(f.repo)).toEqual([
      '[clusters/dev/monitoring] "clusters/dev/monitoring.yaml" does not exist: ExistingFile declares a file you write by hand (synth never creates it); add the file, or remove the ExistingFile',
    ]);
  });
});

function environmentObjectsOf(f: ReturnType<typeof fluxFleet>): string[] {
  f.repo.addEnvironment({ name: 'dev', cluster: 'dev' }, f.cluster);
  return [...environmentObjects(f.repo.synthModel().model, f.cluster).values()].map(o => {
    const meta = o.doc.metadata as { name: string; namespace?: string };
    return `${String(o.doc.kind)} ${meta.namespace ? `${meta.namespace}/` : ''}${meta.name}`;
  });
}

describe('core object names', () => {
  it('are checked as the API server checks them', () => {
    const f = fluxFleet();
    const file = new ManifestFile(f.apps, 'dns');
    new kplus.ServiceAccount(file, 'sa', { metadata: { name: 'External_DNS', namespace: 'kube-system' } });
    new kplus.Namespace(file, 'ns', { metadata: { name: 'Monitoring' } });
    expect(problemsOf(f.repo)).toEqual([
      '[apps/base/dns/ns] metadata.name "Monitoring" is not a valid Namespace name: the API server accepts at most 63 lowercase letters, digits or \'-\', starting and ending with a letter or digit (e.g. "monitoring")',
      '[apps/base/dns/sa] metadata.name "External_DNS" is not a valid ServiceAccount name: the API server accepts at most 253 lowercase letters, digits, \'-\' or \'.\', starting and ending with a letter or digit (e.g. "external-dns")',
    ]);
  });
});

describe('L1 classes, raw objects and Include are seen like constructs', () => {
  it('a raw HelmRelease and an included Kustomization have their references resolved', () => {
    const f = fluxFleet();
    new ApiObject(new ManifestFile(f.apps, 'raw'), 'raw', {
      apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'raw', namespace: 'flux-system' },
      spec: { interval: '10m', chart: { spec: { chart: 'x', sourceRef: { kind: 'HelmRepository', name: 'nope' } } } },
    });
    const yaml = path.join(FleetTesting.tempDir(), 'included.yaml');
    fs.writeFileSync(yaml, 'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: included\n  namespace: flux-system\nspec:\n  interval: 10m\n  prune: true\n  path: ./apps/missing\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n');
    new Include(new ManifestFile(f.cluster, 'included'), 'included', { url: yaml });
    expect(problemsOf(f.repo)).toEqual([
      '[apps/base/raw/raw] spec.chart.spec.sourceRef points at HelmRepository flux-system/nope, which cluster "dev" does not reconcile although it reconciles this HelmRelease: define it in the fleet and build its directory into the cluster, or import it with HelmRepository.fromName if it is defined outside the fleet',
      '[clusters/dev/included/included/included-kustomization-flux-system] Kustomization flux-system/included spec.path "./apps/missing" is not a directory of this repository, which cluster "dev" syncs from GitRepository flux-system/flux-system, so Flux would fail with "kustomization path not found": point it at a directory synth writes (a LayoutDirectory) or that the repository has',
    ]);
  });

  it('the graph draws edges as patched, and from objects no construct models', () => {
    const f = fluxFleet();
    f.repo.addEnvironment({ name: 'dev', cluster: 'dev' }, f.cluster);
    const waits = new HelmRelease(f.releases, 'waits', { metadata: { name: 'waits', namespace: 'flux-system' }, chart: { repository: f.podinfo, name: 'x' } });
    new ObjectPatch(f.apps, 'p', { target: waits, patch: { spec: { dependsOn: [{ name: 'podinfo' }] } } });
    new ApiObject(new ManifestFile(f.apps, 'raw'), 'raw', {
      apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'raw', namespace: 'flux-system' },
      spec: { interval: '10m', chart: { spec: { chart: 'x', sourceRef: { kind: 'HelmRepository', name: 'podinfo' } } } },
    });
    const edges = fleetGraph(f.repo, 'dev').edges.map(e => `${e.from} -${e.label}-> ${e.to}`);
    expect(edges).toContain('HelmRelease_flux_system_waits -dependsOn-> HelmRelease_flux_system_podinfo');
    expect(edges).toContain('HelmRelease_flux_system_raw -source-> HelmRepository_flux_system_podinfo');
  });
});

describe('what the model does not build is refused, not ignored', () => {
  it('a Flux Kustomization with components or a name prefix; a kustomization with a generator', () => {
    const f = fluxFleet();
    new ApiObject(new ManifestFile(f.cluster, 'raw'), 'raw', {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'raw', namespace: 'flux-system' },
      spec: { interval: '10m', prune: true, path: './apps/base', sourceRef: { kind: 'GitRepository', name: 'flux-system' }, namePrefix: 'dev-', images: [{ name: 'nginx', newTag: '1.27' }] },
    });
    const dir = path.join(f.repo.rootDir, 'apps/legacy');
    fs.mkdirSync(dir, { recursive: true });
    // configMapGenerator is modelled (test/kustomize-features.test.ts); secretGenerator is not
    fs.writeFileSync(path.join(dir, 'kustomization.yaml'), 'secretGenerator:\n- name: settings\n  literals: [a=b]\n');
    new ApiObject(new ManifestFile(f.cluster, 'legacy'), 'legacy', {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'legacy', namespace: 'flux-system' },
      spec: { interval: '10m', prune: true, path: './apps/legacy', sourceRef: { kind: 'GitRepository', name: 'flux-system' } },
    });
    expect(problemsOf(f.repo)).toEqual([
      'apps/legacy/kustomization.yaml: "secretGenerator" is a kustomize feature cdk8s-flux does not model, so its checks would not see what the cluster gets: express it in the fleet code (an ObjectPatch, a Kustomization\'s targetNamespace…) instead',
      '[clusters/dev/raw/raw] Kustomization flux-system/raw sets spec.namePrefix, which cdk8s-flux does not model, so its checks would not see what Flux applies: express the change in the fleet code (an ObjectPatch, or spec.patches) instead',
    ].map(m => (m.startsWith('[') ? m : `[apps/legacy/kustomization.yaml] ${m}`)));
  });
});

describe('the model as kustomize-controller builds it, in the cases a review found', () => {
  it('ignores dotfiles and YAML that is not a Kubernetes object, and finds a manifest in a sub-directory without a kustomization', () => {
    const f = fluxFleet();
    const root = f.repo.rootDir;
    fs.mkdirSync(path.join(root, 'clusters/dev/extra'), { recursive: true });
    fs.writeFileSync(path.join(root, 'clusters/dev/.sops.yaml'), 'creation_rules:\n- path_regex: .*\n');
    fs.writeFileSync(path.join(root, 'clusters/dev/values.yaml'), 'replicas: 2\n');
    fs.writeFileSync(path.join(root, 'clusters/dev/extra/monitoring.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: monitoring\n');
    expect(problemsOf(f.repo)).toEqual([
      '[clusters/dev] file "clusters/dev/extra/monitoring.yaml" is in "clusters/dev", a directory synth generates, but its kustomization.yaml does not list it, so Flux never applies it (and the checks never saw it): give "clusters/dev/extra" a kustomization that lists it and add that directory to "clusters/dev", or move it out of "clusters/dev"',
    ]);
  });

  it('a SOPS-encrypted Secret in a file you own is not plaintext', () => {
    const f = fluxFleet();
    const file = path.join(f.repo.rootDir, 'clusters/dev/db.yaml');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: flux-system\nstringData:\n  password: ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]\nsops:\n  version: 3.9.0\n');
    new ExistingFile(f.cluster, 'db', { fileName: 'db.yaml' });
    expect(problemsOf(f.repo)).toEqual([]);
  });

  it('without a sync in the repository, a tenant\'s Kustomization of its own GitRepository is not built from this repository', () => {
    const repo = FleetTesting.repo();
    const cluster = new LayoutDirectory(repo.clusters, 'dev');
    const file = new ManifestFile(cluster, 'tenant');
    const tenantRepo = new GitRepository(file, 'repo', { metadata: { name: 'tenant', namespace: 'flux-system' }, url: 'https://github.com/org/tenant', ref: { branch: 'main' } });
    new Kustomization(file, 'k', { metadata: { name: 'tenant', namespace: 'flux-system' }, sourceRef: tenantRepo, externalPath: './apps/base', targetNamespace: 'tenant' });
    new kplus.ConfigMap(new ManifestFile(new LayoutDirectory(repo.apps, 'base'), 'cm'), 'cm', { metadata: { name: 'x', namespace: 'apps' } });
    const { model } = repo.synthModel();
    expect(model.clusters[0].builds.map(b => b.directory)).toEqual(['clusters/dev']);
  });

  it('substituteFrom a ConfigMap that a Kustomization found later applies', () => {
    const f = fluxFleet();
    const vars = new LayoutDirectory(f.repo.infrastructure, 'vars');
    new kplus.ConfigMap(new ManifestFile(vars, 'vars'), 'vars', { metadata: { name: 'vars', namespace: 'flux-system' }, data: { REPO: 'podinfo' } });
    new Kustomization(new ManifestFile(f.cluster, 'zvars'), 'zvars', { metadata: { name: 'zvars', namespace: 'flux-system' }, sourceRef: f.gitRepo, path: vars });
    f.appsKustomization.apiObject.addJsonPatch(JsonPatch.add('/spec/postBuild', { substituteFrom: [{ kind: 'ConfigMap', name: 'vars' }] }));
    new ObjectPatch(f.apps, 'templated', { target: f.release, patch: { spec: { chart: { spec: { sourceRef: { name: '${REPO}' } } } } } });
    expect(problemsOf(f.repo)).toEqual([]);
    const release = f.repo.synthModel().model.clusters[0].applications.find(a => a.doc.kind === 'HelmRelease')!;
    expect(release.doc.spec.chart.spec.sourceRef.name).toBe('podinfo');
  });

  it('RoleBinding subjects follow a moved ServiceAccount as kustomize compares namespaces (none reads as default), layer by layer', () => {
    const f = fluxFleet();
    const root = f.repo.rootDir;
    const write = (p: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
      fs.writeFileSync(path.join(root, p), text);
    };
    write('apps/rbac/inner/kustomization.yaml', 'namespace: inner\nresources: [sa.yaml, rb.yaml]\n');
    write('apps/rbac/inner/sa.yaml', 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n');
    write('apps/rbac/inner/rb.yaml', 'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: rb\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects:\n- {kind: ServiceAccount, name: sa, namespace: default}\n');
    write('apps/rbac/kustomization.yaml', 'namespace: outer\nresources: [inner]\n');
    new Kustomization(new ManifestFile(f.cluster, 'rbac'), 'rbac', { metadata: { name: 'rbac', namespace: 'flux-system' }, sourceRef: f.gitRepo, externalPath: './apps/rbac' });
    const { model } = f.repo.synthModel();
    const binding = model.clusters[0].applications.find(a => a.doc.kind === 'RoleBinding')!;
    // each layer moves the subject with its account (as kubectl kustomize does: the outer one compares with where the inner one put it)
    expect(binding.doc.subjects).toEqual([{ kind: 'ServiceAccount', name: 'sa', namespace: 'outer' }]);
    expect(binding.namespace).toBe('outer');
  });

  it('a strategic-merge patch that states namespace default does not give a namespace-less object one', () => {
    const f = fluxFleet();
    const root = f.repo.rootDir;
    fs.mkdirSync(path.join(root, 'apps/plain'), { recursive: true });
    fs.writeFileSync(path.join(root, 'apps/plain/kustomization.yaml'), 'resources: [cm.yaml]\npatches:\n- path: p.yaml\n');
    fs.writeFileSync(path.join(root, 'apps/plain/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata: {a: "1"}\n');
    fs.writeFileSync(path.join(root, 'apps/plain/p.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: default\ndata: {b: "2"}\n');
    new Kustomization(new ManifestFile(f.cluster, 'plain'), 'plain', { metadata: { name: 'plain', namespace: 'flux-system' }, sourceRef: f.gitRepo, externalPath: './apps/plain' });
    const cm = f.repo.synthModel().model.clusters[0].applications.find(a => a.doc.kind === 'ConfigMap')!;
    expect(cm.doc).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1', b: '2' } });
  });
});

describe('directories outside the managed roots', () => {
  it('a Kustomization of this repository building ./tenants (written by hand) is followed, and what it applies is checked', () => {
    const f = fluxFleet();
    const root = f.repo.rootDir;
    fs.mkdirSync(path.join(root, 'tenants/team'), { recursive: true });
    fs.writeFileSync(path.join(root, 'tenants/team/ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n');
    new Kustomization(new ManifestFile(f.cluster, 'tenants'), 'tenants', { metadata: { name: 'tenants', namespace: 'flux-system' }, sourceRef: f.gitRepo, externalPath: './tenants' });
    const { model } = f.repo.synthModel();
    expect(model.clusters[0].builds.map(b => `${b.directory} <- ${b.by}`)).toContain('tenants <- Kustomization flux-system/tenants');
    expect(model.clusters[0].find('Namespace', undefined, 'team').length).toBe(1);
    fs.writeFileSync(path.join(root, 'tenants/team/sa.yaml'), 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: Team_Bot\n  namespace: team\n');
    expect(problemsOf(f.repo)).toEqual([
      '[tenants/team/sa.yaml] ServiceAccount in tenants/team/sa.yaml: metadata.name "Team_Bot" is not a valid ServiceAccount name: the API server accepts at most 253 lowercase letters, digits, \'-\' or \'.\', starting and ending with a letter or digit (e.g. "team-bot")',
    ]);
  });
});

describe('second-review cases', () => {
  it('a directory outside the managed roots is read only where a Kustomization builds it', () => {
    const f = fluxFleet();
    const root = f.repo.rootDir;
    fs.mkdirSync(path.join(root, 'deploy/prod'), { recursive: true });
    fs.mkdirSync(path.join(root, 'deploy/test'), { recursive: true });
    fs.writeFileSync(path.join(root, 'deploy/prod/ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n');
    fs.writeFileSync(path.join(root, 'deploy/test/fixture.yaml'), 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: fixture\n  namespace: t\nstringData:\n  k: v\n');
    new Kustomization(new ManifestFile(f.cluster, 'deploy'), 'deploy', { metadata: { name: 'deploy', namespace: 'flux-system' }, sourceRef: f.gitRepo, externalPath: './deploy/prod' });
    expect(problemsOf(f.repo)).toEqual([]);
  });

  it('without a sync, a tenant source defined by a build discovered later still marks its Kustomization as another repository', () => {
    const repo = FleetTesting.repo();
    const cluster = new LayoutDirectory(repo.clusters, 'dev');
    const fleetSource = GitRepository.fromName(cluster, 'fleet', { name: 'flux-system', namespace: 'flux-system' });
    const tenants = new LayoutDirectory(repo.apps, 'tenants');
    const sources = new LayoutDirectory(repo.apps, 'tsources');
    const teamRepo = new GitRepository(new ManifestFile(sources, 'team'), 'team', { metadata: { name: 'team', namespace: 'flux-system' }, url: 'https://github.com/org/team', ref: { branch: 'main' } });
    new Kustomization(new ManifestFile(tenants, 'team'), 'team', { metadata: { name: 'team', namespace: 'flux-system' }, sourceRef: teamRepo, externalPath: './apps/base' });
    new kplus.ConfigMap(new ManifestFile(new LayoutDirectory(repo.apps, 'base'), 'cm'), 'cm', { metadata: { name: 'x', namespace: 'apps' } });
    const file = new ManifestFile(cluster, 'ks');
    new Kustomization(file, 'a', { metadata: { name: 'a-tenants', namespace: 'flux-system' }, sourceRef: fleetSource, path: tenants });
    new Kustomization(file, 'b', { metadata: { name: 'b-sources', namespace: 'flux-system' }, sourceRef: fleetSource, path: sources });
    const { model } = repo.synthModel();
    expect(model.clusters[0].builds.map(b => b.directory)).toEqual(['clusters/dev', 'apps/tenants', 'apps/tsources']);
  });
});
