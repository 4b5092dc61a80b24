import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { createExampleFleet } from '../src/example-fleet';
import { FleetTesting } from '../src/testing';

const PROJECT_ROOT = path.resolve(__dirname, '..');

/** group → served versions, read from the vendored CRDs (the one source of truth for Flux 2.9). */
function servedVersions(): Map<string, Set<string>> {
  const served = new Map<string, Set<string>>();
  const dir = path.join(PROJECT_ROOT, 'crds');
  // the Flux Operator's CRD is kept in a folder of its own, with its license
  const files = [...fs.readdirSync(dir).filter(f => f.endsWith('.yaml')), 'flux-operator/flux-operator.yaml'];
  for (const file of files) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'))) {
      const crd = doc.toJS();
      const versions = served.get(crd.spec.group) ?? new Set<string>();
      for (const v of crd.spec.versions) if (v.served) versions.add(v.name);
      served.set(crd.spec.group, versions);
    }
  }
  return served;
}

describe('example fleet (seed 000)', () => {
  it('matches the snapshot of every generated file', () => {
    expect(FleetTesting.synth(createExampleFleet())).toMatchSnapshot();
  });

  it('has the seed layout: clusters/<cluster>/, infrastructure/base/<component>/, infrastructure/overlays/<env>/', () => {
    const paths = Object.keys(FleetTesting.synth(createExampleFleet()));
    for (const cluster of ['cluster-dev', 'cluster-staging', 'cluster-prod']) {
      expect(paths).toContain(`clusters/${cluster}/kustomization.yaml`);
      expect(paths).toContain(`clusters/${cluster}/infrastructure.yaml`);
      expect(paths).toContain(`clusters/${cluster}/flux-system/flux-instance.yaml`);
      expect(paths).toContain(`clusters/${cluster}/flux-system/flux-operator.yaml`);
      expect(paths).toContain(`clusters/${cluster}/flux-system/kustomization.yaml`);
    }
    for (const component of ['sources', 'aws-load-balancer-controller', 'dns', 'sealed-secrets', 'mariadb', 'slack']) {
      expect(paths).toContain(`infrastructure/base/${component}/kustomization.yaml`);
    }
    for (const env of ['development', 'staging', 'production']) {
      expect(paths.filter(p => p.startsWith(`infrastructure/overlays/${env}/`))).toEqual([
        `infrastructure/overlays/${env}/aws-load-balancer-controller-patch.yaml`,
        `infrastructure/overlays/${env}/aws-load-balancer-serviceaccount-patch.yaml`,
        `infrastructure/overlays/${env}/dns-patch.yaml`,
        `infrastructure/overlays/${env}/dns-sa-patch.yaml`,
        `infrastructure/overlays/${env}/kustomization.yaml`,
        `infrastructure/overlays/${env}/secrets/kustomization.yaml`,
        `infrastructure/overlays/${env}/secrets/prestashop-mariadb-secrets.yaml`,
        `infrastructure/overlays/${env}/secrets/slack-sealed-secrets.yaml`,
        `infrastructure/overlays/${env}/slack-patch.yaml`,
      ]);
    }
  });

  it('points every cluster at its own overlay and its own directory, with paths from the layout', () => {
    const docs = FleetTesting.synthDocuments(createExampleFleet());
    const expected = { 'cluster-dev': 'development', 'cluster-staging': 'staging', 'cluster-prod': 'production' };
    for (const [cluster, env] of Object.entries(expected)) {
      expect(docs[`clusters/${cluster}/infrastructure.yaml`][0].spec.path).toBe(`./infrastructure/overlays/${env}`);
      // the sync the Flux Operator creates from the cluster's FluxInstance applies this very directory
      expect(docs[`clusters/${cluster}/flux-system/flux-instance.yaml`][0].spec.sync.path).toBe(`clusters/${cluster}`);
    }
  });

  it('emits only API versions that Flux 2.9 / Sealed Secrets 0.36 serve (per the vendored CRDs), never removed betas', () => {
    const served = servedVersions();
    const seen = new Set<string>();
    for (const [file, docs] of Object.entries(FleetTesting.synthDocuments(createExampleFleet()))) {
      for (const doc of docs) {
        const [group, version] = String(doc.apiVersion).split('/');
        if (!version || group === 'kustomize.config.k8s.io' || group === 'rbac.authorization.k8s.io') continue; // Kubernetes' own APIs and kustomization.yaml
        seen.add(doc.apiVersion);
        expect(served.get(group), `${file}: unknown group ${group}`).toBeDefined();
        expect([...served.get(group)!], `${file}: ${doc.apiVersion}`).toContain(version);
      }
    }
    expect([...seen].sort()).toEqual([
      'bitnami.com/v1alpha1',
      'fluxcd.controlplane.io/v1',
      'helm.toolkit.fluxcd.io/v2',
      'image.toolkit.fluxcd.io/v1',
      'kustomize.toolkit.fluxcd.io/v1',
      'notification.toolkit.fluxcd.io/v1beta3',
      'source.toolkit.fluxcd.io/v1',
    ]);
  });

  it('reproduces the per-environment differences of seed 000', () => {
    const docs = FleetTesting.synthDocuments(createExampleFleet());
    const patch = (env: string, file: string) => docs[`infrastructure/overlays/${env}/${file}`][0];
    expect(patch('production', 'dns-patch.yaml').spec.values).toEqual({ txtOwnerId: 'gitops-cluster-prod', domainFilters: ['gitops.test.kane.mx'] });
    expect(patch('staging', 'dns-patch.yaml').spec.values).toEqual({ txtOwnerId: 'gitops-cluster-staging', domainFilters: ['test.kane.mx'] });
    expect(patch('development', 'aws-load-balancer-controller-patch.yaml').spec.values.clusterName).toBe('gitops-cluster');
    expect(patch('production', 'aws-load-balancer-serviceaccount-patch.yaml').metadata.annotations)
      .toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::324908031092:role/aws-load-balancer-serviceaccount-role' });
    expect(patch('staging', 'dns-sa-patch.yaml').metadata.annotations)
      .toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::845861764576:role/gitops-cluster-staging-external-dns-role' });
    expect(patch('development', 'slack-patch.yaml').spec).toEqual({ channel: 'gitops-flux' });
    expect(patch('production', 'slack-patch.yaml').spec).toEqual({ channel: 'gitops-flux-prod' });
  });

  it('is committed in sync: the repository tree equals a fresh synth (drift check)', () => {
    const result = createExampleFleet({ rootDir: PROJECT_ROOT }).check();
    expect(result.diff).toBe('');
    expect(result.clean).toBe(true);
  });
});
