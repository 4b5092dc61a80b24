// Test-only helpers for the architecture test: the file-level import graph of `src/`, its import
// cycles (Tarjan SCCs) and the imports that break a layer map. Parses with the TypeScript compiler
// API (no regexes over source text), so comments, strings and template literals never fake an edge.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/** One relative import or re-export, resolved to a scanned file. */
export interface ImportEdge {
  /** Imported file (or module, in a {@link moduleGraph}), relative to the repository root, posix. */
  to: string;
  /** `import type`, `export type … from`, all specifiers `type`, or an `import('./x').T` type: erased at run time. */
  typeOnly: boolean;
  /** 1-based line of the import in the importing file. */
  line: number;
  /** Only in a {@link moduleGraph}: one file-level import that creates this module edge, and how many do. */
  via?: string;
}

/** Importing file → its imports. Every scanned file is a key, with `[]` when it imports nothing. */
export type ImportGraph = Map<string, ImportEdge[]>;

export interface LayerRule {
  name: string;
  /**
   * Folders (`src/core`: every file below it), files (`src/main.ts`) or one-segment patterns
   * (`src/*.ts`: the files directly in `src/`). The most specific entry wins when several match.
   */
  folders: string[];
  /** Names of the other layers whose files this layer's files may import (its own are always allowed). */
  mayImport: string[];
}

const toPosix = (p: string) => p.split(path.sep).join('/');

/** Every `.ts` file below `dir` (sorted, absolute), skipping `skipDir`. */
function listTsFiles(dir: string, skipDir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) {
        if (full !== skipDir) walk(full);
      } else if (entry.isFile() && entry.name.endsWith('.ts')) {
        out.push(full);
      }
    }
  };
  walk(dir);
  return out;
}

interface RawImport { specifier: string; typeOnly: boolean; pos: number }

const stringArg = (node: ts.Node | undefined): string | undefined =>
  node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;

/** The module specifiers a source file imports, with whether each import is type-only. */
function rawImports(sf: ts.SourceFile): RawImport[] {
  const found: RawImport[] = [];
  const add = (specifier: string | undefined, typeOnly: boolean, node: ts.Node) => {
    if (specifier !== undefined) found.push({ specifier, typeOnly, pos: node.getStart(sf) });
  };

  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      // `import './x'` has no clause (a side effect: a value edge). `import {} from './x'` counts as a value too.
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings : undefined;
      const typeOnly = !!clause && (clause.isTypeOnly ||
        (!clause.name && !!named && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly)));
      add(stringArg(node.moduleSpecifier), typeOnly, node);
      return;
    }
    if (ts.isExportDeclaration(node)) {
      // `export * from`, `export * as n from` are values; `export type {…} from` and all-`type` lists are not.
      const clause = node.exportClause;
      const typeOnly = node.isTypeOnly || (!!clause && ts.isNamedExports(clause) &&
        clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly));
      add(node.moduleSpecifier && stringArg(node.moduleSpecifier), typeOnly, node);
      return;
    }
    if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(stringArg(node.moduleReference.expression), node.isTypeOnly, node); // import x = require('./x')
      return;
    }
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(callee) && callee.text === 'require' && node.arguments.length === 1)) {
        add(stringArg(node.arguments[0]), false, node); // import('./x'), require('./x')
      }
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg)) add(stringArg(arg.literal), true, node); // type T = import('./x').T
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sf, visit);
  return found;
}

/** `./x` from `dir` → `x.ts`, `x/index.ts` (or `x.js` written for ESM → `x.ts`), if that file was scanned. */
function resolveRelative(fromDir: string, specifier: string, scanned: Set<string>): string | undefined {
  const base = path.resolve(fromDir, specifier);
  const candidates = [base, `${base}.ts`, path.join(base, 'index.ts')];
  if (/\.[cm]?js$/.test(base)) candidates.push(base.replace(/\.([cm]?)js$/, '.$1ts'));
  return candidates.find((c) => scanned.has(c));
}

/**
 * The import graph of every `.ts` file under `srcDir` except `<srcDir>/imports/` (generated L1 code).
 * Keys and targets are relative to the repository root (the parent of `srcDir`), posix. Only relative
 * specifiers are followed, and only edges between scanned files are kept: packages, `node:` builtins
 * and the generated `imports/` code are leaves that cannot take part in a cycle or a layer breach.
 */
