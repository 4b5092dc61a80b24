// `npm run seal`: seals values for one environment of the example fleet (see src/cli/seal.ts).
import { runSeal } from './cli/seal';
import { sealingEnvironments } from './example-fleet';

process.exitCode = runSeal(sealingEnvironments(), process.argv.slice(2));
