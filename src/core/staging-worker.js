'use strict';
// Stages the files of a layout write (see staging.ts): writes each one under the transaction's
// staging directory, hashes it, and at the end makes them all durable before the commit point.
// Loaded as a module by the main thread for a small write, and run as a worker thread's script
// for a large one, which receives the files in batches while the main thread still renders and
// checks (plain JavaScript: the thread must not need the TypeScript hook of the process).
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { isMainThread, workerData } = require('node:worker_threads');

/** Stages files one batch at a time; `end` makes them durable and returns what was found. */
class Stager {
  constructor(stagedDir, stat) {
    this.stagedDir = stagedDir;
    this.stat = stat;
    this.made = new Set();
    this.dirs = [];
    this.files = [];
    this.sha256 = [];
    this.stats = [];
  }

  /**
   * Writes every `{ file, content }` (creating its directory), hashing it and, with `stat`,
   * taking its fstat once written; stops early once `cancelled()` says so.
   */
  add(files, cancelled = () => false) {
    for (const { file, content } of files) {
      if (cancelled()) return;
      const dir = path.dirname(file);
      if (!this.made.has(dir)) {
        fs.mkdirSync(dir, { recursive: true });
        this.made.add(dir);
        this.dirs.push(dir);
      }
      const fd = fs.openSync(file, 'w');
      try {
        fs.writeFileSync(fd, content);
        if (this.stat) {
          const st = fs.fstatSync(fd);
          this.stats.push({ size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino });
        }
      } catch (e) {
        // a failed write names no path: the caller names the layout file it was for
        if (e.path === undefined) Object.assign(e, { path: file, stagedPath: true });
        throw e;
      } finally {
        fs.closeSync(fd);
      }
      this.files.push(file);
      this.sha256.push(crypto.hash ? crypto.hash('sha256', content, 'hex') : crypto.createHash('sha256').update(content).digest('hex'));
    }
  }

  /**
   * Writes the journal that will commit this write (`journal.file`, a temporary name the caller
   * renames at the commit point; each move's `sha256` that of the file staged at its `index`), then makes
   * it and every staged file durable. Returns each file's SHA-256 (hex) and, with `stat`, its
   * stat, in the order added.
   */
  end(journal) {
    if (journal) {
      const moves = journal.moves.map(m => ({ from: m.from, to: m.to, sha256: this.sha256[m.index] }));
      if (moves.some(m => m.sha256 === undefined)) throw new Error('internal: the journal names a file that was not staged');
      fs.mkdirSync(path.dirname(journal.file), { recursive: true });
      fs.writeFileSync(journal.file, JSON.stringify({ moves, ...journal.body }));
    }
    // the journal is flushed with the files (the commit point must never find it empty)
    const files = journal ? [...this.files, journal.file] : this.files;
    if (files.length > 0) syncStaged(this.stagedDir, files, this.dirs);
    return this.stat ? { sha256: this.sha256, stats: this.stats } : { sha256: this.sha256 };
  }
}


/**
 * Makes the staged files durable: one `sync -f` of their file system (Linux) rather than an
 * fsync per file, which dominates large writes; an fsync per file and per staged directory
 * where `sync -f` is not available.
 */
function syncStaged(stagedDir, files, dirs) {
  // GNU sync's -f is syncfs(2) of the file system of any file on it; elsewhere `sync` takes no
  // option, or returns before the data is on disk
  if (process.platform === 'linux' && spawnSync('sync', ['-f', files[0]], { stdio: 'ignore' }).status === 0) return;
  const fsync = p => {
    const fd = fs.openSync(p, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  };
  for (const file of files) fsync(file);
  const all = new Set();
  for (const dir of dirs) for (let d = dir; d.startsWith(stagedDir); d = path.dirname(d)) all.add(d);
  for (const dir of all) fsync(dir);
}

/** The worker's state word (`state[0]`): who won the start. */
const WAITING = 0;
const STARTED = 1;
const ABANDONED = 2;

if (!isMainThread && workerData && workerData.cdk8sFluxStaging) {
  const { stagedDir, state, done, cancel, port } = workerData;
  // the main thread may have given up waiting for this thread to start (a preload that broke
  // it, a machine too busy): then it stages inline, and this thread must write nothing
  if (Atomics.compareExchange(state, 0, WAITING, STARTED) === WAITING) {
    const flip = () => {
      Atomics.store(done, 0, 1);
      Atomics.notify(done, 0);
    };
    // the main thread waits for `done` once it has sent everything: it flips however this thread ends
    process.on('exit', flip);
    Atomics.notify(state, 0);
    const stager = new Stager(stagedDir, true);
    const cancelled = () => Atomics.load(cancel, 0) === 1;
    let failure;
    port.on('message', message => {
      try {
        if (message.files && !failure) stager.add(message.files, cancelled);
        if (!message.end) return;
        // cancelled: what was staged is thrown away, so it need not be flushed
        const result = failure || cancelled() ? undefined : stager.end(message.journal);
        // what the main thread needs to describe a file-system error (fs-errors.ts)
        port.postMessage(result ? { ok: result } : { error: failure ?? { message: 'cancelled' } });
      } catch (e) {
        failure = { message: e.message, code: e.code, path: e.path, syscall: e.syscall, errno: e.errno, stagedPath: e.stagedPath };
        if (!message.end) return;
        port.postMessage({ error: failure });
      }
      port.close();
      flip();
    });
  } else {
    port.close();
  }
}

module.exports = { Stager, WAITING, STARTED, ABANDONED };
