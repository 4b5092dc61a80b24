// The performance targets of issue #26, each measured as a ratio against its floor in one run of
// `npm run bench` (see the README's Performance section): the seed fleet's whole process against
// the load-only floor of the compiled library, the 100x100 synth against a program that only
// serializes and writes the same files, an incremental re-synth against a full synth.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { flushFileSystem, Spread, spread } from './repeat';
import { Scratch } from './scratch';
import { FleetEdit, FleetSize } from './synthetic-fleet';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const HOOK = path.join(PROJECT_ROOT, 'src', 'cli', 'register-ts.js');

/** A measured ratio and the bound the issue sets for it. */
export interface TargetRatio {
  /** Measured value / floor value (medians), to two decimals. */
  readonly ratio: number;
  /** The highest ratio the target allows. */
  readonly bound: number;
  /** Whether the measured ratio is within the bound. */
  readonly met: boolean;
}

function target(value: number, floor: number, bound: number): TargetRatio {
  const ratio = Math.round((value / floor) * 100) / 100;
  return { ratio, bound, met: ratio <= bound };
}

/** The seed fleet's synth, whole process, against the load-only floor. */
export interface SeedTarget {
  /** `npm run synth` and `npm run bench:load-floor`, wall ms of the whole command. */
  readonly npm: { readonly synthMs: Spread; readonly floorMs: Spread } & TargetRatio;
  /** The cdk8s-flux executable (`node -r register-ts.js src/cli/bin.ts synth`, the fleet in its process) and `node load-floor.js`, wall ms. */
  readonly bin: { readonly synthMs: Spread; readonly floorMs: Spread } & TargetRatio;
  /** Modules loaded: by `require('cdk8s-flux')` (compiled), and by the seed fleet's synth. */
  readonly modules: { readonly library: number; readonly synth: number };
}

/** Wall time of one command. */
function timed(command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd = PROJECT_ROOT): { ms: number; stdout: string } {
  const start = performance.now();
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', env, maxBuffer: 16 * 1024 * 1024 });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.error?.message ?? r.stderr.slice(-2000)}`);
  return { ms, stdout: r.stdout };
}

/**
 * Compiles the library (tsc, as `npm pack` does) into the scratch directory, for the load-only
 * floor: the packages the seed fleet needs, loaded compiled, nothing transpiled.
 */
export function compileLibrary(scratch: Scratch): string {
  const out = scratch.make('cdk8s-flux-bench-lib-');
  const tsc = path.join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', out], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`compiling the library failed: ${r.stdout}${r.stderr}`);
  return out;
}

/**
 * The seed fleet, whole process, from the commands a user types: `npm run synth` against `npm run
 * bench:load-floor`, and the executable against `node load-floor.js`, interleaved run by run (each
 * synth into a fresh directory, after a `sync`), after one untimed round.
 */
export function measureSeedTarget(runs: number, scratch: Scratch, library: string): SeedTarget {
  const env = (root?: string): NodeJS.ProcessEnv => ({ ...process.env, CI: '', CDK8S_FLUX_FLOOR_LIB: library, ...root ? { CDK8S_FLUX_ROOT_DIR: root } : {} });
  const floorScript = path.join(PROJECT_ROOT, 'src', 'bench', 'load-floor.js');
  const bin = path.join(PROJECT_ROOT, 'src', 'cli', 'bin.ts');
  const round = () => {
    flushFileSystem();
    const npmSynth = timed('npm', ['run', '--silent', 'synth'], env(scratch.make('cdk8s-flux-bench-seed-'))).ms;
    const npmFloor = timed('npm', ['run', '--silent', 'bench:load-floor'], env()).ms;
    flushFileSystem();
    const binSynth = timed(process.execPath, ['-r', HOOK, bin, 'synth'], env(scratch.make('cdk8s-flux-bench-seed-'))).ms;
    const binFloor = timed(process.execPath, [floorScript, library], env()).ms;
    return { npmSynth, npmFloor, binSynth, binFloor };
  };
  round();
  const rounds = Array.from({ length: runs }, round);
  const pick = (k: keyof ReturnType<typeof round>) => spread(rounds.map(r => r[k]));
  const [npmSynth, npmFloor, binSynth, binFloor] = [pick('npmSynth'), pick('npmFloor'), pick('binSynth'), pick('binFloor')];
  const library_ = JSON.parse(timed(process.execPath, [floorScript, library], { ...env(), BENCH_REPORT: '1' }).stdout.trim()) as { modules: number };
  const counter = path.join(PROJECT_ROOT, 'src', 'bench', 'module-count.js');
  const synth = JSON.parse(timed(process.execPath, ['-r', HOOK, '-r', counter, path.join(PROJECT_ROOT, 'src', 'main.ts'), 'synth'], env(scratch.make('cdk8s-flux-bench-seed-'))).stdout.trim().split('\n').pop()!) as { modules: number };
  return {
    npm: { synthMs: npmSynth, floorMs: npmFloor, ...target(npmSynth.median, npmFloor.median, 1.2) },
    bin: { synthMs: binSynth, floorMs: binFloor, ...target(binSynth.median, binFloor.median, 1.2) },
    modules: { library: library_.modules, synth: synth.modules },
  };
}

