/**
 * Module zip checks (inspectModuleZip) on worker threads. Inflating a zip's files and hashing
 * them is most of the CPU time of verifying a bundle of source zips, and on one thread it
 * also stops the volume being read; on workers it runs on every core while the volume is read.
 *
 * Workers start on the first check, up to the pool's size (zipCheckWorkersFor: as many as the
 * zips to check are worth, possibly none), and run until close(). A worker that dies rejects the checks it
 * held, and the next check starts a new one.
 */
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ModuleVersion } from '../../../shared/gomod/moduleZipRules';
import { unpackedPath } from '../asar/unpackedPath';
import { inspectModuleZip, type InspectOptions } from './inspectModuleZip';
import { isAbortError, ModuleZipError } from './moduleZipError';

/** What the pool sends a worker: one inspectModuleZip call. */
export interface ZipCheckRequest {
  id: number;
  zipFile: string;
  mod: ModuleVersion;
  options: InspectOptions;
}

/** A worker's answer to one request: the zip's h1, the ModuleZipError's parts, or another error's message. */
export type ZipCheckAnswer =
  | { id: number; h1: string }
  | { id: number; zipError: { file: string; reason: string; entry?: string } }
  | { id: number; error: string };

/**
 * Checks sent to a worker before it has answered: it runs them one after another, and has the
 * next at hand when it finishes one, though this thread (busy reading the volume, or not
 * scheduled on a busy machine) has not yet seen its answer.
 */
const CHECKS_PER_WORKER = 8;

/**
 * At most one worker per core: the main thread only reads the volume, parses it and hashes it,
 * which is little next to inflating and hashing every file of every zip, so it shares a core.
 * A worker more than the cores only adds its start-up.
 */
export function defaultZipCheckWorkers(): number {
  return os.availableParallelism();
}

/**
 * Zips, in bytes, that one more worker needs to pay for itself: starting one takes tens of
 * milliseconds, and its code runs slowly until it has warmed up. A check in this thread has
 * only this thread (zips are inflated on the thread that checks them), so a bundle of source
 * zips gains a worker from a few MiB of them on.
 */
const ZIP_BYTES_PER_WORKER = 8 * 1024 * 1024;

/**
 * Workers worth starting for zips whose checks can overlap the reading of this many bytes of
 * other zips: one per ZIP_BYTES_PER_WORKER, up to one per core, and none below that, when the
 * checks run in this thread. The caller leaves the largest zip out: the reading it could overlap
 * comes after it, and a bundle that is mostly one big zip only pays a worker's start-up (as
 * the benchmark's bundle of two incompressible zips, 100 MiB and 1 MiB, shows).
 */
export function zipCheckWorkersFor(overlappingZipBytes: number): number {
  return Math.min(defaultZipCheckWorkers(), Math.floor(overlappingZipBytes / ZIP_BYTES_PER_WORKER));
}

/**
 * The worker's file, next to this one: `.js` in the build; `.ts` when run from the sources
 * under a TypeScript loader (`node --import tsx`), which worker threads inherit with execArgv.
 * In the packaged app, its unpacked copy beside the asar archive.
 */
export const ZIP_CHECK_WORKER_FILE = unpackedPath(path.join(__dirname, `zipCheckWorker${path.extname(__filename)}`));

/** Worker threads of every pool in this process that have not exited yet. */
let workersRunning = 0;

export function zipCheckWorkersRunning(): number {
  return workersRunning;
}

interface PendingCheck {
  request: ZipCheckRequest;
  resolve: (h1: string) => void;
  reject: (error: Error) => void;
}

interface PoolWorker {
  thread: Worker;
  /** The checks sent to it and not yet answered, by request id. */
  held: Map<number, PendingCheck>;
  /** Why it stopped, when an uncaught error stopped it. */
  failure?: string;
  /** Settles once the thread has exited and its checks have been rejected. */
  exited: Promise<void>;
}

export class ZipCheckPool {
  private readonly workers = new Set<PoolWorker>();
  private readonly waiting: PendingCheck[] = [];
  private readonly bootstrap: URL;
  private nextId = 1;
  private closed = false;
  /** A pool of size 0: the checks running in this thread, and what stops them. */
  private readonly inThread = new Set<Promise<void>>();
  private readonly stopInThread = new AbortController();

