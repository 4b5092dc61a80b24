import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SealingCertificate } from '../secrets/certificate';
import { encryptionLabel, SealingScope, sealValue } from '../secrets/seal';
import { SchemaValidator } from '../validation/schema-validator';
import { flushFileSystem, repeat, Spread, spread } from './repeat';
import { Scratch } from './scratch';
import { FleetSize, prepareSecrets } from './synthetic-fleet';
import { selfSignedCertificate } from './self-signed';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** What one synth process reports about itself (see run-synth.ts), plus its wall time. */
interface RunMeasure {
  readonly wallMs: number;
  readonly inProcessMs: number;
  readonly buildMs: number;
  readonly synthMs: number;
  readonly files: number;
  readonly objects: number;
  readonly peakRssMiB: number;
  readonly userMs: number;
  readonly systemMs: number;
}

/** The measures of one way of synthesizing one fleet size, over several processes. */
export interface SynthMeasure {
  /** Number of timed processes. */
  readonly runs: number;
  /** Wall time of the whole process (node start to exit). */
  readonly wallMs: Spread;
  /** Time from the first line of fleet code to the last file written. */
  readonly inProcessMs: Spread;
  /** Medians of building the construct tree, and of validating, rendering and writing it. */
  readonly buildMs: number;
  readonly synthMs: number;
  /** Median CPU time of the process, in user space and in the kernel (file-system work). */
  readonly userMs: number;
  readonly systemMs: number;
  readonly files: number;
  readonly objects: number;
  /** Objects per second of median in-process time. */
  readonly objectsPerSecond: number;
  /** The highest peak RSS of the runs. */
  readonly peakRssMiB: number;
}

/** The measures of one fleet size. */
export interface SizeResult extends FleetSize {
  /** Microseconds to create one small file where the synths write, just before they ran (see `Scratch.probeFileCreation`). */
  readonly fileCreationUs: number;
  readonly layout: SynthMeasure;
  /** The layout writer with schema validation on (`synth --validate`, always in CI), when measured. */
  readonly validated?: SynthMeasure;
  /** The naive baseline (one cdk8s App.synth() of every chart), or why it was not measured. */
  readonly naive: SynthMeasure | { readonly skipped: string };
}

/** Growth between two consecutive sizes. */
export interface Growth {
  readonly from: string;
  readonly to: string;
  readonly objectsRatio: number;
  /** Ratio of median in-process times (the fixed process start-up left out). */
  readonly timeRatio: number;
  readonly wallRatio: number;
  readonly naiveTimeRatio?: number;
}

/** Options of `runBenchmark`. */
export interface BenchmarkOptions {
  /** Timed processes per size through the layout writer. @default 5 */
  readonly runs?: number;
  /** Timed processes per size for the naive baseline (fewer when they take long). @default 3 */
  readonly naiveRuns?: number;
  /** A naive run that takes longer is stopped and reported as such; larger sizes are then not run. @default 120 s */
  readonly naiveTimeoutMs?: number;
  /** Run one untimed synth of the smallest size first (fills the transpile cache and loads the modules into the page cache). @default true */
  readonly warmUp?: boolean;
  /** Also measure the largest size with schema validation on (as CI synthesizes). @default false */
  readonly validateLargest?: boolean;
  /** Where the synths write, each into a new directory. @default a new `Scratch` in the system's temporary directory, disposed at the end */
  readonly scratch?: Scratch;
  readonly log?: (line: string) => void;
}

/** How a synth process synthesizes: the layout writer (with schema validation or not), or one cdk8s App.synth(). */
type SynthKind = 'layout' | 'validated' | 'naive';

