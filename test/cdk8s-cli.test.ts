import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createExampleFleet } from '../src/example-fleet';
import { FleetTesting } from '../src/testing';
import { readTree } from './helpers';

const PROJECT_ROOT = path.resolve(__dirname, '..');

describe('the cdk8s CLI', () => {
  it('`cdk8s synth` writes the whole layout (and a scratch copy into its output dir, never the repository root)', () => {
    const root = FleetTesting.tempDir();
    const scratch = path.join(FleetTesting.tempDir(), 'out');
    const projectScratch = readTree(path.join(PROJECT_ROOT, '.cdk8s-out'));
    const result = spawnSync(path.join(PROJECT_ROOT, 'node_modules/.bin/cdk8s'), ['synth', '--no-check-upgrade', '--output', scratch], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      env: { ...process.env, CDK8S_FLUX_ROOT_DIR: root },
    });
    expect(result.status, result.stderr).toBe(0);
    const expected = FleetTesting.synth(createExampleFleet());
    expect(readTree(root)).toEqual(expected);
    expect(readTree(scratch)).toEqual(expected);
    expect(result.stdout).toContain('infrastructure/overlays/production/kustomization.yaml');
    expect(readTree(path.join(PROJECT_ROOT, '.cdk8s-out'))).toEqual(projectScratch); // --output was honoured
  });

  it('`npm run synth -- --check` exits 1 with a diff on drift and 0 once synthesized', () => {
    const root = FleetTesting.tempDir();
    const run = (...args: string[]) => spawnSync(path.join(PROJECT_ROOT, 'node_modules/.bin/tsx'), ['src/main.ts', ...args], {
      cwd: PROJECT_ROOT, encoding: 'utf8', env: { ...process.env, CDK8S_FLUX_ROOT_DIR: root },
    });
    const drift = run('--check');
    expect(drift.status).toBe(1);
    expect(drift.stdout).toContain('+++ b/clusters/cluster-dev/infrastructure.yaml');
    expect(readTree(root)).toEqual({});
    expect(run().status).toBe(0);
    const clean = run('--check');
    expect(clean.status, clean.stdout + clean.stderr).toBe(0);
  });
});
