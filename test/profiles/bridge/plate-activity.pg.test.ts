import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { RowChunkBuilder } from '../../../src/core/rows/row-chunk.js';
import { bridgeProfile } from '../../../src/profiles/bridge/index.js';
import { EVENTS_TABLE } from '../../../src/profiles/bridge/schema.js';
import type { Profile, RowEmitter } from '../../../src/profiles/profile.js';
import { UnitMemory } from '../../../src/profiles/unit-memory.js';
import { PostgresSink } from '../../../src/sinks/postgres/postgres-sink.js';
import { tempDir } from '../../helpers/cli.js';
import { PG_BASE_URL, postgresReachable, testSchema, type TestSchema } from '../../helpers/pg-test-db.js';
import { reportInProcess } from '../../reports/helpers/report-fixture.js';
import { oldHitsSql, plateEvents, tenthHits, withOddTypes } from './plate-activity-events.js';

const ready = await postgresReachable();

/**
 * Reports `hits` and `last_seen` on PostgreSQL read `plate_activity`, kept by a statement trigger.
 * Their rows must be those of the old queries over the events, run by psql as the oracle: after
 * batches of every size, copied straight in or through staging after a duplicate, batches rolled
 * back and written again, and on a schema the old migrations began.
 */

/** The bridge profile as it was before plate_activity and type_counts: PostgreSQL migration 1 only. */
const oldProfile: Profile = {
  ...bridgeProfile,
  postgresMigrations: bridgeProfile.postgresMigrations?.filter((m) => m.version <= 1),
};

/** Writes `records` through the PostgreSQL sink, committing every `batch`; `rollbackEvery` drops some batches and writes them again. */
async function load(url: string, profile: Profile, records: readonly unknown[], batch: number, rollbackEvery = 0): Promise<PostgresSink['segments']> {
  // A small replay buffer: a batch that meets a duplicate goes through staging segment by segment.
  const sink = new PostgresSink(url, profile, 4_000);
  await sink.open();
  const write = async (from: number, to: number): Promise<void> => {
    for (let j = from; j < to; j += 11) {
      const builder = new RowChunkBuilder(0, EVENTS_TABLE);
      const emit: RowEmitter = { row: (_table, values) => builder.add(values), warn: () => undefined };
      const origin = { unitName: 'bridge.ndjson', index: 0, memory: new UnitMemory() };
      for (const r of records.slice(j, Math.min(j + 11, to))) profile.map(r, emit, {}, origin);
      await sink.write(builder.take());
    }
  };
  try {
    for (let i = 0, n = 0; i < records.length; i += batch, n++) {
      const to = Math.min(i + batch, records.length);
      if (rollbackEvery > 0 && n % rollbackEvery === 0) {
        await write(i, to); // a crash before the commit: none of it stays
        await sink.rollback();
      }
      await write(i, to);
      await sink.commit([]);
    }
  } finally {
    await sink.close();
  }
  return sink.segments;
}