/** Runs one synth in a fresh process, writing into the empty directory `out`. */
function synthProcess(size: FleetSize, secrets: readonly { certificate: string; store: string }[], out: string, kind: SynthKind, timeoutMs: number): RunMeasure {
  const start = performance.now();
  const result = spawnSync(process.execPath, [
    '-r', path.join(PROJECT_ROOT, 'src', 'cli', 'register-ts.js'), path.join(__dirname, 'run-synth.ts'),
    `--envs=${size.environments}`, `--components=${size.components}`, `--out=${out}`, `--naive=${kind === 'naive'}`,
    `--validate=${kind === 'validated'}`, `--secrets=${JSON.stringify(secrets)}`,
  ], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  const wallMs = performance.now() - start;
  if (result.status !== 0) throw new Error(`synth of ${size.environments}x${size.components} failed: ${result.error?.message ?? result.stderr.slice(-2000)}`);
  return { wallMs, ...JSON.parse(result.stdout.trim().split('\n').pop()!) };
}

function summarize(runs: readonly RunMeasure[]): SynthMeasure {
  const median = (pick: (r: RunMeasure) => number) => spread(runs.map(pick)).median;
  const inProcessMs = spread(runs.map(r => r.inProcessMs));
  return {
    runs: runs.length,
    wallMs: spread(runs.map(r => r.wallMs)),
    inProcessMs,
    buildMs: median(r => r.buildMs),
    synthMs: median(r => r.synthMs),
    userMs: median(r => r.userMs),
    systemMs: median(r => r.systemMs),
    files: runs[0].files,
    objects: runs[0].objects,
    objectsPerSecond: Math.round(runs[0].objects / (inProcessMs.median / 1000)),
    peakRssMiB: Math.max(...runs.map(r => r.peakRssMiB)),
  };
}

/**
 * Runs the benchmark over `sizes` (smallest first): per size, `runs` synth processes through the
 * layout writer and up to `naiveRuns` naive ones, each into a fresh directory after a `sync`.
 */
export function runBenchmark(sizes: readonly FleetSize[], options: BenchmarkOptions = {}): { results: SizeResult[]; growth: Growth[] } {
  const log = options.log ?? (() => undefined);
  const runs = options.runs ?? 5;
  const naiveRuns = options.naiveRuns ?? 3;
  const naiveTimeoutMs = options.naiveTimeoutMs ?? 120_000;
  const scratch = options.scratch ?? new Scratch();
  try {
    if (options.warmUp ?? true) {
      const secrets = prepareSecrets(scratch.make('cdk8s-flux-bench-secrets-'), sizes[0]);
      synthProcess(sizes[0], secrets, scratch.make('cdk8s-flux-bench-out-'), 'layout', 600_000);
      synthProcess(sizes[0], secrets, scratch.make('cdk8s-flux-bench-out-'), 'naive', 600_000);
    }
    const results: SizeResult[] = [];
    let naiveStopped: string | undefined;
    for (const size of sizes) {
      const label = `${size.environments}x${size.components}`;
      const secrets = prepareSecrets(scratch.make('cdk8s-flux-bench-secrets-'), size);
      flushFileSystem();
      const fileCreationUs = scratch.probeFileCreation();
      log(`measuring ${label}: ${runs} runs (creating a file takes ${fileCreationUs} µs here now)…`);
      const measure = (kind: SynthKind) => summarize(repeat(runs, () => synthProcess(size, secrets, scratch.make('cdk8s-flux-bench-out-'), kind, 600_000)));
      const layout = measure('layout');
      const validated = options.validateLargest && size === sizes[sizes.length - 1] ? measure('validated') : undefined;
      let naive: SynthMeasure | { skipped: string };
      if (naiveRuns === 0) {
        naive = { skipped: 'not requested' };
      } else if (naiveStopped) {
        naive = { skipped: `not run: ${naiveStopped}` };
      } else {
        const measured: RunMeasure[] = [];
        try {
          // repeat while the runs so far leave room in the time budget of one run
          for (let spent = 0; measured.length < naiveRuns && spent < naiveTimeoutMs; spent += measured[measured.length - 1].wallMs) {
            flushFileSystem();
            measured.push(synthProcess(size, secrets, scratch.make('cdk8s-flux-bench-out-'), 'naive', naiveTimeoutMs));
          }
          naive = summarize(measured);
        } catch (e) {
          const timedOut = (e as Error).message.includes('ETIMEDOUT');
          if (!timedOut) throw e;
          naive = { skipped: `over ${naiveTimeoutMs / 1000} s` };
          naiveStopped = `${label} took over ${naiveTimeoutMs / 1000} s`;
        }
      }
      results.push({ ...size, fileCreationUs, layout, ...validated ? { validated } : {}, naive });
    }
    return { results, growth: growthOf(results) };
  } finally {
    if (!options.scratch) scratch.dispose();
  }
}

function growthOf(results: readonly SizeResult[]): Growth[] {
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  return results.slice(1).map((r, i) => {
    const prev = results[i];
    const naive = 'skipped' in r.naive || 'skipped' in prev.naive ? undefined : ratio(r.naive.inProcessMs.median, prev.naive.inProcessMs.median);
    return {
      from: `${prev.environments}x${prev.components}`,
      to: `${r.environments}x${r.components}`,
      objectsRatio: ratio(r.layout.objects, prev.layout.objects),
      timeRatio: ratio(r.layout.inProcessMs.median, prev.layout.inProcessMs.median),
      wallRatio: ratio(r.layout.wallMs.median, prev.layout.wallMs.median),
      ...naive !== undefined ? { naiveTimeRatio: naive } : {},
    };
  });
}

/** Time to seal `count` values with a fresh certificate, as `npm run seal` does (key generation not timed). */
export function measureSealing(count: number, options: { modulusLength?: number; runs?: number } = {}): { count: number; ms: Spread } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: options.modulusLength ?? 4096 });
  const cert = SealingCertificate.fromPem(selfSignedCertificate(publicKey, privateKey), 'bench');
  const times = Array.from({ length: options.runs ?? 3 }, () => {
    const start = performance.now();
    for (let i = 0; i < count; i++) sealValue(cert, Buffer.from(`value-${i}`), encryptionLabel('apps', `secret-${i}`, SealingScope.STRICT));
    return performance.now() - start;
  });
  return { count, ms: spread(times) };
}

