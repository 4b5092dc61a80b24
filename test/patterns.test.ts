import { describe, expect, it } from 'vitest';
import * as kplus from 'cdk8s-plus-27';
import {
  Cluster, ClusterSync, EnvironmentOverlay, GitOpsRepo, HelmRelease, HelmRepository, IEnvironmentComponent, LayoutDirectory, ManifestFile, ObjectPatch,
} from '../src';
import { FleetTesting } from '../src/testing';
import { problemsOf } from './helpers';

const dev = { name: 'development', cluster: 'cluster-dev' };

/** A repository with an infrastructure and an apps directory of one object each. */
function layout() {
  const repo = FleetTesting.repo();
  const infrastructure = new LayoutDirectory(repo.infrastructure, 'base');
  new kplus.ConfigMap(new ManifestFile(infrastructure, 'settings'), 'settings', { metadata: { name: 'settings', namespace: 'default' } });
  const apps = new LayoutDirectory(repo.apps, 'base');
  new kplus.ConfigMap(new ManifestFile(apps, 'app'), 'app', { metadata: { name: 'app', namespace: 'default' } });
  return { repo, infrastructure, apps };
}

describe('Cluster', () => {
  it('writes a cluster in one call: flux bootstrap\'s gotk-sync.yaml, one file per stage, each waiting for the one before, and registers the environment', () => {
    const { repo, infrastructure, apps } = layout();
    const cluster = new Cluster(repo, {
      environment: dev,
      sync: ClusterSync.gitRepository({ url: 'ssh://git@github.com/org/fleet' }),
      stages: [{ name: 'infrastructure', path: infrastructure, timeout: '15m' }, { name: 'apps', path: apps }],
    });
    const docs = FleetTesting.synthDocuments(repo);
    expect(Object.keys(docs).filter(f => f.startsWith('clusters/'))).toEqual([
      'clusters/cluster-dev/apps.yaml', 'clusters/cluster-dev/flux-system/gotk-sync.yaml', 'clusters/cluster-dev/flux-system/kustomization.yaml',
      'clusters/cluster-dev/infrastructure.yaml', 'clusters/cluster-dev/kustomization.yaml',
    ]);
    // what flux bootstrap writes (fluxcd/flux2 pkg/manifestgen/sync): interval 1m0s, secret flux-system, Kustomization every 10m0s, prune
    expect(docs['clusters/cluster-dev/flux-system/gotk-sync.yaml']).toEqual([
      { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', metadata: { name: 'flux-system', namespace: 'flux-system' },
        spec: { interval: '1m0s', ref: { branch: 'main' }, secretRef: { name: 'flux-system' }, url: 'ssh://git@github.com/org/fleet' } },
      { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'flux-system', namespace: 'flux-system' },
        spec: { interval: '10m0s', path: './clusters/cluster-dev', prune: true, sourceRef: { kind: 'GitRepository', name: 'flux-system' } } },
    ]);
    expect(docs['clusters/cluster-dev/infrastructure.yaml'][0]).toMatchObject({
      metadata: { name: 'infrastructure', namespace: 'flux-system' },
      spec: { path: './infrastructure/base', wait: true, timeout: '15m', interval: '10m0s', sourceRef: { kind: 'GitRepository', name: 'flux-system' } },
    });
    expect(docs['clusters/cluster-dev/infrastructure.yaml'][0].spec.dependsOn).toBeUndefined();
    expect(docs['clusters/cluster-dev/apps.yaml'][0].spec).toMatchObject({ path: './apps/base', dependsOn: [{ name: 'infrastructure' }] });
    expect(docs['clusters/cluster-dev/apps.yaml'][0].spec.wait).toBeUndefined(); // nothing waits for it
    expect(repo.environment('development').cluster).toBe(cluster);
    expect(cluster.stage('apps').name).toBe('apps');
    expect(cluster.stages.map(s => s.name)).toEqual(['infrastructure', 'apps']);
    expect(problemsOf(repo)).toEqual([]);
  });

  it('through the Flux Operator: a FluxInstance whose sync is the cluster\'s directory, the operator\'s release, the lockdown from the environment', () => {
    const { repo, apps } = layout();
    const cluster = new Cluster(repo, {
      environment: { ...dev, lockdown: true },
      sync: ClusterSync.fluxInstance({ version: '2.9.x', sync: { url: 'https://github.com/org/fleet', ref: 'refs/heads/main' } }),
      stages: [{ name: 'apps', path: apps }],
    });
    const docs = FleetTesting.synthDocuments(repo);
    expect(Object.keys(docs).filter(f => f.startsWith('clusters/cluster-dev/flux-system/'))).toEqual([
      'clusters/cluster-dev/flux-system/flux-instance.yaml', 'clusters/cluster-dev/flux-system/flux-operator.yaml', 'clusters/cluster-dev/flux-system/kustomization.yaml',
    ]);
    expect(docs['clusters/cluster-dev/flux-system/flux-instance.yaml'][0].spec).toMatchObject({
      cluster: { multitenant: true }, sync: { kind: 'GitRepository', url: 'https://github.com/org/fleet', ref: 'refs/heads/main', path: 'clusters/cluster-dev' },
    });
    // under the lockdown, the platform's Kustomizations impersonate the controller's account
    expect(docs['clusters/cluster-dev/apps.yaml'][0].spec.serviceAccountName).toBe('kustomize-controller');
    expect(cluster.flux).toBeDefined();
    expect(problemsOf(repo)).toEqual([]);
  });

  it('without the operator\'s release, and with stages that say what they wait for and whether they wait', () => {
    const { repo, infrastructure, apps } = layout();
    const extra = new LayoutDirectory(repo.infrastructure, 'extra');
    new kplus.ConfigMap(new ManifestFile(extra, 'x'), 'x', { metadata: { name: 'x', namespace: 'default' } });
    new Cluster(repo, {
      environment: dev,
      sync: ClusterSync.fluxInstance({ sync: { url: 'https://github.com/org/fleet', ref: 'refs/heads/main' }, operator: false }),
      interval: '1h',
      stages: [
        { name: 'infrastructure', path: infrastructure, wait: false },
        { name: 'extra', path: extra, dependsOn: [] },
        { name: 'apps', path: apps, dependsOn: ['infrastructure', 'extra'] },
      ],
    });
    const docs = FleetTesting.synthDocuments(repo);
    expect(docs['clusters/cluster-dev/flux-system/flux-operator.yaml']).toBeUndefined();
    expect(docs['clusters/cluster-dev/infrastructure.yaml'][0].spec.wait).toBe(false); // said so, though apps waits for it
    expect(docs['clusters/cluster-dev/extra.yaml'][0].spec).toMatchObject({ wait: true, interval: '1h' });
    expect(docs['clusters/cluster-dev/extra.yaml'][0].spec.dependsOn).toBeUndefined();
    expect(docs['clusters/cluster-dev/apps.yaml'][0].spec.dependsOn).toEqual([{ name: 'infrastructure' }, { name: 'extra' }]);
  });

  it('refuses, at synth, a stage that waits for one that is not before it, and a stage name given twice', () => {
    const { repo, infrastructure, apps } = layout();
    new Cluster(repo, {
      environment: dev,
      sync: ClusterSync.gitRepository({ url: 'ssh://git@github.com/org/fleet' }),
      stages: [{ name: 'apps', path: apps, dependsOn: ['infrastructure'] }, { name: 'infrastructure', path: infrastructure }, { name: 'apps', path: infrastructure }],
    });
    expect(problemsOf(repo)).toEqual([
      '[clusters/cluster-dev] stages[0] ("apps").dependsOn names "infrastructure", which is not a stage before it: list the stages in the order they reconcile (now "apps", "infrastructure", "apps")',
      '[clusters/cluster-dev] stages[2].name "apps" is given twice: each stage is a file clusters/cluster-dev/<name>.yaml and a Kustomization of that name; give each its own',
    ]);
  });

  it('a stage that does not exist is named with the ones that do', () => {
    const { repo, apps } = layout();
    const cluster = new Cluster(repo, { environment: dev, sync: ClusterSync.gitRepository({ url: 'ssh://git@github.com/org/fleet' }), stages: [{ name: 'apps', path: apps }] });
    expect(() => cluster.stage('infra')).toThrow('no stage "infra"; the stages are "apps"');
  });
});

