import type pg from 'pg';
import { storedColumns, type TableSpec } from '../../core/rows/table-spec.js';

/**
 * The temporary table a batch's rows are copied into when they cannot go straight into their table
 * (duplicate keys), and the one statement per round that moves them on:
 * - a table without `postgresOnConflict`: `INSERT ... SELECT ... ON CONFLICT DO NOTHING`, once;
 * - a table with one (an upsert): rows that share a key are applied in the order they came, as
 *   SQLite applies them row by row, since one `INSERT ... ON CONFLICT DO UPDATE` cannot change a row
 *   twice. Staged rows are numbered (`sluice_row`, in COPY order); those with rows of their key
 *   before them move to a second table (`..._later`) with their `sluice_round`, how many came
 *   before. The first of each key go in one statement, then each round of later ones in one more:
 *   those scan the few later rows only (a key repeated 40 times in a batch happens).
 */
export class StagingTable {
  /** Quoted name of the temporary table. */
  readonly name: string;
  /** Quoted name of the temporary table of later rows of a key (upserts only). */
  private readonly later: string;
  /** The stored columns, each as `s."name"`. */
  private readonly staged: string;
  /** Quoted stored columns, comma-separated, as COPY and INSERT list them. */
  readonly columns: string;

  constructor(private readonly table: TableSpec) {
    this.name = `"sluice_stage_${table.name}"`;
    this.later = `"sluice_stage_${table.name}_later"`;
    const names = storedColumns(table).map((c) => `"${c.name}"`);
    this.columns = names.join(', ');
    this.staged = names.map((n) => `s.${n}`).join(', ');
  }

  /** Whether rows are upserted (`postgresOnConflict`) rather than ignored on a duplicate key. */
  get upserts(): boolean {
    return this.table.postgresOnConflict !== undefined;
  }

  /**
   * Creates the temporary table for this session (outside a transaction: a rolled-back batch must
   * not take it away): the stored columns with the target's types, emptied at every commit.
   */
  async create(client: pg.ClientBase): Promise<void> {
    await client.query(
      `CREATE TEMP TABLE IF NOT EXISTS ${this.name} ON COMMIT DELETE ROWS AS SELECT ${this.columns} FROM "${this.table.name}" WITH NO DATA`,
    );
    if (this.upserts) {
      await client.query(`ALTER TABLE ${this.name} ADD COLUMN IF NOT EXISTS sluice_row BIGINT GENERATED ALWAYS AS IDENTITY`);
      await client.query(
        `CREATE TEMP TABLE IF NOT EXISTS ${this.later} ON COMMIT DELETE ROWS AS
           SELECT ${this.columns}, 0 AS sluice_round FROM "${this.table.name}" WITH NO DATA`,
      );
    }
  }

  /** Empties the staging tables within the batch's transaction, after `apply` (a failed segment applied mid-batch). */
  async empty(client: pg.ClientBase): Promise<void> {
    await client.query(`TRUNCATE ${this.upserts ? `${this.name}, ${this.later}` : this.name}`);
  }

  /** Moves the staged rows into the table; returns how many it inserted or changed. */
  async apply(client: pg.ClientBase): Promise<number> {
    const target = `"${this.table.name}"`;
    const onConflict = this.table.postgresOnConflict;
    if (onConflict === undefined) {
      const r = await client.query(`INSERT INTO ${target} (${this.columns}) SELECT ${this.columns} FROM ${this.name} ON CONFLICT DO NOTHING`);
      return r.rowCount ?? 0;
    }
    const key = this.table.uniqueKey.map((c) => `"${c}"`).join(', ');
    const moved = await client.query(
      `WITH moved AS (
         DELETE FROM ${this.name} s
         USING (SELECT sluice_row, row_number() OVER (PARTITION BY ${key} ORDER BY sluice_row) - 1 AS n FROM ${this.name}) d
         WHERE s.sluice_row = d.sluice_row AND d.n > 0
         RETURNING ${this.staged}, d.n)
       INSERT INTO ${this.later} SELECT * FROM moved`,
    );
    const upsert = (from: string, where: string): string =>
      `INSERT INTO ${target} (${this.columns}) SELECT ${this.columns} FROM ${from} ${where} ON CONFLICT (${key}) ${onConflict}`;
    let changed = (await client.query(upsert(this.name, ''))).rowCount ?? 0;
    if ((moved.rowCount ?? 0) === 0) return changed;
    const rounds = (await client.query<{ n: number }>(`SELECT max(sluice_round)::int AS n FROM ${this.later}`)).rows[0]?.n ?? 0;
    for (let round = 1; round <= rounds; round++) {
      changed += (await client.query(upsert(this.later, 'WHERE sluice_round = $1'), [round])).rowCount ?? 0;
    }
    return changed;
  }
}
