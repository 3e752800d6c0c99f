import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SluiceError } from '../../core/errors.js';
import { nativeModuleError } from '../../core/native-module-error.js';

/**
 * Opens (creating its folder) a SQLite database tuned for one serial writer: WAL so readers never
 * block the writer, synchronous=NORMAL (durable at checkpoints, never corrupt), a busy timeout so a
 * report running beside an ingest waits instead of failing; `pageSize` for a new file.
 */
export function openSqliteDatabase(path: string, options: { readonly?: boolean; pageSize?: number } = {}): Database.Database {
  let db: Database.Database;
  try {
    if (!options.readonly) mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  } catch (err) {
    const message = (err as Error).message;
    const native = nativeModuleError(err);
    if (native) throw native;
    throw new SluiceError('SLUICE_E_SINK', `cannot open SQLite database ${path}: ${message}`, {
      cause: err,
      because: /not a database|malformed/i.test(message) ? 'not_a_database' : undefined,
    });
  }
  try {
    db.pragma('busy_timeout = 10000');
    if (!options.readonly) {
      // The page size of a new database (it is fixed once the file has pages, WAL mode included).
      if (options.pageSize && db.pragma('page_count', { simple: true }) === 0) db.pragma(`page_size = ${options.pageSize}`);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
  } catch (err) {
    db.close();
    throw new SluiceError('SLUICE_E_SINK', `${path} is not a usable SQLite database: ${(err as Error).message}`, { cause: err, because: 'not_a_database' });
  }
  return db;
}
