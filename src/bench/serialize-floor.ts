// The serialize-and-write floor of a large synth: a process that only turns precomputed objects
// into the same files (`yaml`'s stringify with the writer's options, or the writer's own block
// emitter with `--emitter=block`) and writes them into an empty directory, with none of the
// fleet's building, validation or transactions. `--prepare` reads a synthesized layout once into
// a JSON file of documents (untimed); a timed run loads that file, then serializes and writes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseAllDocuments, stringify } from 'yaml';
import { YAML_OPTIONS } from '../core/block-yaml';
import { toYaml, withHeader } from '../core/render';

interface PrecomputedFile {
  readonly path: string;
  readonly source: string;
  readonly docs: unknown[];
}

const args = Object.fromEntries(process.argv.slice(2).map(a => {
  const [k, ...v] = a.replace(/^--/, '').split('=');
  return [k, v.join('=')];
}));
const ROOTS = ['clusters', 'infrastructure', 'apps'];

if (args.prepare !== undefined) {
  const files: PrecomputedFile[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(args.from, rel), { withFileTypes: true })) {
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(child);
      else {
        const text = fs.readFileSync(path.join(args.from, child), 'utf8');
        const [, sourceLine, ...body] = text.split('\n');
        files.push({ path: child, source: sourceLine.replace(/^# Source: /, ''), docs: parseAllDocuments(body.join('\n')).map(d => d.toJS()) });
      }
    }
  };
  for (const root of ROOTS) if (fs.existsSync(path.join(args.from, root))) walk(root);
  fs.writeFileSync(args.to, JSON.stringify(files));
} else {
  const files = JSON.parse(fs.readFileSync(args.json, 'utf8')) as PrecomputedFile[];
  const block = args.emitter === 'block';
  const start = performance.now();
  const made = new Set<string>();
  for (const f of files) {
    const body = block ? toYaml(f.docs) : f.docs.map(d => stringify(d, YAML_OPTIONS)).join('---\n');
    const target = path.join(args.out, f.path);
    const dir = path.dirname(target);
    if (!made.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    fs.writeFileSync(target, withHeader(body, f.source));
  }
  const ms = performance.now() - start;
  process.stdout.write(`${JSON.stringify({
    inProcessMs: Math.round(ms), files: files.length, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    userMs: Math.round(process.cpuUsage().user / 1000), systemMs: Math.round(process.cpuUsage().system / 1000),
  })}\n`);
}
