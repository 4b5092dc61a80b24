import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FleetTesting } from '../src';
import { readTree } from './helpers';

const PROJECT_ROOT = path.resolve(__dirname, '..');

describe('README', () => {
  it('starts with the two commands', () => {
    const readme = fs.readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
    const firstBlock = readme.slice(readme.indexOf('```bash'), readme.indexOf('```', readme.indexOf('```bash') + 7));
    expect(firstBlock).toContain('npm ci && npm run synth');
    expect(firstBlock).toContain('npm test');
  });

  it('its "Defining a fleet" example runs and writes a valid layout', () => {
    const readme = fs.readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('```ts', readme.indexOf('## Defining a fleet')) + '```ts'.length;
    const root = FleetTesting.tempDir();
    const code = readme.slice(start, readme.indexOf('```', start))
      .replace("from 'cdk8s-flux'", `from ${JSON.stringify(path.join(PROJECT_ROOT, 'src'))}`)
      .replace('`${__dirname}/..`', JSON.stringify(root));
    const file = path.join(FleetTesting.tempDir(), 'example.ts');
    fs.writeFileSync(file, code);
    const result = spawnSync(path.join(PROJECT_ROOT, 'node_modules/.bin/tsx'), [file], {
      encoding: 'utf8', env: { ...process.env, NODE_PATH: path.join(PROJECT_ROOT, 'node_modules') },
    });
    expect(result.status, result.stderr + result.stdout).toBe(0);
    expect(Object.keys(readTree(root))).toEqual(expect.arrayContaining([
      'clusters/cluster-dev/infrastructure.yaml',
      'infrastructure/base/dns/release.yaml',
      'infrastructure/overlays/development/dns-patch.yaml',
    ]));
  });
});
