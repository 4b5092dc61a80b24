import * as fs from 'node:fs';
import * as path from 'node:path';
import * as kplus from 'cdk8s-plus-27';
import { describe, expect, it } from 'vitest';
import { Alert, EventSourceKind, fleetGraph, GitOpsRepo, graphDocument, GRAPH_MARKER, HelmRelease, Kustomization, LayoutDirectory, ManifestFile, Provider, ProviderType, runGraph } from '../src';
import { FleetTesting } from '../src/testing';
import { createExampleFleet } from '../src/example-fleet';
import { readTree } from './helpers';
import { fluxFleet } from './flux-fixture';

const PROJECT_ROOT = path.resolve(__dirname, '..');

function capture() {
  const io = { out: '', err: '' };
  return { io, sink: { out: (t: string) => { io.out += t; }, err: (t: string) => { io.err += t; }, env: {} } };
}

/** The fixture fleet plus what a graph draws: dependsOn, values, a provider, events, a wildcard, an object outside the fleet. */
function graphFleet(): GitOpsRepo {
  const f = fluxFleet();
  const values = new kplus.ConfigMap(f.releases, 'values', { metadata: { name: 'podinfo-values', namespace: 'flux-system' }, data: { 'values.yaml': 'replicaCount: 2\n' } });
  const redis = new HelmRelease(f.releases, 'redis', {
    metadata: { name: 'redis', namespace: 'flux-system' },
    chart: { repository: f.podinfo, name: 'redis', version: '1.x' },
    valuesFrom: [{ source: values }],
    dependsOn: [f.release],
  });
  const infra = new Kustomization(new ManifestFile(f.cluster, 'infra'), 'infra', {
    metadata: { name: 'infra', namespace: 'flux-system' }, sourceRef: f.gitRepo, path: new LayoutDirectory(f.repo.infrastructure, 'base'),
    dependsOn: [f.appsKustomization, Kustomization.fromName(f.cluster, 'crds', { name: 'crds', namespace: 'flux-system' })],
  });
  const alerts = new ManifestFile(f.apps, 'alerts');
  const provider = new Provider(alerts, 'generic', { metadata: { name: 'generic', namespace: 'flux-system' }, type: ProviderType.GENERIC, address: 'https://hooks.example.com/flux' });
  new Alert(alerts, 'alert', {
    metadata: { name: 'releases', namespace: 'flux-system' }, provider,
    eventSources: [redis, { kind: EventSourceKind.KUSTOMIZATION, name: '*', matchLabels: { team: 'platform' } }],
  });
  new kplus.ConfigMap(new ManifestFile(infra.directory!, 'settings'), 'settings', { metadata: { name: 'settings', namespace: 'flux-system' } });
  f.repo.addEnvironment({ name: 'dev', cluster: 'dev' }, f.cluster);
  return f.repo;
}

describe('fleet graph', () => {
  it('draws every Flux object of a cluster, grouped by the build that applies it, with typed edges (snapshot)', () => {
    const repo = graphFleet();
    const graph = fleetGraph(repo, 'dev');
    expect(graph.groups.map(g => g.title)).toEqual(['clusters/dev', 'Kustomization flux-system/apps']); // infra's directory holds no Flux object
    const edge = (label: string) => graph.edges.filter(e => e.label === label).map(e => `${e.from} -> ${e.to}`);
    expect(edge('dependsOn')).toEqual([
      'Kustomization_flux_system_infra -> Kustomization_flux_system_apps',
      'Kustomization_flux_system_infra -> Kustomization_flux_system_crds',
      'HelmRelease_flux_system_redis -> HelmRelease_flux_system_podinfo',
    ]);
    expect(edge('values')).toEqual(['HelmRelease_flux_system_redis -> ConfigMap_flux_system_podinfo_values']);
    expect(edge('provider')).toEqual(['Alert_flux_system_releases -> Provider_flux_system_generic']);
    expect(edge('event')).toEqual(['Alert_flux_system_releases -> HelmRelease_flux_system_redis', 'Alert_flux_system_releases -> Kustomization_flux_system_any']);
    expect(edge('applies')).toEqual(['Kustomization_flux_system_flux_system -> group:0', 'Kustomization_flux_system_apps -> group:1']);
    expect(graphDocument(graph)).toMatchSnapshot();
  });

  it('is the same for the same fleet, whatever the order of the run', () => {
    const a = graphDocument(fleetGraph(graphFleet(), 'dev'));
    expect(graphDocument(fleetGraph(graphFleet(), 'dev'))).toBe(a);
  });

  it('of the example fleet: alerts, their provider and its sealed webhook, dependsOn and values, outside objects dashed', () => {
    const doc = graphDocument(fleetGraph(createExampleFleet(), 'production'));
    for (const line of [
      'Alert_flux_system_mariadb_alert -->|provider| Provider_flux_system_slack',
      'Provider_flux_system_slack -->|secret| SealedSecret_flux_system_slack_url',
      'Kustomization_flux_system_infrastructure -->|dependsOn| Kustomization_flux_system_sealed_secrets',
      'Kustomization_flux_system_sealed_secrets -->|healthCheck| HelmRelease_flux_system_sealed_secrets',
      'HelmRelease_mariadb_prestashop_mariadb -->|values| ConfigMap_mariadb_prestashop_values',
      'HelmRelease_kube_system_external_dns -->|source| HelmRepository_flux_system_external_dns',
      'HelmRelease_mariadb_prestashop_mariadb -->|source| OCIRepository_mariadb_mariadb',
      'Kustomization_flux_system_infrastructure -.->|applies| group_2',
      // the sync source the Flux Operator creates is drawn as what creates it: the cluster's FluxInstance
      'Kustomization_flux_system_apps -->|source| FluxInstance_flux_system_flux',
      '  subgraph group_3 ["Kustomization flux-system/sealed-secrets"]',
      'Kustomization_app_a_app_a -->|source| GitRepository_app_a_app_a',
      // references read from the documents: a tenant Kustomization impersonates its reconciler account
      'Kustomization_app_a_app_a -->|serviceAccount| ServiceAccount_app_a_app_a_reconciler',
    ]) expect(doc).toContain(line);
  });

  it('the committed docs/fleet-<env>.md of the example fleet are up to date (npm run graph)', () => {
    const { io, sink } = capture();
    const code = runGraph(createExampleFleet({ rootDir: PROJECT_ROOT }), ['--check'], sink);
    expect(code, `${io.out}${io.err}`).toBe(0);
    expect(io.out).toBe('Fleet graphs are up to date (3 files).\n');
  });
});

