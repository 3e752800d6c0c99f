import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cowrieProfile } from '../../../src/profiles/cowrie/index.js';
import type { Profile } from '../../../src/profiles/profile.js';
import { tempDir } from '../../helpers/cli.js';
import { mulberry32 } from '../../helpers/prng.js';
import { loadThroughSink, type AfterBatchWays } from './load-through-sink.js';
import { sessionTables } from './session-tables.js';

/**
 * The session tables kept once per batch (COWRIE_SESSION_BATCH_SQL) against the per-row trigger they
 * replace, as the oracle: the cowrie schema before migration 4 still has it. Every table is compared
 * with its rowids, for batches of one event, of a few, of many, over several runs, and for a database
 * that the trigger began and the batches go on with.
 */

/** The cowrie profile as it was with the trigger: migrations up to 3, nothing per batch. */
const triggerProfile: Profile = {
  ...cowrieProfile,
  sqliteMigrations: cowrieProfile.sqliteMigrations.filter((m) => m.version <= 3),
  sqliteAfterBatch: undefined,
  sqliteBatchSummary: undefined,
};

/**
 * Events that make every merge rule count: sessions spread over the whole stream (so over batches and
 * runs), out of time order, placed by every matcher (a better one arriving late), several successes
 * with other names (some without a password), durations in each form, a missing first source IP,
 * events without eventid, without session or time, times that JavaScript's `<` orders otherwise than
 * SQLite (a character above U+FFFF against U+E000-U+FFFF) or that SQLite stores otherwise (a lone
 * surrogate), and duplicates, near and far (none with `duplicates: false`).
 */
function trickyEvents(count: number, seed: number, { duplicates = true } = {}): unknown[] {
  const rnd = mulberry32(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const out: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const id = `${(int(30) + 1).toString(16).padStart(8, 'a')}beef`;
    const other = rnd() < 0.3 ? `${(int(6) + 1).toString(16).padStart(8, 'c')}cafe` : id;
    const t = new Date(Date.UTC(2024, 0, 1) + int(3_600_000)).toISOString();
    // Without duplicates, a number of its own keeps two events of the same content apart.
    const e: Record<string, unknown> = { timestamp: rnd() < 0.05 ? undefined : t, ...(duplicates ? {} : { seq: i }) };
    const kind = int(13);
    if (kind === 0) Object.assign(e, { eventid: 'cowrie.session.connect', session: id, message: pick([`New connection [session: ${id}]`, 'New connection']), src_ip: rnd() < 0.5 ? undefined : `10.0.0.${int(9)}`, protocol: pick(['ssh', 'telnet', undefined]) });
    else if (kind === 1) Object.assign(e, { eventid: 'cowrie.login.success', session: id, username: pick(['root', 'admin', undefined]), password: pick(['x', 'y', undefined]) });
    else if (kind === 2) Object.assign(e, { eventid: 'cowrie.login.failed', uuid: other, username: 'u', password: 'p' });
    else if (kind === 3) Object.assign(e, { eventid: 'cowrie.command.input', session: id, input: pick(['ls -la', 'echo "a\tb"\nwhoami']) });
    else if (kind === 4) Object.assign(e, { eventid: 'cowrie.session.file_download', session_id: other, url: `http://x/${int(5)}`, shasum: 'ab'.repeat(32) });
    else if (kind === 5) Object.assign(e, { eventid: 'cowrie.session.closed', session: id, duration: pick([1.5, '88.7', '00:01:28', 'soon', 0]) });
    else if (kind === 6) Object.assign(e, { eventid: 'cowrie.client.version', session: id, version: pick(['SSH-2.0-Go', undefined]), sensor: pick(['a', 'b', undefined]) });
    else if (kind === 7) Object.assign(e, { session: id, message: 'no eventid', src_ip: '10.9.9.9' });
    else if (kind === 8) Object.assign(e, { eventid: 'cowrie.log.open', message: 'no session at all' });
    else if (kind === 9) Object.assign(e, { eventid: 'cowrie.direct-tcpip.request', message: `for session ${other}` });
    else if (kind === 11) Object.assign(e, { eventid: 'cowrie.session.params', session: id, timestamp: `2024-01-01T01:00:0${pick(['\u{1F600}', '\uE000', '\uFFFD', 'Z', duplicates ? '\uD800' : 'z'])}` });
    else Object.assign(e, { eventid: 'cowrie.session.params', session: id, src_ip: `10.1.0.${int(9)}` });
    out.push(e);
    if (!duplicates) continue;
    if (rnd() < 0.05) out.push(e);
    if (rnd() < 0.05 && out.length > 50) out.push(out[int(out.length - 1)]);
  }
  return out;
}

const load = loadThroughSink;

const tables = sessionTables;

