// The cdk8s app: `npm run synth` and `npx cdk8s synth` both run this file.
// The layout is written into the repository root, or into CDK8S_FLUX_ROOT_DIR when set
// (tests use that to synthesize through the real CLI without touching the working tree).
import * as path from 'node:path';
import { runSynth } from './cli/synth';
import { createExampleFleet } from './example-fleet';
import { CertificateError } from './secrets/certificate';
import { SealError } from './secrets/sealed-store';

const rootDir = process.env.CDK8S_FLUX_ROOT_DIR ?? path.resolve(__dirname, '..');
try {
  process.exitCode = runSynth(createExampleFleet({ rootDir }), process.argv.slice(2));
} catch (e) {
  // building the fleet reads each environment's certificate and sealed values: say what is wrong, no stack trace
  if (!(e instanceof CertificateError || e instanceof SealError)) throw e;
  process.stderr.write(`${e.message}\n`);
  process.exitCode = 2;
}
