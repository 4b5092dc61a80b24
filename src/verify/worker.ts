// The network side of `cdk8s-flux verify`, run as a child process: the command line is synchronous,
// so the command reads the model in its own process, hands the planned checks to this script on
// standard input, and reads the results from its standard output.
import * as fs from 'node:fs';
import { PlannedCheck } from './target';
import { verifyChecks, VerifyOptions } from './verify';

/** What the command sends the worker. */
export interface WorkerInput {
  readonly checks: readonly PlannedCheck[];
  readonly options: Pick<VerifyOptions, 'timeoutMs' | 'concurrency'>;
}

async function run(): Promise<void> {
  const input = JSON.parse(fs.readFileSync(0, 'utf8')) as WorkerInput;
  const results = await verifyChecks(input.checks, input.options);
  process.stdout.write(JSON.stringify(results));
}

if (require.main === module) {
  run().catch(e => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 2;
  });
}
