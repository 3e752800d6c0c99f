import { afterAll, describe, expect, it } from 'vitest';
import { PostgresLedger } from '../../../src/ledger/postgres-ledger.js';
import type { EncodedRows } from '../../../src/core/rows/row-chunk.js';
import { RowChunkBuilder } from '../../../src/core/rows/row-chunk.js';
import { applogProfile } from '../../../src/profiles/applog/index.js';
import { LOGS_TABLE } from '../../../src/profiles/applog/schema.js';
import { PostgresSink } from '../../../src/sinks/postgres/postgres-sink.js';
import { UnitMemory } from '../../../src/profiles/unit-memory.js';
import { postgresReachable, testSchema, type TestSchema } from '../../helpers/pg-test-db.js';
import { appLogEntries } from '../../helpers/spool-fixtures.js';

const ready = await postgresReachable();

/** Rows of `logs` for these entries, as the spool source makes them. */
function encode(entries: readonly unknown[], unitName: string, first = 1): EncodedRows {
  const memory = new UnitMemory();
  const builder = new RowChunkBuilder(0, LOGS_TABLE);
  entries.forEach((e, i) => applogProfile.map(e, { row: (_t, values) => builder.add(values), warn: () => undefined }, {}, { unitName, index: first + i, memory }));
  return builder.take();
}

