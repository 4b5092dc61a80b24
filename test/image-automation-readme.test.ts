import { describe, expect, it } from 'vitest';
import { readme, readTree, runReadmeExample } from './helpers';

describe('README "Image automation"', () => {
  it('its example runs, and writes the marker lines the README shows', () => {
    const section = readme().slice(readme().indexOf('## Image automation'));
    const { root, status, output } = runReadmeExample(section);
    expect(status, output).toBe(0);

    const yamlStart = section.indexOf('```yaml') + '```yaml'.length;
    const shown = section.slice(yamlStart, section.indexOf('```', yamlStart)).split('\n').filter(l => l.includes('$imagepolicy'));
    const written = readTree(root)['apps/development/podinfo.yaml'].split('\n').filter(l => l.includes('$imagepolicy'));
    expect(shown).toHaveLength(3);
    expect(written).toEqual(shown);
  });
});
