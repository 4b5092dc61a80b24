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
  /** The moves, in the journal's order: each staged file (`file`, absolute) and its `from`/`to` paths. */
  readonly moves: readonly { readonly file: string; readonly from: string; readonly to: string }[];
}

interface Stager {
  add(files: readonly StagedFile[]): void;
  end(journal?: JournalToWrite): StagedResult;
}

// plain JavaScript, shared by both ways: the worker thread runs it without the TypeScript hook
const WORKER_SCRIPT = path.join(__dirname, 'staging-worker.js');
const stagerClass = (): new (stagedDir: string, stat: boolean) => Stager => (require(WORKER_SCRIPT) as { Stager: new (stagedDir: string, stat: boolean) => Stager }).Stager;

/**
 * The files of one write, staged below `stagedDir` as they are added: inline, or on a worker
 * thread (`inWorker`; by default once `STAGING_WORKER_MIN_FILES` files were added). `finish`
 * waits for everything to be written, hashed and made durable.
 */
export class StagingQueue {
  private readonly pending: StagedFile[] = [];
  private added = 0;
  private worker?: { readonly port: MessagePort; readonly done: Int32Array };
  private result?: StagedResult;
  private failure?: { error: unknown };

  constructor(private readonly stagedDir: string, private readonly inWorker?: boolean) {}

  /** Number of files added. */
  public get size(): number {
    return this.added;
  }

  /** Stages a file (on the worker, in batches). */
  public add(file: StagedFile): void {
    this.pending.push(file);
    this.added++;
    if (this.inWorker === false || (this.inWorker === undefined && this.added < STAGING_WORKER_MIN_FILES)) return;
    this.worker ??= this.startWorker();
    if (this.pending.length >= BATCH) this.worker.port.postMessage({ files: this.pending.splice(0) });
  }

  /**
   * Waits until every file added is staged and, with `journal`, the journal written; all of it
   * durable. Throws the file-system error that stopped it.
   */
  public finish(journal?: JournalToWrite): StagedResult {
    if (this.result) return this.result;
    if (this.failure) throw this.failure.error;
    try {
      this.result = this.worker ? this.joinWorker(this.worker, journal) : this.stageInline(journal);
      return this.result;
    } catch (error) {
      this.failure = { error };
      throw error;
    }
  }

  private stageInline(journal?: JournalToWrite): StagedResult {
    const stager = new (stagerClass())(this.stagedDir, false);
    stager.add(this.pending.splice(0));
    return stager.end(journal);
  }

  private startWorker(): { port: MessagePort; done: Int32Array } {
    const done = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(WORKER_SCRIPT, { workerData: { cdk8sFluxStaging: true, stagedDir: this.stagedDir, done, port: port2 }, transferList: [port2] });
    worker.unref(); // it ends by itself once it has posted its result
    return { port: port1, done };
  }

  private joinWorker(worker: { port: MessagePort; done: Int32Array }, journal?: JournalToWrite): StagedResult {
    worker.port.postMessage({ files: this.pending.splice(0), end: true, journal });
    // the worker posts its result, then flips `done` (also when its thread exits any other way)
    Atomics.wait(worker.done, 0, 0);
    const message = receiveMessageOnPort(worker.port)?.message as { ok?: StagedResult; error?: Record<string, unknown> } | undefined;
    worker.port.close();
    if (message?.ok) return message.ok;
    if (message?.error) throw Object.assign(new Error(String(message.error.message)), message.error);
    throw new Error('the thread that staged the files ended without a result');
  }
}
