import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { createExampleFleet } from '../src/example-fleet';
import { FleetTesting } from '../src/testing';

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
const HAS_KUBECTL = kubectl.status === 0;
const SKIP_NOTE = HAS_KUBECTL ? '' : ' [SKIPPED: kubectl not found on PATH; install kubectl to run kustomize builds]';
if (!HAS_KUBECTL) console.warn(`kustomize-build.test.ts:${SKIP_NOTE}`);

function kustomize(dir: string): Record<string, any>[] {
  const result = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${result.stderr}`);
  return parseAllDocuments(result.stdout).map(d => d.toJS());
}

describe(`kubectl kustomize builds the generated layout${SKIP_NOTE}`, () => {
  it.skipIf(!HAS_KUBECTL)('builds every directory that has a kustomization.yaml', () => {
    const repo = createExampleFleet({ rootDir: FleetTesting.tempDir() });
    repo.write();
    const dirs = Object.keys(FleetTesting.synth(repo))
      .filter(p => p.endsWith('/kustomization.yaml'))
      .map(p => p.slice(0, -'/kustomization.yaml'.length));
    expect(dirs.length).toBeGreaterThan(10);
    for (const dir of dirs) expect(kustomize(`${repo.rootDir}/${dir}`).length, dir).toBeGreaterThan(0);
  });

  it.skipIf(!HAS_KUBECTL)('applies every overlay patch to its target', () => {
    const repo = createExampleFleet({ rootDir: FleetTesting.tempDir() });
    repo.write();
    const objects = kustomize(`${repo.rootDir}/infrastructure/overlays/production`);
    const find = (kind: string, name: string) => objects.find(o => o.kind === kind && o.metadata.name === name)!;
    // the base's 15 objects and the overlay's two SealedSecrets; the controller has its own
    // Kustomization (clusters/<cluster>/sealed-secrets.yaml), which the infrastructure depends on
    expect(objects).toHaveLength(17);
    expect(find('HelmRelease', 'external-dns').spec.values).toMatchObject({
      txtOwnerId: 'gitops-cluster-prod', domainFilters: ['gitops.test.kane.mx'], provider: { name: 'aws' },
    });
    expect(find('HelmRelease', 'aws-load-balancer-controller').spec.values).toMatchObject({
      clusterName: 'gitops-cluster-prod', serviceAccount: { create: false },
    });
    expect(find('ServiceAccount', 'external-dns').metadata.annotations).toEqual({
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::324908031092:role/gitops-cluster-prod-external-dns-role',
      'eks.amazonaws.com/sts-regional-endpoints': 'true',
    });
    expect(find('Provider', 'slack').spec).toEqual({ type: 'slack', channel: 'gitops-flux-prod', secretRef: { name: 'slack-url' } });
    expect(objects.filter(o => o.kind === 'Kustomization')).toEqual([]);
    expect(objects.filter(o => o.kind === 'SealedSecret').map(o => `${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual(['flux-system/slack-url', 'mariadb/prestashop-mariadb']);
    const secrets = kustomize(`${repo.rootDir}/infrastructure/overlays/production/secrets`);
    expect(secrets.map(o => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual(['SealedSecret flux-system/slack-url', 'SealedSecret mariadb/prestashop-mariadb']);
  });
});
