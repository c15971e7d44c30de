/**
 * better-sqlite3, with URI file names switched on: a store catalog on read-only media is opened
 * as `file:...?immutable=1` when SQLite cannot create its WAL side files there. The addon reads
 * SQLITE_USE_URI once, when the first database of the process opens, so every module that opens
 * a database takes Database from here.
 *
 * Under Electron every database is opened with the addon built for Electron (nativeBinding.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ModFerryError } from '../errors/modferryError';
import { sqliteNativeBinding } from './nativeBinding';

process.env.SQLITE_USE_URI = '1';

/** This file is dist/electron/core/sqlite/sqliteDatabase.js in the build Electron runs. */
const nativeBinding = sqliteNativeBinding(process.versions, path.resolve(__dirname, '..', '..', '..'));

class SqliteDatabase extends Database {
  constructor(filename?: string, options?: Database.Options) {
    if (nativeBinding !== undefined && !existsSync(nativeBinding)) {
      throw new ModFerryError('internal', `better-sqlite3 is not built for Electron ${process.versions.electron}: run \`node scripts/electron-native.mjs\` (npm start and npm run dist do)`, {
        file: nativeBinding,
      });
    }
    super(filename, nativeBinding === undefined ? options : { ...options, nativeBinding });
  }
}

export { SqliteDatabase };
export type SqliteConnection = Database.Database;
