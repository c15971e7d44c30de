/**
 * The offline module store as its readers see it: the HTTP proxy, the request and inventory
 * writers, the desktop app. Files live in an escaped GOPROXY tree on disk; what the store
 * holds is decided by its catalog, so a file is only served once the import that brought
 * it has committed.
 */
import type { InventoryModule, StoredFileKind } from '../../../shared/roundtrip/inventory';

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

export interface Store {
  /** The store folder: `tree/`, `catalog.db` and `staging/` live in it. */
  readonly dir: string;
  /** The store cannot be written here (read-only media): recordMiss skips what it is given. */
  readonly readOnly: boolean;
  /** Versions whose .info and .mod are both held, lowest first in semver order: the answer to `@v/list`. */
  versions(path: string): string[];
  /** Versions whose .zip is held, lowest first in semver order. */
  zipVersions(path: string): string[];
  file(path: string, version: string, kind: StoredFileKind): StoredFile | undefined;
  /** Counts a request the store could not answer, for the next request file; nothing when readOnly. */
  recordMiss(path: string, query: MissQuery, at?: Date): void;
  /** Every recorded miss, by module path then query. */
  misses(): StoreMiss[];
  stats(): StoreStats;
  /** Every held version with the kinds of file held for it, by path then semver: what formatInventory takes. */
  inventory(): InventoryModule[];
  /** Bundles imported into this store, oldest import first. */
  bundles(): ImportedBundle[];
  close(): void;
}