describe('graph command', () => {
  it('writes one document per environment, then --check is clean; prunes its own stale files only', () => {
    const repo = graphFleet();
    const docs = path.join(repo.rootDir, 'docs');
    fs.mkdirSync(docs);
    fs.writeFileSync(path.join(docs, 'fleet-old.md'), `${GRAPH_MARKER}\n# Fleet graph: old\n`);
    fs.writeFileSync(path.join(docs, 'fleet-notes.md'), '# written by hand\n');
    const check = capture();
    expect(runGraph(repo, ['--check'], check.sink)).toBe(1);
    expect(check.io.out).toContain('+++ b/docs/fleet-dev.md');
    expect(check.io.out).toContain('stale: docs/fleet-old.md (its environment is gone)');
    expect(check.io.err).toBe('\nThe fleet graphs are out of date: docs/fleet-dev.md, docs/fleet-old.md. Run `npm run graph` and commit the result.\n');
    const write = capture();
    expect(runGraph(repo, [], write.sink)).toBe(0);
    expect(write.io.out).toBe('Fleet graphs in docs/: 1 written, 1 removed, 0 unchanged.\n');
    expect(Object.keys(readTree(docs)).sort()).toEqual(['fleet-dev.md', 'fleet-notes.md']);
    const clean = capture();
    expect(runGraph(repo, ['--check'], clean.sink)).toBe(0);
  });

  it('refuses to overwrite a file it did not write, and reports usage errors and unknown environments in one line', () => {
    const repo = graphFleet();
    fs.mkdirSync(path.join(repo.rootDir, 'docs'));
    fs.writeFileSync(path.join(repo.rootDir, 'docs/fleet-dev.md'), '# mine\n');
    const foreign = capture();
    expect(runGraph(repo, [], foreign.sink)).toBe(2);
    expect(foreign.io.err).toBe('docs/fleet-dev.md exists but graph did not write it (no generated-file marker): move it away, or write the graphs elsewhere with --out\n');
    const out = capture();
    expect(runGraph(repo, ['--out', 'site/graphs', '--env', 'dev'], out.sink)).toBe(0);
    expect(fs.readFileSync(path.join(repo.rootDir, 'site/graphs/fleet-dev.md'), 'utf8')).toMatch(/^<!-- Generated by cdk8s-flux graph/);
    const usage = capture();
    expect(runGraph(repo, ['--bogus'], usage.sink)).toBe(2);
    expect(runGraph(repo, ['--env'], usage.sink)).toBe(2);
    expect(usage.io.err).toBe('graph: unknown option --bogus (cdk8s-flux graph --help lists the options)\ngraph: --env needs a ENV (--env ENV or --env=ENV) (cdk8s-flux graph --help lists the options)\n');
    expect(() => runGraph(repo, ['--env', 'prod'], capture().sink)).toThrow('unknown environment "prod": the fleet defines "dev"');
  });

  it('says so when the fleet registers no environment', () => {
    const { io, sink } = capture();
    expect(runGraph(FleetTesting.repo(), [], sink)).toBe(2);
    expect(io.err).toBe('The fleet registers no environment, so there is nothing to draw: register each with repo.addEnvironment(env, clusterDirectory)\n');
  });
});
