import type Database from 'better-sqlite3';
import { SluiceError } from '../../core/errors.js';
import { COMPLETE_SQL } from '../../ledger/ledger-sql.js';
import { SqliteCursorStore } from '../sqlite/cursor-store.js';
import { ENGINE_SQLITE_MIGRATIONS } from '../sqlite/engine-migrations.js';
import { openSqliteDatabase } from '../../db/sqlite/open-database.js';
import { migrate } from '../../db/sqlite/schema-versions.js';
import type { UnitCursor } from '../../core/sink.js';

/**
 * The local state of an acknowledged sink, one that keeps no cursors itself (Elasticsearch, NATS):
 * cursors and, when the ledger lives in the same SQLite file (the default `--state`), the unit's
 * COMPLETED mark, written in one transaction after the destination acknowledged the unit's rows.
 */
export class SinkStateStore {
  private db: Database.Database | undefined;
  private cursors: SqliteCursorStore | undefined;
  private complete: Database.Statement | undefined;

  constructor(readonly path: string) {}

  open(): void {
    const db = openSqliteDatabase(this.path);
    migrate(db, 'sluice', ENGINE_SQLITE_MIGRATIONS);
    this.db = db;
    this.cursors = new SqliteCursorStore(db);
    this.complete = db.prepare(COMPLETE_SQL.sqlite);
  }

  read(key: string): UnitCursor | undefined {
    return this.cursors?.read(key);
  }

  /** Saves the cursors (and completes their ledger units) atomically. */
  save(cursors: readonly UnitCursor[]): void {
    const db = this.db;
    if (!db || !this.cursors) throw new Error('SinkStateStore used before open()');
    const now = new Date().toISOString();
    try {
      db.transaction(() => {
        for (const c of cursors) {
          this.cursors?.write(c);
          if (c.done && c.ledger) this.complete?.run(now, now, c.ledger.bucket, c.ledger.key);
        }
      })();
    } catch (err) {
      throw new SluiceError('SLUICE_E_SINK', `cannot save the state to ${this.path}: ${(err as Error).message}`, { cause: err });
    }
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
  }
}
