import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { FleetValidationError } from '../core/errors';
import { GitOpsRepo } from '../fleet/gitops-repo';
import { planChecks } from '../verify/plan';
import { formatReport, VerifyResult } from '../verify/verify';
import { CommandSpec, ExitCode, formatUsage, parseSpec } from './args';
import { Progress } from './progress';
import { SynthIo } from './synth';

/** The verify command's interface. */
export const VERIFY_COMMAND: CommandSpec = {
  name: 'verify',
  summary: 'check online that every chart version, source ref and image range the fleet names exists',
  synopsis: '[--timeout <ms>] [--concurrency <n>]',
  description: `Checks, online and only when asked, the outside world the fleet depends on, as each cluster's
objects name it (patches included):
  - every HelmRelease's chart and version (or range) in its HelmRepository's index.yaml, or in the
    OCI registry's tags (a HelmRepository of type oci)
  - every OCIRepository's tag, semver range or digest (the registry's distribution API)
  - every GitRepository's branch, tag, semver range or ref (git smart-HTTP ref advertisement;
    git ls-remote for ssh:// URLs)
  - every ImagePolicy: some tag of its ImageRepository's image passes its filter and range
Credentials: CDK8S_FLUX_AUTH_<HOST>=user:password (ghcr.io -> CDK8S_FLUX_AUTH_GHCR_IO), else the docker
config's auths ($DOCKER_CONFIG/config.json or ~/.docker/config.json); ssh uses your ssh agent and keys.`,
  flags: {
    timeout: { type: 'string', valueName: 'MS', description: 'give up on a request after MS milliseconds (default 10000)' },
    concurrency: { type: 'string', valueName: 'N', description: 'run at most N checks at once (default 8)' },
  },
  findings: 'something the fleet names is missing or unreachable',
};

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
