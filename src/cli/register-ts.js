'use strict';
// Runs a fleet's TypeScript sources in this process, with no loader and no second process: a
// `require` hook for `.ts` that transpiles each file once (TypeScript's transpileModule, types
// stripped, CommonJS) and keeps the result in a cache keyed by the SHA-256 of the file's content
// and the compiler's version and options, never by timestamps. A cached file costs one read and
// one hash; only a changed file is transpiled again. The files keep their own paths (`__dirname`,
// stack traces through inline source maps), so the code behaves as under tsx.
//
// Plain JavaScript on purpose: it is what makes the TypeScript runnable (`node -r
// ./src/cli/register-ts.js src/main.ts`, and the cdk8s-flux bin, which loads it from lib/cli/).
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** Raised when a cache entry's format changes: old entries are then simply never read. */
const FORMAT = '1';
const COMPILER_OPTIONS = {
  target: 'ES2022', module: 'commonjs', esModuleInterop: true, inlineSourceMap: true, inlineSources: false,
  useDefineForClassFields: true,
};

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
  try {
    const code = fs.readFileSync(entry, 'utf8');
    // a torn or emptied entry (a full disk, a crash of an older writer) is transpiled again
    if (code.endsWith('\n//# cdk8s-flux-ts-cache-end\n')) {
      stats.hits++;
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
  const code = `${out.outputText}\n//# cdk8s-flux-ts-cache-end\n`;
  stats.transpiled++;
  try {
    fs.mkdirSync(path.dirname(entry), { recursive: true });
    const tmp = `${entry}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, entry); // readers see the whole entry or none
  } catch {
    // a read-only cache only costs the next run the transpile again
  }
  return code;
}

function compileTs(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  module._compile(transpiled(filename, source), filename);
}

/** Installs the hook (once per process) and turns on source maps for stack traces. */
function register() {
  if (require.extensions['.ts'] === compileTs) return;
  if (require.extensions['.ts'] === undefined) {
    require.extensions['.ts'] = compileTs;
    if (typeof process.setSourceMapsEnabled === 'function') process.setSourceMapsEnabled(true);
  }
}

register();

module.exports = { register, stats, cacheDirFor };