describe.skipIf(!ready)('PostgresSink (COPY straight in or through staging with ON CONFLICT, ledger mark in the same transaction)', () => {
  const schemas: TestSchema[] = [];
  const fresh = async (replayLimit?: number): Promise<{ sink: PostgresSink; pg: TestSchema }> => {
    const pg = testSchema('t_pgsink');
    schemas.push(pg);
    const sink = new PostgresSink(pg.url, applogProfile, replayLimit);
    await sink.open();
    return { sink, pg };
  };
  afterAll(async () => {
    for (const s of schemas) await s.drop();
  });

  it('stores awkward text through COPY exactly (tabs, newlines, backslashes, a literal \\N, unicode)', async () => {
    const { sink, pg } = await fresh();
    const awkward = ['tab\there', 'line\nbreak\r\nwindows', 'back\\slash \\N \\t', '\\N', 'ünïcødé ✓ 𝄞', '', 'quote " and \u0001 control'];
    const entries = awkward.map((message, i) => ({ level: 30, message, req: { id: i, url: `/x?q=${message}`, headers: { 'user-agent': message } } }));
    await sink.write(encode(entries, 'awkward.json.gz'));
    expect(await sink.commit([])).toEqual({ written: entries.length, duplicates: 0 });
    const rows = await pg.query<{ message: string | null; url: string; headers: unknown; raw_data: unknown }>(
      'SELECT message, url, headers, raw_data FROM logs ORDER BY source_index',
    );
    expect(rows.map((r) => r.message)).toEqual(awkward);
    expect(rows.map((r) => r.url)).toEqual(awkward.map((m) => `/x?q=${m}`));
    expect(rows.map((r) => r.headers)).toEqual(awkward.map((m) => ({ 'user-agent': m })));
    expect(rows.map((r) => r.raw_data)).toEqual(entries);
    await sink.close();
  });

  it('counts a re-written batch as duplicates and stores nothing twice, under another file name too', async () => {
    const { sink, pg } = await fresh();
    const entries = appLogEntries(500, { seed: 4, startMs: Date.parse('2025-04-01T00:00:00Z') });
    await sink.write(encode(entries, 'u.json.gz'));
    expect(await sink.commit([])).toEqual({ written: 500, duplicates: 0 });
    await sink.write(encode(entries, 'u.json.gz'));
    await sink.write(encode(entries.slice(0, 10), 'other.json.gz'));
    // Keyed by content: the same entries in another file are the same rows.
    expect(await sink.commit([])).toEqual({ written: 0, duplicates: 510 });
    expect((await pg.query<{ n: string }>('SELECT count(*) AS n FROM logs'))[0]?.n).toBe('500');
    await sink.close();
  });

  it("marks a unit COMPLETED in the rows' transaction", async () => {
    const { sink, pg } = await fresh();
    const ledger = new PostgresLedger(pg.url);
    await ledger.open();
    await ledger.register([{ bucket: 'b', key: 'u.json.gz', size: 1, sortKey: '2025 u' }]);
    await ledger.claim('b', 'w', 60, 1);
    const cursor = { key: 'spool|u', unit: 'u.json.gz', identity: 'u', size: 1, offset: 1, line: 3, done: true, ledger: { bucket: 'b', key: 'u.json.gz' } };
    await sink.write(encode(appLogEntries(3, { seed: 1, startMs: 0 }), 'u.json.gz'));
    await sink.commit([cursor]);
    const [unit] = (await ledger.list({ limit: 5, page: 1 })).units;
    expect(unit).toMatchObject({ status: 'COMPLETED', leaseUntil: null });
    expect((await pg.query<{ n: string }>('SELECT count(*) AS n FROM logs'))[0]?.n).toBe('3');
    await ledger.close();
    await sink.close();
  });

  it('rollback() mid-COPY drops the staged rows and the sink goes on with the next batch', async () => {
    const { sink, pg } = await fresh();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await sink.write(encode(appLogEntries(50, { seed: 2, startMs: 0 }), 'damaged.json.gz'));
      sink.rollback(); // what the flow does when a unit turns out damaged
      await new Promise((r) => setTimeout(r, 300));
      await sink.write(encode(appLogEntries(7, { seed: 3, startMs: 0 }), 'next.json.gz'));
      expect(await sink.commit([])).toEqual({ written: 7, duplicates: 0 });
      await new Promise((r) => setTimeout(r, 100));
      const files = await pg.query<{ source_file: string; n: string }>('SELECT source_file, count(*) AS n FROM logs GROUP BY 1');
      expect(files).toEqual([{ source_file: 'next.json.gz', n: '7' }]);
      expect(unhandled.map((e) => String(e))).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await sink.close();
    }
  });

  it('after a batch with duplicates goes through staging, and straight in again after a batch without', async () => {
    const { sink, pg } = await fresh();
    const at = Date.parse('2025-04-01T00:00:00Z');
    const all = appLogEntries(300, { seed: 9, startMs: at });
    await sink.write(encode(all.slice(0, 100), 'a.json.gz', 1));
    expect(await sink.commit([])).toEqual({ written: 100, duplicates: 0 });
    // The same rows again, then new ones in the same batch: the duplicate key sends it through staging.
    await sink.write(encode(all.slice(0, 100), 'a.json.gz', 1));
    await sink.write(encode(all.slice(100, 150), 'a.json.gz', 100 + 1));
    expect(await sink.commit([])).toEqual({ written: 50, duplicates: 100 });
    await sink.write(encode(all.slice(150, 200), 'a.json.gz', 150 + 1));
    expect(await sink.commit([])).toEqual({ written: 50, duplicates: 0 });
    // A row twice within one batch.
    await sink.write(encode(all.slice(200, 250), 'a.json.gz', 200 + 1));
    await sink.write(encode(all.slice(240, 300), 'a.json.gz', 240 + 1));
    expect(await sink.commit([])).toEqual({ written: 100, duplicates: 10 });
    const ids = await pg.query<{ n: string; d: string }>('SELECT count(*) AS n, count(DISTINCT source_index) AS d FROM logs');
    expect(ids[0]).toEqual({ n: '300', d: '300' });
    await sink.close();
  });

  it('a batch too big to keep for a replay goes through staging part way, nothing lost or doubled', async () => {
    const { sink, pg } = await fresh(20_000);
    const all = appLogEntries(400, { seed: 11, startMs: Date.parse('2025-04-01T00:00:00Z') });
    await sink.write(encode(all.slice(0, 50), 'b.json.gz', 1));
    expect(await sink.commit([])).toEqual({ written: 50, duplicates: 0 });
    for (let i = 0; i < 400; i += 25) await sink.write(encode(all.slice(i, i + 25), 'b.json.gz', i + 1));
    expect(await sink.commit([])).toEqual({ written: 350, duplicates: 50 });
    for (let i = 0; i < 400; i += 100) await sink.write(encode(all.slice(i, i + 100), 'b.json.gz', i + 1));
    expect(await sink.commit([])).toEqual({ written: 0, duplicates: 400 });
    expect((await pg.query<{ n: string }>('SELECT count(*) AS n FROM logs'))[0]?.n).toBe('400');
    await sink.close();
  });

  it('a duplicate key reported while the COPY is still open (PostgreSQL checks rows in batches) is no crash', async () => {
    const { sink, pg } = await fresh();
    const all = appLogEntries(6000, { seed: 13, startMs: Date.parse('2025-04-01T00:00:00Z') });
    await sink.write(encode(all.slice(0, 4000), 'c.json.gz', 1));
    expect(await sink.commit([])).toEqual({ written: 4000, duplicates: 0 });
    // 4,000 duplicate rows in one write: refused while that COPY is open; the next writes must not touch it.
    await sink.write(encode(all.slice(0, 4000), 'c.json.gz', 1));
    await new Promise((r) => setTimeout(r, 100));
    await sink.write(encode(all.slice(4000, 5000), 'c.json.gz', 4001));
    expect(await sink.commit([])).toEqual({ written: 1000, duplicates: 4000 });
    // The same, then the batch is given up.
    await sink.write(encode(all.slice(0, 4000), 'c.json.gz', 1));
    await new Promise((r) => setTimeout(r, 100));
    await sink.rollback();
    await sink.write(encode(all.slice(5000, 6000), 'c.json.gz', 5001));
    expect(await sink.commit([])).toEqual({ written: 1000, duplicates: 0 });
    expect((await pg.query<{ n: string }>('SELECT count(*) AS n FROM logs'))[0]?.n).toBe('6000');
    await sink.close();
  });

  it('a row refused for another reason (a CHECK) fails the batch cleanly; the sink goes on after rollback', async () => {
    const { sink, pg } = await fresh();
    await pg.query('ALTER TABLE logs ADD CONSTRAINT below_3000 CHECK (source_index < 3000)');
    const all = appLogEntries(4000, { seed: 14, startMs: Date.parse('2025-04-01T00:00:00Z') });
    const failed = (async () => {
      await sink.write(encode(all.slice(0, 4000), 'd.json.gz', 1));
      await new Promise((r) => setTimeout(r, 100));
      await sink.write(encode(all.slice(0, 10), 'e.json.gz', 1));
      await sink.commit([]);
    })();
    await expect(failed).rejects.toThrow(/below_3000/);
    await sink.rollback();
    await sink.write(encode(all.slice(0, 100), 'f.json.gz', 1));
    expect(await sink.commit([])).toEqual({ written: 100, duplicates: 0 });
    expect((await pg.query<{ n: string }>('SELECT count(*) AS n FROM logs'))[0]?.n).toBe('100');
    await sink.close();
  });
});
