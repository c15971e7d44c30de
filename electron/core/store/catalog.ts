/**
 * Reads and writes of the store catalog. Every write that lands files is one transaction:
 * the bundle, its modules, versions and files appear together or not at all.
 */
import type { InventoryModule, StoredFileKind } from '../../../shared/roundtrip/inventory';
import type { UnmetRequest } from '../../../shared/bundle/manifest';
import { compare, sortVersions } from '../../../shared/gomod/semver';
import type { DroppedMisses, ImportedBundle, StoreMiss, StoreStats } from './store';
import { openCatalogDatabase, type CatalogOpenOptions } from './catalogSchema';
import type { SqliteConnection } from '../sqlite/sqliteDatabase';
import type { MissBatch } from './missRecorder';
import { checkBundleIdentity, type BundleIdentity } from './bundleIdentity';
import { CatalogProofs, type ProofHead, type ProofRecordFile } from './catalogProofs';

export interface CatalogFile {
  /** Relative, escaped path in the tree. */
  path: string;
  modulePath: string;
  version: string;
  kind: StoredFileKind;
  size: number;
  sha256: string;
  h1?: string;
}

export interface HeldFile {
  path: string;
  size: number;
  sha256: string;
}

export interface BundleRecord {
  bundleId: string;
  signer: string;
  /** Absent in the commit journal of an import made before manifest hashes were kept. */
  manifestSha256?: string;
  createdAt: string;
  importedAt: string;
}

/** A bundle's checksum-database proofs as recordImport records them. */
export interface ImportedProofs {
  heads: readonly ProofHead[];
  files: readonly ProofRecordFile[];
}

const NO_PROOFS: ImportedProofs = { heads: [], files: [] };

const KIND_ORDER: readonly StoredFileKind[] = ['info', 'mod', 'zip'];

/** One row kept up to date by triggers (catalogSchema), read by its key: no scan, whatever the store holds. */
export const STATS_SQL = 'SELECT modules, versions, bytes FROM store_counts WHERE id = 1';

export class Catalog {
  /** Opened without write access: every write below fails, so callers check this first. */
  readonly readOnly: boolean;
  /** Checksum-database proofs: tree heads, lookup records and hash tiles. */
  readonly proofs: CatalogProofs;
  private readonly db: SqliteConnection;
  private readonly statements;

