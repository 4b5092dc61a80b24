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
