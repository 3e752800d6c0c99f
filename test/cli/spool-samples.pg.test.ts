import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { postgresReachable, testSchema, type TestSchema } from '../helpers/pg-test-db.js';
import { runSluiceWith, summaryOf } from '../helpers/spool-cli.js';
import { gzipSamples, pinoSamplesPresent, sqliteLogs, type SampleUnit } from '../helpers/spool-samples.js';

const ready = pinoSamplesPresent() && (await postgresReachable());

interface PgLogRow {
  id: string;
  level: string | null;
  raw_data: unknown;
  source_file: string;
  source_index: number;
  timestamp: Date | null;
}

const key = (r: { source_file: string; source_index: number }) => `${r.source_file}#${r.source_index}`;

describe.skipIf(!ready)('the real pino samples into PostgreSQL: spool and ingest land the same rows', () => {
  let dir: string;
  let units: SampleUnit[];
  let total: number;
  const schemas: TestSchema[] = [];
  const work = tempDir();

  beforeAll(() => {
    ({ dir, units } = gzipSamples());
    total = units.reduce((n, u) => n + u.entries.length, 0);
  });
  afterAll(async () => {
    for (const s of schemas) await s.drop();
  });

  it('spool (PG ledger by default) and `ingest FILE.json.gz --profile applog` give the ids SQLite gives', async () => {
    const sqlite = join(work, 'ref.db');
    const ref = await runSluiceWith(['spool', '--from', dir, '--db', sqlite, '--mode', 'once', '--json', '--no-progress']);
    expect(ref.code, ref.stderr).toBe(0);
    const refIds = new Map(sqliteLogs(sqlite).map((r) => [key(r), r.id]));
    expect(refIds.size).toBe(total);

    const spooled = testSchema();
    schemas.push(spooled);
    const args = ['spool', '--from', dir, '--into', spooled.url, '--mode', 'once', '--json', '--no-progress', '--dead-letter', join(work, 'a.ndjson')];
    const run = await runSluiceWith(args);
    expect(run.code, run.stderr).toBe(0);
    expect(summaryOf(run)).toMatchObject({ inserted: total, duplicates: 0, bad: 0, units_done: units.length });
    const rows = await spooled.query<PgLogRow>('SELECT id, level, raw_data, source_file, source_index, timestamp FROM logs');
    expect(rows).toHaveLength(total);
    for (const r of rows) expect(r.id, key(r)).toBe(refIds.get(key(r)));
    // jsonb raw_data holds the entry itself, and numeric / string levels map as in SQLite.
    const entry = (r: PgLogRow) => units.find((u) => u.key === r.source_file)?.entries[r.source_index - 1];
    for (const r of rows) expect(r.raw_data, key(r)).toEqual(entry(r));
    expect(new Set(rows.filter((r) => (r.raw_data as { level: unknown }).level === 30).map((r) => r.level))).toEqual(new Set(['info']));
    expect(rows.filter((r) => (r.raw_data as { level: unknown }).level === 'info').map((r) => r.level)).toEqual(['info']);
    expect(rows.every((r) => r.timestamp instanceof Date)).toBe(true);
    const ledger = await spooled.query<{ key: string; status: string }>('SELECT key, status FROM sluice_ledger');
    expect(ledger.map((l) => l.status)).toEqual(units.map(() => 'COMPLETED'));

    const again = await runSluiceWith(args);
    expect(again.code, again.stderr).toBe(0);
    expect(summaryOf(again)).toMatchObject({ inserted: 0, read: 0 });
    expect((await spooled.query<{ n: string }>('SELECT count(*) AS n FROM logs'))[0]?.n).toBe(String(total));

    const ingested = testSchema();
    schemas.push(ingested);
    const files = units.map((u) => join(dir, u.key));
    const ing = await runSluiceWith(['ingest', ...files, '--profile', 'applog', '--into', ingested.url, '--json', '--no-progress', '--dead-letter', join(work, 'b.ndjson')]);
    expect(ing.code, ing.stderr).toBe(0);
    expect(summaryOf(ing)).toMatchObject({ inserted: total, bad: 0 });
    const viaIngest = await ingested.query<PgLogRow>('SELECT id, level, raw_data, source_file, source_index, timestamp FROM logs');
    expect(viaIngest).toHaveLength(total);
    const spooledById = new Map(rows.map((r) => [r.id, r]));
    for (const r of viaIngest) expect(r, key(r)).toEqual(spooledById.get(r.id));
  });
});