describe('EnvironmentOverlay', () => {
  /** A shared release, its replica count per environment. */
  class Web extends LayoutDirectory implements IEnvironmentComponent<typeof dev & { replicas: number }> {
    private readonly release: HelmRelease<{ replicaCount: number }>;
    public readonly seen: string[] = [];

    constructor(scope: LayoutDirectory) {
      super(scope, 'web');
      const charts = new HelmRepository(new ManifestFile(this, 'source'), 'charts', { metadata: { name: 'charts', namespace: 'flux-system' }, url: 'https://charts.example.com' });
      this.release = new HelmRelease(new ManifestFile(this, 'release'), 'release', {
        metadata: { name: 'web', namespace: 'flux-system' }, chart: { repository: charts, name: 'web', version: '1.0.0' }, values: { replicaCount: 1 },
      });
    }

    public customize(overlay: EnvironmentOverlay<typeof dev & { replicas: number }>): void {
      this.seen.push(overlay.environment.name);
      new ObjectPatch(overlay, 'web-patch', { target: this.release, patch: { spec: { values: { replicaCount: overlay.environment.replicas } } } });
      overlay.subdirectory('extras'); // shared by name: the same directory every time
      expect(overlay.subdirectory('extras')).toBe(overlay.subdirectory('extras'));
    }
  }

  it('builds the bases and lets every component write its differences, per environment', () => {
    const repo: GitOpsRepo = FleetTesting.repo();
    const base = new LayoutDirectory(repo.infrastructure, 'base');
    const web = new Web(base);
    const overlays = new LayoutDirectory(repo.infrastructure, 'overlays', { kustomize: false });
    for (const environment of [{ ...dev, replicas: 1 }, { name: 'production', cluster: 'cluster-prod', replicas: 3 }]) {
      const overlay = new EnvironmentOverlay(overlays, { environment, bases: [base], components: [web] });
      new kplus.ConfigMap(new ManifestFile(overlay.subdirectory('extras'), 'marker'), 'marker', { metadata: { name: 'marker', namespace: 'default' } });
      new Cluster(repo, { environment, sync: ClusterSync.gitRepository({ url: 'ssh://git@github.com/org/fleet' }), stages: [{ name: 'infrastructure', path: overlay }] });
    }
    expect(web.seen).toEqual(['development', 'production']);
    const docs = FleetTesting.synthDocuments(repo);
    expect(docs['infrastructure/overlays/production/kustomization.yaml'][0].resources).toEqual(['../../base', 'extras']);
    expect(docs['infrastructure/overlays/production/web-patch.yaml'][0].spec).toEqual({ values: { replicaCount: 3 } });
    expect(docs['infrastructure/overlays/development/web-patch.yaml'][0].spec).toEqual({ values: { replicaCount: 1 } });
    expect(problemsOf(repo)).toEqual([]);
  });

  it('a component that seals into an overlay without a store is told which overlay lacks it', () => {
    const repo = FleetTesting.repo();
    const sealer: IEnvironmentComponent = { customize: overlay => void overlay.store };
    expect(() => new EnvironmentOverlay(new LayoutDirectory(repo.infrastructure, 'overlays'), { environment: dev, components: [sealer] }))
      .toThrow('overlays/development: a component seals values for environment "development", but its overlay has no store: pass store to the EnvironmentOverlay');
  });
});