export function importGraph(srcDir: string): ImportGraph {
  const src = path.resolve(srcDir);
  const root = path.dirname(src);
  const files = listTsFiles(src, path.join(src, 'imports'));
  const scanned = new Set(files);
  const rel = (abs: string) => toPosix(path.relative(root, abs));
  const graph: ImportGraph = new Map();
  for (const file of files) {
    const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const edges: ImportEdge[] = [];
    for (const imp of rawImports(sf)) {
      if (!imp.specifier.startsWith('.')) continue;
      const target = resolveRelative(path.dirname(file), imp.specifier, scanned);
      if (!target) continue;
      edges.push({ to: rel(target), typeOnly: imp.typeOnly, line: sf.getLineAndCharacterOfPosition(imp.pos).line + 1 });
    }
    graph.set(rel(file), edges);
  }
  return graph;
}

/** `src/<folder>` for a file in a folder of `src/`, the file itself for a top-level `src/*.ts`. */
export function moduleOf(file: string): string {
  const parts = file.split('/');
  return parts.length <= 2 ? file : parts.slice(0, 2).join('/');
}

/**
 * The file graph collapsed to top-level modules ({@link moduleOf}). Imports inside a module vanish;
 * each module edge is type-only only if every file import behind it is, and names one of them in `via`.
 */
export function moduleGraph(graph: ImportGraph): ImportGraph {
  const out: ImportGraph = new Map();
  const behind = new Map<string, { edge: ImportEdge; count: number }>();
  for (const from of [...graph.keys()].sort()) {
    const fromModule = moduleOf(from);
    if (!out.has(fromModule)) out.set(fromModule, []);
    for (const edge of graph.get(from)!) {
      const toModule = moduleOf(edge.to);
      if (toModule === fromModule) continue;
      const key = `${fromModule}\0${toModule}`;
      const example = `${from}:${edge.line} imports ${edge.to}${edge.typeOnly ? ' (type-only)' : ''}`;
      const seen = behind.get(key);
      if (!seen) {
        const moduleEdge: ImportEdge = { to: toModule, typeOnly: edge.typeOnly, line: edge.line, via: example };
        behind.set(key, { edge: moduleEdge, count: 1 });
        out.get(fromModule)!.push(moduleEdge);
      } else {
        seen.count++;
        if (seen.edge.typeOnly && !edge.typeOnly) { // show a value import: that is the one that really couples
          Object.assign(seen.edge, { typeOnly: false, line: edge.line, via: example });
        }
      }
    }
  }
  for (const { edge, count } of behind.values()) {
    if (count > 1) edge.via += ` (+${count - 1} more)`;
  }
  return out;
}

/** Sorted, de-duplicated successors of each node (nodes only reached as targets included). */
function adjacency(graph: ImportGraph): Map<string, string[]> {
  const adj = new Map<string, string[]>();
  for (const [from, edges] of graph) {
    adj.set(from, [...new Set(edges.map((e) => e.to))].sort());
    for (const e of edges) if (!graph.has(e.to) && !adj.has(e.to)) adj.set(e.to, []);
  }
  return adj;
}

/** Tarjan's strongly connected components, each sorted, in order of their smallest member. */
export function stronglyConnectedComponents(graph: ImportGraph): string[][] {
  const adj = adjacency(graph);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const sccs: string[][] = [];
  let next = 0;
  const connect = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of adj.get(v)!) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      sccs.push(scc.sort());
    }
  };
  for (const v of [...adj.keys()].sort()) if (!index.has(v)) connect(v);
  return sccs.sort((a, b) => a[0].localeCompare(b[0]));
}

/** The shortest closed path `[start, …, start]` inside `members` (breadth-first), if any. */
function shortestCycleThrough(adj: Map<string, string[]>, members: Set<string>, start: string): string[] | undefined {
  const parent = new Map<string, string>();
  const queue = [start];
  let last: string | undefined;
  for (let i = 0; i < queue.length && last === undefined; i++) {
    for (const w of adj.get(queue[i])!) {
      if (w === start) { last = queue[i]; break; }
      if (members.has(w) && !parent.has(w)) { parent.set(w, queue[i]); queue.push(w); }
    }
  }
  if (last === undefined) return undefined;
  const cycle = [start];
  for (let v = last; v !== start; v = parent.get(v)!) cycle.splice(1, 0, v);
  return [...cycle, start];
}

/**
 * One readable cycle per import cycle: each strongly connected component of more than one node, and
 * each self-import, as the closed path `[a, b, a]` — the shortest cycle through the component's
 * smallest member. A component may hold more cycles than the one shown; {@link formatCycle} names them.
 */
export function findCycles(graph: ImportGraph): string[][] {
  const adj = adjacency(graph);
  const cycles: string[][] = [];
  for (const scc of stronglyConnectedComponents(graph)) {
    const cycle = shortestCycleThrough(adj, new Set(scc), scc[0]);
    if (cycle && (scc.length > 1 || cycle.length === 2)) cycles.push(cycle);
  }
  return cycles;
}

