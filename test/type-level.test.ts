import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const PROJECT_ROOT = path.resolve(__dirname, '..');

/**
 * The type-level tests (test/types/compile-errors.ts) run in the tsc step of `npm test`: a
 * `@ts-expect-error` whose line compiles fails that step. This only checks they are compiled.
 */
describe('type-level tests', () => {
  it('are in what `npm test` type-checks, and state each mistake that must fail tsc', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8'));
    expect(pkg.scripts.test).toMatch(/^npm run --silent typecheck && /);
    expect(pkg.scripts.typecheck).toMatch(/^tsc -p tsconfig\.json --noEmit\b/);
    const tsconfig = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'tsconfig.json'), 'utf8'));
    expect(tsconfig.include).toContain('test/**/*.ts');
    const source = fs.readFileSync(path.join(PROJECT_ROOT, 'test/types/compile-errors.ts'), 'utf8');
    const expectations = source.split('\n').map(l => l.trim()).filter(l => l.startsWith('// @ts-expect-error'));
    expect(expectations).toEqual([
      '// @ts-expect-error "replicas" is not a value of PodinfoValues (replicaCount is)',
      '// @ts-expect-error a value of the wrong type',
      '// @ts-expect-error "valeus" is no field of a HelmRelease\'s spec',
      '// @ts-expect-error "10 min" is not a Go duration',
      '// @ts-expect-error a HelmRepository is not a source a Kustomization can build',
      '// @ts-expect-error "Keep" is not a DeletionPolicy',
      '// @ts-expect-error "oci " (with a space) is not a HelmRepositoryType',
      '// @ts-expect-error "10 min" is not a Go duration in a patch either',
      '// @ts-expect-error "remediaton" is no install option',
    ]);
  });
});
