import { execFile } from 'node:child_process';
import { checkTarget, CheckContext } from './sources';
import { CheckOutcome, PlannedCheck, VerifyTarget } from './target';

/** Options of a verification. */
export interface VerifyOptions {
  /** Timeout of each request, in milliseconds. @default 10000 */
  readonly timeoutMs?: number;
  /** How many checks run at once. @default 8 */
  readonly concurrency?: number;
  /** Environment variables (credentials). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Lists an SSH repository's refs. @default `git ls-remote` */
  readonly lsRemote?: CheckContext['lsRemote'];
}

/** A planned check with its outcome. */
export interface VerifyResult extends PlannedCheck {
  /** What the check found. */
  readonly outcome: CheckOutcome;
}

/** Runs every planned check, at most `concurrency` at once, each request within `timeoutMs`. */
export async function verifyChecks(checks: readonly PlannedCheck[], options: VerifyOptions = {}): Promise<VerifyResult[]> {
  const ctx: CheckContext = { timeoutMs: options.timeoutMs ?? 10_000, env: options.env ?? process.env, lsRemote: options.lsRemote ?? gitLsRemote };
  const results: VerifyResult[] = new Array(checks.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < checks.length; i = next++) results[i] = { ...checks[i], outcome: await checkTarget(checks[i].target, ctx) };
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 8, checks.length)) }, worker));
  return results;
}

/** `git ls-remote <url>`, non-interactive (no prompt, ssh in batch mode), killed after the timeout. */
export function gitLsRemote(url: string, timeoutMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const env = {
      ...process.env,
      GIT_TERMINAL_PROMPT: '0',
      GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? `ssh -o BatchMode=yes -o ConnectTimeout=${Math.max(1, Math.ceil(timeoutMs / 1000))}`,
    };
    execFile('git', ['ls-remote', url], { env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'git is not installed' : error.killed ? `timed out after ${timeoutMs} ms` : stderr.trim().split('\n')[0] || error.message;
        reject(new Error(`git ls-remote ${url}: ${why}`));
        return;
      }
      resolve(stdout.split('\n').filter(l => l.trim() !== '').map(l => l.replace('\t', ' ')));
    });
  });
}

/** `kind what` of a target, for the report. */
export function describeTarget(t: VerifyTarget): string {
  switch (t.kind) {
    case 'helm-chart': return `chart ${t.chart} ${t.version} from ${t.url}`;
    case 'oci': return `${t.url} ${t.ref.digest ? `@${t.ref.digest}` : t.ref.semver !== undefined ? `semver ${t.ref.semver}` : `tag ${t.ref.tag ?? 'latest'}`}`;
    case 'git': return `${t.url} ${Object.entries(t.ref).map(([k, v]) => `${k} ${v}`).join(', ') || 'branch master'}`;
    case 'image': return `image ${t.image} ${t.policy.semver !== undefined ? `semver ${t.policy.semver}` : t.policy.numerical !== undefined ? 'numerical' : 'alphabetical'}`;
  }
}

/** The report: one line per finding (`[location] Kind ns/name (clusters …): what is wrong`), then a summary. */
export function formatReport(results: readonly VerifyResult[], elapsedMs: number): { text: string; findings: number } {
  const lines: string[] = [];
  let findings = 0;
  let skipped = 0;
  for (const r of results) {
    if (r.outcome.status === 'ok') continue;
    if (r.outcome.status === 'skipped') skipped++;
    else findings++;
    for (const o of r.origins) {
      const mark = r.outcome.status === 'skipped' ? 'not verifiable' : r.outcome.status === 'unreachable' ? 'unreachable' : 'missing';
      const what = r.outcome.status === 'missing' ? r.outcome.message : `${describeTarget(r.target)}: ${r.outcome.message}`;
      lines.push(`  [${o.location}] ${o.object} (${o.clusters.join(', ')}): ${mark}: ${what}`);
    }
  }
  lines.sort();
  const ok = results.filter(r => r.outcome.status === 'ok').length;
  const summary = `Verified ${results.length} sources in ${elapsedMs.toFixed(0)} ms: ${ok} found, ${findings} missing or unreachable${skipped > 0 ? `, ${skipped} not verifiable` : ''}.`;
  return { text: [...lines, summary].join('\n'), findings };
}
