/**
 * The offline module store as its readers see it: the HTTP proxy, the request and inventory
 * writers, the desktop app. Files live in an escaped GOPROXY tree on disk; what the store
 * holds is decided by its catalog, so a file is only served once the import that brought
 * it has committed.
 */
import type { InventoryModule, StoredFileKind } from '../../../shared/roundtrip/inventory';
import type { Tile } from '../../../shared/sumdb/tiles';

export type { StoredFileKind } from '../../../shared/roundtrip/inventory';

/** What a request the store could not answer asked for: a version, `latest` (@latest) or `list` (@v/list). */
export type MissQuery = string;

export interface StoredFile {
  /** Absolute path of the file in the store's tree. */
  file: string;
  size: number;
  /** Lower-case hex SHA-256 of the file. */
  sha256: string;
}

export interface StoreMiss {
  path: string;
  query: MissQuery;
  count: number;
  /** ISO 8601 UTC times of the first and the latest such request. */
  firstSeen: string;
  lastSeen: string;
}

/** Why a request was not recorded as a miss: not a module path and version, or past the cap on distinct misses. */
export type MissDropReason = 'invalid' | 'over-cap';

/**
 * What recordMiss did with a request: counted it (to be written with the next batch), skipped it
 * (a read-only store records nothing; a `probe` is the go command asking for a path prefix no module
 * can have, nothing to fetch), or dropped it, saying why.
 */
export type MissOutcome = 'recorded' | 'read-only' | 'probe' | MissDropReason;

/** Requests dropped instead of recorded as misses, for one reason. */
export interface DroppedMisses {
  reason: MissDropReason;
  count: number;
  /** ISO 8601 UTC times of the first and the latest such request. */
  firstSeen: string;
  lastSeen: string;
}

export interface MissSelection {
  /** Only misses (and drops) last seen at or after this time; their counts and first times still cover all time. */
  since?: Date;
}

export interface StoreStats {
  /** Modules with at least one file. */
  modules: number;
  /** Module versions with at least one file. */
  versions: number;
  /** Total size of the stored files. */
  bytes: number;
}

export interface ImportedBundle {
  bundleId: string;
  /** Fingerprint of the key that signed the bundle. */
  signer: string;
  /** When the bundle was made (its manifest's createdAt). */
  createdAt: string;
  /** When it was (last) imported. */
  importedAt: string;
  /** Files this bundle brought into the store. */
  filesAdded: number;
}

/**
 * The checksum-database proofs a store holds: every tree head its bundles carried (newest, i.e.
 * largest, first), the lookup records and the hash tiles, as files the catalog vouches for.
 */
export interface ProofStore {
  /** Databases the store holds a tree head of. */
  databases(): string[];
  heads(db: string): Array<{ size: number; note: string }>;
  lookup(db: string, modulePath: string, version: string): (StoredFile & { recordId: number }) | undefined;
  /** The widest tile held at the tile's place that is at least as wide: the asked-for tile is its prefix. */
  tile(db: string, tile: Tile): (StoredFile & { width: number }) | undefined;
}

export interface Store {
  /** Checksum-database proofs, kept under sumdb/ beside the tree. */
  readonly proofs: ProofStore;
  /** The store folder: `tree/`, `catalog.db` and `staging/` live in it. */
  readonly dir: string;
  /** The store cannot be written here (read-only media): recordMiss skips what it is given. */
  readonly readOnly: boolean;
  /** Versions whose .info and .mod are both held, lowest first in semver order: the answer to `@v/list`. */
  versions(path: string): string[];
  /** Versions whose .zip is held, lowest first in semver order. */
  zipVersions(path: string): string[];
  file(path: string, version: string, kind: StoredFileKind): StoredFile | undefined;
  /**
   * Counts a request the store could not answer, for the next request file. Held in memory and
   * written to the catalog in batches (see MissRecorder); never waits for the catalog.
   */
  recordMiss(path: string, query: MissQuery, at?: Date): MissOutcome;
  /** Recorded misses (those still in memory written first), by module path then query. */
  misses(selection?: MissSelection): StoreMiss[];
  /** Requests dropped instead of recorded, by reason. */
  droppedMisses(selection?: MissSelection): DroppedMisses[];
  /** Forgets recorded and dropped misses, all or those last seen before a time; returns how many rows went. */
  clearMisses(before?: Date): { misses: number; dropped: number };
  /** The cap on distinct misses the catalog keeps. */
  readonly missCap: number;
  /** Counts kept as files come and go: the same cost whatever the store holds. */
  stats(): StoreStats;
  /** A number that changes whenever the store's files change, in this process or another: what cached answers are checked against. */
  generation(): number;
  /** Every held version with the kinds of file held for it, by path then semver: what formatInventory takes. */
  inventory(): InventoryModule[];
  /** Bundles imported into this store, oldest import first. */
  bundles(): ImportedBundle[];
  close(): void;
}