/** What one synth process of the synthetic fleet reports (see run-synth.ts). */
export interface SynthRun {
  readonly inProcessMs: number;
  readonly buildMs: number;
  readonly synthMs: number;
  readonly files: number;
  readonly written: number;
  readonly peakRssMiB: number;
  readonly userMs: number;
  readonly systemMs: number;
  readonly wallMs: number;
}

/** One synth of the synthetic fleet in a fresh process, into `out` (empty or synthesized before). */
export function synthRun(size: FleetSize, secrets: readonly { certificate: string; store: string }[], out: string, edits: readonly FleetEdit[] = []): SynthRun {
  const start = performance.now();
  const r = spawnSync(process.execPath, [
    '-r', HOOK, path.join(__dirname, 'run-synth.ts'),
    `--envs=${size.environments}`, `--components=${size.components}`, `--out=${out}`, '--naive=false', '--validate=false',
    `--secrets=${JSON.stringify(secrets)}`, `--edits=${JSON.stringify(edits)}`,
  ], { cwd: PROJECT_ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, timeout: 600_000 });
  const wallMs = performance.now() - start;
  if (r.status !== 0) throw new Error(`synth of ${size.environments}x${size.components} failed: ${r.error?.message ?? r.stderr.slice(-2000)}`);
  return { wallMs, ...JSON.parse(r.stdout.trim().split('\n').pop()!) };
}

/** The large synth against the serialize-and-write floor. */
export interface FloorTarget extends TargetRatio {
  readonly size: string;
  /** In-process ms of the synth (building, validating, rendering, writing atomically). */
  readonly synthMs: Spread;
  /** In-process ms of the floor: `yaml` stringify of the precomputed objects, and writing the files. */
  readonly floorMs: Spread;
  /** The floor with the writer's own block emitter instead of `yaml` (a stricter floor, for reference). */
  readonly blockEmitterFloorMs: Spread;
  readonly ratioToBlockEmitterFloor: number;
  /** Whether both floors wrote byte for byte the files the synth wrote. */
  readonly sameFiles: boolean;
  /** The highest peak RSS of the synth runs, and its bound. */
  readonly peakRssMiB: number;
  readonly peakRssBoundMiB: number;
  readonly peakRssMet: boolean;
}

/**
 * The synth of `size` into an empty directory against a program that only serializes the same
 * objects and writes the same files, interleaved run by run after a `sync` each.
 */
export function measureFloorTarget(size: FleetSize, secrets: readonly { certificate: string; store: string }[], runs: number, scratch: Scratch): FloorTarget {
  const floor = path.join(__dirname, 'serialize-floor.ts');
  const reference = scratch.make('cdk8s-flux-bench-floor-ref-');
  synthRun(size, secrets, reference);
  const json = path.join(scratch.make('cdk8s-flux-bench-floor-json-'), 'files.json');
  timed(process.execPath, ['-r', HOOK, floor, '--prepare', `--from=${reference}`, `--to=${json}`], process.env);
  const floorRun = (emitter: string, out: string) => JSON.parse(timed(process.execPath, ['-r', HOOK, floor, `--json=${json}`, `--out=${out}`, `--emitter=${emitter}`], process.env).stdout.trim()) as { inProcessMs: number };
  const synths: SynthRun[] = [];
  const floors: number[] = [];
  const blockFloors: number[] = [];
  let sameFiles = true;
  for (let i = 0; i < runs; i++) {
    flushFileSystem();
    synths.push(synthRun(size, secrets, scratch.make('cdk8s-flux-bench-floor-synth-')));
    flushFileSystem();
    const out = scratch.make('cdk8s-flux-bench-floor-yaml-');
    floors.push(floorRun('yaml', out).inProcessMs);
    flushFileSystem();
    const blockOut = scratch.make('cdk8s-flux-bench-floor-block-');
    blockFloors.push(floorRun('block', blockOut).inProcessMs);
    if (i === 0) sameFiles = sameTree(reference, out) && sameTree(reference, blockOut);
  }
  const synthMs = spread(synths.map(s => s.inProcessMs));
  const floorMs = spread(floors);
  const blockEmitterFloorMs = spread(blockFloors);
  const peakRssMiB = Math.max(...synths.map(s => s.peakRssMiB));
  return {
    size: `${size.environments}x${size.components}`, synthMs, floorMs, blockEmitterFloorMs, ...target(synthMs.median, floorMs.median, 1.15),
    ratioToBlockEmitterFloor: target(synthMs.median, blockEmitterFloorMs.median, 1.15).ratio, sameFiles,
    peakRssMiB, peakRssBoundMiB: 512, peakRssMet: peakRssMiB < 512,
  };
}

