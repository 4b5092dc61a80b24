import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const PROJECT_ROOT = path.resolve(__dirname, '..');

/** The modules a fresh node process loads for `expr` (the library from source, through tsx). */
function modulesLoadedBy(expr: string): string[] {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', `${expr}; console.log(JSON.stringify(Object.keys(require.cache)))`], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as string[];
}

const CDKTF = /[\\/]node_modules[\\/](cdktf|@cdktf)[\\/]/;

describe('what loading the library costs', () => {
  it('the main entry point loads no cdktf module; the bootstrap entry point does', () => {
    const main = modulesLoadedBy("require('./src/index.ts')");
    expect(main.filter(m => CDKTF.test(m))).toEqual([]);
    const bootstrap = modulesLoadedBy("require('./src/bootstrap/index.ts')");
    expect(bootstrap.filter(m => CDKTF.test(m)).length).toBeGreaterThan(100);
  });
});
