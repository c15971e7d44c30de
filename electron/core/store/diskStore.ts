/**
 * The store on disk: an escaped GOPROXY tree with its SQLite catalog (see storeLayout), in a
 * folder that carries the store's marker (see storeMarker).
 *
 * Opening a store never repairs it, so reading a store (serving it, listing it) changes none
 * of its files; an import repairs the store under the store lock before it adds anything.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { InventoryModule, StoredFileKind } from '../../../shared/roundtrip/inventory';
import { Catalog } from './catalog';
import { repairStore, type RepairReport } from './repairStore';
import { DEFAULT_MISS_CAP } from './countedMiss';
import { MissRecorder, type MissRecorderOptions } from './missRecorder';
import type { DroppedMisses, ImportedBundle, MissOutcome, MissQuery, MissSelection, ProofStore, Store, StoredFile, StoreMiss, StoreStats } from './store';
import { inspectStoreFolder, storeWritable, treeHoldsFiles } from './storeFolder';
import { StoreFolderError } from './storeFolderError';
import { defaultStoreDir, proofFile, storeLayout, treeFile, type StoreLayout } from './storeLayout';
import { readStoreMarker, writeStoreMarker } from './storeMarker';

/**
 * - `read`: the store must exist; nothing in it is created, moved or deleted (misses are still
 *   recorded in a writable catalog). Read-only media are opened read-only.
 * - `write`: for an import or a repair: a new or empty folder becomes a store; the store must
 *   be writable. The caller repairs it, under the store lock, before changing anything.
 */
export type StoreOpenMode = 'read' | 'write';

export interface OpenStoreOptions {
  mode: StoreOpenMode;
  /** Bounds on recorded misses (see MissRecorder); `cap` is how many distinct misses the catalog keeps. */
  misses?: MissRecorderOptions & { cap?: number };
}

export class DiskStore implements Store {
  readonly dir: string;
  readonly readOnly: boolean;
  readonly missCap: number;
  readonly proofs: ProofStore;
  private readonly missRecorder: MissRecorder;

  constructor(
    readonly layout: StoreLayout,
    readonly catalog: Catalog,
    misses: OpenStoreOptions['misses'] = {},
  ) {
    this.missCap = misses.cap ?? DEFAULT_MISS_CAP;
    this.missRecorder = new MissRecorder({ writeMisses: (batch, wait) => this.catalog.writeMisses(batch, this.missCap, wait) }, misses);
    this.dir = layout.dir;
    this.readOnly = catalog.readOnly;
    const held = catalog.proofs;
    const stored = <T extends { path: string; size: number; sha256: string }>(row: T | undefined): (T & StoredFile) | undefined =>
      row === undefined ? undefined : { ...row, file: proofFile(layout, row.path) };
    this.proofs = {
      databases: () => held.databases(),
      heads: (db) => held.heads(db),
      lookup: (db, modulePath, version) => stored(held.lookup(db, modulePath, version)),
      tile: (db, tile) => stored(held.tile(db, tile)),
    };
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

  /** Counts a miss in memory; a read-only store cannot write it and skips it (serve says so at start). */
  recordMiss(path: string, query: MissQuery, at: Date = new Date()): MissOutcome {
    if (this.readOnly) return 'read-only';
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

  /** See Catalog.latestImports. */
  latestImports(limit: number): Array<ImportedBundle & { files: number; bytes: number }> {
    return this.catalog.latestImports(limit);
  }

  /** Repairs the store (see repairStore); the caller holds the store lock. */
  async repair(): Promise<RepairReport> {
    if (this.readOnly) throw new StoreFolderError(this.dir, 'the store was opened read-only and cannot be repaired');
    return repairStore(this.layout, this.catalog);
  }

  close(): void {
    try {
      this.missRecorder.close();
    } finally {
      this.catalog.close();
    }
  }
}

/** Opens the store in dir, by default `<app data>/store`; see StoreOpenMode. */
export function openStore(dir: string | undefined, options: OpenStoreOptions): DiskStore {
  const layout = storeLayout(dir ?? defaultStoreDir());
  if (options?.mode === 'read') return openForReading(layout, options);
  if (options?.mode === 'write') return openForWriting(layout, options);
  throw new TypeError(`openStore: mode must be "read" or "write", got ${JSON.stringify(options?.mode)}`);
}

/**
 * The store in dir to read, or undefined when there is none yet (no folder, or an empty one): for
 * readers to whom a store not made yet is simply one that holds nothing (status, inventory).
 */
export function openStoreIfMade(dir: string | undefined, options: OpenStoreOptions & { mode: 'read' }): DiskStore | undefined {
  const kind = inspectStoreFolder(storeLayout(dir ?? defaultStoreDir())).kind;
  return kind === 'missing' || kind === 'empty' ? undefined : openStore(dir, options);
}

function openForReading(layout: StoreLayout, options: OpenStoreOptions): DiskStore {
  const folder = inspectStoreFolder(layout);
  const writable = storeWritable(layout);
  switch (folder.kind) {
    case 'missing':
    case 'empty':
      throw new StoreFolderError(layout.dir, 'no store there; import a bundle into it first, or give the right --store');
    case 'foreign':
      throw notAStore(layout);
    case 'unmarked-store':
      // A store from before the marker: adopted, when it can be written.
      if (writable) writeStoreMarker(layout.dir, layout.marker);
      break;
    case 'store':
      readStoreMarker(layout.dir, layout.marker);
  }
  if (!existsSync(layout.catalog)) throw catalogLost(layout, `${layout.catalog} is missing`, treeHoldsFiles(layout.tree));
  const catalog = new Catalog(layout.catalog, { readOnly: !writable });
  if (!catalog.holdsFiles() && treeHoldsFiles(layout.tree)) {
    catalog.close();
    throw catalogLost(layout, `${layout.catalog} lists no files`, true);
  }
  return new DiskStore(layout, catalog, options.misses);
}

function openForWriting(layout: StoreLayout, options: OpenStoreOptions): DiskStore {
  const folder = inspectStoreFolder(layout);
  if (folder.kind === 'foreign') throw notAStore(layout);
  if (folder.kind === 'missing') mkdirSync(layout.dir, { recursive: true });
  if (!storeWritable(layout)) throw new StoreFolderError(layout.dir, 'the store cannot be written here (read-only media, or no permission); nothing can be imported into it');
  if (folder.kind === 'store') readStoreMarker(layout.dir, layout.marker);
  else writeStoreMarker(layout.dir, layout.marker);
  const catalog = new Catalog(layout.catalog);
  try {
    mkdirSync(layout.tree, { recursive: true });
    mkdirSync(layout.staging, { recursive: true });
  } catch (error) {
    catalog.close();
    throw error;
  }
  return new DiskStore(layout, catalog, options.misses);
}

function notAStore(layout: StoreLayout): StoreFolderError {
  return new StoreFolderError(
    layout.dir,
    'not a ModFerry store (no modferry-store.json) and not empty, so ModFerry leaves it untouched; ' +
      'give --store the folder of an existing store, or a new or empty folder for a new one',
  );
}

function catalogLost(layout: StoreLayout, what: string, treeHasFiles: boolean): StoreFolderError {
  const fix = `Import a bundle into this store ('modferry import BUNDLE --store ${layout.dir}')`;
  return new StoreFolderError(
    layout.dir,
    treeHasFiles ? `${what} while tree/ holds files; nothing was changed. ${fix}: it rebuilds the catalog from tree/ first` : `${what}; nothing was changed. ${fix}`,
  );
}
