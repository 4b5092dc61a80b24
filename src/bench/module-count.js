'use strict';
// Preloaded by the benchmark (`node -r module-count.js app …`): prints, as the process exits, how
// many modules the app loaded (what lazy loading keeps out of a synth shows here).
process.on('exit', () => process.stdout.write(`\n${JSON.stringify({ modules: Object.keys(require.cache).length })}\n`));
