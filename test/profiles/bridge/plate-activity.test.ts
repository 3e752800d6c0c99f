import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { RowChunkBuilder } from '../../../src/core/rows/row-chunk.js';
import { bridgeProfile } from '../../../src/profiles/bridge/index.js';
import { EVENTS_TABLE } from '../../../src/profiles/bridge/schema.js';
import type { Profile, RowEmitter } from '../../../src/profiles/profile.js';
import { UnitMemory } from '../../../src/profiles/unit-memory.js';
import { SqliteSink } from '../../../src/sinks/sqlite/sqlite-sink.js';
import { tempDir } from '../../helpers/cli.js';
import { oldHitsSql, oldTypesSql, plateEvents as events, tenthHits, withOddTypes } from './plate-activity-events.js';
import { reportInProcess } from '../../reports/helpers/report-fixture.js';

/**
 * Reports `hits` and `last_seen` read `plate_activity`, kept per batch. Their rows must be those of the
 * old queries over the events, run by the sqlite3 shell as the oracle: after batches of every size,
 * duplicates, a batch rolled back and written again, and on a database the old schema began.
 */

/** The bridge profile as it was before plate_activity and type_counts: migrations 1 and 2, nothing per batch. */
const oldProfile: Profile = {
  ...bridgeProfile,
  sqliteMigrations: bridgeProfile.sqliteMigrations.filter((m) => m.version <= 2),
  sqliteAfterBatch: undefined,
};

/** Writes `records` through the SQLite sink, committing every `batch`; `rollbackEvery` drops some batches and writes them again. */
async function load(path: string, profile: Profile, records: readonly unknown[], batch: number, rollbackEvery = 0): Promise<void> {
  const sink = new SqliteSink(path, profile);
  await sink.open();
  const write = (from: number, to: number): void => {
    // Rows reach the sink in several chunks per batch, as from parser threads.
    for (let j = from; j < to; j += 11) {
      const builder = new RowChunkBuilder(0, EVENTS_TABLE);
      const emit: RowEmitter = { row: (_table, values) => builder.add(values), warn: () => undefined };
      const origin = { unitName: 'bridge.ndjson', index: 0, memory: new UnitMemory() };
      for (const r of records.slice(j, Math.min(j + 11, to))) profile.map(r, emit, {}, origin);
      sink.write(builder.take());
    }
  };
  for (let i = 0, n = 0; i < records.length; i += batch, n++) {
    const to = Math.min(i + batch, records.length);
    if (rollbackEvery > 0 && n % rollbackEvery === 0) {
      write(i, to); // a crash before the commit: none of it stays
      sink.rollback();
    }
    write(i, to);
    await sink.commit([]);
  }
  await sink.close();
}

/** The old raw queries of the reports (before plate_activity), as the sqlite3 shell runs them. */
function oracle(path: string, report: 'hits' | 'last_seen' | 'types', filter = ''): unknown[] {
  const sql =
    report === 'hits'
      ? oldHitsSql(filter)
      : report === 'types'
      ? oldTypesSql(filter)
      : `SELECT plate, count(*) AS events, min(ts_ms) AS first_ts_ms, max(ts_ms) AS last_ts_ms,
           round((max(ts_ms) - min(ts_ms)) / 1000.0, 3) AS span_s
         FROM events WHERE plate IS NOT NULL ${filter}
         GROUP BY plate ORDER BY last_ts_ms DESC, plate`;
  const r = spawnSync('sqlite3', ['-json', '-readonly', path, sql], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim() === '' ? [] : (JSON.parse(r.stdout) as unknown[]);
}

/** A report's rows as the command writes them in JSON. */
async function report(path: string, name: string, flags: Record<string, string> = {}): Promise<unknown[]> {
  const r = await reportInProcess(path, name, { format: 'json', ...flags });
  return JSON.parse(r.stdout) as unknown[];
}

/** Both reports, default flags, a session, a plate, the empty plate, against the oracle. */
async function expectOracle(path: string): Promise<void> {
  expect(await report(path, 'hits')).toEqual(oracle(path, 'hits'));
  expect(await report(path, 'hits', { session: 's-b' })).toEqual(oracle(path, 'hits', "AND session_id = 's-b'"));
  expect(await report(path, 'hits', { plate: 'P3' })).toEqual(oracle(path, 'hits', "AND plate = 'P3'"));
  expect(await report(path, 'hits', { plate: 'P0', session: 'S-d' })).toEqual(oracle(path, 'hits', "AND plate = 'P0' AND session_id = 'S-d'"));
  expect(await report(path, 'last_seen', { limit: '0' })).toEqual(oracle(path, 'last_seen'));
  expect(await report(path, 'last_seen', { session: 's-c', limit: '0' })).toEqual(oracle(path, 'last_seen', "AND session_id = 's-c'"));
  expect((await report(path, 'last_seen')).slice(0, 50)).toEqual(oracle(path, 'last_seen').slice(0, 50));
  expect(await report(path, 'types')).toEqual(oracle(path, 'types'));
  expect(await report(path, 'types', { session: 'S-d' })).toEqual(oracle(path, 'types', "AND session_id = 'S-d'"));
}

function summaryRows(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM plate_activity').pluck().get() as number;
  } finally {
    db.close();
  }
}

