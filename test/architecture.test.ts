import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, assert, beforeAll, describe, expect, it } from 'vitest';
import {
  findCycles, formatCycle, ImportGraph, importGraph, LayerRule, layerViolations, moduleGraph,
} from './support/import-graph';

const PROJECT_ROOT = path.resolve(__dirname, '..');

/**
 * The target layering of `src/`: a file may import its own layer and the layers in `mayImport` only,
 * and every file must sit in a layer. Folders that do not exist yet simply hold no files.
 */
const LAYERS: LayerRule[] = [
  // Layout model, files, rendering and writing: the foundation everything else builds on.
  { name: 'core', folders: ['src/core'], mayImport: [] },
  // Typed Flux constructs (sources, Kustomizations, HelmReleases) placed in the core layout.
  { name: 'flux', folders: ['src/flux'], mayImport: ['core'] },
  // Sealed Secrets and certificates, consumed by Flux objects (decryption, source credentials).
  { name: 'secrets', folders: ['src/secrets'], mayImport: ['flux', 'core'] },
  // Alerts and Providers, whose credentials come from the secrets layer.
  { name: 'notifications', folders: ['src/notifications'], mayImport: ['secrets', 'flux', 'core'] },
  // Image automation: a Flux feature that needs nothing from secrets or notifications.
  { name: 'image', folders: ['src/image'], mayImport: ['flux', 'core'] },
  // Tenants bundle every Flux feature a team can own, so they sit on top of all of them.
  { name: 'tenancy', folders: ['src/tenancy'], mayImport: ['secrets', 'notifications', 'image', 'flux', 'core'] },
  // Schema and layout checks: judge rendered files only, must not know the Flux constructs.
  { name: 'validation', folders: ['src/validation'], mayImport: ['core'] },
  // The fleet (clusters/infrastructure/apps, environments): the assembly of every layer above.
  { name: 'fleet', folders: ['src/fleet'], mayImport: ['tenancy', 'image', 'notifications', 'secrets', 'validation', 'flux', 'core'] },
  // Patterns (a Cluster in one call, environment overlays, components): the fleet's usual shapes, built from the layers below.
  { name: 'patterns', folders: ['src/patterns'], mayImport: ['fleet', 'tenancy', 'image', 'notifications', 'secrets', 'validation', 'flux', 'core'] },
  // The dependency graph is an analysis of a built fleet.
  { name: 'graph', folders: ['src/graph'], mayImport: ['fleet', 'tenancy', 'image', 'notifications', 'secrets', 'validation', 'flux', 'core'] },
  // Online verification of what the fleet names outside the repository (charts, refs, tags): reads the model.
  { name: 'verify', folders: ['src/verify'], mayImport: ['core'] },
  // The importer reads a Flux repository and writes a fleet of constructs, proven equal by the model (and kubectl).
  { name: 'importer', folders: ['src/importer'], mayImport: ['testing', 'fleet', 'tenancy', 'image', 'notifications', 'secrets', 'validation', 'flux', 'core'] },
  // Commands (synth, diff, seal, validate, graph, verify, import) drive the fleet and its graph.
  { name: 'cli', folders: ['src/cli'], mayImport: ['importer', 'testing', 'verify', 'graph', 'fleet', 'tenancy', 'image', 'notifications', 'secrets', 'validation', 'flux', 'core'] },
  // Test support for users' fleets: a library, so it must not depend on the command line.
  { name: 'testing', folders: ['src/testing'], mayImport: ['fleet', 'tenancy', 'image', 'notifications', 'secrets', 'validation', 'flux', 'core'] },
  // The cdktf bootstrap of a cluster is another consumer of a fleet, beside the CLI.
  { name: 'bootstrap', folders: ['src/bootstrap'], mayImport: ['fleet', 'tenancy', 'image', 'notifications', 'secrets', 'validation', 'flux', 'core'] },
  // Benchmarks time the commands and the test support on generated fleets.
  { name: 'bench', folders: ['src/bench'], mayImport: ['verify', 'cli', 'testing', 'fleet', 'tenancy', 'image', 'notifications', 'secrets', 'validation', 'flux', 'core'] },
  // The example fleet shows off every public feature, so it may use all of them but the benchmarks.
  { name: 'example', folders: ['src/example-fleet', 'src/example-fleet-upstream'], mayImport: ['patterns', 'bootstrap', 'verify', 'cli', 'testing', 'graph', 'fleet', 'tenancy', 'image', 'notifications', 'secrets', 'validation', 'flux', 'core'] },
  // Entry points and the public facade (`src/*.ts`; module index files live in their folder): they wire everything.
  {
    name: 'app',
    folders: ['src/main.ts', 'src/bootstrap-main.ts', 'src/bench-main.ts', 'src/index.ts', 'src/validate.ts', 'src/*.ts'],
    mayImport: ['example', 'bench', 'bootstrap', 'testing', 'importer', 'verify', 'cli', 'graph', 'patterns', 'fleet', 'validation', 'tenancy', 'image', 'notifications', 'secrets', 'flux', 'core'],
  },
];