/**
 * A cycle from {@link findCycles} as text: the path on one line, then each import in it (line number,
 * `(type-only)` when every import along that step is type-only), then the component's other members.
 */
export function formatCycle(graph: ImportGraph, cycle: string[]): string {
  const lines = [cycle.join(' -> ')];
  for (let i = 0; i + 1 < cycle.length; i++) {
    const edges = (graph.get(cycle[i]) ?? []).filter((e) => e.to === cycle[i + 1]);
    if (edges.length === 0) throw new Error(`formatCycle: ${cycle[i]} does not import ${cycle[i + 1]}`);
    const typeOnly = edges.every((e) => e.typeOnly);
    const shown = edges.find((e) => e.typeOnly === typeOnly)!;
    lines.push(shown.via !== undefined
      ? `    ${cycle[i]} -> ${cycle[i + 1]}: ${shown.via}`
      : `    ${cycle[i]}:${shown.line} imports ${cycle[i + 1]}${typeOnly ? ' (type-only)' : ''}`);
  }
  // The rest of the strongly connected component: the shortest cycle through each member not yet shown.
  const scc = stronglyConnectedComponents(graph).find((c) => c.includes(cycle[0])) ?? [];
  const adj = adjacency(graph);
  const shown = new Set(cycle);
  for (const member of scc) {
    if (shown.has(member)) continue;
    const other = shortestCycleThrough(adj, new Set(scc), member)!;
    other.forEach((m) => shown.add(m));
    lines.push(`    also: ${other.join(' -> ')}`);
  }
  return lines.join('\n');
}

/** Does a `folders` entry (folder, file or `*` pattern) match the file? Returns its specificity, or -1. */
function matchLength(entry: string, file: string): number {
  if (entry.includes('*')) {
    const pattern = new RegExp(`^${entry.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
    return pattern.test(file) ? entry.replace(/\*/g, '').length : -1;
  }
  const trimmed = entry.replace(/\/+$/, '');
  return file === trimmed || file.startsWith(`${trimmed}/`) ? trimmed.length + 1 : -1;
}

/** The layer that owns a file: the one with the most specific matching entry. */
function layerOf(file: string, layers: LayerRule[]): LayerRule | undefined {
  let best: LayerRule | undefined;
  let bestLength = -1;
  for (const layer of layers) {
    for (const entry of layer.folders) {
      const length = matchLength(entry, file);
      if (length > bestLength) {
        best = layer;
        bestLength = length;
      } else if (length === bestLength && length >= 0 && best !== layer) {
        throw new Error(`layer map: ${file} matches both layer "${best!.name}" and layer "${layer.name}" (entry ${entry})`);
      }
    }
  }
  return best;
}

/**
 * Every breach of the layer map: each file that belongs to no layer (new folders must be placed),
 * then each import of a file outside the importer's own layer and its `mayImport` layers.
 */
export function layerViolations(graph: ImportGraph, layers: LayerRule[]): string[] {
  const names = new Set(layers.map((l) => l.name));
  if (names.size !== layers.length) throw new Error('layer map: two layers share a name');
  for (const layer of layers) {
    const unknown = layer.mayImport.filter((n) => !names.has(n));
    if (unknown.length > 0) throw new Error(`layer map: layer "${layer.name}" may import unknown layer(s) ${unknown.join(', ')}`);
  }
  const files = [...new Set([...graph.keys(), ...[...graph.values()].flat().map((e) => e.to)])].sort();
  const owner = new Map(files.map((f) => [f, layerOf(f, layers)]));

  const unplaced = files.filter((f) => !owner.get(f))
    .map((f) => `${f} belongs to no layer: move it into a layer folder or add it to the layer map`);
  const breaches: string[] = [];
  for (const from of [...graph.keys()].sort()) {
    const layer = owner.get(from);
    if (!layer) continue; // reported above; its imports follow no rule until it is placed
    const allowed = [layer.name, ...layer.mayImport];
    const edges = [...graph.get(from)!].sort((a, b) => a.line - b.line || a.to.localeCompare(b.to));
    for (const edge of edges) {
      const target = owner.get(edge.to);
      if (target && allowed.includes(target.name)) continue;
      const head = `${from}:${edge.line} imports ${edge.to}${edge.typeOnly ? ' (type-only)' : ''}: `;
      if (!target) {
        breaches.push(`${head}the target belongs to no layer`);
        continue;
      }
      const allowedFolders = allowed.flatMap((n) => layers.find((l) => l.name === n)!.folders);
      breaches.push(`${head}layer "${layer.name}" may import only ${allowed.join(', ')} ` +
        `(allowed: ${allowedFolders.join(', ')}), not layer "${target.name}"`);
    }
  }
  return [...unplaced, ...breaches];
}