describe('cowrie session tables kept per batch', () => {
  const events = trickyEvents(1200, 5);
  const dir = tempDir();
  const oracle = join(dir, 'trigger.db');
  let expected: Record<string, string> = {};

  it('the trigger oracle holds every kind of session row', async () => {
    await load(oracle, triggerProfile, events, 100);
    expected = tables(oracle);
    const db = new Database(oracle, { readonly: true });
    const counts = db.prepare(`SELECT count(*) AS sessions, sum(command_count > 0) AS with_commands, sum(download_count > 0) AS with_downloads,
      sum(closed_duration_sec IS NOT NULL) AS closed, sum(username IS NOT NULL) AS users, sum(matcher = 'full_delimited') AS delimited,
      sum(matcher = 'event_session') AS others FROM session_metrics`).get() as Record<string, number>;
    db.close();
    for (const [k, v] of Object.entries(counts)) expect(v, k).toBeGreaterThan(0);
  });

  for (const batch of [1, 7, 250, 100_000]) {
    it(`gives the trigger's tables, rowids included, in batches of ${batch}`, async () => {
      const path = join(dir, `batch-${batch}.db`);
      const ways = await load(path, cowrieProfile, events, batch);
      expect(tables(path)).toEqual(expected);
      // Chunks with a duplicate or a lone surrogate are kept by the statements, the others from their
      // summary; the one batch of 1,200 events has its duplicates everywhere, more runs than are
      // kept apart, and the statements keep all of it.
      expect(ways.statements, 'chunks by the statements').toBeGreaterThan(0);
      if (batch < 100_000) expect(ways.summary, 'chunks from the summary').toBeGreaterThan(0);
      else expect(ways).toEqual({ summary: 0, statements: 1 });
    });
  }

  it("gives the trigger's tables by the statements alone, for rows that carry no summary (from NATS)", async () => {
    const path = join(dir, 'statements.db');
    const ways = await load(path, cowrieProfile, events, 250, { summaries: false });
    expect(ways.summary).toBe(0);
    expect(tables(path)).toEqual(expected);
  });

  /** Loads `events` in batches of 100 with the trigger and with the profile: how the batches kept them, and both databases' tables. */
  async function againstTrigger(name: string, events: readonly unknown[]): Promise<{ ways: AfterBatchWays; tables: Array<Record<string, string>> }> {
    const [oracleDb, path] = [join(dir, `${name}-trigger.db`), join(dir, `${name}.db`)];
    await load(oracleDb, triggerProfile, events, 100);
    const ways = await load(path, cowrieProfile, events, 100);
    return { ways, tables: [tables(path), tables(oracleDb)] };
  }

  it("gives the trigger's tables from the summary of every batch when no event is a duplicate", async () => {
    const { ways, tables: [mine, oracle] } = await againstTrigger('unique', trickyEvents(1200, 6, { duplicates: false }));
    expect(ways).toEqual({ summary: 12, statements: 0 });
    expect(mine).toEqual(oracle);
  });

  it("orders a session's times as SQLite does when they meet in one chunk: above U+FFFF after U+E000-U+FFFF", async () => {
    // Each session's events one after another (one chunk): first and last seen come from the summary.
    const ends = ['\u{1F600}', '\uFFFF', '\uE000', '\uFFFD', 'z', '\u{10000}'];
    const odd = [0, 1, 2, 3, 4, 5].flatMap((s) => [0, 1, 2].map((k) => ({
      eventid: 'cowrie.session.params', session: `odd${s}`, seq: k, timestamp: `2024-01-01T00:00:0${ends[(s + k * (s + 1)) % ends.length]}`,
    })));
    const { ways, tables: [mine, oracle] } = await againstTrigger('odd', odd);
    expect(ways).toEqual({ summary: 1, statements: 0 });
    expect(mine).toEqual(oracle);
  });

  it("gives the trigger's tables over three runs whose events overlap", async () => {
    const path = join(dir, 'runs.db');
    await load(path, cowrieProfile, events.slice(0, 500), 64);
    await load(path, cowrieProfile, events.slice(400, 900), 33);
    await load(path, cowrieProfile, [...events.slice(850), ...events.slice(0, 100)], 500);
    expect(tables(path)).toEqual(expected);
  });

  it('upgrades a database the trigger began: the trigger goes, the sessions go on as if it had stayed', async () => {
    const path = join(dir, 'upgraded.db');
    await load(path, triggerProfile, events.slice(0, 600), 100);
    await load(path, cowrieProfile, events.slice(600), 100);
    const db = new Database(path, { readonly: true });
    const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name").pluck().all();
    const version = db.prepare("SELECT max(version) FROM schema_version WHERE component = 'cowrie'").pluck().get();
    db.close();
    // The per-event trigger is gone; those left keep the report sums of the sessions (migration 8).
    expect(triggers).toEqual(['session_metrics_report_insert', 'session_metrics_report_update']);
    expect(version).toBe(8);
    expect(tables(path)).toEqual(expected);
  });
});
