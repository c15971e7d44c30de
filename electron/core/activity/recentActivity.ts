import type { AppDirs } from '../appDirs/appDirs';
import { recentExports, type ExportRecord } from '../catalog/exportHistory';
import { openStoreIfMade } from '../store/diskStore';

/** One bundle imported into the store, as the start screen lists it. */
export interface ImportRecord {
  bundleId: string;
  /** When the bundle was made, and when it was (last) imported. */
  createdAt: string;
  importedAt: string;
  signer: string;
  /** The files the store holds from it, and their size. */
  files: number;
  bytes: number;
}

export interface RecentActivity {
  exports: ExportRecord[];
  imports: ImportRecord[];
}

/**
 * The latest exports from this machine's history and the latest imports into the store, newest first.
 * Reads only: a machine that never exported, or a store not made yet, has none.
 */
export function recentActivity(dirs: AppDirs, storeDir: string, limit: number): RecentActivity {
  const store = openStoreIfMade(storeDir, { mode: 'read' });
  let imports: ImportRecord[] = [];
  if (store !== undefined) {
    try {
      imports = store.latestImports(limit).map(({ bundleId, createdAt, importedAt, signer, files, bytes }) => ({ bundleId, createdAt, importedAt, signer, files, bytes }));
    } finally {
      store.close();
    }
  }
  return { exports: recentExports(dirs, limit), imports };
}
