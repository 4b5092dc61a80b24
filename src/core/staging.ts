// Staging the files of a layout write before its commit point (see tree-writer.ts). A large
// write stages on a worker thread that receives the files in batches while the main thread is
// still rendering and checking the fleet (the checks decide whether the staged files are ever
// committed), so that the disk's work overlaps with theirs; a small one stages inline, where
// starting a thread would cost more than the overlap saves.
import * as path from 'node:path';
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';

/** From this many files on, staging runs on a worker thread. */
export const STAGING_WORKER_MIN_FILES = 500;
/** Files handed to the worker at a time. */
const BATCH = 256;

/** One file to stage: its absolute staging path and its content. */
export interface StagedFile {
  readonly file: string;
  readonly content: string;
}

/** What an fstat of a staged file found once it was written. */
export interface StagedStat {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
}

/** What staging found, in the order the files were added. */
export interface StagedResult {
  /** Each file's SHA-256, hex. */
  readonly sha256: readonly string[];
  /** Each file's stat once written, when staged on the worker (it takes them off the main thread). */
  readonly stats?: readonly StagedStat[];
}

/**
 * The journal that will commit a write, written with the staged files and made durable with
 * them (one flush for both): each move's SHA-256 is the staged file's.
 */
export interface JournalToWrite {
  /** Absolute path of the temporary journal file (renamed at the commit point). */
  readonly file: string;
  /** The journal's other fields. */
  readonly body: Record<string, unknown>;
  /** The moves, in the journal's order: `from`/`to` paths, and the `index` of the staged file among those added. */
  readonly moves: readonly { readonly from: string; readonly to: string; readonly index: number }[];
}

interface Stager {
  add(files: readonly StagedFile[]): void;
  end(journal?: JournalToWrite): StagedResult;
}

interface StagingModule {
  Stager: new (stagedDir: string, stat: boolean) => Stager;
  WAITING: number;
  ABANDONED: number;
}

// plain JavaScript, shared by both ways: the worker thread runs it without the TypeScript hook
const WORKER_SCRIPT = path.join(__dirname, 'staging-worker.js');
const stagingModule = (): StagingModule => require(WORKER_SCRIPT) as StagingModule;

/** How long a worker may take to start before the files are staged inline instead (tests shorten it). @internal */
export const stagingOptions = { workerStartTimeoutMs: 10_000 };

/** How many staging threads were started (tests). @internal */
export const stagingStats = { workers: 0 };

interface StagingWorker {
  readonly worker: Worker;
  readonly port: MessagePort;
  /** [0]: WAITING, STARTED or ABANDONED (see staging-worker.js). */
  readonly state: Int32Array;
  readonly done: Int32Array;
  readonly cancel: Int32Array;
}

/**
 * The files of one write, staged below `stagedDir` as they are added: inline, or on a worker
 * thread (`inWorker`; by default once `STAGING_WORKER_MIN_FILES` files were added). `finish`
 * waits for everything to be written, hashed and made durable.
 */
export class StagingQueue {
  /** Every file added, in order (the worker's share too: kept to stage inline if the worker never starts). */
  private readonly all: StagedFile[] = [];
  /** Files not yet handed to the worker. */
  private pending: StagedFile[] = [];
  private worker?: StagingWorker;
  private result?: StagedResult;
  private failure?: { error: unknown };

  constructor(private readonly stagedDir: string, private readonly inWorker?: boolean) {}

  /** Number of files added. */
  public get size(): number {
    return this.all.length;
  }

  /** Stages a file (on the worker, in batches). */
  public add(file: StagedFile): void {
    this.all.push(file);
    this.pending.push(file);
    if (this.inWorker === false || (this.inWorker === undefined && this.all.length < STAGING_WORKER_MIN_FILES)) return;
    this.worker ??= this.startWorker();
    if (this.pending.length >= BATCH) this.flush(this.worker);
  }

  /**
   * Waits until every file added is staged and, with `journal`, the journal written; all of it
   * durable. Throws the file-system error that stopped it.
   */
  public finish(journal?: JournalToWrite): StagedResult {
    if (this.result) return this.result;
    if (this.failure) throw this.failure.error;
    try {
      this.result = (this.worker && this.joinWorker(this.worker, journal)) || this.stageInline(this.all, journal);
      return this.result;
    } catch (error) {
      this.failure = { error };
      throw error;
    }
  }

  /**
   * Stops staging: what is not written yet never is, and nothing is flushed. Returns once no
   * thread writes under the staging directory any more (the caller then removes it).
   */
  public cancel(): void {
    if (this.result || this.failure) return;
    this.failure = { error: new Error('staging was cancelled') };
    const worker = this.worker;
    if (!worker) return;
    Atomics.store(worker.cancel, 0, 1);
    if (!this.started(worker)) return; // it will never write
    worker.port.postMessage({ end: true });
    Atomics.wait(worker.done, 0, 0);
    worker.port.close();
  }

  private stageInline(files: readonly StagedFile[], journal?: JournalToWrite): StagedResult {
    const stager = new (stagingModule().Stager)(this.stagedDir, false);
    this.pending = [];
    stager.add(files);
    return stager.end(journal);
  }

  private flush(worker: StagingWorker): void {
    worker.port.postMessage({ files: this.pending });
    this.pending = [];
  }

  private startWorker(): StagingWorker {
    const shared = new Int32Array(new SharedArrayBuffer(12));
    const [state, done, cancel] = [shared.subarray(0, 1), shared.subarray(1, 2), shared.subarray(2, 3)];
    const { port1, port2 } = new MessageChannel();
    // none of the process's own options (a -r preload written for the main thread may break a worker)
    const worker = new Worker(WORKER_SCRIPT, { execArgv: [], workerData: { cdk8sFluxStaging: true, stagedDir: this.stagedDir, state, done, cancel, port: port2 }, transferList: [port2] });
    // its failures reach the main thread through `done` and its message; an 'error' event left
    // unheard would end the process
    worker.on('error', () => undefined);
    worker.unref(); // it ends by itself once it has posted its result
    stagingStats.workers++;
    return { worker, port: port1, state, done, cancel };
  }

  /** Whether the worker started; if it has not within the timeout, it is abandoned (it will then write nothing). */
  private started(worker: StagingWorker): boolean {
    const { WAITING, ABANDONED } = stagingModule();
    Atomics.wait(worker.state, 0, WAITING, stagingOptions.workerStartTimeoutMs);
    if (Atomics.compareExchange(worker.state, 0, WAITING, ABANDONED) !== WAITING) return Atomics.load(worker.state, 0) !== ABANDONED;
    void worker.worker.terminate();
    return false;
  }

  /** The worker's result, or undefined when it never started (the caller stages inline). */
  private joinWorker(worker: StagingWorker, journal?: JournalToWrite): StagedResult | undefined {
    if (!this.started(worker)) return undefined;
    worker.port.postMessage({ files: this.pending, end: true, journal });
    this.pending = [];
    // the worker posts its result, then flips `done` (its exit handler does, however it ends)
    Atomics.wait(worker.done, 0, 0);
    const message = receiveMessageOnPort(worker.port)?.message as { ok?: StagedResult; error?: Record<string, unknown> } | undefined;
    worker.port.close();
    if (message?.ok) return message.ok;
    if (message?.error) throw Object.assign(new Error(String(message.error.message)), message.error);
    throw new Error('the thread that staged the files ended without a result');
  }
}
