import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import type { EncodedRows } from '../../../src/core/rows/row-chunk.js';
import { RowChunkBuilder } from '../../../src/core/rows/row-chunk.js';
import { applogProfile } from '../../../src/profiles/applog/index.js';
import { bridgeProfile } from '../../../src/profiles/bridge/index.js';
import { EVENTS_TABLE } from '../../../src/profiles/bridge/schema.js';
import { LOGS_TABLE } from '../../../src/profiles/applog/schema.js';
import { UnitMemory } from '../../../src/profiles/unit-memory.js';
import { PostgresSink } from '../../../src/sinks/postgres/postgres-sink.js';
import { PG_BASE_URL, postgresReachable, testSchema, type TestSchema } from '../../helpers/pg-test-db.js';
import { appLogEntries } from '../../helpers/spool-fixtures.js';

const ready = await postgresReachable();

function encode(entries: readonly unknown[], unitName: string, first: number): EncodedRows {
  const builder = new RowChunkBuilder(0, LOGS_TABLE);
  // Entries are keyed by content; these are all distinct, so a fresh memory per call keys them as a whole file would.
  const memory = new UnitMemory();
  entries.forEach((e, i) => applogProfile.map(e, { row: (_t, values) => builder.add(values), warn: () => undefined }, {}, { unitName, index: first + i, memory }));
  return builder.take();
}

/** Rows of `logs` and distinct keys, as psql (not our driver) counts them. */
function psqlCounts(schema: string): { rows: number; keys: number } {
  const out = execFileSync('psql', [PG_BASE_URL, '-tAc', `SELECT count(*), count(DISTINCT (source_file, source_index)) FROM "${schema}".logs`], { encoding: 'utf8' });
  const [rows, keys] = out.trim().split('|').map(Number);
  return { rows: rows ?? -1, keys: keys ?? -1 };
}

describe.skipIf(!ready)('PostgresSink: only the segment that met a duplicate goes through staging', () => {
  const schemas: TestSchema[] = [];
  afterAll(async () => {
    for (const s of schemas) await s.drop();
  });

  it('stores every row once; segments after the failed one (in this batch and the next) are copied straight in', async () => {
    const pg = testSchema('t_pgseg');
    schemas.push(pg);
    // Segments of about 20 kB: a few writes of 25 rows each.
    const sink = new PostgresSink(pg.url, applogProfile, 20_000);
    await sink.open();
    const all = appLogEntries(1000, { seed: 21, startMs: Date.parse('2025-04-01T00:00:00Z') });
    await sink.write(encode(all.slice(0, 25), 'u.json.gz', 1));
    expect(await sink.commit([])).toEqual({ written: 25, duplicates: 0 });
    const before = { ...sink.segments };

    // One batch: the 25 rows again at its start (one failed segment), then 475 new rows.
    for (let i = 0; i < 500; i += 25) await sink.write(encode(all.slice(i, i + 25), 'u.json.gz', i + 1));
    expect(await sink.commit([])).toEqual({ written: 475, duplicates: 25 });
    const staged = sink.segments.staged - before.staged;
    const copied = sink.segments.copied - before.copied;
    expect(staged).toBe(1);
    expect(copied).toBeGreaterThanOrEqual(3);

    // The next batch has no duplicates: straight in, no staging at all.
    for (let i = 500; i < 1000; i += 25) await sink.write(encode(all.slice(i, i + 25), 'u.json.gz', i + 1));
    expect(await sink.commit([])).toEqual({ written: 500, duplicates: 0 });
    expect(sink.segments.staged - before.staged).toBe(1);
    expect(sink.segments.copied - before.copied).toBeGreaterThan(copied);
    await sink.close();
    expect(psqlCounts(pg.name)).toEqual({ rows: 1000, keys: 1000 });
  });

  it('a duplicate in the middle of a batch: the segments before and after it stay straight COPYs, every row once', async () => {
    const pg = testSchema('t_pgseg');
    schemas.push(pg);
    const sink = new PostgresSink(pg.url, applogProfile, 20_000);
    await sink.open();
    const all = appLogEntries(600, { seed: 22, startMs: Date.parse('2025-04-01T00:00:00Z') });
    await sink.write(encode(all.slice(300, 301), 'm.json.gz', 301));
    await sink.commit([]);
    const before = { ...sink.segments };
    for (let i = 0; i < 600; i += 25) await sink.write(encode(all.slice(i, i + 25), 'm.json.gz', i + 1));
    expect(await sink.commit([])).toEqual({ written: 599, duplicates: 1 });
    expect(sink.segments.staged - before.staged).toBe(1);
    expect(sink.segments.copied - before.copied).toBeGreaterThanOrEqual(4);
    await sink.close();
    expect(psqlCounts(pg.name)).toEqual({ rows: 600, keys: 600 });
  });

  it('a bridge key repeated within one batch is left out before COPY: no segment goes through staging, the first row of the key is kept', async () => {
    const pg = testSchema('t_pgseg');
    schemas.push(pg);
    const sink = new PostgresSink(pg.url, bridgeProfile, 20_000);
    await sink.open();
    const event = (seq: number, msg: string): unknown => ({ seq, type: 'event', msg, session_id: `s${seq % 3}`, ts_ms: 1_000 + seq });
    const before = { ...sink.segments };
    // Events 0..299, then 100..149 again with another message, in one batch: the first of each key stays.
    for (let i = 0; i < 300; i += 25) await sink.write(encodeBridge(range(i, i + 25).map((n) => event(n, 'first'))));
    for (let i = 100; i < 150; i += 25) await sink.write(encodeBridge(range(i, i + 25).map((n) => event(n, 'again'))));
    expect(await sink.commit([])).toEqual({ written: 300, duplicates: 50 });
    expect(sink.segments.staged - before.staged).toBe(0);
    // The next batch repeats keys of the last one: those still go the staging way, once.
    await sink.write(encodeBridge(range(0, 25).map((n) => event(n, 'later'))));
    expect(await sink.commit([])).toEqual({ written: 0, duplicates: 25 });
    expect(sink.segments.staged - before.staged).toBe(1);
    await sink.close();
    const out = execFileSync('psql', [PG_BASE_URL, '-tAc', `SELECT count(*), count(DISTINCT (session_id, seq)), count(*) FILTER (WHERE msg = 'first') FROM "${pg.name}".events`], {
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('300|300|300');
  });
});

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

function encodeBridge(records: readonly unknown[]): EncodedRows {
  const builder = new RowChunkBuilder(0, EVENTS_TABLE);
  const memory = new UnitMemory();
  records.forEach((r, i) => bridgeProfile.map(r, { row: (_t, values) => builder.add(values), warn: () => undefined }, {}, { unitName: 'b.ndjson', index: i, memory }));
  return builder.take();
}
