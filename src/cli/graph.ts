import * as fs from 'node:fs';
import * as path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { GitOpsRepo } from '../fleet/gitops-repo';
import { fleetGraphDocuments, GRAPH_MARKER } from '../graph/mermaid';
import { SynthIo } from './synth';

/** Help of the graph command. */
export const GRAPH_USAGE = `Usage: cdk8s-flux graph [--check] [--env <env>]… [--out <dir>] [--verbose]      (npm run graph -- …)

Writes one Mermaid diagram per registered environment, <out>/fleet-<env>.md (GitHub renders it):
the Kustomizations, HelmReleases, sources, sealed secrets and alerts its cluster reconciles, grouped
by the build that applies them, with their dependsOn, source, secret, values, provider and event
edges. Stale fleet-*.md files that graph generated are removed.

  --check      write nothing; exit 1 and show what differs if the documents are not up to date
  --env ENV    only this environment (repeatable); nothing is pruned then
  --out DIR    where to write, relative to the repository root (default: docs)
  --verbose    print stack traces of unexpected errors
  --help       show this help

Exit codes: 0 written or up to date, 1 out of date (--check), 2 the fleet is invalid or another error.`;

class GraphUsageError extends Error {}

/** Runs the graph command; returns the exit code (0 written or up to date, 1 out of date with `--check`, 2 an error). */
export function runGraph(repo: GitOpsRepo, argv: readonly string[], io: SynthIo): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(`${GRAPH_USAGE}\n`);
    return 0;
  }
  let options: { check: boolean; envs: string[]; out: string };
  try {
    options = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof GraphUsageError)) throw e;
    io.err(`${e.message} (cdk8s-flux graph --help lists the options)\n`);
    return 2;
  }
  if (repo.environments.length === 0) {
    io.err('The fleet registers no environment, so there is nothing to draw: register each with repo.addEnvironment(env, clusterDirectory)\n');
    return 2;
  }
  const docs = fleetGraphDocuments(repo, options.envs.length > 0 ? options.envs : undefined);
  const outDir = path.resolve(repo.rootDir, options.out);
  const shown = (file: string) => path.relative(repo.rootDir, path.join(outDir, file)) || file;
  const stale = options.envs.length > 0 ? [] : generatedGraphs(outDir).filter(f => !docs.has(f));
  const changed = [...docs].filter(([file, content]) => read(path.join(outDir, file)) !== content);

  const foreign = changed.map(([file]) => file).filter(f => read(path.join(outDir, f))?.startsWith(GRAPH_MARKER) === false);
  if (foreign.length > 0) {
    io.err(`${foreign.map(shown).join(', ')} exist${foreign.length === 1 ? 's' : ''} but graph did not write ${foreign.length === 1 ? 'it' : 'them'} (no generated-file marker): move ${foreign.length === 1 ? 'it' : 'them'} away, or write the graphs elsewhere with --out\n`);
    return 2;
  }
  if (options.check) {
    if (changed.length === 0 && stale.length === 0) {
      io.out(`Fleet graphs are up to date (${docs.size} file${docs.size === 1 ? '' : 's'}).\n`);
      return 0;
    }
    for (const [file, content] of changed) {
      io.out(createTwoFilesPatch(`a/${shown(file)}`, `b/${shown(file)}`, read(path.join(outDir, file)) ?? '', content, undefined, undefined, { context: 3 }));
    }
    for (const file of stale) io.out(`stale: ${shown(file)} (its environment is gone)\n`);
    io.err(`\nThe fleet graphs are out of date: ${[...changed.map(([f]) => f), ...stale].map(shown).join(', ')}. Run \`npm run graph\` and commit the result.\n`);
    return 1;
  }
  fs.mkdirSync(outDir, { recursive: true });
  // never write through a symbolic link (it could point outside the repository), as the layout writer refuses too
  const linked = [outDir, ...changed.map(([file]) => path.join(outDir, file))].filter(p => fs.lstatSync(p, { throwIfNoEntry: false })?.isSymbolicLink());
  if (linked.length > 0) {
    io.err(`Refusing to write the fleet graphs: ${linked.map(p => path.relative(repo.rootDir, p)).join(', ')} ${linked.length === 1 ? 'is a symbolic link' : 'are symbolic links'}, which graph never writes through. Remove ${linked.length === 1 ? 'it' : 'them'}, or pass --out with a plain directory. Nothing was written.\n`);
    return 2;
  }
  for (const [file, content] of changed) fs.writeFileSync(path.join(outDir, file), content);
  for (const file of stale) fs.rmSync(path.join(outDir, file));
  io.out(`Fleet graphs in ${path.relative(repo.rootDir, outDir) || '.'}/: ${changed.length} written, ${stale.length} removed, ${docs.size - changed.length} unchanged.\n`);
  return 0;
}

function parseArgs(argv: readonly string[]): { check: boolean; envs: string[]; out: string } {
  const options = { check: false, envs: [] as string[], out: 'docs' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('-')) throw new GraphUsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--check': options.check = true; break;
      case '--verbose': break;
      case '--env': options.envs.push(value()); break;
      case '--out': options.out = value(); break;
      default: throw new GraphUsageError(`Unknown argument: ${flag}`);
    }
  }
  return options;
}

/** The `fleet-*.md` files in `dir` that graph wrote (they start with its marker); never anyone else's. */
function generatedGraphs(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true })
    .filter(e => e.isFile() && /^fleet-.+\.md$/.test(e.name) && read(path.join(dir, e.name))?.startsWith(GRAPH_MARKER))
    .map(e => e.name)
    .sort();
}

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
