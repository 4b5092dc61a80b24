import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffEnvironments, fleetGraph, runSynth } from '../src';
import { createUpstreamFleet } from '../src/example-fleet-upstream';
import { FleetTesting } from '../src/testing';
import { captureCli, readTree } from './helpers';
import { contentLines, filesUnder } from './support/line-count';

const FLEET_SOURCE = path.resolve(__dirname, '../src/example-fleet-upstream');

/** The fleet as CI builds it: schema validation of every kind (cert-manager's too) and the rules strict. */
function fleet(rootDir = FleetTesting.tempDir()) {
  const repo = createUpstreamFleet({ rootDir });
  repo.enableSchemaValidation();
  repo.enableStrictRules();
  return repo;
}

function cluster(repo: ReturnType<typeof fleet>, name: string) {
  return repo.synthModel().model.clusters.find(c => c.name === name)!;
}

function appliedDoc(repo: ReturnType<typeof fleet>, clusterName: string, kind: string, name: string) {
  return cluster(repo, clusterName).applications.find(a => a.doc.kind === kind && a.doc.metadata?.name === name)?.doc;
}

describe('the second example fleet (current upstream style)', () => {
  it('synthesizes into a directory with every check strict and nothing left to warn about', () => {
    const root = FleetTesting.tempDir();
    const { io, sink } = captureCli();
    expect(runSynth(fleet(root), [], sink), io.err).toBe(0);
    expect(io.out).toContain('Synthesized the layout');
    expect(io.err).toBe('');
    const tree = readTree(root);
    expect(Object.keys(tree)).toEqual(expect.arrayContaining([
      'clusters/staging/flux-system/flux-instance.yaml', 'clusters/staging/infra-controllers.yaml', 'clusters/staging/infra-configs.yaml', 'clusters/staging/apps.yaml',
      'infrastructure/controllers/base/traefik/release.yaml', 'infrastructure/controllers/staging/traefik-values.yaml', 'infrastructure/configs/base/cluster-issuers.yaml',
      'apps/base/podinfo/release.yaml', 'apps/production/podinfo.yaml',
    ]));
  });

  it('installs each chart from its OCI artifact through chartRef, retried on failure', () => {
    const repo = fleet();
    for (const name of ['cert-manager', 'traefik']) {
      const release = appliedDoc(repo, 'production', 'HelmRelease', name)!;
      expect(release.spec.chartRef).toEqual({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'OCIRepository', name });
      expect(release.spec.install.strategy).toEqual({ name: 'RetryOnFailure', retryInterval: '2m' });
      expect(appliedDoc(repo, 'production', 'OCIRepository', name)!.spec.layerSelector.operation).toBe('copy');
    }
  });

  it('applies controllers (waited for), then configs, then apps, in that order', () => {
    const repo = fleet();
    const k = (name: string) => appliedDoc(repo, 'staging', 'Kustomization', name)!;
    expect(k('infra-controllers').spec.wait).toBe(true);
    expect(k('infra-configs').spec.dependsOn).toEqual([{ name: 'infra-controllers' }]);
    expect(k('infra-configs').spec.wait).toBe(true);
    expect(k('apps').spec.dependsOn).toEqual([{ name: 'infra-configs' }]);
  });

  it('builds the apps through the ExternalArtifact of apps/, with each environment\'s values', () => {
    const repo = fleet();
    expect(appliedDoc(repo, 'staging', 'Kustomization', 'apps')!.spec).toMatchObject({ sourceRef: { kind: 'ExternalArtifact', name: 'apps' }, path: './staging' });
    for (const [env, replicas, host] of [['staging', 1, 'podinfo.staging.example.com'], ['production', 3, 'podinfo.example.com']] as const) {
      const values = appliedDoc(repo, env, 'HelmRelease', 'podinfo')!.spec.values;
      expect(values.replicaCount, env).toBe(replicas);
      expect(values.ingress.hosts[0].host, env).toBe(host);
    }
  });

  it('gives the third-party ClusterIssuer each environment\'s ACME server, and Traefik its generated values', () => {
    const repo = fleet();
    expect(appliedDoc(repo, 'staging', 'ClusterIssuer', 'letsencrypt')!.spec.acme.server).toBe('https://acme-staging-v02.api.letsencrypt.org/directory');
    expect(appliedDoc(repo, 'production', 'ClusterIssuer', 'letsencrypt')!.spec.acme.server).toBe('https://acme-v02.api.letsencrypt.org/directory');
    const values = appliedDoc(repo, 'production', 'ConfigMap', 'traefik-values')!;
    expect(values.metadata.namespace).toBe('traefik');
    expect(values.data['values.yaml']).toContain('replicas: 3');
  });

  it('diff and graph follow the apps through the artifact', () => {
    const repo = fleet();
    const diff = diffEnvironments(repo, 'staging', 'production');
    const podinfo = diff.differences.find(d => d.id.startsWith('HelmRelease') && d.id.endsWith('/podinfo'))!;
    expect(podinfo.fields.map(f => f.path)).toContain('spec.values.replicaCount');
    expect(diff.differences.some(d => d.id.startsWith('ClusterIssuer'))).toBe(true);
    const g = fleetGraph(repo, 'staging');
    const node = (kind: string, name: string) => g.nodes.find(n => n.kind === kind && n.name === name)!.id;
    expect(g.edges).toContainEqual({ from: node('Kustomization', 'apps'), to: node('ArtifactGenerator', 'apps'), label: 'source' });
    expect(g.nodes.some(n => n.kind === 'HelmRelease' && n.name === 'podinfo')).toBe(true);
  });

  it('needs no raw ApiObject, no addJsonPatch and no hand-built import (only the classes cdk8s import wrote)', () => {
    const written = filesUnder(FLEET_SOURCE, ['.ts']).filter(f => !f.includes(`${path.sep}imports${path.sep}`));
    expect(written.length).toBeGreaterThan(4);
    for (const file of written) {
      const text = fs.readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/new ApiObject\(|addJsonPatch|as never|as any|: any\b/);
    }
    const imported = fs.readFileSync(path.join(FLEET_SOURCE, 'imports/cert-manager-cert-manager.io.ts'), 'utf8');
    expect(imported.startsWith('// generated by cdk8s')).toBe(true);
  });

  it('its TypeScript takes at most half the lines of the YAML it writes', () => {
    const root = FleetTesting.tempDir();
    fleet(root).synth();
    const typescript = filesUnder(FLEET_SOURCE, ['.ts']).filter(f => !f.includes(`${path.sep}imports${path.sep}`))
      .reduce((n, f) => n + contentLines(fs.readFileSync(f, 'utf8'), 'ts'), 0);
    const yaml = ['clusters', 'infrastructure', 'apps'].flatMap(d => filesUnder(path.join(root, d), ['.yaml']))
      .reduce((n, f) => n + contentLines(fs.readFileSync(f, 'utf8'), 'yaml'), 0);
    console.log(`second example fleet: ${typescript} lines of TypeScript (src/example-fleet-upstream, without imports/), ${yaml} lines of YAML: ${(100 * typescript / yaml).toFixed(0)}%`);
    expect(typescript * 2).toBeLessThanOrEqual(yaml);
  });
});
