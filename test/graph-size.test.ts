import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fleetGraph, fleetGraphFiles, graphCharts, LayoutDirectory, MERMAID_MAX_TEXT, renderGraphDocument, renderMermaid, runGraph } from '../src';
import { createSyntheticFleet, prepareSecrets } from '../src/bench/synthetic-fleet';
import { createExampleFleet } from '../src/example-fleet';
import { FleetTesting } from '../src/testing';

/** A generated fleet of one environment with `components` components (a HelmRepository, HelmRelease, SealedSecret and Alert each). */
function largeFleet(components: number) {
  const dir = FleetTesting.tempDir();
  const secrets = prepareSecrets(FleetTesting.tempDir(), { environments: 1, components });
  const repo = createSyntheticFleet(dir, { environments: 1, components }, secrets);
  repo.addEnvironment({ name: 'env-0', cluster: 'cluster-0' }, repo.clusters.node.findChild('cluster-0') as LayoutDirectory);
  return repo;
}

const mermaidBlocks = (doc: string) => [...doc.matchAll(/```mermaid\n([\s\S]*?)```/g)].map(m => m[1]);

describe('graph: a fleet too large for one Mermaid chart', () => {
  it('is split into charts of at most 50,000 characters each, with a warning, and nothing is lost', () => {
    const repo = largeFleet(120);
    const graph = fleetGraph(repo, 'env-0');
    const whole = renderMermaid(graph);
    expect(whole.length).toBeGreaterThan(MERMAID_MAX_TEXT); // one chart would render as an error
    const { content, warnings } = renderGraphDocument(graph);
    expect(warnings).toEqual([`fleet-env-0.md: the graph of env-0 would be one chart of ${whole.length.toLocaleString('en-US')} characters, over Mermaid's 50,000-character limit (it would render as an error): split into ${mermaidBlocks(content).length} charts, one per Kustomization`]);
    const blocks = mermaidBlocks(content);
    expect(blocks.length).toBeGreaterThan(1);
    for (const b of blocks) expect(b.length).toBeLessThanOrEqual(MERMAID_MAX_TEXT);
    // every node of the graph is drawn in exactly one chart, every edge from it too
    for (const n of graph.nodes) expect(blocks.filter(b => b.includes(`\n    ${n.id}(`) || b.includes(`\n    ${n.id}[`) || b.includes(`\n    ${n.id}{`) || b.includes(`\n    ${n.id}>`) || b.includes(`\n  ${n.id}[`)).length, n.id).toBe(1);
    const edgeLines = blocks.flatMap(b => b.split('\n').filter(l => /-->|-\.->/.test(l)));
    expect(edgeLines).toHaveLength(graph.edges.length);
    expect(content).toContain('## Kustomization flux-system/infrastructure (part 1 of ');
  });

  it('graph warns on standard error before writing, and every chart it writes fits', () => {
    const repo = largeFleet(110);
    const io = { out: '', err: '' };
    expect(runGraph(repo, [], { out: t => { io.out += t; }, err: t => { io.err += t; }, env: {} })).toBe(0);
    expect(io.err).toMatch(/^warning: fleet-env-0\.md: the graph of env-0 would be one chart of [\d,]+ characters, over Mermaid's 50,000-character limit \(it would render as an error\): split into \d+ charts, one per Kustomization\n$/);
    const written = fs.readFileSync(path.join(repo.rootDir, 'docs/fleet-env-0.md'), 'utf8');
    for (const b of mermaidBlocks(written)) expect(b.length).toBeLessThanOrEqual(MERMAID_MAX_TEXT);
  });

  it('a fleet that fits stays one chart, with no warning', () => {
    const repo = largeFleet(5);
    const { documents, warnings } = fleetGraphFiles(repo);
    expect(warnings).toEqual([]);
    expect(mermaidBlocks(documents.get('fleet-env-0.md')!)).toHaveLength(1);
  });

  it('splits by Kustomization first: each build its own chart, arrows to other builds end at stubs', () => {
    const repo = createExampleFleet({ rootDir: FleetTesting.tempDir() });
    const graph = fleetGraph(repo, 'development');
    const charts = graphCharts(graph, 6_000);
    expect(charts.map(c => c.title)).toEqual(expect.arrayContaining(['clusters/cluster-dev', 'Kustomization flux-system/infrastructure']));
    for (const c of charts) expect(c.mermaid.length).toBeLessThanOrEqual(6_000);
    expect(charts.some(c => /stub_\w+\["[^"]*\(in (clusters\/|Kustomization )/.test(c.mermaid))).toBe(true);
  });
});

describe('graph labels and image automation', () => {
  it('labels HelmReleases with chart and version, and draws ImageUpdateAutomation → ImagePolicy edges', () => {
    const repo = createExampleFleet({ rootDir: FleetTesting.tempDir() });
    const graph = fleetGraph(repo, 'development');
    const releases = graph.nodes.filter(n => n.kind === 'HelmRelease' && n.group !== undefined);
    expect(releases.length).toBeGreaterThan(0);
    for (const r of releases) expect(r.detail, r.id).toMatch(/^chart \S+ \S/);
    const updates = graph.edges.filter(e => e.label === 'updates');
    expect(updates.length).toBeGreaterThan(0);
    for (const e of updates) {
      expect(graph.nodes.find(n => n.id === e.from)!.kind).toBe('ImageUpdateAutomation');
      expect(graph.nodes.find(n => n.id === e.to)!.kind).toBe('ImagePolicy');
    }
    const mermaid = renderMermaid(graph);
    expect(mermaid).toMatch(/HelmRelease<br\/>\S+<br\/>chart \S+ /);
    // a version range's < and > are escaped for Mermaid
    expect(mermaid).not.toMatch(/chart [^"]*[<>]/);
  });
});
