import { addSqliteLedgerVersion, addSqliteLedgerWorkerBoot, LEDGER_OPEN_INDEX, LEDGER_SQLITE_DDL } from '../../ledger/ledger-sql.js';
import type { Migration } from '../../db/sqlite/migration.js';

/** The engine's own tables in a SQLite sink: cursors, written in the same transaction as rows. */
export const ENGINE_SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'sluice_cursors: how far into each unit the committed rows reach',
    up(db) {
      db.exec(`CREATE TABLE IF NOT EXISTS sluice_cursors (
        key TEXT PRIMARY KEY,
        unit TEXT NOT NULL,
        identity TEXT NOT NULL,
        size INTEGER NOT NULL,
        offset INTEGER NOT NULL,
        line INTEGER NOT NULL,
        done INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      )`);
    },
  },
  {
    version: 2,
    description: 'sluice_ledger: units of spool folders and S3 prefixes, completed with their rows',
    up(db) {
      db.exec(LEDGER_SQLITE_DDL);
    },
  },
  {
    version: 3,
    description: 'sluice_ledger: partial index of open units',
    up(db) {
      db.exec(LEDGER_OPEN_INDEX);
    },
  },
  {
    version: 4,
    description: 'sluice_ledger: version of each unit (a changed unit is done again)',
    up(db) {
      addSqliteLedgerVersion(db);
    },
  },
  {
    version: 5,
    description: 'sluice_ledger: boot id of the worker holding a unit (a dead holder on this host is known at once)',
    up(db) {
      addSqliteLedgerWorkerBoot(db);
    },
  },
];
