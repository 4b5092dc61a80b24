// Child process of the benchmark: builds a synthetic fleet and synthesizes it, either through the
// layout writer (default; `--validate=true` adds schema validation, as `synth --validate` and CI
// do) or the naive way (`--naive=true`: cdk8s App.synth() of every chart), then prints one JSON
// line with its timings and peak memory.
import { performance } from 'node:perf_hooks';
import { App } from 'cdk8s';
import { createSyntheticFleet, FleetEdit } from './synthetic-fleet';

const args = Object.fromEntries(process.argv.slice(2).map(a => {
  const [k, ...v] = a.replace(/^--/, '').split('=');
  return [k, v.join('=')];
}));
const size = { environments: Number(args.envs), components: Number(args.components) };
const secrets = JSON.parse(args.secrets) as { certificate: string; store: string }[];
// --edits=[{"environment":3,"component":7,"replicas":9}]: one value of one environment changed
const edits = args.edits ? JSON.parse(args.edits) as FleetEdit[] : [];
const start = performance.now();
const repo = createSyntheticFleet(args.out, size, secrets, edits);
if (args.validate === 'true') repo.enableSchemaValidation();
const built = performance.now();
let files = 0;
let objects = 0;
let written = 0;
if (args.naive === 'true') {
  (repo as unknown as { outdir: string }).outdir = args.out;
  App.prototype.synth.call(repo); // every chart into one directory, cdk8s's own way
  objects = repo.charts.reduce((n, c) => n + c.apiObjects.length, 0);
  files = repo.charts.length;
} else {
  const plan = repo.write();
  files = plan.writes.length + plan.unchanged;
  written = plan.writes.length + plan.deletes.length;
  objects = repo.node.findAll().filter(c => (c as { apiVersion?: unknown }).apiVersion !== undefined && c.node.id === 'Resource').length;
}
const done = performance.now();
process.stdout.write(`${JSON.stringify({
  buildMs: Math.round(built - start),
  synthMs: Math.round(done - built),
  inProcessMs: Math.round(done - start),
  files,
  objects,
  written,
  peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  // the whole process, start-up included
  userMs: Math.round(process.cpuUsage().user / 1000),
  systemMs: Math.round(process.cpuUsage().system / 1000),
})}\n`);
