/**
 * The catalog's checksum-database proofs: the tree heads every imported bundle carried and the
 * lookup records and hash tiles kept under sumdb/<db>/. Written only inside Catalog.recordImport's
 * transaction, so proofs appear together with the bundle's modules or not at all.
 */
import type { Tile } from '../../../shared/sumdb/tiles';
import type { SqliteConnection } from '../sqlite/sqliteDatabase';
import { ModFerryError } from '../errors/modferryError';

export interface ProofHead {
  db: string;
  size: number;
  hash: string;
  note: string;
}

/** A lookup record or hash tile; `path` is `sumdb/<db>/…`, in the bundle and in the store alike. */
export type ProofRecordFile =
  | { db: string; path: string; kind: 'lookup'; modulePath: string; version: string; recordId: number; size: number; sha256: string }
  | { db: string; path: string; kind: 'tile'; tile: Tile; size: number; sha256: string };

export interface HeldProof {
  path: string;
  size: number;
  sha256: string;
}

export interface HeldLookup extends HeldProof {
  recordId: number;
}

export interface HeldTile extends HeldProof {
  width: number;
}

export interface ProofCounts {
  /** Databases the store holds a tree head of. */
  databases: string[];
  /** Versions the store holds a .mod or .zip of, with and without a lookup record. */
  withProof: number;
  withoutProof: number;
}

/** Two tree heads of one size with different hashes: the database forked, or one was forged. */
export function forkError(head: ProofHead, heldHash: string, bundleId: string): ModFerryError {
  return new ModFerryError(
    'store',
    `the checksum database ${head.db} has two different tree heads of size ${head.size}: ${heldHash} in the store, ` +
      `${head.hash} in bundle ${bundleId}; one of them is forged or the database forked, so nothing was imported`,
    { entry: `sumdb/${head.db}/latest` },
  );
}

/** A lookup record or tile the store holds with other bytes: never the same database, grown. */
export function proofConflictError(proofPath: string, heldSha256: string, bundleSha256: string, bundleId: string): ModFerryError {
  const db = proofPath.split('/')[1] ?? '';
  return new ModFerryError(
    'store',
    `the checksum database ${db} in bundle ${bundleId} disagrees with the store: ${proofPath} has sha256 ${heldSha256} in the store, ` +
      `${bundleSha256} in the bundle; the database forked or one copy is forged, so nothing was imported`,
    { entry: proofPath },
  );
}

export class CatalogProofs {
  private readonly s;

