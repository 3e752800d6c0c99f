import Database from 'better-sqlite3';
import { SluiceError } from '../core/errors.js';
import { nativeModuleError } from '../core/native-module-error.js';
import type { SqliteRowsSpec } from '../core/parse-message.js';
import type { RowsReader, UnitRow } from './decoder-descriptor.js';

/** Bytes of a unit read through a memory map by default (the rest, if any, by read()). */
const UNIT_MMAP_BYTES = 64 * 1024 * 1024;

/**
 * Reads the rows of a SQLite unit in row-id order, after `afterRowId`, streamed (one row in memory
 * at a time). Columns the table lacks read as null, so older layouts of a table still decode.
 */
export class SqliteRowsReader implements RowsReader {
  private readonly db: Database.Database;
  readonly table: string;
  private readonly select: Database.Statement<[number], Record<string, unknown>>;

  constructor(path: string, name: string, spec: SqliteRowsSpec) {
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
      this.db = db;
      // Rows are read once, in order: a page cache only costs memory (the default is 16 MB a
      // connection, one per parser thread). The first 64 MiB are read through a memory map instead
      // of a read() per page: about -9 % of the parser's CPU (median of five paired runs, 38 MB
      // chunks), for RSS of file pages that go when the unit closes (one unit is read at a time).
      db.pragma('cache_size = -1024');
      db.pragma(`mmap_size = ${spec.mapBytes ?? UNIT_MMAP_BYTES}`);
      const found = spec.tables.find((t) => db?.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(t));
      if (!found) {
        throw new SluiceError('SLUICE_E_SOURCE', `${name}: no table ${spec.tables.join(' or ')} in the database`, { because: 'not_sqlite' });
      }
      this.table = found;
      const have = new Set((this.db.prepare(`PRAGMA table_info("${found}")`).all() as { name: string }[]).map((c) => c.name));
      const cols = spec.columns.map((c) => (have.has(c) ? `"${c}"` : `NULL AS "${c}"`)).join(', ');
      this.select = this.db.prepare(`SELECT rowid AS "__rowid", ${cols} FROM "${found}" WHERE rowid > ? ORDER BY rowid`);
    } catch (err) {
      db?.close();
      if (err instanceof SluiceError) throw err;
      // A driver built for another Node.js is no fault of the unit: the run stops with what to do.
      const native = nativeModuleError(err);
      if (native) throw native;
      throw new SluiceError('SLUICE_E_SOURCE', `${name}: not a readable SQLite database (${(err as Error).message})`, { cause: err, because: 'not_sqlite' });
    }
  }

  /** The rows after `afterRowId`, in row-id order. */
  *rows(afterRowId = 0): Generator<UnitRow> {
    for (const row of this.select.iterate(afterRowId)) {
      const rowId = row.__rowid as number;
      delete row.__rowid;
      yield { rowId, value: row };
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
