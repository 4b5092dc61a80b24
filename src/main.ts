// The example fleet's app. `npx cdk8s synth` runs it (cdk8s.yaml's `app`), `npm run
// synth|diff|seal|validate|graph` run it with the command (its runCli is the CLI), and so would
// the cdk8s-flux launcher, which starts this same app with the command appended.
// The layout is written into the repository root, or into CDK8S_FLUX_ROOT_DIR when set
// (tests use that to synthesize through the real CLI without touching the working tree).
import * as path from 'node:path';
import { runCli } from './cli/run-cli';
import { createExampleFleet, sealingEnvironments } from './example-fleet';

/** Runs one command of the example fleet's command line; returns the exit code. */
export function main(argv: readonly string[]): number {
  const rootDir = process.env.CDK8S_FLUX_ROOT_DIR ?? path.resolve(__dirname, '..');
  return runCli(() => createExampleFleet({ rootDir }), argv, { sealing: sealingEnvironments() });
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
