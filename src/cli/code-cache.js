'use strict';
// A V8 code cache for every CommonJS module a fleet process loads (its own TypeScript, once
// transpiled, and its packages): what Node 22 offers as `module.enableCompileCache()`, for
// Node 20. Each module is compiled with the code V8 made for it in an earlier run, so a warm
// process neither parses nor compiles again, which is most of what loading costs.
//
// One cache file per entry script and Node version, in the transpile cache's directory
// (node_modules/.cache/cdk8s-flux/ts/v8/, git-ignored; at most 8 files), read only when that
// directory is this user's own and writable by nobody else. Entries are keyed by file name and the
// SHA-1 of the module's source, never by timestamps; V8 also refuses data made by another
// version or with other flags (`cachedDataRejected`), and such a module is simply compiled.
// A process that compiled anything without the cache writes the file anew at exit (atomically,
// keeping the entries of modules it did not load), with the code of the functions it ran.
//
// Off with CDK8S_FLUX_CODE_CACHE=0, and under a debugger or --enable-source-maps (Node's own
// compile step serves those). ES modules, and modules Node reports errors for, are compiled by
// Node. Node 22's own compile cache is used where it exists. Plain JavaScript: it runs before
// any TypeScript. One difference remains: a column on a module's first line is off by the
// length of the CommonJS wrapper in stack traces (as it was in Node before 12).
const crypto = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const MAGIC = 'cdk8s-flux-v8-cache-1\n';

/** The cache of this process: entries read at start, scripts compiled since, whether to write at exit. */
let state;
/** What this process found: modules compiled with cached code, and without (no entry, or rejected). */
const stats = { cached: 0, compiled: 0, written: false, native: false };

/** The index of a cache file and its data: file → { sha1, offset, length } within `data`. */
function readCacheFile(file) {
  try {
    const buf = fs.readFileSync(file);
    const head = buf.indexOf(10, MAGIC.length);
    if (buf.toString('latin1', 0, MAGIC.length) !== MAGIC || head < 0) return undefined;
    const index = JSON.parse(buf.toString('utf8', MAGIC.length, head));
    const data = buf.subarray(head + 1);
    // a torn file (a full disk) has less data than its index says
    const end = Object.values(index).reduce((m, e) => Math.max(m, e.offset + e.length), 0);
    return end <= data.length ? { index, data } : undefined;
  } catch {
    return undefined;
  }
}

function sha1(text) {
  return crypto.hash ? crypto.hash('sha1', text) : crypto.createHash('sha1').update(text).digest('hex');
}

