// `npm run validate`: validates the example fleet without writing anything (see src/cli/validate.ts).
import * as path from 'node:path';
import { runValidate } from './cli/validate';
import { createExampleFleet } from './example-fleet';

process.exitCode = runValidate(createExampleFleet({ rootDir: path.resolve(__dirname, '..') }), process.argv.slice(2), {
  out: t => process.stdout.write(t),
  err: t => process.stderr.write(t),
});
