import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { HeldTreeHead } from '../../../shared/roundtrip/heldTreeHead';
import type { AppDirs } from '../appDirs/appDirs';
import { SqliteDatabase, type SqliteConnection } from '../sqlite/sqliteDatabase';

/** One bundle this machine exported, as the history shows it. */
export interface ExportRecord {
  bundleId: string;
  createdAt: string;
  outDir: string;
  inputs: string[];
  files: number;
  bytes: number;
  modules: number;
}

// Applied in order; user_version records how many ran, so an old catalog is upgraded in place.
const migrations = [
  `CREATE TABLE exports (
     bundle_id TEXT PRIMARY KEY,
     created_at TEXT NOT NULL,
     out_dir TEXT NOT NULL,
     inputs TEXT NOT NULL,
     files INTEGER NOT NULL,
     bytes INTEGER NOT NULL,
     modules INTEGER NOT NULL
   ) STRICT`,
  `CREATE TABLE export_files (
     bundle_id TEXT NOT NULL REFERENCES exports(bundle_id) ON DELETE CASCADE,
     module TEXT NOT NULL,
     version TEXT NOT NULL,
     kind TEXT NOT NULL,
     PRIMARY KEY (bundle_id, module, version, kind)
   ) STRICT`,
  `CREATE TABLE export_sumdb_heads (
     bundle_id TEXT NOT NULL REFERENCES exports(bundle_id) ON DELETE CASCADE,
     db TEXT NOT NULL,
     tree_size INTEGER NOT NULL,
     PRIMARY KEY (bundle_id, db)
   ) STRICT`,
];

/** A module file an export carried, as the history remembers it for later plans. */
export interface CarriedFile {
  module: string;
  version: string;
  kind: string;
}

/**
 * The online machine's export history (SQLite): when no --since inventory is given, the operator
 * sees what earlier bundles carried and can decide whether to ship everything again.
 */
export class ExportHistory {
  private readonly db: SqliteConnection;

  constructor(file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.db = new SqliteDatabase(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    const applied = this.db.pragma('user_version', { simple: true }) as number;
    this.db.transaction(() => {
      migrations.slice(applied).forEach((sql) => this.db.exec(sql));
      this.db.pragma(`user_version = ${migrations.length}`);
    })();
  }

  record(entry: ExportRecord, carried: readonly CarriedFile[] = [], heads: readonly HeldTreeHead[] = []): void {
    const addFile = this.db.prepare('INSERT OR IGNORE INTO export_files (bundle_id, module, version, kind) VALUES (?, ?, ?, ?)');
    const addHead = this.db.prepare('INSERT OR REPLACE INTO export_sumdb_heads (bundle_id, db, tree_size) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      this.db
        .prepare('INSERT OR REPLACE INTO exports (bundle_id, created_at, out_dir, inputs, files, bytes, modules) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(entry.bundleId, entry.createdAt, entry.outDir, JSON.stringify(entry.inputs), entry.files, entry.bytes, entry.modules);
      for (const f of carried) addFile.run(entry.bundleId, f.module, f.version, f.kind);
      for (const h of heads) addHead.run(entry.bundleId, h.database, h.size);
    })();
  }

  /**
   * Every distinct checksum-database tree head earlier bundles carried, smallest first: a go command
   * served from any of them may have cached it, so later bundles prove their heads extend each.
   */
  treeHeads(): HeldTreeHead[] {
    return this.db
      .prepare('SELECT DISTINCT db AS database, tree_size AS size FROM export_sumdb_heads ORDER BY db, tree_size')
      .all() as HeldTreeHead[];
  }

  /** `module@version.kind` of every file an earlier export carried, with the newest bundle that did. */
  carriedFiles(): Map<string, string> {
    const rows = this.db
      .prepare('SELECT f.module, f.version, f.kind, f.bundle_id FROM export_files f JOIN exports e USING (bundle_id) ORDER BY e.created_at ASC')
      .all() as Array<{ module: string; version: string; kind: string; bundle_id: string }>;
    return new Map(rows.map((r) => [carriedKey(r), r.bundle_id]));
  }

  recent(limit = 10): ExportRecord[] {
    const rows = this.db
      .prepare('SELECT bundle_id, created_at, out_dir, inputs, files, bytes, modules FROM exports ORDER BY created_at DESC LIMIT ?')
      .all(limit) as Array<{ bundle_id: string; created_at: string; out_dir: string; inputs: string; files: number; bytes: number; modules: number }>;
    return rows.map((r) => ({
      bundleId: r.bundle_id,
      createdAt: r.created_at,
      outDir: r.out_dir,
      inputs: JSON.parse(r.inputs) as string[],
      files: r.files,
      bytes: r.bytes,
      modules: r.modules,
    }));
  }

  close(): void {
    this.db.close();
  }
}

export function exportHistoryFile(dirs: AppDirs): string {
  return path.join(dirs.data, 'exports.db');
}

export function carriedKey(f: CarriedFile): string {
  return `${f.module}@${f.version}.${f.kind}`;
}

/** Adds one finished export, the module files and the checksum-database tree heads it carried, to this machine's history. */
export function recordExport(dirs: AppDirs, entry: ExportRecord, carried: readonly CarriedFile[] = [], heads: readonly HeldTreeHead[] = []): void {
  const history = new ExportHistory(exportHistoryFile(dirs));
  try {
    history.record(entry, carried, heads);
  } finally {
    history.close();
  }
}

/** The latest exports from this machine, newest first; none when it has exported nothing yet (no history is created). */
export function recentExports(dirs: AppDirs, limit: number): ExportRecord[] {
  if (!existsSync(exportHistoryFile(dirs))) return [];
  const history = new ExportHistory(exportHistoryFile(dirs));
  try {
    return history.recent(limit);
  } finally {
    history.close();
  }
}

/** What earlier exports from this machine carried (see ExportHistory.carriedFiles); empty when it has exported nothing yet. */
export function filesExportedBefore(dirs: AppDirs): Map<string, string> {
  if (!existsSync(exportHistoryFile(dirs))) return new Map();
  const history = new ExportHistory(exportHistoryFile(dirs));
  try {
    return history.carriedFiles();
  } finally {
    history.close();
  }
}

/** The tree heads earlier exports from this machine carried (see ExportHistory.treeHeads); none when it has exported nothing yet. */
export function treeHeadsExportedBefore(dirs: AppDirs): HeldTreeHead[] {
  if (!existsSync(exportHistoryFile(dirs))) return [];
  const history = new ExportHistory(exportHistoryFile(dirs));
  try {
    return history.treeHeads();
  } finally {
    history.close();
  }
}
