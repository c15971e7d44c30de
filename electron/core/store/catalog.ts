/**
 * Reads and writes of the store catalog. Every write that lands files is one transaction:
 * the bundle, its modules, versions and files appear together or not at all.
 */
import type Database from 'better-sqlite3';
import type { InventoryModule, StoredFileKind } from '../../../shared/roundtrip/inventory';
import type { UnmetRequest } from '../../../shared/bundle/manifest';
import { compare, sortVersions } from '../../../shared/gomod/semver';
import type { ImportedBundle, StoreMiss, StoreStats } from './store';
import { openCatalogDatabase } from './catalogSchema';

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
  createdAt: string;
  importedAt: string;
}

const KIND_ORDER: readonly StoredFileKind[] = ['info', 'mod', 'zip'];

export class Catalog {
  private readonly db: Database.Database;
  private readonly statements;

  constructor(file: string) {
    this.db = openCatalogDatabase(file);
    const db = this.db;
    this.statements = {
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
      stats: db.prepare<[], StoreStats>(
        `SELECT count(DISTINCT v.module_id) AS modules, count(DISTINCT v.id) AS versions, coalesce(sum(f.size), 0) AS bytes
         FROM files f JOIN versions v ON v.id = f.version_id`,
      ),
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
      upsertBundle: db.prepare<[string, string, string, string, number]>(
        `INSERT INTO bundles (bundle_id, signer, created_at, imported_at, files_added) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (bundle_id) DO UPDATE SET imported_at = excluded.imported_at, files_added = files_added + excluded.files_added`,
      ),
      bundle: db.prepare<[string], { bundleId: string }>('SELECT bundle_id AS bundleId FROM bundles WHERE bundle_id = ?'),
      bundles: db.prepare<[], ImportedBundle>(
        `SELECT bundle_id AS bundleId, signer, created_at AS createdAt, imported_at AS importedAt, files_added AS filesAdded
         FROM bundles ORDER BY imported_at, bundle_id`,
      ),
      deleteFile: db.prepare<[string]>('DELETE FROM files WHERE path = ?'),
      deleteEmptyVersions: db.prepare('DELETE FROM versions WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.version_id = versions.id)'),
      deleteEmptyModules: db.prepare('DELETE FROM modules WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.module_id = modules.id)'),
      recordMiss: db.prepare<[string, string, string, string]>(
        `INSERT INTO misses (path, query, count, first_seen, last_seen) VALUES (?, ?, 1, ?, ?)
         ON CONFLICT (path, query) DO UPDATE SET
           count = count + 1,
           first_seen = min(first_seen, excluded.first_seen),
           last_seen = max(last_seen, excluded.last_seen)`,
      ),
      misses: db.prepare<[], StoreMiss>(
        'SELECT path, query, count, first_seen AS firstSeen, last_seen AS lastSeen FROM misses ORDER BY path, query',
      ),
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

  allPaths(): Set<string> {
    return new Set(this.statements.allPaths.all().map((row) => row.path));
  }

  stats(): StoreStats {
    return this.statements.stats.get() ?? { modules: 0, versions: 0, bytes: 0 };
  }

  hasBundle(bundleId: string): boolean {
    return this.statements.bundle.get(bundleId) !== undefined;
  }

  bundles(): ImportedBundle[] {
    return this.statements.bundles.all();
  }

  /** Records a bundle and the files it added, in one transaction. */
  recordImport(bundle: BundleRecord, files: readonly CatalogFile[]): void {
    this.db.transaction(() => {
      const s = this.statements;
      s.upsertBundle.run(bundle.bundleId, bundle.signer, bundle.createdAt, bundle.importedAt, files.length);
      for (const file of files) {
        const moduleId = s.upsertModule.get(file.modulePath)?.id;
        const versionId = moduleId === undefined ? undefined : s.upsertVersion.get(moduleId, file.version)?.id;
        if (versionId === undefined) throw new Error(`${file.path}: the catalog did not return a row id for ${file.modulePath}@${file.version}`);
        s.insertFile.run(versionId, file.kind, file.path, file.size, file.sha256, file.h1 ?? null, bundle.bundleId);
      }
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

  recordMiss(modulePath: string, query: string, at: string): void {
    this.statements.recordMiss.run(modulePath, query, at, at);
  }

  misses(): StoreMiss[] {
    return this.statements.misses.all();
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
