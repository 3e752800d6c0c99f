import pg from 'pg';

/** Dates and times stay the text PostgreSQL sent, so a row serialises the same on every run. */
const TEXT_TIME_OIDS = new Set([1082, 1083, 1114, 1184, 1266]);
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    TEXT_TIME_OIDS.has(oid) ? (v: string) => v : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/** `a.b` → `"a"."b"`. The names were checked against a strict pattern at the edge. */
export function quoteName(name: string): string {
  return name
    .split('.')
    .map((p) => `"${p}"`)
    .join('.');
}

/** The table being archived: keyset pages of old rows, and deleting or emptying acknowledged ones. */
export class SourceTable {
  private readonly table: string;
  private readonly id: string;
  private readonly time: string;

  private constructor(
    private readonly client: pg.Client,
    table: string,
    idColumn: string,
    timeColumn: string,
  ) {
    this.table = quoteName(table);
    this.id = quoteName(idColumn);
    this.time = quoteName(timeColumn);
  }

  static async open(url: string, table: string, idColumn: string, timeColumn: string): Promise<SourceTable> {
    const client = new pg.Client({ connectionString: url, types });
    await client.connect();
    return new SourceTable(client, table, idColumn, timeColumn);
  }

  /** The cutoff time, fixed once per run: now minus `seconds`. */
  async cutoff(seconds: number): Promise<string> {
    const { rows } = await this.client.query<{ c: string }>(`SELECT (now() - make_interval(secs => $1))::text AS c`, [seconds]);
    return rows[0]?.c ?? '';
  }

  /** The json/jsonb columns of the table (the default payload columns). */
  async jsonColumns(table: string): Promise<string[]> {
    const [schema, name] = table.includes('.') ? table.split('.') : [undefined, table];
    const { rows } = await this.client.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns
       WHERE table_name = $1 AND table_schema = coalesce($2, current_schema()) AND data_type IN ('json', 'jsonb') ORDER BY ordinal_position`,
      [name, schema ?? null],
    );
    return rows.map((r) => r.column_name);
  }

  /** Rows older than the cutoff with an id past `after`, in id order; with `payload`, only rows with some payload. */
  async page(cutoff: string, after: unknown, limit: number, payload?: readonly string[]): Promise<Array<Record<string, unknown>>> {
    const params: unknown[] = [cutoff, limit];
    let where = `${this.time} < $1::timestamptz`;
    if (after !== undefined) {
      params.push(after);
      where += ` AND ${this.id} > $3`;
    }
    if (payload && payload.length > 0) where += ` AND NOT (${payload.map((c) => `${quoteName(c)} IS NULL`).join(' AND ')})`;
    const { rows } = await this.client.query<Record<string, unknown>>(
      `SELECT * FROM ${this.table} WHERE ${where} ORDER BY ${this.id} LIMIT $2`,
      params,
    );
    return rows;
  }

  /** How many rows a run would archive. */
  async countOld(cutoff: string, payload?: readonly string[]): Promise<number> {
    let where = `${this.time} < $1::timestamptz`;
    if (payload && payload.length > 0) where += ` AND NOT (${payload.map((c) => `${quoteName(c)} IS NULL`).join(' AND ')})`;
    const { rows } = await this.client.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.table} WHERE ${where}`, [cutoff]);
    return Number(rows[0]?.n ?? 0);
  }

  /** Deletes acknowledged rows. */
  async deleteRows(ids: readonly unknown[]): Promise<number> {
    if (ids.length === 0) return 0;
    const r = await this.client.query(`DELETE FROM ${this.table} WHERE ${this.id} = ANY($1)`, [ids]);
    return r.rowCount ?? 0;
  }

  /** Sets the payload columns of acknowledged rows to NULL. */
  async emptyPayload(ids: readonly unknown[], payload: readonly string[]): Promise<number> {
    if (ids.length === 0 || payload.length === 0) return 0;
    const set = payload.map((c) => `${quoteName(c)} = NULL`).join(', ');
    const r = await this.client.query(`UPDATE ${this.table} SET ${set} WHERE ${this.id} = ANY($1)`, [ids]);
    return r.rowCount ?? 0;
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
