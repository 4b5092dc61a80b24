import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FleetTesting } from '../src';
import { readTree } from './helpers';

const PROJECT_ROOT = path.resolve(__dirname, '..');

describe('README "Image automation"', () => {
  it('its example runs, and writes the marker lines the README shows', () => {
    const readme = fs.readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Image automation'));
    const start = section.indexOf('```ts') + '```ts'.length;
    const root = FleetTesting.tempDir();
    const code = section.slice(start, section.indexOf('```', start))
      .replace("from 'cdk8s-flux'", `from ${JSON.stringify(path.join(PROJECT_ROOT, 'src'))}`)
      .replace('`${__dirname}/..`', JSON.stringify(root));
    const file = path.join(FleetTesting.tempDir(), 'example.ts');
    fs.writeFileSync(file, code);
    const result = spawnSync(path.join(PROJECT_ROOT, 'node_modules/.bin/tsx'), [file], {
      encoding: 'utf8', env: { ...process.env, NODE_PATH: path.join(PROJECT_ROOT, 'node_modules') },
    });
    expect(result.status, result.stderr + result.stdout).toBe(0);

    const yamlStart = section.indexOf('```yaml') + '```yaml'.length;
    const shown = section.slice(yamlStart, section.indexOf('```', yamlStart)).split('\n').filter(l => l.includes('$imagepolicy'));
    const written = readTree(root)['apps/development/podinfo.yaml'].split('\n').filter(l => l.includes('$imagepolicy'));
    expect(shown).toHaveLength(3);
    expect(written).toEqual(shown);
  });
});
