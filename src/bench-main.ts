// `npm run bench`: synth speed, memory and growth at fleet scale, and the performance targets of
// issue #26 as ratios against their floors (see src/bench/bench.ts, src/bench/targets.ts and the
// README's Performance section). `--smoke` measures tiny sizes once (and runs no test suite);
// `--runs=N` sets the repeats; `--scratch=DIR` where the synths write (default bench/.scratch,
// git-ignored); `--no-test` leaves out timing `npm test`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatTable, machine, measureSealing, measureValidation, runBenchmark } from './bench/bench';
import { Scratch } from './bench/scratch';
import { prepareSecrets } from './bench/synthetic-fleet';
import { compileLibrary, FloorTarget, IncrementalTarget, measureFloorTarget, measureIncrementalTarget, measureSeedTarget, measureTestSuite, SeedTarget } from './bench/targets';

const smoke = process.argv.includes('--smoke');
const runsArg = process.argv.find(a => a.startsWith('--runs='));
const runs = runsArg ? Number(runsArg.slice('--runs='.length)) : smoke ? 1 : 5;
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number of at least 1, got "${runsArg}"`);
const sizes = smoke
  ? [{ environments: 2, components: 2 }, { environments: 2, components: 4 }]
  // 10x25 -> 10x50 and 50x100 -> 100x100 double the work
  : [{ environments: 3, components: 5 }, { environments: 10, components: 25 }, { environments: 10, components: 50 }, { environments: 50, components: 100 }, { environments: 100, components: 100 }];
const targetSize = smoke ? { environments: 2, components: 3 } : { environments: 100, components: 100 };
const targetRuns = smoke ? 1 : Math.min(runs, 3);
const withTests = !smoke && !process.argv.includes('--no-test');
// inside the repository, like a real synth, rather than in a /tmp shared with every test run
const scratchArg = process.argv.find(a => a.startsWith('--scratch='));
const scratchDir = path.resolve(scratchArg ? scratchArg.slice('--scratch='.length) : path.join(__dirname, '..', 'bench', '.scratch'));
const scratch = new Scratch(scratchDir);
const log = (l: string) => process.stderr.write(`${l}\n`);
scratch.settle(log);
const before = machine(scratchDir);
let benchmark: ReturnType<typeof runBenchmark>;
let seed: SeedTarget;
let floor: FloorTarget;
let incremental: IncrementalTarget;
try {
  log('compiling the library for the load-only floor…');
  const library = compileLibrary(scratch);
  log('measuring the seed fleet against the load-only floor…');
  seed = measureSeedTarget(runs, scratch, library);
  benchmark = runBenchmark(sizes, { runs, naiveRuns: Math.min(runs, 3), warmUp: !smoke, validateLargest: true, scratch, log });
  const secrets = prepareSecrets(scratch.make('cdk8s-flux-bench-secrets-'), targetSize);
  log(`measuring ${targetSize.environments}x${targetSize.components} against the serialize-and-write floor…`);
  floor = measureFloorTarget(targetSize, secrets, targetRuns, scratch);
  log(`measuring incremental re-synths of ${targetSize.environments}x${targetSize.components}…`);
  incremental = measureIncrementalTarget(targetSize, secrets, targetRuns, scratch);
} finally {
  scratch.dispose(); // only now: deleting earlier outputs would slow down the later runs (see scratch.ts)
}
const { results, growth } = benchmark;
log('measuring sealing and validation…');
const sealing = measureSealing(1000, { runs: Math.min(runs, 3) });
const validation = measureValidation(1000);
let testSuite: ReturnType<typeof measureTestSuite> | undefined;
if (withTests) {
  log('timing npm test (CI=true)…');
  testSuite = measureTestSuite();
}
const targets = { seed, floor, incremental, ...testSuite ? { testSuite } : {} };
const table = formatTable(results, growth);
const verdict = (met: boolean) => (met ? 'met' : 'NOT MET');
process.stdout.write(`${table}\n` +
  `\ntargets (issue #26), ratio (bound):\n` +
  `  seed fleet, npm run synth / npm run bench:load-floor: ${seed.npm.ratio} (<= ${seed.npm.bound}) ${verdict(seed.npm.met)}; ${seed.npm.synthMs.median} / ${seed.npm.floorMs.median} ms\n` +
  `  seed fleet, cdk8s-flux synth (one process) / node load-floor.js: ${seed.bin.ratio} (<= ${seed.bin.bound}) ${verdict(seed.bin.met)}; ${seed.bin.synthMs.median} / ${seed.bin.floorMs.median} ms\n` +
  `  modules: require('cdk8s-flux') ${seed.modules.library}, seed synth ${seed.modules.synth}\n` +
  `  ${floor.size} synth / serialize-and-write floor (yaml): ${floor.ratio} (<= ${floor.bound}) ${verdict(floor.met)}; ${floor.synthMs.median} / ${floor.floorMs.median} ms in-process; ` +
  `against the writer's own emitter ${floor.ratioToBlockEmitterFloor} (${floor.blockEmitterFloorMs.median} ms); same files: ${floor.sameFiles}\n` +
  `  ${floor.size} peak RSS: ${floor.peakRssMiB} MiB (< ${floor.peakRssBoundMiB}) ${verdict(floor.peakRssMet)}\n` +
  `  ${incremental.size} re-synth after one value changed / full synth: ${incremental.ratio} (<= ${incremental.bound}) ${verdict(incremental.met)}; ` +
  `${incremental.incrementalMs.median} / ${incremental.fullMs.median} ms in-process (whole processes: ${incremental.wallRatio}); identical to a full synth: ${incremental.identicalToFullSynth}\n` +
  (testSuite ? `  npm test: ${Math.round(testSuite.ms / 1000)} s (<= ${testSuite.boundMs / 1000} s) ${verdict(testSuite.met)}\n` : '') +
  `sealing: ${sealing.count} values in ${sealing.ms.median} ms (RSA 4096)\n` +
  `validation: ${validation.count} objects in ${validation.ms} ms (compiled)\n` +
  `machine: ${before.cpus} cpus, node ${before.node}, writing to ${before.scratchFileSystem ?? 'an unknown file system'}; load average ${before.loadAverage.join(' ')} before, ${machine().loadAverage.join(' ')} after\n`);
// a smoke run does not overwrite the recorded measurements
const out = path.resolve(__dirname, '..', 'bench', smoke ? 'results.smoke.json' : 'results.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, `${JSON.stringify({ machine: { ...before, loadAverageAfter: machine().loadAverage }, method: { runs, targetRuns, flushBeforeEachRun: true, warmUp: !smoke, scratch: path.relative(path.join(__dirname, '..'), scratchDir) || '.' }, targets, results, growth, sealing, validation }, null, 2)}\n`);
process.stdout.write(`wrote ${path.relative(process.cwd(), out)}\n`);
