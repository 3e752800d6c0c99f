import type Database from 'better-sqlite3';

interface IndexDefinition {
  name: string;
  tbl: string;
  sql: string;
}

/**
 * The secondary indexes of a bulk load into empty tables, built once after the load instead of row by
 * row during it (a sorted build is several times cheaper than keeping a B-tree up to date at random).
 *
 * Only indexes that never decide whether a row is stored are set aside: unique indexes and primary
 * keys stay, so duplicates are refused exactly as before. The definitions are saved in
 * `sluice_deferred_indexes` and dropped in the load's first transaction, and built again (and the
 * saved rows deleted) in one transaction when the load ends. A load killed on the way leaves the
 * definitions saved: the next bounded run goes on deferring and builds them at its end; any other
 * run (follow, a service, a report through the sink) builds them when it opens the database.
 */
export class DeferredIndexes {
  /** Drop the indexes in the next transaction (cleared once that transaction committed). */
  private dropPlanned = false;
  /** This run builds the indexes when it ends. */
  private deferring = false;

  constructor(
    private readonly db: Database.Database,
    private readonly tables: readonly string[],
  ) {}

  /** For a bounded run: defer when every table is empty, or go on with a deferral a killed load left. */
  deferIfEmpty(): void {
    if (this.saved().length > 0) {
      this.deferring = true;
      return;
    }
    const empty = this.tables.every((t) => this.db.prepare(`SELECT 1 FROM "${t}" LIMIT 1`).get() === undefined);
    if (empty && this.droppable().length > 0) {
      this.dropPlanned = true;
      this.deferring = true;
    }
  }

  /** Inside the open transaction: sets the indexes aside when planned (again after a rollback). */
  dropIfPlanned(): void {
    if (!this.dropPlanned) return;
    const save = this.db.prepare('INSERT OR REPLACE INTO sluice_deferred_indexes (name, tbl, sql) VALUES (?, ?, ?)');
    for (const index of this.droppable()) {
      save.run(index.name, index.tbl, index.sql);
      this.db.exec(`DROP INDEX "${index.name}"`);
    }
  }

  /** The transaction that dropped them committed. */
  committed(): void {
    this.dropPlanned = false;
  }

  /** Whether this run builds indexes at its end. */
  get isDeferring(): boolean {
    return this.deferring;
  }

  /** Builds every saved index in one transaction; no-op when none is saved. Returns how many. */
  rebuild(): number {
    const saved = this.saved();
    if (saved.length === 0) return 0;
    this.db.exec('BEGIN');
    try {
      for (const index of saved) {
        this.db.exec(index.sql);
        this.db.prepare('DELETE FROM sluice_deferred_indexes WHERE name = ?').run(index.name);
      }
      this.db.exec('COMMIT');
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
    this.deferring = false;
    return saved.length;
  }

  private saved(): IndexDefinition[] {
    return this.db.prepare('SELECT name, tbl, sql FROM sluice_deferred_indexes ORDER BY rowid').all() as IndexDefinition[];
  }

  /** Indexes made by CREATE INDEX (not constraints) that are not unique, on this sink's tables. */
  private droppable(): IndexDefinition[] {
    const out: IndexDefinition[] = [];
    for (const tbl of this.tables) {
      const list = this.db.prepare(`PRAGMA index_list("${tbl}")`).all() as { name: string; unique: number; origin: string }[];
      for (const index of list) {
        if (index.unique !== 0 || index.origin !== 'c') continue;
        const row = this.db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?").get(index.name) as { sql: string | null } | undefined;
        if (row?.sql) out.push({ name: index.name, tbl, sql: row.sql });
      }
    }
    return out;
  }
}
