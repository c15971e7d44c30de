/**
 * better-sqlite3, with URI file names switched on: a store catalog on read-only media is opened
 * as `file:...?immutable=1` when SQLite cannot create its WAL side files there. The addon reads
 * SQLITE_USE_URI once, when the first database of the process opens, so every module that opens
 * a database takes Database from here.
 */
import Database from 'better-sqlite3';

process.env.SQLITE_USE_URI = '1';

export { Database as SqliteDatabase };
export type SqliteConnection = Database.Database;
