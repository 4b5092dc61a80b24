import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FleetTesting } from '../src/testing';
import { contentLines, exampleFleetSize, templateFleetSize } from './support/line-count';

const PROJECT_ROOT = path.resolve(__dirname, '..');

describe('a fleet takes fewer lines than the YAML it writes', () => {
  it('counts content lines only: no blank lines, comments or document separators', () => {
    expect(contentLines('// a\n/**\n * b\n */\nconst x = 1;\n\n', 'ts')).toBe(1);
    expect(contentLines('# Generated\n---\napiVersion: v1\n\nkind: Namespace\n', 'yaml')).toBe(2);
  });

  it('the example fleet: its TypeScript is at most half the lines of the YAML it writes', () => {
    const { typescript, yaml } = exampleFleetSize(PROJECT_ROOT);
    console.log(`example fleet: ${typescript} lines of TypeScript (src/example-fleet), ${yaml} lines of YAML (clusters/, infrastructure/, apps/): ${(100 * typescript / yaml).toFixed(0)}%`);
    expect(yaml).toBeGreaterThan(1000); // the committed layout was read
    expect(typescript * 2).toBeLessThanOrEqual(yaml);
  });

  it('the init template\'s fleet: its TypeScript is at most half the lines of the YAML it writes', () => {
    const { typescript, yaml } = templateFleetSize(PROJECT_ROOT, FleetTesting.tempDir());
    console.log(`init template: ${typescript} lines of TypeScript (templates/init/src/main.ts), ${yaml} lines of YAML: ${(100 * typescript / yaml).toFixed(0)}%`);
    expect(yaml).toBeGreaterThan(0);
    expect(typescript * 2).toBeLessThanOrEqual(yaml);
  });
});
