import type { Migration } from '../../db/sqlite/migration.js';

/** Schema of the SQLite registry, component `ldo_registry`. */
export const SQLITE_REGISTRY_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'ldo_entries, ldo_pending, ldo_totals (kept by triggers)',
    up(db) {
      db.exec(`
        CREATE TABLE ldo_entries (
          id TEXT PRIMARY KEY,
          idem_key TEXT UNIQUE,
          ldo_id TEXT,
          status TEXT NOT NULL,
          filename TEXT,
          content_type TEXT,
          video TEXT,
          size_bytes INTEGER NOT NULL,
          sha256 TEXT,
          fingerprint TEXT NOT NULL,
          created_ms INTEGER NOT NULL,
          created_at TEXT NOT NULL,
          dir TEXT NOT NULL
        );
        CREATE INDEX ldo_entries_newest ON ldo_entries (created_ms DESC, id DESC);
        CREATE INDEX ldo_entries_ldo_id ON ldo_entries (ldo_id, created_ms DESC, id DESC);
        CREATE TABLE ldo_pending (id TEXT PRIMARY KEY, dir TEXT NOT NULL, owner TEXT NOT NULL, started_ms INTEGER NOT NULL);
        CREATE TABLE ldo_totals (one INTEGER PRIMARY KEY CHECK (one = 1), total INTEGER NOT NULL);
        INSERT INTO ldo_totals VALUES (1, 0);
        CREATE TRIGGER ldo_entries_count_up AFTER INSERT ON ldo_entries BEGIN UPDATE ldo_totals SET total = total + 1; END;
        CREATE TRIGGER ldo_entries_count_down AFTER DELETE ON ldo_entries BEGIN UPDATE ldo_totals SET total = total - 1; END;
      `);
    },
  },
];
