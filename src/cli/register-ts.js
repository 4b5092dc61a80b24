'use strict';
// Runs a fleet's TypeScript sources in this process, with no loader and no second process: a
// `require` hook for `.ts` that transpiles each file once (TypeScript's transpileModule, types
// stripped, CommonJS) and keeps the result in a cache keyed by the SHA-256 of the file's content
// and the compiler's version and options, never by timestamps. A cached file costs one read and
// one hash; only a changed file is transpiled again. The files keep their own paths (`__dirname`),
// and stack traces show the TypeScript lines (each entry's source map, read only when a stack
// names its file: Node's own source-map support would parse every map as each module loads).
//
// Plain JavaScript on purpose: it is what makes the TypeScript runnable (`node -r
// ./src/cli/register-ts.js src/main.ts`, and the cdk8s-flux bin, which loads it from lib/cli/).
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** Raised when a cache entry's format changes: old entries are then simply never read. */
const FORMAT = '2';
const COMPILER_OPTIONS = {
  target: 'ES2022', module: 'commonjs', esModuleInterop: true, sourceMap: true, useDefineForClassFields: true,
};
const END = '\n//# cdk8s-flux-ts-cache-end\n';
/** Source file → its cache entry's source map, for stack traces. */
const sourceMaps = new Map();
const parsedMaps = new Map();

let typescript;
let typescriptVersion;
const cacheDirs = new Map();
const stats = { hits: 0, transpiled: 0 };

/** The TypeScript compiler of the project that runs (else this package's own), loaded only when a file must be transpiled. */
function compiler(from) {
  if (!typescript) {
    let resolved;
    try {
      resolved = require.resolve('typescript', { paths: [from, process.cwd(), __dirname] });
    } catch {
      throw new Error('cdk8s-flux runs TypeScript fleet code with the project\'s own compiler: install it (npm install --save-dev typescript)');
    }
    typescript = require(resolved);
  }
  return typescript;
}

/** The compiler's version without loading it (its package.json), for the cache key. */
function compilerVersion(from) {
  if (typescriptVersion === undefined) {
    try {
      const pkg = require.resolve('typescript/package.json', { paths: [from, process.cwd(), __dirname] });
      typescriptVersion = JSON.parse(fs.readFileSync(pkg, 'utf8')).version;
    } catch {
      typescriptVersion = 'none';
    }
  }
  return typescriptVersion;
}

/**
 * Where transpiled files are kept: CDK8S_FLUX_TS_CACHE, else `node_modules/.cache/cdk8s-flux/ts`
 * of the nearest directory above the source that has a node_modules (git-ignored with it), else
 * the system's temporary directory.
 */
function cacheDirFor(file) {
  if (process.env.CDK8S_FLUX_TS_CACHE) return process.env.CDK8S_FLUX_TS_CACHE;
  const start = path.dirname(file);
  let dir = cacheDirs.get(start);
  if (dir !== undefined) return dir;
  for (let d = start; ; d = path.dirname(d)) {
    if (path.basename(d) !== 'node_modules' && isDirectory(path.join(d, 'node_modules'))) {
      dir = path.join(d, 'node_modules', '.cache', 'cdk8s-flux', 'ts');
      break;
    }
    if (path.dirname(d) === d) {
      dir = path.join(os.tmpdir(), `cdk8s-flux-ts-${typeof process.getuid === 'function' ? process.getuid() : 'user'}`);
      break;
    }
  }
  cacheDirs.set(start, dir);
  return dir;
}

function isDirectory(p) {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The JavaScript of a TypeScript file, from the cache or transpiled now (and cached, atomically). */
function transpiled(file, source) {
  const key = crypto.createHash('sha256')
    .update(`${FORMAT}\0${compilerVersion(path.dirname(file))}\0${JSON.stringify(COMPILER_OPTIONS)}\0${path.basename(file)}\0`)
    .update(source)
    .digest('hex');
  const dir = cacheDirFor(file);
  const entry = path.join(dir, key.slice(0, 2), `${key.slice(2)}.js`);
  const mapEntry = `${entry.slice(0, -3)}.map`;
  try {
    const code = fs.readFileSync(entry, 'utf8');
    // a torn or emptied entry (a full disk, a crash of an older writer) is transpiled again
    if (code.endsWith(END)) {
      stats.hits++;
      sourceMaps.set(file, mapEntry);
      return code;
    }
  } catch {
    // not cached yet
  }
  const ts = compiler(path.dirname(file));
  const out = ts.transpileModule(source, {
    fileName: path.basename(file),
    compilerOptions: { ...COMPILER_OPTIONS, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS },
    reportDiagnostics: false,
  });
  const code = `${out.outputText.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '')}${END}`;
  stats.transpiled++;
  try {
    fs.mkdirSync(path.dirname(entry), { recursive: true });
    // the map first: an entry's code is never there without its map
    writeAtomically(mapEntry, out.sourceMapText ?? '');
    writeAtomically(entry, code);
    sourceMaps.set(file, mapEntry);
  } catch {
    // a read-only cache only costs the next run the transpile again
  }
  return code;
}

/** A temporary file renamed into place: readers see the whole file or none. */
function writeAtomically(file, content) {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}

/** The TypeScript line and column (1-based) of a position in transpiled code, if its map says. */
function originalPosition(file, line, column) {
  let map = parsedMaps.get(file);
  if (map === undefined) {
    try {
      map = new (require('node:module').SourceMap)(JSON.parse(fs.readFileSync(sourceMaps.get(file), 'utf8')));
    } catch {
      map = null;
    }
    parsedMaps.set(file, map);
  }
  const found = map?.findEntry(line - 1, column - 1);
  return found && typeof found.originalLine === 'number' ? { line: found.originalLine + 1, column: found.originalColumn + 1 } : undefined;
}

/** Stack traces as V8 writes them, with the TypeScript positions of transpiled files. */
function prepareStackTrace(error, callSites) {
  let header;
  try {
    header = Error.prototype.toString.call(error);
  } catch {
    header = 'Error';
  }
  return [header, ...callSites.map(site => {
    let text = String(site);
    const file = site.getFileName();
    const line = site.getLineNumber();
    const column = site.getColumnNumber();
    if (file && sourceMaps.has(file) && line && column) {
      const at = originalPosition(file, line, column);
      if (at) text = text.replace(`${file}:${line}:${column}`, `${file}:${at.line}:${at.column}`);
    }
    return `    at ${text}`;
  })].join('\n');
}

function compileTs(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  module._compile(transpiled(filename, source), filename);
}

/** Installs the hook (once per process, unless another one handles `.ts`) and the mapping of stack traces. */
function register() {
  if (require.extensions['.ts'] !== undefined) return false;
  require.extensions['.ts'] = compileTs;
  if (Error.prepareStackTrace === undefined) Error.prepareStackTrace = prepareStackTrace;
  return true;
}

// A process whose work is done (its event loop empty) exits at once, with its exit code and its
// 'exit' listeners, rather than tearing down a heap of a few hundred modules first (~20 ms);
// not when the program listens for 'beforeExit' itself (it may have more to do).
process.on('beforeExit', () => {
  if (process.listenerCount('beforeExit') === 1) process.exit();
});

// the code V8 made for each module in an earlier run of this entry script (see code-cache.js);
// not under another loader (tsx), whose own compile step and source maps it would bypass
if (register() && process.argv[1]) require('./code-cache').enableCodeCache(path.join(cacheDirFor(path.resolve(process.argv[1])), 'v8'), process.argv[1]);

module.exports = { register, stats, cacheDirFor };
