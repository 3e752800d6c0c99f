import type Database from 'better-sqlite3';
import type { UnitCursor } from '../../core/sink.js';

interface CursorRow {
  key: string;
  unit: string;
  identity: string;
  size: number;
  offset: number;
  line: number;
  done: number;
}

/** Reads and writes `sluice_cursors`; writes run inside the caller's transaction. */
export class SqliteCursorStore {
  private readonly select: Database.Statement<[string], CursorRow>;
  private readonly upsert: Database.Statement<[string, string, string, number, number, number, number, string]>;

  constructor(db: Database.Database) {
    this.select = db.prepare('SELECT key, unit, identity, size, offset, line, done FROM sluice_cursors WHERE key = ?');
    this.upsert = db.prepare(`INSERT INTO sluice_cursors (key, unit, identity, size, offset, line, done, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(key) DO UPDATE SET unit = excluded.unit, identity = excluded.identity, size = excluded.size,
        offset = excluded.offset, line = excluded.line, done = excluded.done, updated_at = excluded.updated_at`);
  }

  read(key: string): UnitCursor | undefined {
    const row = this.select.get(key);
    if (!row) return undefined;
    return { ...row, done: row.done === 1 };
  }

  write(c: UnitCursor): void {
    this.upsert.run(c.key, c.unit, c.identity, c.size, c.offset, c.line, c.done ? 1 : 0, new Date().toISOString());
  }
}