describe('bridge plate_activity and type_counts: reports hits, last_seen and types as the events give them', () => {
  const records = withOddTypes(events(3000, 7));
  const dir = tempDir();

  it('the oracle sees every case: a NULL plate among the HITs, an empty plate, HITs without t_rel_ms', async () => {
    const path = join(dir, 'cases.db');
    await load(path, bridgeProfile, records, 500);
    const hits = oracle(path, 'hits') as Array<{ plate: string | null; hits: number }>;
    expect(hits.some((h) => h.plate === null)).toBe(true);
    expect(hits.some((h) => h.plate === '')).toBe(true);
    expect(oracle(path, 'hits', 'AND t_rel_ms IS NULL').length).toBeGreaterThan(0);
    expect(oracle(path, 'last_seen', 'AND ts_ms IS NULL').length).toBeGreaterThan(0);
    const types = oracle(path, 'types') as Array<{ type: string | null; msg: string | null }>;
    expect(types.some((t) => t.type === null) && types.some((t) => t.type === '') && types.some((t) => t.msg === null)).toBe(true);
    // One row per (session, plate): the events of each are kept in one row, whatever the batches.
    expect(summaryRows(path)).toBe(4 * 14);
  });

  for (const batch of [1, 7, 250, 100_000]) {
    it(`gives the oracle's rows in batches of ${batch}`, async () => {
      const path = join(dir, `batch-${batch}.db`);
      await load(path, bridgeProfile, records, batch);
      await expectOracle(path);
    });
  }

  it('over three runs whose events overlap (duplicates ignored), with batches rolled back and written again', async () => {
    const path = join(dir, 'runs.db');
    await load(path, bridgeProfile, records.slice(0, 1400), 64, 3);
    await load(path, bridgeProfile, records.slice(1000, 2500), 33, 5);
    await load(path, bridgeProfile, [...records.slice(2400), ...records.slice(0, 300)], 500, 2);
    await expectOracle(path);
  });

  it('upgrades a database the old schema began: migrations 3 and 4 count its events, the batches go on', async () => {
    const path = join(dir, 'upgraded.db');
    await load(path, oldProfile, records.slice(0, 1700), 100);
    await load(path, bridgeProfile, records.slice(1700), 100);
    const db = new Database(path, { readonly: true });
    const version = db.prepare("SELECT max(version) FROM schema_version WHERE component = 'bridge'").pluck().get();
    db.close();
    expect(version).toBe(4);
    await expectOracle(path);
  });

  it('reads the events on a database of the old schema (no plate_activity, no type_counts): the same rows', async () => {
    const path = join(dir, 'old.db');
    await load(path, oldProfile, records, 400);
    expect(await report(path, 'types')).toEqual(oracle(path, 'types'));
    expect(await report(path, 'hits')).toEqual(oracle(path, 'hits'));
    expect(await report(path, 'last_seen', { limit: '0' })).toEqual(oracle(path, 'last_seen'));
  });

  it('a mean on a rounding tie rounds as one pass over the HITs does, however many batches added to it', async () => {
    // 40 HITs of one decimal per plate: the mean is T / 400 for T tenths, a tie (x.xxx5) for every odd
    // T, and the sums round. The old query, run by the same SQLite as the report, is the reference
    // (the shell's older SQLite sums in another way, so it may round a tie the other way).
    const tenths = tenthHits(() => 's-t');
    const path = join(dir, 'tenths.db');
    await load(path, bridgeProfile, tenths, 7);
    const db = new Database(path, { readonly: true });
    const old = db.prepare(oldHitsSql()).all();
    db.close();
    expect(old).toHaveLength(300);
    expect(await report(path, 'hits')).toEqual(old);
  });
});