/** Time to validate `count` Flux objects against the CRD schemas, once compiled (median of `runs`, to 0.1 ms). */
export function measureValidation(count: number, runs = 5): { count: number; ms: number } {
  const v = SchemaValidator.fromDirectory();
  const doc = {
    apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'x', namespace: 'flux-system' },
    spec: { interval: '10m', chart: { spec: { chart: 'x', version: '1.x', sourceRef: { kind: 'HelmRepository', name: 'x' } } }, values: { a: 1 } },
  };
  v.validate(doc);
  const times = Array.from({ length: runs }, () => {
    const start = performance.now();
    for (let i = 0; i < count; i++) v.validate(doc);
    return (performance.now() - start) * 10;
  });
  return { count, ms: spread(times).median / 10 };
}

/** What the machine was like: the measures depend on its cores, the file system written to and what else ran. */
export function machine(scratchDir: string = os.tmpdir()): { node: string; platform: string; cpus: number; scratchFileSystem?: string; loadAverage: number[] } {
  return {
    node: process.version, platform: `${os.platform()} ${os.release()}`, cpus: os.cpus().length,
    scratchFileSystem: fileSystemOf(scratchDir), loadAverage: os.loadavg().map(l => Math.round(l * 100) / 100),
  };
}

/** The type and mount options of the file system holding `dir` (Linux), and whether an ext4 one has no journal. */
function fileSystemOf(dir: string): string | undefined {
  try {
    const real = fs.realpathSync(dir);
    const mounts = fs.readFileSync('/proc/mounts', 'utf8').trim().split('\n').map(l => l.split(' '));
    const [device, , type, opts] = mounts
      .filter(([, at]) => real === at || real.startsWith(at.endsWith('/') ? at : `${at}/`))
      .sort((a, b) => b[1].length - a[1].length)[0];
    let journal = '';
    if (type === 'ext4') {
      const task = fs.readFileSync(`/sys/fs/ext4/${path.basename(device)}/journal_task`, 'utf8').trim();
      journal = task === '<none>' ? ', no journal' : '';
    }
    return `${type} (${opts}${journal})`;
  } catch {
    return undefined; // not Linux, or not readable
  }
}

const fmt = (s: Spread) => `${s.median} (${s.min}-${s.max})`;

/** The results as a table for people. */
export function formatTable(results: readonly SizeResult[], growth: readonly Growth[]): string {
  const rows = [['size', 'objects', 'files', 'wall ms (min-max)', 'in-process ms (min-max)', 'build ms', 'synth+write ms', 'objects/s', 'CPU user+sys ms', 'peak RSS MiB', 'file µs', 'naive App.synth() ms']];
  for (const r of results) {
    const l = r.layout;
    const naive = 'skipped' in r.naive ? `skipped (${r.naive.skipped})` : `${fmt(r.naive.inProcessMs)}, ${r.naive.peakRssMiB} MiB`;
    rows.push([`${r.environments}x${r.components}`, String(l.objects), String(l.files), fmt(l.wallMs), fmt(l.inProcessMs),
      String(l.buildMs), String(l.synthMs), String(l.objectsPerSecond), `${l.userMs}+${l.systemMs}`, String(l.peakRssMiB), String(r.fileCreationUs), naive]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map(r => r[i].length)));
  const lines = rows.map(r => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
  lines.splice(1, 0, widths.map(w => '-'.repeat(w)).join('  '));
  for (const r of results.filter(x => x.validated)) {
    const v = r.validated!;
    lines.push(`${r.environments}x${r.components} with schema validation (synth --validate, as in CI): wall ${fmt(v.wallMs)} ms, in-process ${fmt(v.inProcessMs)} ms, peak RSS ${v.peakRssMiB} MiB`);
  }
  for (const g of growth) {
    lines.push(`growth ${g.from} -> ${g.to}: ${g.objectsRatio}x objects, ${g.timeRatio}x in-process time, ${g.wallRatio}x wall` +
      (g.naiveTimeRatio !== undefined ? `; naive ${g.naiveTimeRatio}x` : ''));
  }
  return lines.join('\n');
}
