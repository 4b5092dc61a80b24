import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { FleetValidationError } from '../core/errors';
import { GitOpsRepo } from '../fleet/gitops-repo';
import { planChecks } from '../verify/plan';
import { formatReport, VerifyResult } from '../verify/verify';
import { ExitCode, formatUsage, parseSpec } from './args';
import { VERIFY_COMMAND } from './command-specs';
import { Progress } from './progress';
import { SynthIo } from './synth';

export { VERIFY_COMMAND };

/** Help of the verify command. */
export const VERIFY_USAGE = formatUsage(VERIFY_COMMAND);

/**
 * Runs the verify command: plans the checks from the model of what each cluster applies, runs them
 * in a child process (the network is asynchronous; the command line is not) and prints what is
 * missing. Returns the exit code: 0 clean, 1 findings, 2 usage or internal error.
 */
export function runVerify(repo: GitOpsRepo, argv: readonly string[], io: SynthIo): number {
  let values;
  try {
    values = parseSpec(VERIFY_COMMAND, argv).values;
  } catch (e) {
    io.err(`${(e as Error).message}\n`);
    return ExitCode.ERROR;
  }
  if (values.help) {
    io.out(`${VERIFY_USAGE}\n`);
    return ExitCode.CLEAN;
  }
  const whole = (flag: 'timeout' | 'concurrency', fallback: number): number | undefined => {
    const raw = values[flag] as string | undefined;
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (Number.isInteger(value) && value >= 1) return value;
    io.err(`verify: --${flag} needs a positive whole number${flag === 'timeout' ? ' of milliseconds (e.g. --timeout 5000)' : ' (e.g. --concurrency 4)'}, not ${JSON.stringify(raw)} (cdk8s-flux verify --help lists the options)\n`);
    return undefined;
  };
  const timeoutMs = whole('timeout', 10_000);
  const concurrency = whole('concurrency', 8);
  if (timeoutMs === undefined || concurrency === undefined) return ExitCode.ERROR;
  const progress = new Progress(io);
  progress.step('synthesizing the fleet');
  const start = performance.now();
  let checks;
  try {
    checks = planChecks(repo.synthModel().model);
  } catch (e) {
    progress.done();
    if (e instanceof FleetValidationError) {
      io.err(`${e.message.replace('; nothing was written', '')}\n`);
      return ExitCode.FINDINGS;
    }
    throw e;
  }
  const worker = path.join(__dirname, '..', 'verify', `worker${path.extname(__filename)}`);
  const loader = worker.endsWith('.ts') ? ['--import', pathToFileURL(require.resolve('tsx')).href] : [];
  // every check within its timeout: the worker ends well before this, unless something hangs
  const deadline = Math.ceil(checks.length / concurrency + 1) * timeoutMs * 3 + 30_000;
  progress.step(`checking ${checks.length} source${checks.length === 1 ? '' : 's'} online (timeout ${timeoutMs} ms, ${concurrency} at once)`);
  const child = spawnSync(process.execPath, [...loader, worker], {
    input: JSON.stringify({ checks, options: { timeoutMs, concurrency } }),
    env: { ...process.env, ...io.env },
    encoding: 'utf8',
    timeout: deadline,
    maxBuffer: 256 * 1024 * 1024,
  });
  progress.done();
  if (child.status !== 0 || child.error) {
    io.err(`verify failed: ${child.error ? child.error.message : `its worker exited with ${child.status ?? child.signal}`}\n${values.verbose ? child.stderr : ''}`);
    return ExitCode.ERROR;
  }
  const results = JSON.parse(child.stdout) as VerifyResult[];
  const { text, findings } = formatReport(results, performance.now() - start);
  if (findings > 0) io.err(`${text}\n`);
  else io.out(`${text}\n`);
  return findings > 0 ? ExitCode.FINDINGS : ExitCode.CLEAN;
}