/** `require` as Node gives it to a module (see Node's makeRequireFunction). */
function makeRequire(mod) {
  const require = function require(id) {
    return mod.require(id);
  };
  require.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
  require.resolve.paths = request => Module._resolveLookupPaths(request, mod);
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

const originalCompile = Module.prototype._compile;

/**
 * A dynamic import(), which only Node's own compile step can serve (vm's default loader does not
 * survive cached data); also with a comment between `import` and its parenthesis.
 */
const DYNAMIC_IMPORT = /\bimport\s*(\(|\/[*/])/;

function compileCached(content, filename, format) {
  // an ES module (require(esm), Node 20.19+), a module without a file, or one that imports
  // dynamically: compiled by Node itself
  if ((format !== undefined && format !== 'commonjs') || typeof filename !== 'string' || !path.isAbsolute(filename) || DYNAMIC_IMPORT.test(content)) {
    return originalCompile.apply(this, arguments);
  }
  const source = content.startsWith('#!') ? `//${content.slice(2)}` : content; // a shebang is only valid first
  const hash = sha1(source);
  const known = state.entries?.index[filename];
  const cachedData = known && known.sha1 === hash ? state.entries.data.subarray(known.offset, known.offset + known.length) : undefined;
  let script;
  try {
    script = new vm.Script(Module.wrap(source), { filename, cachedData });
  } catch {
    // a syntax error (or ES module syntax Node detects) is Node's to report or handle
    return originalCompile.apply(this, arguments);
  }
  if (cachedData === undefined || script.cachedDataRejected) {
    state.dirty = true;
    stats.compiled++;
  } else {
    stats.cached++;
  }
  state.compiled.set(filename, { script, hash });
  const fn = script.runInThisContext({ displayErrors: true });
  const dirname = path.dirname(filename);
  return fn.call(this.exports, this.exports, makeRequire(this), this, filename, dirname);
}

/** Writes the cache anew: this run's modules (with the code they ran), and the entries of others it kept. */
function save() {
  if (!state.dirty) return;
  try {
    const index = {};
    const chunks = [];
    let offset = 0;
    const add = (file, hash, data) => {
      index[file] = { sha1: hash, offset, length: data.length };
      chunks.push(data);
      offset += data.length;
    };
    for (const [file, { script, hash }] of state.compiled) add(file, hash, script.createCachedData());
    for (const [file, e] of Object.entries(state.entries?.index ?? {})) {
      if (!state.compiled.has(file)) add(file, e.sha1, state.entries.data.subarray(e.offset, e.offset + e.length));
    }
    fs.mkdirSync(path.dirname(state.file), { recursive: true, mode: 0o700 });
    const tmp = `${state.file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, Buffer.concat([Buffer.from(`${MAGIC}${JSON.stringify(index)}\n`), ...chunks]), { mode: 0o600 });
    fs.renameSync(tmp, state.file);
    stats.written = true;
    prune(path.dirname(state.file), state.file);
  } catch {
    // a read-only or full cache directory only costs the next run its compile
  }
}

/** Cache files kept per directory (one per entry script and set of Node options): the least recently written go. */
const KEEP_FILES = 8;

function prune(dir, current) {
  const files = fs.readdirSync(dir).filter(f => f.endsWith('.bin')).map(f => path.join(dir, f))
    .map(f => ({ f, t: f === current ? Infinity : fs.statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => b.t - a.t);
  for (const { f } of files.slice(KEEP_FILES)) fs.rmSync(f, { force: true });
}

/**
 * Whether a cache directory can be trusted: code read from it runs in this process, so it must
 * be this user's own and writable by nobody else (a shared temporary directory is not).
 */
function trusted(dir) {
  if (typeof process.getuid !== 'function') return true;
  // the directory and its parent (whoever may rename the one may swap the other)
  return [dir, path.dirname(dir)].every(d => {
    const st = fs.lstatSync(d, { throwIfNoEntry: false });
    return st !== undefined && st.isDirectory() && (st.uid === process.getuid() || st.uid === 0) && (st.mode & 0o022) === 0;
  });
}

/** Whether this process is debugged or maps stack traces with Node's source maps, which Node's own compile step serves. */
function debuggedOrMapped() {
  const options = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
  return process.sourceMapsEnabled === true || /--(inspect|debug|enable-source-maps)/.test(options);
}

/**
 * Compiles every module loaded from now on through the code cache of `entry` (the script the
 * process runs), kept in `dir` (created for this user alone). Once per process. Node 22's own
 * compile cache is used where it exists.
 */
function enableCodeCache(dir, entry) {
  if (state || process.env.CDK8S_FLUX_CODE_CACHE === '0' || typeof vm.Script.prototype.createCachedData !== 'function' || debuggedOrMapped()) return;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    return; // a read-only place: no cache
  }
  if (!trusted(dir)) return;
  if (typeof Module.enableCompileCache === 'function') {
    Module.enableCompileCache(dir);
    stats.native = true;
    return;
  }
  const name = sha1(`${process.version}\0${process.arch}\0${process.execArgv.join(' ')}\0${path.resolve(entry)}`).slice(0, 16);
  const file = path.join(dir, `${name}.bin`);
  state = { file, entries: readCacheFile(file), compiled: new Map(), dirty: false };
  Module.prototype._compile = compileCached;
  process.once('exit', save);
}

module.exports = { enableCodeCache, stats };