/** An incremental re-synth against a full one. */
export interface IncrementalTarget extends TargetRatio {
  readonly size: string;
  /** In-process ms of full synths (an empty directory, no cache). */
  readonly fullMs: Spread;
  /** In-process ms of re-synths after one value of one environment changed. */
  readonly incrementalMs: Spread;
  /** The same ratio over the whole processes (node start and module loading included). */
  readonly wallRatio: number;
  /** Files each re-synth wrote (the one the change touched). */
  readonly written: number[];
  /** Whether every re-synth left byte for byte the files a full synth of the changed fleet writes. */
  readonly identicalToFullSynth: boolean;
}

/**
 * Per run: a full synth into an empty directory, one value of one environment changed, a re-synth
 * of that directory (timed against the full one), and a full synth of the changed fleet into
 * another empty directory, compared byte for byte.
 */
export function measureIncrementalTarget(size: FleetSize, secrets: readonly { certificate: string; store: string }[], runs: number, scratch: Scratch): IncrementalTarget {
  const full: SynthRun[] = [];
  const incremental: SynthRun[] = [];
  let identical = true;
  for (let i = 0; i < runs; i++) {
    const dir = scratch.make('cdk8s-flux-bench-incr-');
    flushFileSystem();
    full.push(synthRun(size, secrets, dir));
    const edit: FleetEdit = { environment: (i * 37) % size.environments, component: (i * 53) % size.components, replicas: 7 + i };
    flushFileSystem();
    incremental.push(synthRun(size, secrets, dir, [edit]));
    const fresh = scratch.make('cdk8s-flux-bench-incr-ref-');
    synthRun(size, secrets, fresh, [edit]);
    identical &&= sameTree(fresh, dir);
  }
  const fullMs = spread(full.map(r => r.inProcessMs));
  const incrementalMs = spread(incremental.map(r => r.inProcessMs));
  return {
    size: `${size.environments}x${size.components}`, fullMs, incrementalMs, ...target(incrementalMs.median, fullMs.median, 0.25),
    wallRatio: target(spread(incremental.map(r => r.wallMs)).median, spread(full.map(r => r.wallMs)).median, 0.25).ratio,
    written: incremental.map(r => r.written), identicalToFullSynth: identical,
  };
}

/** Whether the layout roots of two directories hold the same files, byte for byte. */
function sameTree(a: string, b: string): boolean {
  const list = (root: string): Map<string, Buffer> => {
    const out = new Map<string, Buffer>();
    const walk = (rel: string) => {
      for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
        const child = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) walk(child);
        else out.set(child, fs.readFileSync(path.join(root, child)));
      }
    };
    for (const top of ['clusters', 'infrastructure', 'apps']) if (fs.existsSync(path.join(root, top))) walk(top);
    return out;
  };
  const [x, y] = [list(a), list(b)];
  return x.size === y.size && [...x].every(([p, content]) => y.get(p)?.equals(content) === true);
}

/** `npm test`'s wall time against its five-minute bound (run only when asked: it takes minutes). */
export function measureTestSuite(): { ms: number; boundMs: number; met: boolean } {
  const { ms } = timed('npm', ['test', '--silent'], { ...process.env, CI: 'true' });
  return { ms: Math.round(ms), boundMs: 300_000, met: ms <= 300_000 };
}