/** The old raw queries of the reports (before plate_activity), as psql runs them: rows as JSON. */
function oracle(schema: string, report: 'hits' | 'last_seen' | 'types', filter = ''): unknown[] {
  const sql =
    report === 'types'
      ? `SELECT type, msg, count(*) AS events FROM events WHERE true ${filter}
         GROUP BY type, msg ORDER BY events DESC, type COLLATE "C" NULLS LAST, msg COLLATE "C" NULLS LAST`
      : report === 'hits'
      ? `SELECT plate, count(*) AS hits, min(t_rel_ms) AS min_t_rel_ms, max(t_rel_ms) AS max_t_rel_ms,
           round(avg(t_rel_ms)::numeric, 3)::float8 AS mean_t_rel_ms
         FROM events WHERE type = 'event' AND msg = 'HIT' ${filter}
         GROUP BY plate ORDER BY hits DESC, plate COLLATE "C" NULLS LAST`
      : `SELECT plate, count(*) AS events, min(ts_ms) AS first_ts_ms, max(ts_ms) AS last_ts_ms,
           round(((max(ts_ms) - min(ts_ms)) / 1000.0)::numeric, 3)::float8 AS span_s
         FROM events WHERE plate IS NOT NULL ${filter}
         GROUP BY plate ORDER BY last_ts_ms DESC NULLS LAST, plate COLLATE "C"`;
  const json = `SET search_path TO "${schema}"; SELECT coalesce(json_agg(r), '[]') FROM (${sql}) AS r`;
  const r = spawnSync('psql', ['-X', '-q', '-At', PG_BASE_URL, '-c', json], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as unknown[];
}

/** A report's rows as the command writes them in JSON. */
async function report(url: string, name: string, flags: Record<string, string> = {}): Promise<unknown[]> {
  const r = await reportInProcess(url, name, { format: 'json', ...flags });
  return JSON.parse(r.stdout) as unknown[];
}

/** Both reports, default flags, a session, a plate, against the oracle. */
async function expectOracle(pg: TestSchema): Promise<void> {
  expect(await report(pg.url, 'hits')).toEqual(oracle(pg.name, 'hits'));
  expect(await report(pg.url, 'hits', { session: 's-b' })).toEqual(oracle(pg.name, 'hits', "AND session_id = 's-b'"));
  expect(await report(pg.url, 'hits', { plate: 'P3' })).toEqual(oracle(pg.name, 'hits', "AND plate = 'P3'"));
  expect(await report(pg.url, 'last_seen', { limit: '0' })).toEqual(oracle(pg.name, 'last_seen'));
  expect(await report(pg.url, 'last_seen', { session: 's-c', limit: '0' })).toEqual(oracle(pg.name, 'last_seen', "AND session_id = 's-c'"));
  expect(await report(pg.url, 'types')).toEqual(oracle(pg.name, 'types'));
  expect(await report(pg.url, 'types', { session: 'S-d' })).toEqual(oracle(pg.name, 'types', "AND session_id = 'S-d'"));
}

describe.skipIf(!ready)('bridge plate_activity and type_counts on PostgreSQL: reports hits, last_seen and types as the events give them', () => {
  const records = withOddTypes(plateEvents(3000, 7));
  const schemas: TestSchema[] = [];
  const schema = (): TestSchema => {
    const s = testSchema('dashrep_t_plates');
    schemas.push(s);
    return s;
  };
  afterAll(async () => {
    for (const s of schemas) await s.drop();
  });

  for (const batch of [1, 250, 100_000]) {
    it(`gives the oracle's rows in batches of ${batch}`, async () => {
      const pg = schema();
      // Batches of one are slow in PostgreSQL (a transaction each): fewer events.
      await load(pg.url, bridgeProfile, batch === 1 ? records.slice(0, 400) : records, batch);
      const hits = oracle(pg.name, 'hits') as Array<{ plate: string | null }>;
      expect(hits.some((h) => h.plate === null)).toBe(true);
      await expectOracle(pg);
    }, 120_000);
  }

  it('over three runs whose events overlap (duplicates ignored), with batches rolled back and written again', async () => {
    const pg = schema();
    const first = await load(pg.url, bridgeProfile, records.slice(0, 1400), 64, 3);
    // Both ways in: COPY straight into events, and through staging after a duplicate key.
    expect(first.copied).toBeGreaterThan(0);
    expect(first.staged).toBeGreaterThan(0);
    await load(pg.url, bridgeProfile, records.slice(1000, 2500), 333, 2);
    await load(pg.url, bridgeProfile, [...records.slice(2400), ...records.slice(0, 300)], 500, 2);
    await expectOracle(pg);
  }, 120_000);

  it('upgrades a schema the old migrations began: migrations 2 and 3 count its events, the triggers go on', async () => {
    const pg = schema();
    await load(pg.url, oldProfile, records.slice(0, 1700), 100);
    expect(await pg.query("SELECT to_regclass('plate_activity') AS t")).toEqual([{ t: null }]);
    await load(pg.url, bridgeProfile, records.slice(1500), 100);
    const version = await pg.query<{ v: number }>("SELECT max(version) AS v FROM schema_version WHERE component = 'bridge'");
    expect(version[0]?.v).toBe(3);
    await expectOracle(pg);
  }, 120_000);

  it('a mean on a rounding tie: the bytes of SQLite summing the HITs in one pass (PostgreSQL sums them otherwise)', async () => {
    // 40 HITs of one decimal per plate: a tie (x.xxx5) for every odd sum of tenths; see plate-activity.test.ts.
    const tenths = tenthHits((i) => `s-${i % 3}`);
    const pg = schema();
    await load(pg.url, bridgeProfile, tenths, 997);
    const path = join(tempDir(), 'tenths.db');
    const db = new Database(path);
    db.exec('CREATE TABLE events (type TEXT, msg TEXT, plate TEXT, t_rel_ms REAL)');
    const insert = db.prepare('INSERT INTO events VALUES (?, ?, ?, ?)');
    db.transaction(() => {
      for (const e of tenths as Array<Record<string, string | number>>) insert.run(e.type, e.msg, e.plate, e.t_rel_ms);
    })();
    const old = db.prepare(oldHitsSql()).all();
    db.close();
    expect(old).toHaveLength(300);
    expect(await report(pg.url, 'hits')).toEqual(old);
  }, 120_000);
});
