// `npm run bench`: synth speed, memory and growth at fleet scale (see src/bench/bench.ts and the
// README's Performance section). `--smoke` measures tiny sizes once; `--runs=N` sets the repeats;
// `--scratch=DIR` where the synths write (default bench/.scratch, git-ignored).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatTable, machine, measureSealing, measureSeedSynth, measureValidation, runBenchmark } from './bench/bench';
import { Scratch } from './bench/scratch';

const smoke = process.argv.includes('--smoke');
const runsArg = process.argv.find(a => a.startsWith('--runs='));
const runs = runsArg ? Number(runsArg.slice('--runs='.length)) : smoke ? 1 : 5;
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number of at least 1, got "${runsArg}"`);
const sizes = smoke
  ? [{ environments: 2, components: 2 }, { environments: 2, components: 4 }]
  // 10x25 -> 10x50 and 50x100 -> 100x100 double the work
  : [{ environments: 3, components: 5 }, { environments: 10, components: 25 }, { environments: 10, components: 50 }, { environments: 50, components: 100 }, { environments: 100, components: 100 }];
// inside the repository, like a real synth, rather than in a /tmp shared with every test run
const scratchArg = process.argv.find(a => a.startsWith('--scratch='));
const scratchDir = path.resolve(scratchArg ? scratchArg.slice('--scratch='.length) : path.join(__dirname, '..', 'bench', '.scratch'));
const scratch = new Scratch(scratchDir);
const log = (l: string) => process.stderr.write(`${l}\n`);
scratch.settle(log);
const before = machine(scratchDir);
log('measuring the seed fleet\'s npm run synth…');
const seedSynthMs = measureSeedSynth(runs, scratch);
let benchmark: ReturnType<typeof runBenchmark>;
try {
  benchmark = runBenchmark(sizes, { runs, naiveRuns: Math.min(runs, 3), warmUp: !smoke, validateLargest: true, scratch, log });
} finally {
  scratch.dispose(); // only now: deleting earlier outputs would slow down the later runs (see scratch.ts)
}
const { results, growth } = benchmark;
log('measuring sealing and validation…');
const sealing = measureSealing(1000, { runs: Math.min(runs, 3) });
const validation = measureValidation(1000);
const table = formatTable(results, growth);
process.stdout.write(`${table}\n` +
  `seed fleet: whole npm run synth process ${seedSynthMs.median} ms (${seedSynthMs.min}-${seedSynthMs.max})\n` +
  `sealing: ${sealing.count} values in ${sealing.ms.median} ms (RSA 4096)\n` +
  `validation: ${validation.count} objects in ${validation.ms} ms (compiled)\n` +
  `machine: ${before.cpus} cpus, node ${before.node}, writing to ${before.scratchFileSystem ?? 'an unknown file system'}; load average ${before.loadAverage.join(' ')} before, ${machine().loadAverage.join(' ')} after\n`);
// a smoke run does not overwrite the recorded measurements
const out = path.resolve(__dirname, '..', 'bench', smoke ? 'results.smoke.json' : 'results.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, `${JSON.stringify({ machine: { ...before, loadAverageAfter: machine().loadAverage }, method: { runs, flushBeforeEachRun: true, warmUp: !smoke, scratch: path.relative(path.join(__dirname, '..'), scratchDir) || '.' }, results, growth, seedSynthMs, sealing, validation }, null, 2)}\n`);
process.stdout.write(`wrote ${path.relative(process.cwd(), out)}\n`);