  constructor(db: SqliteConnection) {
    this.s = {
      head: db.prepare<[string, number], ProofHead>('SELECT db, size, hash, note FROM sumdb_heads WHERE db = ? AND size = ?'),
      heads: db.prepare<[string], ProofHead>('SELECT db, size, hash, note FROM sumdb_heads WHERE db = ? ORDER BY size DESC'),
      databases: db.prepare<[], { db: string }>('SELECT DISTINCT db FROM sumdb_heads ORDER BY db'),
      replaceNote: db.prepare<[string, string, number, string]>('UPDATE sumdb_heads SET note = ? WHERE db = ? AND size = ? AND hash = ?'),
      insertHead: db.prepare<[string, number, string, string, string]>(
        'INSERT INTO sumdb_heads (db, size, hash, note, bundle_id) VALUES (?, ?, ?, ?, ?) ON CONFLICT (db, size) DO NOTHING',
      ),
      file: db.prepare<[string], HeldProof>('SELECT path, size, sha256 FROM sumdb_files WHERE path = ?'),
      insertFile: db.prepare<[string, string, string, string | null, string | null, number | null, number | null, number | null, number | null, number, string, string]>(
        `INSERT INTO sumdb_files (db, path, kind, module_path, version, record_id, tile_level, tile_index, tile_width, size, sha256, bundle_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      lookup: db.prepare<[string, string, string], HeldLookup>(
        `SELECT path, size, sha256, record_id AS recordId FROM sumdb_files
         WHERE kind = 'lookup' AND module_path = ? AND version = ? AND db = ?`,
      ),
      widestTile: db.prepare<[string, number, number, number], HeldTile>(
        `SELECT path, size, sha256, tile_width AS width FROM sumdb_files
         WHERE kind = 'tile' AND db = ? AND tile_level = ? AND tile_index = ? AND tile_width >= ?
         ORDER BY tile_width DESC LIMIT 1`,
      ),
      allFiles: db.prepare<[], HeldProof>('SELECT path, size, sha256 FROM sumdb_files ORDER BY path'),
      deleteFile: db.prepare<[string]>('DELETE FROM sumdb_files WHERE path = ?'),
      versionsWithProof: db.prepare<[], { n: number }>(
        `SELECT count(*) AS n FROM versions v JOIN modules m ON m.id = v.module_id
         WHERE EXISTS (SELECT 1 FROM files f WHERE f.version_id = v.id AND f.kind IN ('mod', 'zip'))
           AND EXISTS (SELECT 1 FROM sumdb_files s WHERE s.kind = 'lookup' AND s.module_path = m.path AND s.version = v.version)`,
      ),
      versionsWithout: db.prepare<[number], { path: string; version: string }>(
        `SELECT m.path, v.version FROM versions v JOIN modules m ON m.id = v.module_id
         WHERE EXISTS (SELECT 1 FROM files f WHERE f.version_id = v.id AND f.kind IN ('mod', 'zip'))
           AND NOT EXISTS (SELECT 1 FROM sumdb_files s WHERE s.kind = 'lookup' AND s.module_path = m.path AND s.version = v.version)
         ORDER BY m.path, v.version LIMIT ?`,
      ),
      unprovenHashes: db.prepare<[], { path: string; version: string; kind: 'mod' | 'zip'; h1: string }>(
        `SELECT m.path, v.version, f.kind, f.h1 FROM files f JOIN versions v ON v.id = f.version_id JOIN modules m ON m.id = v.module_id
         WHERE f.kind IN ('mod', 'zip')
           AND NOT EXISTS (SELECT 1 FROM sumdb_files s WHERE s.kind = 'lookup' AND s.module_path = m.path AND s.version = v.version)`,
      ),
      versionsWithoutCount: db.prepare<[], { n: number }>(
        `SELECT count(*) AS n FROM versions v JOIN modules m ON m.id = v.module_id
         WHERE EXISTS (SELECT 1 FROM files f WHERE f.version_id = v.id AND f.kind IN ('mod', 'zip'))
           AND NOT EXISTS (SELECT 1 FROM sumdb_files s WHERE s.kind = 'lookup' AND s.module_path = m.path AND s.version = v.version)`,
      ),
    };
  }

  databases(): string[] {
    return this.s.databases.all().map((row) => row.db);
  }

  head(db: string, size: number): ProofHead | undefined {
    return this.s.head.get(db, size);
  }

  /** The database's tree heads, newest (largest) first. */
  heads(db: string): ProofHead[] {
    return this.s.heads.all(db);
  }

  file(proofPath: string): HeldProof | undefined {
    return this.s.file.get(proofPath);
  }

  lookup(db: string, modulePath: string, version: string): HeldLookup | undefined {
    return this.s.lookup.get(modulePath, version, db);
  }

  /** The widest tile held at this place that is at least `width` wide: any such one holds the narrower as its prefix. */
  tile(db: string, tile: Tile): HeldTile | undefined {
    return this.s.widestTile.get(db, tile.level, tile.n, tile.width);
  }

  allFiles(): HeldProof[] {
    return this.s.allFiles.all();
  }

  counts(): ProofCounts {
    return {
      databases: this.databases(),
      withProof: this.s.versionsWithProof.get()?.n ?? 0,
      withoutProof: this.s.versionsWithoutCount.get()?.n ?? 0,
    };
  }

  /** Up to `limit` held versions (with a .mod or .zip) that have no lookup record, by path and version. */
  versionsWithoutProof(limit: number): Array<{ path: string; version: string }> {
    return this.s.versionsWithout.all(limit);
  }

  /** The h1 of every .mod and .zip held of a version that has no lookup record, in no particular order. */
  unprovenHashes(): Array<{ path: string; version: string; kind: 'mod' | 'zip'; h1: string }> {
    return this.s.unprovenHashes.all();
  }

  /** Within the caller's transaction: a head of a size already held must have its hash (else forkError). */
  insert(bundleId: string, heads: readonly ProofHead[], files: readonly ProofRecordFile[]): void {
    for (const head of heads) {
      const held = this.s.head.get(head.db, head.size);
      if (held !== undefined && held.hash !== head.hash) throw forkError(head, held.hash, bundleId);
      this.s.insertHead.run(head.db, head.size, head.hash, head.note, bundleId);
    }
    for (const file of files) {
      const held = this.s.file.get(file.path);
      if (held !== undefined) {
        if (held.sha256 !== file.sha256) throw proofConflictError(file.path, held.sha256, file.sha256, bundleId);
        continue;
      }
      if (file.kind === 'lookup') {
        this.s.insertFile.run(file.db, file.path, 'lookup', file.modulePath, file.version, file.recordId, null, null, null, file.size, file.sha256, bundleId);
      } else {
        this.s.insertFile.run(file.db, file.path, 'tile', null, null, null, file.tile.level, file.tile.n, file.tile.width, file.size, file.sha256, bundleId);
      }
    }
  }

  /** Puts a good copy of a head's note in place of a damaged one: a note of the same tree (size and root hash), which the caller has checked. */
  replaceNote(head: ProofHead): void {
    this.s.replaceNote.run(head.note, head.db, head.size, head.hash);
  }

  forget(proofPaths: readonly string[]): void {
    for (const proofPath of proofPaths) this.s.deleteFile.run(proofPath);
  }
}