/** Fails with the whole report (no diff of counts) when there is anything to report. */
function expectNone(found: unknown[], report: () => string): void {
  if (found.length > 0) assert.fail(report());
}

function cycleReport(what: string, graph: ImportGraph, cycles: string[][]): string {
  return `${cycles.length} import cycle(s) among the ${what} of src/; break one import of each:\n\n` +
    cycles.map((c) => formatCycle(graph, c)).join('\n\n');
}

describe('architecture of src/', () => {
  const files = importGraph(path.join(PROJECT_ROOT, 'src'));

  it('the source has no import cycle', () => {
    const cycles = findCycles(files);
    expectNone(cycles, () => cycleReport('files', files, cycles));
  });

  it('modules have no import cycle', () => {
    const modules = moduleGraph(files);
    const cycles = findCycles(modules);
    expectNone(cycles, () => cycleReport('modules (src/<folder>, src/*.ts)', modules, cycles));
  });

  it('layers depend only downward', () => {
    const violations = layerViolations(files, LAYERS);
    expectNone(violations, () => `${violations.length} layer violation(s) (the layer map is LAYERS in test/architecture.test.ts):\n\n` +
      violations.join('\n'));
  });
});

describe('import-graph helpers (synthetic tree)', () => {
  let root: string;
  let graph: ImportGraph;
  const layers: LayerRule[] = [
    { name: 'core', folders: ['src/core'], mayImport: [] },
    { name: 'flux', folders: ['src/flux'], mayImport: ['core'] },
    { name: 'app', folders: ['src/*.ts'], mayImport: ['flux', 'core'] },
  ];

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'import-graph-'));
    const files: Record<string, string> = {
      // a -> b -> c -> a, where c's import of a is type-only
      'src/core/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
      'src/core/b.ts': "// import { x } from './nowhere';\nexport { c as b } from './c';\n",
      'src/core/c.ts': "import type { a } from './a';\nexport const c: typeof a | undefined = undefined;\n",
      // core may not import flux
      'src/core/d.ts': "\n\nimport { k } from '../flux/k';\nexport const d = k;\n",
      'src/flux/k/index.ts': 'export const k = 1;\n',
      'src/flux/x.ts': 'export type X = number;\nexport const x = 1;\n',
      // every kind of relative import, each on its own line
      'src/flux/all.ts': [
        "import './x';", // 1 side effect
        "import type { X } from './x';", // 2 type-only
        "import { type X as Y } from './x';", // 3 every specifier is type-only
        "export type { X as Z } from './x';", // 4 type-only re-export
        "export * as ns from './k';", // 5 namespace re-export: a value
        "export { type X as W, x } from './x';", // 6 one value specifier: a value
        "const lazy = () => import('./k');", // 7 dynamic import
        "const req = require('../core/a');", // 8 require
        "type T = import('./k/index').Q;", // 9 import type node
        "const s = \"import { q } from './x'\"; import * as fs from 'node:fs';", // 10 a string is no import; a package is no edge
        'export const all: [Y, typeof lazy, typeof req, T, typeof s, typeof fs] | undefined = undefined;',
      ].join('\n'),
      'src/main.ts': "import { all } from './flux/all';\nimport { d } from './core/d';\nimport './stray/orphan';\nexport { all, d };\n",
      'src/stray/orphan.ts': 'export const orphan = 1;\n',
      'src/imports/generated.ts': "import { a } from '../core/a';\nexport const g = a;\n",
    };
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), text);
    }
    graph = importGraph(path.join(root, 'src'));
  });

  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('extracts every kind of relative import, resolving x.ts and x/index.ts, skipping src/imports', () => {
    expect([...graph.keys()]).toEqual([
      'src/core/a.ts', 'src/core/b.ts', 'src/core/c.ts', 'src/core/d.ts',
      'src/flux/all.ts', 'src/flux/k/index.ts', 'src/flux/x.ts', 'src/main.ts', 'src/stray/orphan.ts',
    ]);
    expect(graph.get('src/flux/all.ts')).toEqual([
      { to: 'src/flux/x.ts', typeOnly: false, line: 1 },
      { to: 'src/flux/x.ts', typeOnly: true, line: 2 },
      { to: 'src/flux/x.ts', typeOnly: true, line: 3 },
      { to: 'src/flux/x.ts', typeOnly: true, line: 4 },
      { to: 'src/flux/k/index.ts', typeOnly: false, line: 5 },
      { to: 'src/flux/x.ts', typeOnly: false, line: 6 },
      { to: 'src/flux/k/index.ts', typeOnly: false, line: 7 },
      { to: 'src/core/a.ts', typeOnly: false, line: 8 },
      { to: 'src/flux/k/index.ts', typeOnly: true, line: 9 },
    ]);
    expect(graph.get('src/core/b.ts')).toEqual([{ to: 'src/core/c.ts', typeOnly: false, line: 2 }]); // not the comment
  });

  it('finds and prints a 3-file cycle, labelling its type-only edge', () => {
    const cycles = findCycles(graph);
    expect(cycles).toEqual([['src/core/a.ts', 'src/core/b.ts', 'src/core/c.ts', 'src/core/a.ts']]);
    expect(formatCycle(graph, cycles[0])).toBe([
      'src/core/a.ts -> src/core/b.ts -> src/core/c.ts -> src/core/a.ts',
      '    src/core/a.ts:1 imports src/core/b.ts',
      '    src/core/b.ts:2 imports src/core/c.ts',
      '    src/core/c.ts:1 imports src/core/a.ts (type-only)',
    ].join('\n'));
  });

  it('finds self-imports and cycles between modules', () => {
    const selfLoop: ImportGraph = new Map([['src/a.ts', [{ to: 'src/a.ts', typeOnly: false, line: 3 }]]]);
    expect(findCycles(selfLoop)).toEqual([['src/a.ts', 'src/a.ts']]);
    expect(formatCycle(selfLoop, ['src/a.ts', 'src/a.ts'])).toBe('src/a.ts -> src/a.ts\n    src/a.ts:3 imports src/a.ts');

    // one component, two cycles: the second is named too
    const edge = (to: string) => ({ to, typeOnly: false, line: 1 });
    const twoCycles: ImportGraph = new Map([
      ['a.ts', [edge('b.ts')]], ['b.ts', [edge('a.ts'), edge('c.ts')]], ['c.ts', [edge('b.ts')]], ['d.ts', [edge('a.ts')]],
    ]);
    expect(findCycles(twoCycles)).toEqual([['a.ts', 'b.ts', 'a.ts']]);
    expect(formatCycle(twoCycles, ['a.ts', 'b.ts', 'a.ts'])).toMatch(/\n {4}also: c\.ts -> b\.ts -> c\.ts$/);

    const modules = moduleGraph(graph); // core/d -> flux/k and flux/all -> core/a
    const cycles = findCycles(modules);
    expect(cycles).toEqual([['src/core', 'src/flux', 'src/core']]);
    expect(formatCycle(modules, cycles[0])).toBe([
      'src/core -> src/flux -> src/core',
      '    src/core -> src/flux: src/core/d.ts:3 imports src/flux/k/index.ts',
      '    src/flux -> src/core: src/flux/all.ts:8 imports src/core/a.ts',
    ].join('\n'));
  });

  it('reports a core -> flux import and a file in no layer as violations', () => {
    expect(layerViolations(graph, layers)).toEqual([
      'src/stray/orphan.ts belongs to no layer: move it into a layer folder or add it to the layer map',
      'src/core/d.ts:3 imports src/flux/k/index.ts: layer "core" may import only core (allowed: src/core), not layer "flux"',
      'src/main.ts:3 imports src/stray/orphan.ts: the target belongs to no layer',
    ]);
    expect(() => layerViolations(graph, [{ name: 'core', folders: ['src/core'], mayImport: ['flx'] }]))
      .toThrow('layer "core" may import unknown layer(s) flx');
  });
});
