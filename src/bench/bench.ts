import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SealingCertificate } from '../secrets/certificate';
import { encryptionLabel, SealingScope, sealValue } from '../secrets/seal';
import { SchemaValidator } from '../validation/schema-validator';
import { FleetSize, prepareSecrets } from './synthetic-fleet';
import { selfSignedCertificate } from './self-signed';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** One measured synth. */
export interface SynthMeasure {
  readonly wallMs: number;
  readonly inProcessMs: number;
  readonly buildMs: number;
  readonly synthMs: number;
  readonly files: number;
  readonly objects: number;
  readonly objectsPerSecond: number;
  readonly peakRssMiB: number;
}

/** The measures of one fleet size. */
export interface SizeResult extends FleetSize {
  readonly layout: SynthMeasure;
  /** The naive baseline (one cdk8s App.synth() of every chart), or why it was not measured. */
  readonly naive: SynthMeasure | { readonly skipped: string };
}

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Runs one synth in a fresh process, writing into a fresh temporary directory. */
export function measureSynth(size: FleetSize, secrets: { certificate: string; store: string }[], naive = false, timeoutMs = 600_000): SynthMeasure {
  const out = tempDir('cdk8s-flux-bench-out-');
  const start = performance.now();
  const result = spawnSync(process.execPath, [
    '--import', 'tsx', path.join(__dirname, 'run-synth.ts'),
    `--envs=${size.environments}`, `--components=${size.components}`, `--out=${out}`, `--naive=${naive}`, `--secrets=${JSON.stringify(secrets)}`,
  ], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  const wallMs = Math.round(performance.now() - start);
  fs.rmSync(out, { recursive: true, force: true });
  if (result.status !== 0) throw new Error(`synth of ${size.environments}x${size.components} failed: ${result.error?.message ?? result.stderr.slice(-2000)}`);
  const child = JSON.parse(result.stdout.trim().split('\n').pop()!);
  return { wallMs, ...child, objectsPerSecond: Math.round(child.objects / (child.inProcessMs / 1000)) };
}

/** Time to seal `count` values with a 4096-bit certificate, as `npm run seal` does. */
export function measureSealing(count: number): { count: number; ms: number } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 4096 });
  const cert = SealingCertificate.fromPem(selfSignedCertificate(publicKey, privateKey), 'bench');
  const start = performance.now();
  for (let i = 0; i < count; i++) sealValue(cert, Buffer.from(`value-${i}`), encryptionLabel('apps', `secret-${i}`, SealingScope.STRICT));
  return { count, ms: Math.round(performance.now() - start) };
}

/** Time to validate `count` Flux objects against the CRD schemas, once compiled. */
export function measureValidation(count: number): { count: number; ms: number } {
  const v = SchemaValidator.fromDirectory();
  const doc = {
    apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'x', namespace: 'flux-system' },
    spec: { interval: '10m', chart: { spec: { chart: 'x', version: '1.x', sourceRef: { kind: 'HelmRepository', name: 'x' } } }, values: { a: 1 } },
  };
  v.validate(doc);
  const start = performance.now();
  for (let i = 0; i < count; i++) v.validate(doc);
  return { count, ms: Math.round((performance.now() - start) * 10) / 10 };
}

/** Wall time of the seed fleet's whole `npm run synth` process (tsx startup included), into a temp dir. */
export function measureSeedSynth(): number {
  const root = tempDir('cdk8s-flux-bench-seed-');
  const start = performance.now();
  const r = spawnSync(path.join(PROJECT_ROOT, 'node_modules/.bin/tsx'), ['src/main.ts'], {
    cwd: PROJECT_ROOT, encoding: 'utf8', env: { ...process.env, CDK8S_FLUX_ROOT_DIR: root, CI: '' },
  });
  const ms = Math.round(performance.now() - start);
  fs.rmSync(root, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`seed synth failed: ${r.stderr}`);
  return ms;
}

/** Runs the benchmark over `sizes`; a naive baseline that exceeds `naiveTimeoutMs` (default 120 s) is reported as skipped. */
export function runBenchmark(sizes: readonly FleetSize[], options: { naiveTimeoutMs?: number; log?: (line: string) => void } = {}) {
  const log = options.log ?? (() => undefined);
  const results: SizeResult[] = [];
  for (const size of sizes) {
    const secretsDir = tempDir('cdk8s-flux-bench-secrets-');
    const secrets = prepareSecrets(secretsDir, size);
    log(`measuring ${size.environments}x${size.components}…`);
    const layout = measureSynth(size, secrets);
    let naive: SynthMeasure | { skipped: string };
    try {
      naive = measureSynth(size, secrets, true, options.naiveTimeoutMs ?? 120_000);
    } catch (e) {
      naive = { skipped: (e as Error).message.includes('ETIMEDOUT') ? `over ${(options.naiveTimeoutMs ?? 120_000) / 1000} s` : (e as Error).message.slice(0, 200) };
    }
    fs.rmSync(secretsDir, { recursive: true, force: true });
    results.push({ ...size, layout, naive });
  }
  const growth = results.slice(1).map((r, i) => {
    const prev = results[i];
    return {
      from: `${prev.environments}x${prev.components}`,
      to: `${r.environments}x${r.components}`,
      objectsRatio: Math.round((r.layout.objects / prev.layout.objects) * 100) / 100,
      timeRatio: Math.round((r.layout.inProcessMs / prev.layout.inProcessMs) * 100) / 100,
    };
  });
  return { results, growth };
}

/** The results as a table for people. */
export function formatTable(results: readonly SizeResult[], growth: ReturnType<typeof runBenchmark>['growth']): string {
  const rows = [['size', 'objects', 'files', 'wall ms', 'in-process ms', 'build ms', 'synth+write ms', 'objects/s', 'peak RSS MiB', 'naive App.synth() ms']];
  for (const r of results) {
    const naive = 'skipped' in r.naive ? `skipped (${r.naive.skipped})` : `${r.naive.inProcessMs} (${r.naive.peakRssMiB} MiB)`;
    rows.push([`${r.environments}x${r.components}`, String(r.layout.objects), String(r.layout.files), String(r.layout.wallMs), String(r.layout.inProcessMs),
      String(r.layout.buildMs), String(r.layout.synthMs), String(r.layout.objectsPerSecond), String(r.layout.peakRssMiB), naive]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map(r => r[i].length)));
  const lines = rows.map(r => r.map((c, i) => c.padEnd(widths[i])).join('  '));
  lines.splice(1, 0, widths.map(w => '-'.repeat(w)).join('  '));
  for (const g of growth) lines.push(`growth ${g.from} -> ${g.to}: ${g.objectsRatio}x objects, ${g.timeRatio}x time`);
  return lines.join('\n');
}
