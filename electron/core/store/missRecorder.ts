/**
 * Misses are counted in memory and written to the catalog in batches, off the request path: one
 * transaction a second at most, and at close. A write that finds the catalog busy (an import
 * committing) gives up at once and keeps the batch for the next try, so a request never waits
 * on the catalog's lock and nothing counted is lost to a busy moment.
 *
 * Memory is bounded: at most `pendingLimit` distinct misses wait for a write; a new one past that
 * is dropped, and every drop is counted (with why) and written with the batch.
 */
import { countedMiss } from './countedMiss';
import type { DroppedMisses, MissDropReason, MissOutcome, StoreMiss } from './store';

export interface MissBatch {
  misses: StoreMiss[];
  dropped: DroppedMisses[];
}

export interface MissSink {
  /**
   * Writes the batch in one transaction. Returns false, having written nothing, when the catalog is
   * busy and `wait` is false; with `wait` it waits for the lock as long as any other write would.
   */
  writeMisses(batch: MissBatch, wait: boolean): boolean;
}

export interface MissRecorderOptions {
  /** Distinct misses held in memory until the next write. Default 2000. */
  pendingLimit?: number;
  /** How long a miss waits in memory before the write that carries it. Default 1000 ms. */
  flushIntervalMs?: number;
}

export class MissRecorder {
  private readonly pending = new Map<string, StoreMiss>();
  private readonly dropped = new Map<MissDropReason, DroppedMisses>();
  private readonly pendingLimit: number;
  private readonly flushIntervalMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly sink: MissSink, options: MissRecorderOptions = {}) {
    this.pendingLimit = options.pendingLimit ?? 2000;
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
  }

  record(path: string, query: string, at: Date): MissOutcome {
    const time = at.toISOString();
    const counted = countedMiss(path, query);
    if ('probe' in counted) return 'probe';
    if ('invalid' in counted) return this.drop('invalid', time);
    // '@' never occurs in a module path, so the key is unambiguous.
    const key = `${counted.path}@${counted.query}`;
    const seen = this.pending.get(key);
    if (seen !== undefined) {
      seen.count++;
      if (time < seen.firstSeen) seen.firstSeen = time;
      if (time > seen.lastSeen) seen.lastSeen = time;
    } else if (this.pending.size >= this.pendingLimit) {
      return this.drop('over-cap', time);
    } else {
      this.pending.set(key, { path: counted.path, query: counted.query, count: 1, firstSeen: time, lastSeen: time });
    }
    this.schedule();
    return 'recorded';
  }

  /**
   * Writes what is pending in one transaction. Without `wait`, a busy catalog leaves everything
   * pending for the next try and returns false.
   */
  flush(wait: boolean): boolean {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0 && this.dropped.size === 0) return true;
    const written = this.sink.writeMisses({ misses: [...this.pending.values()], dropped: [...this.dropped.values()] }, wait);
    if (written) {
      this.pending.clear();
      this.dropped.clear();
    } else {
      this.schedule();
    }
    return written;
  }

  /** Writes what is pending, waiting for the catalog if it must, and stops the timer. */
  close(): void {
    this.flush(true);
  }

  private drop(reason: MissDropReason, time: string): MissOutcome {
    const seen = this.dropped.get(reason);
    if (seen === undefined) this.dropped.set(reason, { reason, count: 1, firstSeen: time, lastSeen: time });
    else {
      seen.count++;
      if (time < seen.firstSeen) seen.firstSeen = time;
      if (time > seen.lastSeen) seen.lastSeen = time;
    }
    this.schedule();
    return reason;
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      try {
        this.flush(false);
      } catch {
        // A failed write (a full disk) keeps the batch, bounded as ever, for the next try; close() reports it.
        this.schedule();
      }
    }, this.flushIntervalMs);
    // Pending misses never keep a process alive: whoever closes the store writes them.
    this.timer.unref();
  }
}
