import { describe, expect, it } from 'vitest';
import { formatTable, measureSealing, measureValidation, runBenchmark } from '../src/bench/bench';

describe('benchmark (smoke size only; npm run bench measures fleet scale)', () => {
  it('measures a tiny fleet through the layout writer and the naive App.synth() baseline, and tabulates them', () => {
    const { results, growth } = runBenchmark([{ environments: 2, components: 2 }, { environments: 2, components: 3 }]);
    expect(results).toHaveLength(2);
    for (const r of results) {
      expect(r.layout.objects).toBeGreaterThan(10);
      expect(r.layout.files).toBeGreaterThan(r.layout.objects / 2);
      expect(r.layout.wallMs).toBeGreaterThanOrEqual(r.layout.inProcessMs);
      expect(r.layout.peakRssMiB).toBeGreaterThan(0);
      expect('skipped' in r.naive ? r.naive.skipped : r.naive.objects).toBeTruthy();
    }
    expect(growth).toEqual([expect.objectContaining({ from: '2x2', to: '2x3' })]);
    const table = formatTable(results, growth);
    expect(table.split('\n')[0]).toMatch(/^size\s+objects\s+files\s+wall ms\s+in-process ms/);
    expect(table).toContain('growth 2x2 -> 2x3');
  });

  it('measures sealing and validation throughput', () => {
    expect(measureSealing(5)).toMatchObject({ count: 5 });
    expect(measureValidation(10)).toMatchObject({ count: 10 });
  });
});
