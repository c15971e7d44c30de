/**
 * The store catalog's SQLite schema and how it is opened. Migrations are applied in order,
 * each in its own transaction together with the `PRAGMA user_version` it leads to, so a
 * catalog is always at exactly one schema version. Tables are STRICT and foreign keys are
 * enforced, so a bug writes nothing half-typed or dangling.
 */
import { pathToFileURL } from 'node:url';
import { SqliteDatabase, type SqliteConnection } from '../sqlite/sqliteDatabase';
import { errorMessage } from '../../../shared/errorMessage';

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
  // Counts kept by triggers, so /stats and the miss cap read one row whatever the store's size, and a
  // generation that moves with every change to files, which servers check their cached answers against.
  // The per-version and per-module counts hold their module id themselves (no foreign key): a file
  // deleted by a cascade after its version row is gone is still counted out.
  `
  CREATE TABLE store_counts (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    -- Modules and versions with at least one file.
    modules INTEGER NOT NULL,
    versions INTEGER NOT NULL,
    files INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    misses INTEGER NOT NULL,
    generation INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE version_file_counts (
    version_id INTEGER PRIMARY KEY,
    module_id INTEGER NOT NULL,
    files INTEGER NOT NULL CHECK (files >= 0)
  ) STRICT;

  CREATE TABLE module_file_counts (
    module_id INTEGER PRIMARY KEY,
    files INTEGER NOT NULL CHECK (files >= 0)
  ) STRICT;

  INSERT INTO version_file_counts (version_id, module_id, files)
    SELECT v.id, v.module_id, count(*) FROM files f JOIN versions v ON v.id = f.version_id GROUP BY v.id;
  INSERT INTO module_file_counts (module_id, files)
    SELECT module_id, sum(files) FROM version_file_counts GROUP BY module_id;
  INSERT INTO store_counts (id, modules, versions, files, bytes, misses, generation) VALUES (
    1,
    (SELECT count(*) FROM module_file_counts),
    (SELECT count(*) FROM version_file_counts),
    (SELECT count(*) FROM files),
    (SELECT coalesce(sum(size), 0) FROM files),
    (SELECT count(*) FROM misses),
    0
  );

  CREATE TRIGGER version_counted AFTER UPDATE OF files ON version_file_counts WHEN (OLD.files = 0) != (NEW.files = 0) BEGIN
    UPDATE store_counts SET versions = versions + iif(NEW.files = 0, -1, 1);
  END;

  CREATE TRIGGER module_counted AFTER UPDATE OF files ON module_file_counts WHEN (OLD.files = 0) != (NEW.files = 0) BEGIN
    UPDATE store_counts SET modules = modules + iif(NEW.files = 0, -1, 1);
  END;

  CREATE TRIGGER file_added AFTER INSERT ON files BEGIN
    INSERT OR IGNORE INTO version_file_counts (version_id, module_id, files) SELECT id, module_id, 0 FROM versions WHERE id = NEW.version_id;
    UPDATE version_file_counts SET files = files + 1 WHERE version_id = NEW.version_id;
    INSERT OR IGNORE INTO module_file_counts (module_id, files) SELECT module_id, 0 FROM version_file_counts WHERE version_id = NEW.version_id;
    UPDATE module_file_counts SET files = files + 1 WHERE module_id = (SELECT module_id FROM version_file_counts WHERE version_id = NEW.version_id);
    UPDATE store_counts SET files = files + 1, bytes = bytes + NEW.size, generation = generation + 1;
  END;

  CREATE TRIGGER file_removed AFTER DELETE ON files BEGIN
    UPDATE module_file_counts SET files = files - 1 WHERE module_id = (SELECT module_id FROM version_file_counts WHERE version_id = OLD.version_id);
    DELETE FROM module_file_counts WHERE files = 0 AND module_id = (SELECT module_id FROM version_file_counts WHERE version_id = OLD.version_id);
    UPDATE version_file_counts SET files = files - 1 WHERE version_id = OLD.version_id;
    DELETE FROM version_file_counts WHERE files = 0 AND version_id = OLD.version_id;
    UPDATE store_counts SET files = files - 1, bytes = bytes - OLD.size, generation = generation + 1;
  END;

  CREATE TRIGGER file_changed AFTER UPDATE ON files BEGIN
    UPDATE store_counts SET bytes = bytes - OLD.size + NEW.size, generation = generation + 1;
  END;

  -- The counts follow a file by its version: to move one, delete it and insert it again.
  CREATE TRIGGER file_stays_with_its_version BEFORE UPDATE OF version_id ON files WHEN NEW.version_id != OLD.version_id BEGIN
    SELECT RAISE(ABORT, 'a file row never moves to another version: delete it and insert it');
  END;

  CREATE TRIGGER miss_added AFTER INSERT ON misses BEGIN
    UPDATE store_counts SET misses = misses + 1;
  END;

  CREATE TRIGGER miss_removed AFTER DELETE ON misses BEGIN
    UPDATE store_counts SET misses = misses - 1;
  END;

  -- Requests not recorded as misses, by why: how many, and when the first and latest such came.
  CREATE TABLE miss_drops (
    reason TEXT PRIMARY KEY CHECK (reason IN ('invalid', 'over-cap')),
    count INTEGER NOT NULL CHECK (count > 0),
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
  ) STRICT;
  `,
  // A bundle's identity is its signer and manifest: bundles recorded before keep NULL.
  `
  ALTER TABLE bundles ADD COLUMN manifest_sha256 TEXT CHECK (manifest_sha256 IS NULL OR length(manifest_sha256) = 64);
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
  // Checksum-database proofs: the files live under sumdb/<db>/ beside tree/ (see storeLayout).
  `
  -- Every signed tree head an imported bundle carried, by database and size: the newest is the largest.
  CREATE TABLE sumdb_heads (
    db TEXT NOT NULL,
    size INTEGER NOT NULL CHECK (size >= 0),
    -- The root hash, base64 as the note writes it: one size with two hashes is a fork, refused on import.
    hash TEXT NOT NULL,
    -- The signed note, byte for byte as the database signed it.
    note TEXT NOT NULL,
    bundle_id TEXT NOT NULL REFERENCES bundles (bundle_id),
    PRIMARY KEY (db, size)
  ) STRICT;

  CREATE TABLE sumdb_files (
    -- As the bundle and the store name it: sumdb/<db>/lookup/<escaped path>@<escaped version> or sumdb/<db>/tile/8/<L>/<N>[.p/<W>].
    path TEXT PRIMARY KEY,
    db TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('lookup', 'tile')),
    module_path TEXT,
    version TEXT,
    record_id INTEGER,
    tile_level INTEGER,
    tile_index INTEGER,
    tile_width INTEGER CHECK (tile_width IS NULL OR tile_width BETWEEN 1 AND 256),
    size INTEGER NOT NULL CHECK (size >= 0),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    bundle_id TEXT NOT NULL REFERENCES bundles (bundle_id),
    CHECK ((kind = 'lookup') = (module_path IS NOT NULL AND version IS NOT NULL AND record_id IS NOT NULL)),
    CHECK ((kind = 'tile') = (tile_level IS NOT NULL AND tile_index IS NOT NULL AND tile_width IS NOT NULL))
  ) STRICT;

  CREATE INDEX sumdb_lookups ON sumdb_files (module_path, version) WHERE kind = 'lookup';
  CREATE INDEX sumdb_tiles ON sumdb_files (db, tile_level, tile_index, tile_width) WHERE kind = 'tile';
  `,
];

/** A catalog that cannot be opened or is not one this ModFerry can use; the message names the file. */
export class CatalogError extends Error {
  override name = 'CatalogError';
}

export interface CatalogOpenOptions {
  /**
   * Open without writing: no migration, no journal mode change. A catalog whose WAL side files
   * cannot be created (read-only media) is opened immutable, as a file nobody changes.
   */
  readOnly?: boolean;
}

export function openCatalogDatabase(file: string, options: CatalogOpenOptions = {}): SqliteConnection {
  let db: SqliteConnection;
  try {
    db = options.readOnly ? openReadOnly(file) : new SqliteDatabase(file);
  } catch (error) {
    throw new CatalogError(`${file}: cannot open the store catalog (${errorMessage(error)})`, { cause: error });
  }
  try {
    // Another process (the proxy while an import runs) may hold the write lock for a moment.
    db.pragma('busy_timeout = 10000');
    if (options.readOnly) {
      checkReadableSchema(db, file);
      return db;
    }
    db.pragma('journal_mode = WAL');
    // FULL: a committed import must survive a power cut, since its staging journal is deleted right after.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrateCatalog(db, file);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof CatalogError) throw error;
    throw new CatalogError(`${file}: not a usable store catalog (${errorMessage(error)})`, { cause: error });
  }
}

/** Tables every ModFerry catalog has had since its first schema. */
const FIRST_TABLES = ['bundles', 'files', 'misses', 'modules', 'versions'];

/**
 * The schema version of a file that is a ModFerry catalog, or undefined when it is not one
 * (not SQLite, empty, or without the catalog's tables). Reads only.
 */
export function modFerryCatalogVersion(file: string): number | undefined {
  let db: SqliteConnection;
  try {
    db = openReadOnly(file);
  } catch {
    return undefined;
  }
  try {
    const version = db.pragma('user_version', { simple: true });
    const tables = new Set(db.prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table'").all().map((row) => row.name));
    if (typeof version !== 'number' || version < 1 || !FIRST_TABLES.every((name) => tables.has(name))) return undefined;
    return version;
  } catch {
    return undefined;
  } finally {
    db.close();
  }
}

function openReadOnly(file: string): SqliteConnection {
  const db = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  try {
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    return db;
  } catch (error) {
    db.close();
    if ((error as { code?: unknown }).code !== 'SQLITE_CANTOPEN') throw error;
  }
  // A WAL catalog on read-only media: SQLite cannot create catalog.db-shm to read it normally.
  const immutable = new SqliteDatabase(`${pathToFileURL(file).href}?immutable=1`, { readonly: true, fileMustExist: true });
  try {
    immutable.prepare('SELECT count(*) FROM sqlite_schema').get();
    return immutable;
  } catch (error) {
    immutable.close();
    throw error;
  }
}

function checkReadableSchema(db: SqliteConnection, file: string): void {
  const current = db.pragma('user_version', { simple: true });
  if (typeof current !== 'number') throw new CatalogError(`${file}: cannot read the catalog's schema version`);
  if (current > CATALOG_MIGRATIONS.length) throw newerSchemaError(file, current);
  if (current < CATALOG_MIGRATIONS.length) {
    throw new CatalogError(
      `${file}: the catalog has schema version ${current}, this ModFerry needs ${CATALOG_MIGRATIONS.length}, and the store is read-only here; ` +
        'open it once where it is writable (any import updates it), or use the ModFerry that wrote it',
    );
  }
}

function newerSchemaError(file: string, current: number): CatalogError {
  return new CatalogError(
    `${file}: the catalog has schema version ${current}, this ModFerry knows up to ${CATALOG_MIGRATIONS.length}; ` +
      'it was written by a newer ModFerry, so use that one',
  );
}

export function migrateCatalog(db: SqliteConnection, file: string): void {
  const current = db.pragma('user_version', { simple: true });
  if (typeof current !== 'number') throw new CatalogError(`${file}: cannot read the catalog's schema version`);
  if (current > CATALOG_MIGRATIONS.length) throw newerSchemaError(file, current);
  for (let version = current; version < CATALOG_MIGRATIONS.length; version++) {
    const migration = CATALOG_MIGRATIONS[version] ?? '';
    db.transaction(() => {
      db.exec(migration);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
