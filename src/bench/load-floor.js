'use strict';
// The load-only floor of the seed fleet's synth (`npm run bench:load-floor`): a process that loads
// the compiled library (tsc output of src/, in the directory CDK8S_FLUX_FLOOR_LIB or the first
// argument), and with it every package the library loads, and does nothing else. Plain
// JavaScript: nothing is transpiled. With BENCH_REPORT set, prints how many modules it loaded.
const path = require('node:path');

const dir = process.argv[2] || process.env.CDK8S_FLUX_FLOOR_LIB;
if (!dir) throw new Error('load-floor: give the directory of the compiled library (argument or CDK8S_FLUX_FLOOR_LIB)');
require(path.resolve(dir, 'index.js'));
if (process.env.BENCH_REPORT) process.stdout.write(`${JSON.stringify({ modules: Object.keys(require.cache).length })}\n`);
