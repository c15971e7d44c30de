/**
 * The store catalog's SQLite schema and how it is opened. Migrations are applied in order,
 * each in its own transaction together with the `PRAGMA user_version` it leads to, so a
 * catalog is always at exactly one schema version. Tables are STRICT and foreign keys are
 * enforced, so a bug writes nothing half-typed or dangling.
 */
import Database from 'better-sqlite3';

/** Migration n (0-based) takes a catalog from user_version n to n + 1. Never edit one that has shipped: append. */
export const CATALOG_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE modules (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE
  ) STRICT;

  CREATE TABLE versions (
    id INTEGER PRIMARY KEY,
    module_id INTEGER NOT NULL REFERENCES modules (id) ON DELETE CASCADE,
    version TEXT NOT NULL,
    UNIQUE (module_id, version)
  ) STRICT;

  CREATE TABLE bundles (
    bundle_id TEXT PRIMARY KEY,
    signer TEXT NOT NULL,
    created_at TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    files_added INTEGER NOT NULL CHECK (files_added >= 0)
  ) STRICT;

  CREATE TABLE files (
    version_id INTEGER NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('info', 'mod', 'zip')),
    -- The file's path in the tree, relative and escaped, e.g. github.com/!burnt!sushi/toml/@v/v1.2.0.zip
    path TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL CHECK (size >= 0),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    -- The go.sum hash: present exactly for .mod and .zip files.
    h1 TEXT CHECK ((kind = 'info') = (h1 IS NULL)),
    bundle_id TEXT NOT NULL REFERENCES bundles (bundle_id),
    PRIMARY KEY (version_id, kind)
  ) STRICT;

  CREATE INDEX files_by_bundle ON files (bundle_id);

  CREATE TABLE misses (
    path TEXT NOT NULL,
    -- A version, 'latest' or 'list'.
    query TEXT NOT NULL,
    count INTEGER NOT NULL CHECK (count > 0),
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    PRIMARY KEY (path, query)
  ) STRICT;
  `,
  `
  -- Request-file lines an imported bundle says the online side could not meet: left out of later request files.
  CREATE TABLE unmet_requests (
    bundle_id TEXT NOT NULL REFERENCES bundles (bundle_id),
    path TEXT NOT NULL,
    -- As the request file asked: a version or 'latest'.
    version TEXT NOT NULL,
    reason TEXT NOT NULL,
    missing TEXT NOT NULL,
    PRIMARY KEY (bundle_id, path, version)
  ) STRICT;
  `,
];

/** A catalog that cannot be opened or is not one this ModFerry can use; the message names the file. */
export class CatalogError extends Error {
  override name = 'CatalogError';
}

export function openCatalogDatabase(file: string): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (error) {
    throw new CatalogError(`${file}: cannot open the store catalog (${describe(error)})`, { cause: error });
  }
  try {
    // Another process (the proxy while an import runs) may hold the write lock for a moment.
    db.pragma('busy_timeout = 10000');
    db.pragma('journal_mode = WAL');
    // FULL: a committed import must survive a power cut, since its staging journal is deleted right after.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrateCatalog(db, file);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof CatalogError) throw error;
    throw new CatalogError(`${file}: not a usable store catalog (${describe(error)})`, { cause: error });
  }
}

export function migrateCatalog(db: Database.Database, file: string): void {
  const current = db.pragma('user_version', { simple: true });
  if (typeof current !== 'number') throw new CatalogError(`${file}: cannot read the catalog's schema version`);
  if (current > CATALOG_MIGRATIONS.length) {
    throw new CatalogError(
      `${file}: the catalog has schema version ${current}, this ModFerry knows up to ${CATALOG_MIGRATIONS.length}; ` +
        'it was written by a newer ModFerry, so use that one',
    );
  }
  for (let version = current; version < CATALOG_MIGRATIONS.length; version++) {
    const migration = CATALOG_MIGRATIONS[version] ?? '';
    db.transaction(() => {
      db.exec(migration);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
