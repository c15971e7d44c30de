import path from 'node:path';
import { unpackedPath } from '../asar/unpackedPath';

/**
 * Where scripts/electron-native.mjs puts better-sqlite3 built for Electron, relative to the
 * compiled tree (dist/). `npm ci` builds the addon in node_modules for Node's ABI, which Electron
 * cannot load; the Electron build lives beside it instead of replacing it, so the CLI and the tests
 * under Node keep working after the app has run.
 */
export const ELECTRON_SQLITE_BINDING = path.join('native', 'electron', 'better_sqlite3.node');

/**
 * The better-sqlite3 addon to load for a runtime's `process.versions`: none under Node (the one
 * node_modules holds), the Electron build under Electron (its main process, worker threads and
 * processes forked with ELECTRON_RUN_AS_NODE alike), as a real file when the app is packaged.
 */
export function sqliteNativeBinding(versions: { readonly electron?: string | undefined }, distDir: string): string | undefined {
  if (versions.electron === undefined) return undefined;
  return unpackedPath(path.join(distDir, ELECTRON_SQLITE_BINDING));
}
