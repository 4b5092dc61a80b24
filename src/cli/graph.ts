import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Diff from 'diff';
import { firstNonDirectory } from '../core/disk-scan';
import { GitOpsRepo } from '../fleet/gitops-repo';
import { fleetGraphFiles, GRAPH_MARKER } from '../graph/mermaid';
import { ExitCode, formatUsage, parseSpec } from './args';
import { GRAPH_COMMAND } from './command-specs';
import { Progress } from './progress';
import { SynthIo } from './synth';

export { GRAPH_COMMAND };

/** Help of the graph command. */
export const GRAPH_USAGE = formatUsage(GRAPH_COMMAND);

/** Runs the graph command; returns the exit code (0 written or up to date, 1 out of date with `--check`, 2 an error). */
export function runGraph(repo: GitOpsRepo, argv: readonly string[], io: SynthIo): number {
  let values;
  try {
    values = parseSpec(GRAPH_COMMAND, argv).values;
  } catch (e) {
    io.err(`${(e as Error).message}\n`);
    return ExitCode.ERROR;
  }
  if (values.help) {
    io.out(`${GRAPH_USAGE}\n`);
    return ExitCode.CLEAN;
  }
  const options = { check: values.check === true, envs: (values.env as string[] | undefined) ?? [], out: (values.out as string | undefined) ?? 'docs' };
  if (repo.environments.length === 0) {
    io.err('The fleet registers no environment, so there is nothing to draw: register each with repo.addEnvironment(env, clusterDirectory)\n');
    return ExitCode.ERROR;
  }
  const progress = new Progress(io);
  progress.step('synthesizing the fleet and drawing its graphs');
  const { documents: docs, warnings } = fleetGraphFiles(repo, options.envs.length > 0 ? options.envs : undefined);
  progress.done();
  for (const w of warnings) io.err(`warning: ${w}\n`);
  const outDir = path.resolve(repo.rootDir, options.out);
  // inside the repository, and reached through real directories only: a symbolic link on the way
  // (docs/ -> somewhere) would write outside it, and a dangling one fail with a raw ENOENT
  const escape = pathOutside(repo.rootDir, outDir);
  if (escape) {
    io.err(`Refusing to write the fleet graphs: ${escape}. Pass --out with a directory of the repository. Nothing was written.\n`);
    return ExitCode.ERROR;
  }
  const shown = (file: string) => path.relative(repo.rootDir, path.join(outDir, file)) || file;
  const stale = options.envs.length > 0 ? [] : generatedGraphs(outDir).filter(f => !docs.has(f));
  const changed = [...docs].filter(([file, content]) => read(path.join(outDir, file)) !== content);

  const foreign = changed.map(([file]) => file).filter(f => read(path.join(outDir, f))?.startsWith(GRAPH_MARKER) === false);
  if (foreign.length > 0) {
    io.err(`${foreign.map(shown).join(', ')} exist${foreign.length === 1 ? 's' : ''} but graph did not write ${foreign.length === 1 ? 'it' : 'them'} (no generated-file marker): move ${foreign.length === 1 ? 'it' : 'them'} away, or write the graphs elsewhere with --out\n`);
    return ExitCode.ERROR;
  }
  if (options.check) {
    if (changed.length === 0 && stale.length === 0) {
      io.out(`Fleet graphs are up to date (${docs.size} file${docs.size === 1 ? '' : 's'}).\n`);
      return ExitCode.CLEAN;
    }
    for (const [file, content] of changed) {
      // loaded here: a synth never needs it
      const { createTwoFilesPatch } = require('diff') as typeof Diff;
      io.out(createTwoFilesPatch(`a/${shown(file)}`, `b/${shown(file)}`, read(path.join(outDir, file)) ?? '', content, undefined, undefined, { context: 3 }));
    }
    for (const file of stale) io.out(`stale: ${shown(file)} (its environment is gone)\n`);
    io.err(`\nThe fleet graphs are out of date: ${[...changed.map(([f]) => f), ...stale].map(shown).join(', ')}. Run \`npm run graph\` and commit the result.\n`);
    return ExitCode.FINDINGS;
  }
  fs.mkdirSync(outDir, { recursive: true });
  // never write through a symbolic link (it could point outside the repository), as the layout writer refuses too
  const linked = [outDir, ...changed.map(([file]) => path.join(outDir, file))].filter(p => fs.lstatSync(p, { throwIfNoEntry: false })?.isSymbolicLink());
  if (linked.length > 0) {
    io.err(`Refusing to write the fleet graphs: ${linked.map(p => path.relative(repo.rootDir, p)).join(', ')} ${linked.length === 1 ? 'is a symbolic link' : 'are symbolic links'}, which graph never writes through. Remove ${linked.length === 1 ? 'it' : 'them'}, or pass --out with a plain directory. Nothing was written.\n`);
    return ExitCode.ERROR;
  }
  for (const [file, content] of changed) fs.writeFileSync(path.join(outDir, file), content);
  for (const file of stale) fs.rmSync(path.join(outDir, file));
  io.out(`Fleet graphs in ${path.relative(repo.rootDir, outDir) || '.'}/: ${changed.length} written, ${stale.length} removed, ${docs.size - changed.length} unchanged.\n`);
  return ExitCode.CLEAN;
}

/** Why `dir` is not a plain directory inside `root`, or undefined: outside it, or a symbolic link (or a file) on the way. */
function pathOutside(root: string, dir: string): string | undefined {
  const rel = path.relative(root, dir);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return `${dir} is outside the repository (${root})`;
  const blocked = firstNonDirectory(root, rel, true);
  if (!blocked) return undefined;
  return blocked.link ? `${blocked.path} is a symbolic link, which graph never writes through` : `${blocked.path} is not a directory`;
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
