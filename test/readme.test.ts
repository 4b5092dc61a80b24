import { describe, expect, it } from 'vitest';
import { readme, readTree, runReadmeExample } from './helpers';

describe('README', () => {
  it('starts with the two commands', () => {
    const text = readme();
    const firstBlock = text.slice(text.indexOf('```bash'), text.indexOf('```', text.indexOf('```bash') + 7));
    expect(firstBlock).toContain('npm ci && npm run synth');
    expect(firstBlock).toContain('npm test');
  });

  it('its "Defining a fleet" example runs and writes a valid layout', () => {
    const { root, status, output } = runReadmeExample(readme().slice(readme().indexOf('## Defining a fleet')));
    expect(status, output).toBe(0);
    expect(Object.keys(readTree(root))).toEqual(expect.arrayContaining([
      'clusters/cluster-dev/infrastructure.yaml',
      'infrastructure/base/dns/release.yaml',
      'infrastructure/overlays/development/dns-patch.yaml',
    ]));
  });

  it('its ArtifactGenerator example runs and writes the Kustomization\'s path relative to the artifact', () => {
    const { root, status, output } = runReadmeExample(readme().slice(readme().indexOf('### Artifacts generated from parts of the repository')));
    expect(status, output).toBe(0);
    const tree = readTree(root);
    expect(tree['clusters/production/podinfo.yaml']).toContain('path: ./production');
    expect(tree['clusters/production/podinfo.yaml']).toContain('from: "@fleet/apps/podinfo/**"');
  });
});

describe('README: patterns and tenants', () => {
  it('its "Patterns" example writes a cluster per environment and each environment\'s typed patch', () => {
    const { root, status, output } = runReadmeExample(readme().slice(readme().indexOf('## Patterns: a cluster in one call')));
    expect(status, output).toBe(0);
    const files = readTree(root);
    expect(Object.keys(files)).toEqual(expect.arrayContaining([
      'clusters/staging/apps.yaml', 'clusters/staging/flux-system/flux-instance.yaml', 'clusters/staging/flux-system/flux-operator.yaml',
      'clusters/production/apps.yaml', 'apps/base/podinfo/release.yaml', 'apps/overlays/production/podinfo-patch.yaml',
    ]));
    expect(files['apps/overlays/production/podinfo-patch.yaml']).toContain('replicaCount: 3');
    expect(files['clusters/production/apps.yaml']).toContain('path: ./apps/overlays/production');
  });

  it('its tenant example writes flux create tenant\'s objects and Flux\'s multi-tenancy layout', () => {
    const text = readme();
    const { root, status, output } = runReadmeExample(text.slice(text.indexOf('**Tenants of existing fleets.**')));
    expect(status, output).toBe(0);
    const files = readTree(root);
    expect(Object.keys(files).filter(f => f.startsWith('apps/')).sort()).toEqual([
      'apps/base/dev-team/kustomization.yaml', 'apps/base/dev-team/rbac.yaml', 'apps/base/dev-team/sync.yaml',
      'apps/staging/dev-team-patch.yaml', 'apps/staging/kustomization.yaml',
    ]);
    expect(files['apps/base/dev-team/rbac.yaml']).toContain('name: gotk:apps:reconciler');
    expect(files['apps/staging/dev-team-patch.yaml']).toContain('path: ./staging');
  });
});
