import type pg from 'pg';
import { storedColumns, type TableSpec } from '../../core/rows/table-spec.js';

/**
 * The temporary table a batch's rows are copied into when they cannot go straight into their table
 * (duplicate keys), and the one statement per round that moves them on:
 * - a table without `postgresOnConflict`: `INSERT ... SELECT ... ON CONFLICT DO NOTHING`, once;
 * - a table with one (an upsert): rows that share a key are applied in the order they came, as
 *   SQLite applies them row by row, since one `INSERT ... ON CONFLICT DO UPDATE` cannot change a row
 *   twice. Each staged row is numbered (`sluice_row`, in COPY order); its `sluice_round` is how many
 *   rows of its key came before it in the batch; round 0, 1, ... each go in one statement. Most
 *   batches need one round.
 */
export class StagingTable {
  /** Quoted name of the temporary table. */
  readonly name: string;
  /** Quoted stored columns, comma-separated, as COPY and INSERT list them. */
  readonly columns: string;

  constructor(private readonly table: TableSpec) {
    this.name = `"sluice_stage_${table.name}"`;
    this.columns = storedColumns(table)
      .map((c) => `"${c.name}"`)
      .join(', ');
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
      await client.query(
        `ALTER TABLE ${this.name} ADD COLUMN IF NOT EXISTS sluice_row BIGINT GENERATED ALWAYS AS IDENTITY,
           ADD COLUMN IF NOT EXISTS sluice_round INTEGER NOT NULL DEFAULT 0`,
      );
    }
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
    const numbered = await client.query<{ rounds: number }>(
      `WITH later AS (
         UPDATE ${this.name} s SET sluice_round = d.n
         FROM (SELECT sluice_row, row_number() OVER (PARTITION BY ${key} ORDER BY sluice_row) - 1 AS n FROM ${this.name}) d
         WHERE s.sluice_row = d.sluice_row AND d.n > 0
         RETURNING d.n)
       SELECT coalesce(max(n), 0)::int AS rounds FROM later`,
    );
    const rounds = numbered.rows[0]?.rounds ?? 0;
    let changed = 0;
    for (let round = 0; round <= rounds; round++) {
      const r = await client.query(
        `INSERT INTO ${target} (${this.columns}) SELECT ${this.columns} FROM ${this.name} WHERE sluice_round = $1
         ON CONFLICT (${key}) ${onConflict}`,
        [round],
      );
      changed += r.rowCount ?? 0;
    }
    return changed;
  }
}
