import { describe, expect, it } from 'vitest';
import { formatTable, machine, measureSealing, measureValidation, runBenchmark } from '../src/bench/bench';
import { spread } from '../src/bench/repeat';
import { Scratch } from '../src/bench/scratch';
import { prepareSecrets } from '../src/bench/synthetic-fleet';
import { measureFloorTarget, measureIncrementalTarget } from '../src/bench/targets';

describe('benchmark (smoke size only; npm run bench measures fleet scale)', () => {
  it('measures a tiny fleet through the layout writer (the largest also with schema validation) and the naive App.synth() baseline, and tabulates them', () => {
    const { results, growth } = runBenchmark([{ environments: 2, components: 2 }, { environments: 2, components: 3 }], { runs: 1, naiveRuns: 1, warmUp: false, validateLargest: true });
    expect(results).toHaveLength(2);
    for (const r of results) {
      expect(r.layout.runs).toBe(1);
      expect(r.layout.objects).toBeGreaterThan(10);
      expect(r.layout.files).toBeGreaterThan(r.layout.objects / 2);
      expect(r.layout.wallMs.median).toBeGreaterThanOrEqual(r.layout.inProcessMs.median);
      expect(r.layout.peakRssMiB).toBeGreaterThan(0);
      expect(r.layout.userMs).toBeGreaterThan(0);
      expect('skipped' in r.naive ? r.naive.skipped : r.naive.objects).toBe(r.layout.objects);
    }
    expect(results.map(r => r.validated?.objects)).toEqual([undefined, results[1].layout.objects]);
    expect(growth).toEqual([expect.objectContaining({ from: '2x2', to: '2x3', naiveTimeRatio: expect.any(Number) })]);
    const table = formatTable(results, growth);
    expect(table.split('\n')[0]).toMatch(/^size\s+objects\s+files\s+wall ms \(min-max\)\s+in-process ms/);
    expect(table).toContain('growth 2x2 -> 2x3');
    expect(table).toContain('2x3 with schema validation (synth --validate, as in CI): wall ');
  });

  it('reports the median and the spread of repeated runs', () => {
    expect(spread([30, 10, 20])).toEqual({ median: 20, min: 10, max: 30 });
    expect(spread([4, 1, 3, 2])).toEqual({ median: 3, min: 1, max: 4 }); // (2 + 3) / 2, rounded
  });

  it('measures sealing and validation throughput, and describes the machine', () => {
    expect(measureSealing(5, { modulusLength: 2048, runs: 1 })).toMatchObject({ count: 5 });
    expect(measureValidation(10, 1)).toMatchObject({ count: 10 });
    expect(machine()).toMatchObject({ node: process.version, cpus: expect.any(Number) });
  });

  it('measures the targets as ratios beside their bounds: the serialize-and-write floor writes the very files of the synth, and an incremental re-synth equals a full one', () => {
    const scratch = new Scratch();
    try {
      const size = { environments: 2, components: 2 };
      const secrets = prepareSecrets(scratch.make('secrets-'), size);
      const floor = measureFloorTarget(size, secrets, 1, scratch);
      expect(floor).toMatchObject({ size: '2x2', bound: 1.15, sameFiles: true, peakRssBoundMiB: 512 });
      expect(floor.ratio).toBe(Math.round((floor.synthMs.median / floor.floorMs.median) * 100) / 100);
      expect(floor.met).toBe(floor.ratio <= 1.15);
      const incremental = measureIncrementalTarget(size, secrets, 1, scratch);
      expect(incremental).toMatchObject({ size: '2x2', bound: 0.25, identicalToFullSynth: true, written: [1] });
      expect(incremental.ratio).toBe(Math.round((incremental.incrementalMs.median / incremental.fullMs.median) * 100) / 100);
    } finally {
      scratch.dispose();
    }
  });
});