  /**
   * `size` 0: every check runs in this thread, started at once. `workerFile`: zipCheckWorker, or
   * a file that loads it (tests use one that can be made to die).
   */
  constructor(
    readonly size: number = defaultZipCheckWorkers(),
    workerFile: string = ZIP_CHECK_WORKER_FILE,
  ) {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`a zip check pool's size is a whole number of workers, not ${size}`);
    this.bootstrap = bootstrapFor(workerFile);
  }

  /** Worker threads running now. */
  get workerCount(): number {
    return this.workers.size;
  }

  /**
   * inspectModuleZip on a worker: resolves with the zip's h1, or rejects with the ModuleZipError
   * it threw (the same file, reason and entry), or another Error with the same message.
   */
  check(zipFile: string, mod: ModuleVersion, options: InspectOptions = {}): Promise<{ h1: string }> {
    const request: ZipCheckRequest = { id: this.nextId++, zipFile, mod: { path: mod.path, version: mod.version }, options: sendable(options) };
    if (this.closed) return Promise.reject(closedError(request));
    if (this.size === 0) return this.checkInThread(request, options);
    return new Promise<string>((resolve, reject) => {
      this.waiting.push({ request, resolve, reject });
      this.dispatch();
    }).then((h1) => ({ h1 }));
  }

  /**
   * Rejects the checks not yet answered and stops every worker (or every check in this thread);
   * resolves once they have all stopped, so no file is read after it.
   */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      for (const pending of this.waiting.splice(0)) pending.reject(closedError(pending.request));
      for (const worker of this.workers) void worker.thread.terminate();
      this.stopInThread.abort();
    }
    await Promise.all([...[...this.workers].map((worker) => worker.exited), ...this.inThread]);
  }

  private checkInThread(request: ZipCheckRequest, options: InspectOptions): Promise<{ h1: string }> {
    const check = inspectModuleZip(request.zipFile, request.mod, { ...options, signal: this.stopInThread.signal }).then(
      ({ h1 }) => ({ h1 }),
      (error: unknown) => {
        throw this.closed && isAbortError(error) ? closedError(request) : error;
      },
    );
    const settled = check.then(
      () => undefined,
      () => undefined,
    );
    this.inThread.add(settled);
    void settled.then(() => this.inThread.delete(settled));
    return check;
  }

  /** Hands waiting checks to workers with room for them. */
  private dispatch(): void {
    while (this.waiting.length > 0) {
      const worker = this.nextWorker();
      if (worker === undefined) return;
      const pending = this.waiting.shift()!;
      worker.held.set(pending.request.id, pending);
      worker.thread.postMessage(pending.request);
    }
  }

  /** An idle worker, else a new one while the pool is below its size, else the least busy worker with room. */
  private nextWorker(): PoolWorker | undefined {
    let leastBusy: PoolWorker | undefined;
    for (const worker of this.workers) if (leastBusy === undefined || worker.held.size < leastBusy.held.size) leastBusy = worker;
    if (leastBusy?.held.size === 0) return leastBusy;
    return this.startWorker() ?? (leastBusy !== undefined && leastBusy.held.size < CHECKS_PER_WORKER ? leastBusy : undefined);
  }

  private startWorker(): PoolWorker | undefined {
    if (this.closed || this.workers.size >= this.size) return undefined;
    const thread = new Worker(this.bootstrap);
    workersRunning++;
    const held = new Map<number, PendingCheck>();
    const exited = new Promise<number>((resolve) => thread.once('exit', resolve)).then((code) => {
      workersRunning--;
      this.workers.delete(worker);
      for (const pending of held.values()) {
        pending.reject(this.closed ? closedError(pending.request) : stoppedError(pending.request, worker.failure ?? `exited with code ${code}`));
      }
      held.clear();
      this.dispatch();
    });
    const worker: PoolWorker = { thread, held, exited };
    this.workers.add(worker);
    thread.on('message', (answer: ZipCheckAnswer) => this.answered(worker, answer));
    thread.on('error', (error: Error) => (worker.failure = error.message));
    return worker;
  }

  private answered(worker: PoolWorker, answer: ZipCheckAnswer): void {
    const pending = worker.held.get(answer.id);
    if (pending === undefined) return;
    worker.held.delete(answer.id);
    if ('h1' in answer) pending.resolve(answer.h1);
    else if ('zipError' in answer) pending.reject(new ModuleZipError(answer.zipError.file, answer.zipError.reason, answer.zipError.entry));
    else pending.reject(new Error(answer.error));
    this.dispatch();
  }
}

/**
 * A worker is started through a one-line ES module that requires its file. A worker given a
 * `.ts` file directly is refused by Node's ESM loader, which does not see the TypeScript
 * loader's hooks in a worker (Node 20); `require` does, like any `.js`.
 */
function bootstrapFor(workerFile: string): URL {
  const load = `import { createRequire } from 'node:module'; createRequire(${JSON.stringify(pathToFileURL(workerFile).href)})(${JSON.stringify(workerFile)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(load)}`);
}

/**
 * The options as they are sent: a go.mod that is a view of a larger buffer is copied to its own,
 * since a message carries the whole of a view's underlying memory.
 */
function sendable({ expectedGoMod, range }: InspectOptions): InspectOptions {
  return {
    ...(expectedGoMod === undefined ? {} : { expectedGoMod: new Uint8Array(expectedGoMod) }),
    ...(range === undefined ? {} : { range: { offset: range.offset, length: range.length } }),
  };
}

function closedError({ zipFile }: ZipCheckRequest): Error {
  return new Error(`${zipFile}: not checked: the zip check pool was closed`);
}

function stoppedError({ zipFile }: ZipCheckRequest, why: string): Error {
  return new Error(`${zipFile}: not checked: its zip check worker stopped (${why})`);
}
