// `npm run bench`: synth speed, memory and growth at fleet scale (see src/bench/bench.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatTable, measureSeedSynth, measureSealing, measureValidation, runBenchmark } from './bench/bench';

const sizes = process.argv.includes('--smoke')
  ? [{ environments: 2, components: 2 }, { environments: 2, components: 4 }]
  : [{ environments: 3, components: 5 }, { environments: 10, components: 50 }, { environments: 50, components: 100 }, { environments: 100, components: 100 }];
const { results, growth } = runBenchmark(sizes, { log: l => process.stderr.write(`${l}\n`) });
const seedSynthMs = measureSeedSynth();
const sealing = measureSealing(1000);
const validation = measureValidation(1000);
const table = formatTable(results, growth);
process.stdout.write(`${table}\nseed fleet: whole npm run synth process ${seedSynthMs} ms\nsealing: ${sealing.count} values in ${sealing.ms} ms (RSA 4096)\nvalidation: ${validation.count} objects in ${validation.ms} ms (compiled)\n`);
// a smoke run does not overwrite the recorded measurements
const out = path.resolve(__dirname, '..', 'bench', process.argv.includes('--smoke') ? 'results.smoke.json' : 'results.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, `${JSON.stringify({ machine: { node: process.version, cpus: require('node:os').cpus().length }, results, growth, seedSynthMs, sealing, validation }, null, 2)}\n`);
process.stdout.write(`wrote ${path.relative(process.cwd(), out)}\n`);