  constructor(file: string, options: CatalogOpenOptions = {}) {
    this.db = openCatalogDatabase(file, options);
    this.readOnly = options.readOnly === true;
    const db = this.db;
    // A row that INSERT OR REPLACE deletes then fires the delete triggers, so the counts stay right.
    db.pragma('recursive_triggers = ON');
    this.proofs = new CatalogProofs(db);
    this.statements = {
      holdsFiles: db.prepare<[], { held: number }>('SELECT EXISTS (SELECT 1 FROM files) AS held'),
      fileByPath: db.prepare<[string], HeldFile>('SELECT path, size, sha256 FROM files WHERE path = ?'),
      file: db.prepare<[string, string, string], HeldFile>(
        `SELECT f.path, f.size, f.sha256 FROM files f
         JOIN versions v ON v.id = f.version_id JOIN modules m ON m.id = v.module_id
         WHERE m.path = ? AND v.version = ? AND f.kind = ?`,
      ),
      versionsHolding: db.prepare<[string, string, string], { version: string }>(
        `SELECT v.version FROM versions v JOIN modules m ON m.id = v.module_id
         WHERE m.path = ?
           AND EXISTS (SELECT 1 FROM files f WHERE f.version_id = v.id AND f.kind = ?)
           AND EXISTS (SELECT 1 FROM files f WHERE f.version_id = v.id AND f.kind = ?)`,
      ),
      allFiles: db.prepare<[], { modulePath: string; version: string; kind: StoredFileKind }>(
        `SELECT m.path AS modulePath, v.version, f.kind FROM files f
         JOIN versions v ON v.id = f.version_id JOIN modules m ON m.id = v.module_id`,
      ),
      allPaths: db.prepare<[], { path: string }>('SELECT path FROM files'),
      stats: db.prepare<[], StoreStats>(STATS_SQL),
      generation: db.prepare<[], { generation: number }>('SELECT generation FROM store_counts WHERE id = 1'),
      upsertModule: db.prepare<[string], { id: number }>(
        'INSERT INTO modules (path) VALUES (?) ON CONFLICT (path) DO UPDATE SET path = excluded.path RETURNING id',
      ),
      upsertVersion: db.prepare<[number, string], { id: number }>(
        `INSERT INTO versions (module_id, version) VALUES (?, ?)
         ON CONFLICT (module_id, version) DO UPDATE SET version = excluded.version RETURNING id`,
      ),
      insertFile: db.prepare<[number, string, string, number, string, string | null, string]>(
        'INSERT INTO files (version_id, kind, path, size, sha256, h1, bundle_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      // Only ever called for the bundle already recorded under this id, if any (checkBundleIdentity).
      upsertBundle: db.prepare<[string, string, string | null, string, string, number]>(
        `INSERT INTO bundles (bundle_id, signer, manifest_sha256, created_at, imported_at, files_added) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (bundle_id) DO UPDATE SET imported_at = excluded.imported_at, files_added = files_added + excluded.files_added,
           manifest_sha256 = coalesce(manifest_sha256, excluded.manifest_sha256)`,
      ),
      bundle: db.prepare<[string], BundleIdentity>('SELECT signer, manifest_sha256 AS manifestSha256 FROM bundles WHERE bundle_id = ?'),
      bundles: db.prepare<[], ImportedBundle>(
        `SELECT bundle_id AS bundleId, signer, created_at AS createdAt, imported_at AS importedAt, files_added AS filesAdded
         FROM bundles ORDER BY imported_at, bundle_id`,
      ),
      latestImports: db.prepare<[number], ImportedBundle & { files: number; bytes: number }>(
        `SELECT b.bundle_id AS bundleId, b.signer, b.created_at AS createdAt, b.imported_at AS importedAt, b.files_added AS filesAdded,
                count(f.path) AS files, coalesce(sum(f.size), 0) AS bytes
         FROM bundles b LEFT JOIN files f ON f.bundle_id = b.bundle_id
         GROUP BY b.bundle_id ORDER BY b.imported_at DESC, b.bundle_id LIMIT ?`,
      ),
      deleteFile: db.prepare<[string]>('DELETE FROM files WHERE path = ?'),
      deleteEmptyVersions: db.prepare('DELETE FROM versions WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.version_id = versions.id)'),
      deleteEmptyModules: db.prepare('DELETE FROM modules WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.module_id = modules.id)'),
      heldMisses: db.prepare<[], { misses: number }>('SELECT misses FROM store_counts WHERE id = 1'),
      addToMiss: db.prepare<[number, string, string, string, string]>(
        `UPDATE misses SET count = count + ?, first_seen = min(first_seen, ?), last_seen = max(last_seen, ?)
         WHERE path = ? AND query = ?`,
      ),
      insertMiss: db.prepare<[string, string, number, string, string]>(
        'INSERT INTO misses (path, query, count, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)',
      ),
      addDropped: db.prepare<[string, number, string, string]>(
        `INSERT INTO miss_drops (reason, count, first_seen, last_seen) VALUES (?, ?, ?, ?)
         ON CONFLICT (reason) DO UPDATE SET
           count = count + excluded.count,
           first_seen = min(first_seen, excluded.first_seen),
           last_seen = max(last_seen, excluded.last_seen)`,
      ),
      misses: db.prepare<[string], StoreMiss>(
        `SELECT path, query, count, first_seen AS firstSeen, last_seen AS lastSeen FROM misses
         WHERE last_seen >= ? ORDER BY path, query`,
      ),
      droppedMisses: db.prepare<[string], DroppedMisses>(
        `SELECT reason, count, first_seen AS firstSeen, last_seen AS lastSeen FROM miss_drops
         WHERE last_seen >= ? ORDER BY reason`,
      ),
      clearMisses: db.prepare('DELETE FROM misses'),
      clearMissesBefore: db.prepare<[string]>('DELETE FROM misses WHERE last_seen < ?'),
      clearDropped: db.prepare('DELETE FROM miss_drops'),
      clearDroppedBefore: db.prepare<[string]>('DELETE FROM miss_drops WHERE last_seen < ?'),
    };
  }

  fileByPath(treePath: string): HeldFile | undefined {
    return this.statements.fileByPath.get(treePath);
  }

  file(modulePath: string, version: string, kind: StoredFileKind): HeldFile | undefined {
    return this.statements.file.get(modulePath, version, kind);
  }

  /** Versions of the module holding both kinds of file (the same kind twice for one), in semver order. */
  versionsHolding(modulePath: string, kind: StoredFileKind, otherKind: StoredFileKind): string[] {
    return sortVersions(this.statements.versionsHolding.all(modulePath, kind, otherKind).map((row) => row.version));
  }

  inventory(): InventoryModule[] {
    const byVersion = new Map<string, InventoryModule>();
    for (const row of this.statements.allFiles.iterate()) {
      const key = `${row.modulePath}@${row.version}`;
      let version = byVersion.get(key);
      if (version === undefined) {
        version = { path: row.modulePath, version: row.version, files: [] };
        byVersion.set(key, version);
      }
      version.files.push(row.kind);
    }
    const held = [...byVersion.values()];
    for (const version of held) version.files.sort((a, b) => KIND_ORDER.indexOf(a) - KIND_ORDER.indexOf(b));
    return held.sort((a, b) => compareCodePoints(a.path, b.path) || compare(a.version, b.version) || compareCodePoints(a.version, b.version));
  }

  /** Whether any file is recorded: a catalog with none beside a tree with some was lost, not emptied. */
  holdsFiles(): boolean {
    return this.statements.holdsFiles.get()?.held === 1;
  }

  allPaths(): Set<string> {
    return new Set(this.statements.allPaths.all().map((row) => row.path));
  }

  stats(): StoreStats {
    const stats = this.statements.stats.get();
    if (stats === undefined) throw new Error('the catalog has no store_counts row: it was not opened through openCatalogDatabase');
    return stats;
  }

  /** Moves with every insert, change or removal of a file, whichever connection made it. */
  generation(): number {
    return this.statements.generation.get()?.generation ?? 0;
  }

  hasBundle(bundleId: string): boolean {
    return this.statements.bundle.get(bundleId) !== undefined;
  }

  /** Who signed the bundle recorded under this id, and its manifest's hash; undefined if none is. */
  bundleIdentity(bundleId: string): BundleIdentity | undefined {
    return this.statements.bundle.get(bundleId);
  }

  bundles(): ImportedBundle[] {
    return this.statements.bundles.all();
  }

  /** The latest imports, newest first, with the files the store holds from each and their size. */
  latestImports(limit: number): Array<ImportedBundle & { files: number; bytes: number }> {
    return this.statements.latestImports.all(limit);
  }

  /**
   * Records a bundle and the files it added, in one transaction. A bundle of the same id is
   * recorded again only if it is the same bundle: otherwise BundleIdentityError, and nothing changes.
   * Its proofs go in the same transaction: a tree head forking one held refuses it all (see CatalogProofs.insert).
   */
  recordImport(bundle: BundleRecord, files: readonly CatalogFile[], proofs: ImportedProofs = NO_PROOFS): void {
    this.db.transaction(() => {
      const s = this.statements;
      checkBundleIdentity(bundle.bundleId, s.bundle.get(bundle.bundleId), bundle);
      s.upsertBundle.run(bundle.bundleId, bundle.signer, bundle.manifestSha256 ?? null, bundle.createdAt, bundle.importedAt, files.length);
      for (const file of files) {
        const moduleId = s.upsertModule.get(file.modulePath)?.id;
        const versionId = moduleId === undefined ? undefined : s.upsertVersion.get(moduleId, file.version)?.id;
        if (versionId === undefined) throw new Error(`${file.path}: the catalog did not return a row id for ${file.modulePath}@${file.version}`);
        s.insertFile.run(versionId, file.kind, file.path, file.size, file.sha256, file.h1 ?? null, bundle.bundleId);
      }
      this.proofs.insert(bundle.bundleId, proofs.heads, proofs.files);
    })();
  }

  /** Forgets files (and the versions and modules left without any), in one transaction. */
  forgetFiles(treePaths: readonly string[]): void {
    if (treePaths.length === 0) return;
    this.db.transaction(() => {
      for (const treePath of treePaths) this.statements.deleteFile.run(treePath);
      this.statements.deleteEmptyVersions.run();
      this.statements.deleteEmptyModules.run();
    })();
  }

  /**
   * Adds a batch of misses in one transaction: counts to the misses already held, new rows while
   * fewer than `cap` are held, and the rest to the drops, as over the cap. Without `wait`, a catalog
   * another process is writing is not waited for: false comes back and nothing is written.
   * A miss is not worth a flush to the disk: a power cut may lose the latest second of them.
   */
  writeMisses(batch: MissBatch, cap: number, wait: boolean): boolean {
    const s = this.statements;
    const write = this.db.transaction(() => {
      let held = s.heldMisses.get()?.misses ?? 0;
      const overCap: DroppedMisses[] = [];
      for (const miss of batch.misses) {
        if (s.addToMiss.run(miss.count, miss.firstSeen, miss.lastSeen, miss.path, miss.query).changes > 0) continue;
        if (held < cap) {
          s.insertMiss.run(miss.path, miss.query, miss.count, miss.firstSeen, miss.lastSeen);
          held++;
        } else {
          overCap.push({ reason: 'over-cap', count: miss.count, firstSeen: miss.firstSeen, lastSeen: miss.lastSeen });
        }
      }
      for (const drop of [...batch.dropped, ...overCap]) s.addDropped.run(drop.reason, drop.count, drop.firstSeen, drop.lastSeen);
    });
    const busyTimeout: unknown = this.db.pragma('busy_timeout', { simple: true });
    const synchronous: unknown = this.db.pragma('synchronous', { simple: true });
    this.db.pragma('synchronous = NORMAL');
    if (!wait) this.db.pragma('busy_timeout = 0');
    try {
      write.immediate();
      return true;
    } catch (error) {
      const code: unknown = (error as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) return false;
      throw error;
    } finally {
      this.db.pragma(`busy_timeout = ${Number(busyTimeout)}`);
      this.db.pragma(`synchronous = ${Number(synchronous)}`);
    }
  }

  /** Misses last seen at or after `since` (an ISO 8601 time), or all. */
  misses(since = ''): StoreMiss[] {
    return this.statements.misses.all(since);
  }

  droppedMisses(since = ''): DroppedMisses[] {
    return this.statements.droppedMisses.all(since);
  }

  /** Forgets misses and drops last seen before `before` (an ISO 8601 time), or all, in one transaction. */
  clearMisses(before?: string): { misses: number; dropped: number } {
    return this.db.transaction(() => {
      const s = this.statements;
      if (before === undefined) return { misses: s.clearMisses.run().changes, dropped: s.clearDropped.run().changes };
      return { misses: s.clearMissesBefore.run(before).changes, dropped: s.clearDroppedBefore.run(before).changes };
    })();
  }

  close(): void {
    this.db.close();
  }

  /** Up to `limit` files whose tree path sorts after `afterPath`, in path order: a walk of the catalog in pages. */
  filesAfter(afterPath: string, limit: number): CheckedCatalogFile[] {
    return this.db
      .prepare<[string, number], CheckedCatalogFile>(
        `SELECT f.path, m.path AS modulePath, v.version, f.kind, f.size, f.sha256, f.bundle_id AS bundleId FROM files f
         JOIN versions v ON v.id = f.version_id JOIN modules m ON m.id = v.module_id
         WHERE f.path > ? ORDER BY f.path LIMIT ?`,
      )
      .all(afterPath, limit);
  }

  /** How many files the catalog lists and their total size. */
  fileTotals(): { files: number; bytes: number } {
    return this.db.prepare<[], { files: number; bytes: number }>('SELECT count(*) AS files, coalesce(sum(size), 0) AS bytes FROM files').get() ?? { files: 0, bytes: 0 };
  }

  /** Remembers the request lines a bundle says the online side could not meet (the bundle must be recorded). */
  recordUnmetRequests(bundleId: string, unmet: readonly UnmetRequest[]): void {
    const insert = this.db.prepare<[string, string, string, string, string]>(
      'INSERT INTO unmet_requests (bundle_id, path, version, reason, missing) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    );
    this.db.transaction(() => {
      for (const u of unmet) insert.run(bundleId, u.path, u.version, u.reason, u.missing);
    })();
  }

  /** Every unmet request of the imported bundles, in path and version order. */
  unmetRequests(): Array<UnmetRequest & { bundleId: string }> {
    return this.db
      .prepare<[], UnmetRequest & { bundleId: string }>(
        'SELECT path, version, reason, missing, bundle_id AS bundleId FROM unmet_requests ORDER BY path, version, bundle_id',
      )
      .all();
  }
}

/** A catalog file with the bundle that brought it, as the store check walks them. */
export interface CheckedCatalogFile {
  path: string;
  modulePath: string;
  version: string;
  kind: StoredFileKind;
  size: number;
  sha256: string;
  bundleId: string;
}

function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
