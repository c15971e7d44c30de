/**
 * The store on disk: an escaped GOPROXY tree with its SQLite catalog (see storeLayout).
 * Opening a store repairs it first, unless another process is importing into it right now
 * (that import repaired it when it started).
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { InventoryModule, StoredFileKind } from '../../../shared/roundtrip/inventory';
import { Catalog } from './catalog';
import { repairStore, type RepairReport } from './repairStore';
import { DEFAULT_MISS_CAP } from './countedMiss';
import { MissRecorder, type MissRecorderOptions } from './missRecorder';
import type { DroppedMisses, ImportedBundle, MissOutcome, MissQuery, MissSelection, Store, StoredFile, StoreMiss, StoreStats } from './store';
import { defaultStoreDir, storeLayout, treeFile, type StoreLayout } from './storeLayout';
import { tryLockStore } from './storeLock';

export interface OpenStoreOptions {
  /** Refuse to create a store where there is none (for commands that only read one). */
  mustExist?: boolean;
  /** Bounds on recorded misses (see MissRecorder); `cap` is how many distinct misses the catalog keeps. */
  misses?: MissRecorderOptions & { cap?: number };
}

export class DiskStore implements Store {
  readonly dir: string;
  readonly layout: StoreLayout;
  readonly catalog: Catalog;
  /** What the repair at opening found and fixed; undefined when another process was importing. */
  readonly repairedAtOpen: RepairReport | undefined;
  readonly missCap: number;
  private readonly missRecorder: MissRecorder;

  constructor(layout: StoreLayout, options: OpenStoreOptions = {}) {
    this.layout = layout;
    this.missCap = options.misses?.cap ?? DEFAULT_MISS_CAP;
    this.missRecorder = new MissRecorder({ writeMisses: (batch, wait) => this.catalog.writeMisses(batch, this.missCap, wait) }, options.misses);
    this.dir = layout.dir;
    mkdirSync(layout.dir, { recursive: true });
    this.catalog = new Catalog(layout.catalog);
    try {
      this.repairedAtOpen = this.repairIfIdle();
    } catch (error) {
      this.catalog.close();
      throw error;
    }
  }

  versions(path: string): string[] {
    return this.catalog.versionsHolding(path, 'info', 'mod');
  }

  zipVersions(path: string): string[] {
    return this.catalog.versionsHolding(path, 'zip', 'zip');
  }

  file(path: string, version: string, kind: StoredFileKind): StoredFile | undefined {
    const held = this.catalog.file(path, version, kind);
    return held === undefined ? undefined : { file: treeFile(this.layout, held.path), size: held.size, sha256: held.sha256 };
  }

  recordMiss(path: string, query: MissQuery, at: Date = new Date()): MissOutcome {
    return this.missRecorder.record(path, query, at);
  }

  /** Writes the misses held in memory now; without `wait`, gives up (false) if another process is writing the catalog. */
  flushMisses(wait = true): boolean {
    return this.missRecorder.flush(wait);
  }

  misses(selection: MissSelection = {}): StoreMiss[] {
    this.missRecorder.flush(true);
    return this.catalog.misses(selection.since?.toISOString());
  }

  droppedMisses(selection: MissSelection = {}): DroppedMisses[] {
    this.missRecorder.flush(true);
    return this.catalog.droppedMisses(selection.since?.toISOString());
  }

  clearMisses(before?: Date): { misses: number; dropped: number } {
    this.missRecorder.flush(true);
    return this.catalog.clearMisses(before?.toISOString());
  }

  stats(): StoreStats {
    return this.catalog.stats();
  }

  generation(): number {
    return this.catalog.generation();
  }

  inventory(): InventoryModule[] {
    return this.catalog.inventory();
  }

  bundles(): ImportedBundle[] {
    return this.catalog.bundles();
  }

  /** Repairs the store; the caller holds the store lock. */
  repair(): RepairReport {
    return repairStore(this.layout, this.catalog);
  }

  close(): void {
    try {
      this.missRecorder.close();
    } finally {
      this.catalog.close();
    }
  }

  private repairIfIdle(): RepairReport | undefined {
    const lock = tryLockStore(this.layout.lock);
    if (lock === undefined) return undefined;
    try {
      return this.repair();
    } finally {
      lock.release();
    }
  }
}

/** Opens (creating if need be) the store in dir, by default `<app data>/store`. */
export function openStore(dir: string = defaultStoreDir(), options: OpenStoreOptions = {}): DiskStore {
  const layout = storeLayout(dir);
  if (options.mustExist && !existsSync(layout.catalog)) {
    throw new Error(`${layout.dir}: no store there (no ${layout.catalog}); import a bundle into it first, or give the right --store`);
  }
  return new DiskStore(layout, options);
}
