// `cdk8s-flux validate` of the example fleet, runnable on its own (tsx src/validate.ts).
import { main } from './main';

process.exitCode = main(['validate', ...process.argv.slice(2)]);
