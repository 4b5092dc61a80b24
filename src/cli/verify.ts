import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { FleetValidationError } from '../core/errors';
import { GitOpsRepo } from '../fleet/gitops-repo';
import { planChecks } from '../verify/plan';
import { formatReport, VerifyResult } from '../verify/verify';
import { SynthIo } from './synth';

/** Help of the verify command. */
export const VERIFY_USAGE = `Usage: cdk8s-flux verify [--timeout <ms>] [--concurrency <n>] [--verbose]      (npm run verify -- …)

Checks, online and only when asked, the outside world the fleet depends on, as each cluster's
objects name it (patches included):
  - every HelmRelease's chart and version (or range) in its HelmRepository's index.yaml, or in the
    OCI registry's tags (a HelmRepository of type oci)
  - every OCIRepository's tag, semver range or digest (the registry's distribution API)
  - every GitRepository's branch, tag, semver range or ref (git smart-HTTP ref advertisement;
    git ls-remote for ssh:// URLs)
  - every ImagePolicy: some tag of its ImageRepository's image passes its filter and range
Credentials: CDK8S_FLUX_AUTH_<HOST>=user:password (ghcr.io -> CDK8S_FLUX_AUTH_GHCR_IO), else the docker
config's auths ($DOCKER_CONFIG/config.json or ~/.docker/config.json); ssh uses your ssh agent and keys.

  --timeout MS        give up on a request after MS milliseconds (default 10000)
  --concurrency N     run at most N checks at once (default 8)
  --verbose           print stack traces of unexpected errors
  --help              show this help

Exit codes: 0 everything exists, 1 something is missing or unreachable, 2 a usage error or anything else that failed.`;

/**
 * Runs the verify command: plans the checks from the model of what each cluster applies, runs them
 * in a child process (the network is asynchronous; the command line is not) and prints what is
 * missing. Returns the exit code: 0 clean, 1 findings, 2 usage or internal error.
 */
export function runVerify(repo: GitOpsRepo, argv: readonly string[], io: SynthIo): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(`${VERIFY_USAGE}\n`);
    return 0;
  }
  let timeoutMs = 10_000;
  let concurrency = 8;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--verbose') continue;
    if (a === '--timeout' || a === '--concurrency') {
      const value = Number(argv[i + 1]);
      if (argv[i + 1] === undefined || !Number.isInteger(value) || value < 1) {
        io.err(`${a} needs a positive whole number${a === '--timeout' ? ' of milliseconds (e.g. --timeout 5000)' : ' (e.g. --concurrency 4)'}, not ${argv[i + 1] === undefined ? 'nothing' : JSON.stringify(argv[i + 1])}\n`);
        return 2;
      }
      if (a === '--timeout') timeoutMs = value;
      else concurrency = value;
      i++;
      continue;
    }
    io.err(`Unknown argument: ${a} (cdk8s-flux verify --help lists the options)\n`);
    return 2;
  }
  const start = performance.now();
  let checks;
  try {
    checks = planChecks(repo.synthModel().model);
  } catch (e) {
    if (e instanceof FleetValidationError) {
      io.err(`${e.message.replace('; nothing was written', '')}\n`);
      return 2;
    }
    throw e;
  }
  const worker = path.join(__dirname, '..', 'verify', `worker${path.extname(__filename)}`);
  const loader = worker.endsWith('.ts') ? ['--import', pathToFileURL(require.resolve('tsx')).href] : [];
  // every check within its timeout: the worker ends well before this, unless something hangs
  const deadline = Math.ceil(checks.length / concurrency + 1) * timeoutMs * 3 + 30_000;
  const child = spawnSync(process.execPath, [...loader, worker], {
    input: JSON.stringify({ checks, options: { timeoutMs, concurrency } }),
    env: { ...process.env, ...io.env },
    encoding: 'utf8',
    timeout: deadline,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (child.status !== 0 || child.error) {
    io.err(`verify failed: ${child.error ? child.error.message : `its worker exited with ${child.status ?? child.signal}`}\n${argv.includes('--verbose') ? child.stderr : ''}`);
    return 2;
  }
  const results = JSON.parse(child.stdout) as VerifyResult[];
  const { text, findings } = formatReport(results, performance.now() - start);
  if (findings > 0) io.err(`${text}\n`);
  else io.out(`${text}\n`);
  return findings > 0 ? 1 : 0;
}
