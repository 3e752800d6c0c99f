import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { SHARED_DATA, tempDir } from '../../helpers/cli.js';
import { postgresReachable, testSchema, type TestSchema } from '../../helpers/pg-test-db.js';
import { runSluiceWith, summaryOf, type SpoolSummary } from '../../helpers/spool-cli.js';
import { expectSameReports } from '../../helpers/report-compare.js';
import { firstDifference, pgRows, sqliteRows, type PlainRow } from '../../helpers/sqlite-pg-rows.js';
import { mulberry32 } from '../../helpers/prng.js';

const COWRIE = join(SHARED_DATA, 'cowrie');
const FOLDERS = ['kareiva-2018', 'bilal05tariq-2026', 'cowrieprocessor-synthetic'];
const present = FOLDERS.every((f) => existsSync(join(COWRIE, f)));
const inCi = process.env.CI === 'true';
const ready = await postgresReachable();

/** Every real Cowrie file of the three sample folders (daily logs, the modern log, the synthetic days). */
function realFiles(): string[] {
  return FOLDERS.flatMap((d) => readdirSync(join(COWRIE, d)).map((f) => join(COWRIE, d, f)))
    .filter((f) => /cowrie\.json|\.json(\.gz)?$/.test(basename(f)))
    .sort();
}

/** The lines of a (possibly gzipped) log. */
function lines(file: string): string[] {
  const bytes = readFileSync(file);
  return (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8').split('\n').filter((l) => l.trim() !== '');
}

/** Each table and view of the profile as comparable rows: no surrogate ids (commands and downloads name their event by key). */
const TABLES: ReadonlyArray<{ name: string; sql: string; key: string[]; tolerance?: number }> = [
  {
    name: 'cowrie_events',
    sql: `SELECT event_key, session_id, matcher, eventid, timestamp, src_ip, sensor, protocol, username, password, input, url,
            shasum, duration_sec, version, message, raw_json FROM cowrie_events`,
    key: ['timestamp', 'event_key'],
  },
  { name: 'session_metrics', sql: 'SELECT * FROM session_metrics', key: ['session_id'] },
  {
    name: 'session_commands',
    sql: 'SELECT e.event_key, c.session_id, c.timestamp, c.input FROM session_commands c JOIN cowrie_events e ON e.id = c.event_id',
    key: ['timestamp', 'event_key'],
  },
  {
    name: 'session_downloads',
    sql: 'SELECT e.event_key, d.session_id, d.timestamp, d.url, d.shasum FROM session_downloads d JOIN cowrie_events e ON e.id = d.event_id',
    key: ['timestamp', 'event_key'],
  },
  // SQLite's julianday difference carries float error of a few tens of microseconds at today's dates.
  { name: 'session_summary', sql: 'SELECT session_id, duration_sec FROM session_summary', key: ['session_id'], tolerance: 1e-4 },
  { name: 'enrichment_cache', sql: 'SELECT * FROM enrichment_cache', key: ['service', 'key'] },
  { name: 'schema_version', sql: "SELECT version, description FROM schema_version WHERE component = 'cowrie'", key: ['version'] },
];

/** Every table of the SQLite file and of the PostgreSQL schema, compared row for row; the SQLite rows. */
async function expectSameTables(db: string, pg: TestSchema): Promise<Map<string, PlainRow[]>> {
  const seen = new Map<string, PlainRow[]>();
  for (const t of TABLES) {
    const lite = sqliteRows(db, t.sql, t.key);
    const post = await pgRows(pg.name, t.sql, t.key);
    expect(firstDifference(post, lite, t.tolerance), t.name).toBeUndefined();
    seen.set(t.name, lite);
  }
  return seen;
}

async function ingest(files: readonly string[], into: string, dir: string): Promise<SpoolSummary> {
  const run = await runSluiceWith(['ingest', ...files, '--profile', 'cowrie', '--into', into, '--batch-size', '5000',
    '--dead-letter', join(dir, `${into.startsWith('sqlite:') ? 'sqlite' : 'pg'}.dl.ndjson`), '--json', '--no-progress']);
  expect(run.code, run.stderr).toBe(0);
  return summaryOf(run);
}

/**
 * Made-up events that make every merge rule of the session trigger count: sessions whose events come
 * out of time order, placed by every matcher (a better one arriving late), several login successes
 * with other names (some without a password), several closed durations in each form, the first
 * source IP missing, events without `eventid` or without any session, events without a time,
 * duplicates, command inputs with tabs and newlines, and a command and a password of several KB.
 */
function trickyEvents(): string {
  const rnd = mulberry32(11);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const out: string[] = [];
  for (let i = 0; i < 1500; i++) {
    const id = `${(int(40) + 1).toString(16).padStart(8, 'a')}beef`;
    const other = rnd() < 0.3 ? `${(int(8) + 1).toString(16).padStart(8, 'c')}cafe` : id; // sessions only other ids place
    const t = new Date(Date.UTC(2024, 0, 1) + int(3_600_000)).toISOString().replace('Z', `${int(1000)}Z`);
    const kind = int(12);
    const e: Record<string, unknown> = { timestamp: rnd() < 0.03 ? undefined : t };
    if (kind === 0) Object.assign(e, { eventid: 'cowrie.session.connect', session: id, message: `New connection [session: ${id}]`, src_ip: rnd() < 0.5 ? undefined : `10.0.0.${int(9)}`, protocol: pick(['ssh', 'telnet']) });
    else if (kind === 1) Object.assign(e, { eventid: 'cowrie.login.success', session: id, username: pick(['root', 'admin', 'pi', undefined]), password: pick(['x', 'y', undefined]) });
    else if (kind === 2) Object.assign(e, { eventid: 'cowrie.login.failed', uuid: other, username: 'u', password: 'p' });
    else if (kind === 3) Object.assign(e, { eventid: 'cowrie.command.input', session: id, input: pick(['ls -la', 'echo "a\tb"\nwhoami', 'cat /etc/passwd\\x']) });
    else if (kind === 4) Object.assign(e, { eventid: 'cowrie.session.file_download', session_id: other, url: `http://x/${int(5)}`, shasum: 'ab'.repeat(32) });
    else if (kind === 5) Object.assign(e, { eventid: 'cowrie.session.closed', session: id, duration: pick([1.5, '88.7', '00:01:28', 'soon', 0]) });
    else if (kind === 6) Object.assign(e, { eventid: 'cowrie.client.version', session: id, version: pick(['SSH-2.0-Go', undefined]), sensor: pick(['a', 'b', undefined]) });
    else if (kind === 7) Object.assign(e, { session: id, message: 'no eventid' });
    else if (kind === 8) Object.assign(e, { eventid: 'cowrie.log.open', message: 'no session at all' });
    else if (kind === 9) Object.assign(e, { eventid: 'cowrie.direct-tcpip.request', message: `for session ${other}` });
    else Object.assign(e, { eventid: 'cowrie.session.params', session: id, src_ip: `10.1.0.${int(9)}` });
    // An attacker's long command or password (random, so it does not compress): no index may refuse it.
    if (i % 500 === 7) Object.assign(e, { eventid: 'cowrie.command.input', session: id, input: randomText(rnd, 6000) });
    if (i % 500 === 8) Object.assign(e, { eventid: 'cowrie.login.failed', session: id, username: 'root', password: randomText(rnd, 4000) });
    const line = JSON.stringify(e);
    out.push(line);
    if (rnd() < 0.05) out.push(line);
    if (rnd() < 0.05 && out.length > 100) out.push(out[int(out.length - 1)] ?? line);
  }
  return `${out.join('\n')}\n`;
}

/** `n` characters that do not compress (base64 of random bytes). */
function randomText(rnd: () => number, n: number): string {
  return Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256))).toString('base64').slice(0, n);
}

const counts = (s: SpoolSummary): unknown => ({ read: s.read, inserted: s.inserted, duplicates: s.duplicates, bad: s.bad });

describe.skipIf(!ready || (!present && !inCi))(
  `cowrie profile into PostgreSQL: the same tables as SQLite${present ? '' : ` (skipped: ${COWRIE} lacks ${FOLDERS.join(', ')})`}`,
  () => {
    // Each test has its own schemas and folder. The first, the largest, runs alone (beside the others it
    // outgrew its time limit on a loaded machine); the other two wait mostly on PostgreSQL and run at once.
    const schemas: TestSchema[] = [];
    afterAll(async () => {
      for (const s of schemas) await s.drop();
    });

    it('loads all the real logs (three folders) as SQLite does: every table and the session view row for row', async () => {
      expect(present, `${COWRIE} must hold ${FOLDERS.join(', ')}; CI must have the shared sample data`).toBe(true);
      const files = realFiles();
      expect(files.length).toBe(30);
      const dir = tempDir();
      const db = join(dir, 'cowrie.db');
      const pg = testSchema('t_cowrie');
      schemas.push(pg);
      const [lite, post] = await Promise.all([ingest(files, `sqlite:${db}`, dir), ingest(files, pg.url, dir)]);
      expect(counts(post)).toEqual(counts(lite));
      expect(lite.inserted).toBeGreaterThan(180_000);

      const tables = await expectSameTables(db, pg);
      expect(tables.get('session_metrics')?.length).toBeGreaterThan(20_000);
      expect(tables.get('session_commands')?.length).toBeGreaterThan(50_000);
      expect(tables.get('session_downloads')?.length).toBeGreaterThan(20_000);

      const names = await pg.query<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE schemaname = $1', [pg.name]);
      expect(names.map((n) => n.indexname)).toEqual(expect.arrayContaining([
        'cowrie_events_key', 'cowrie_events_session', 'cowrie_events_login', 'session_metrics_first_seen', 'session_metrics_src_ip',
        'session_commands_input', 'session_commands_session', 'session_downloads_shasum', 'session_metrics_newest',
      ]));
    });

    it.concurrent('gives the same session metrics when events arrive twice, in files that overlap and in later batches', async () => {
      expect(present, `${COWRIE} must hold ${FOLDERS.join(', ')}`).toBe(true);
      const synthetic = realFiles().find((f) => f.endsWith('day01.json.gz')) ?? '';
      const daily = realFiles().filter((f) => f.includes('kareiva-2018')).slice(0, 2);
      const all = [...lines(synthetic).slice(0, 15_000), ...daily.flatMap(lines)];
      const dir = tempDir();
      // Three files that overlap, each also holding events of its own; the second repeats events next
      // to each other (one batch) and the third repeats the first 2,000 events at its end (a later batch).
      const cut = (from: number, to: number): string[] => all.slice(Math.floor(all.length * from), Math.floor(all.length * to));
      const parts = [
        cut(0, 0.45),
        cut(0.35, 0.75).flatMap((l, i) => (i % 97 === 0 ? [l, l] : [l])),
        [...cut(0.7, 1), ...all.slice(0, 2000)],
      ].map((part, i) => {
        const path = join(dir, `cowrie.json.part${i}`);
        writeFileSync(path, `${part.join('\n')}\n`);
        return path;
      });

      const db = join(dir, 'overlap.db');
      const pg = testSchema('t_cowrie');
      schemas.push(pg);
      for (const part of parts) {
        const [lite, post] = await Promise.all([ingest([part], `sqlite:${db}`, dir), ingest([part], pg.url, dir)]);
        expect(counts(post)).toEqual(counts(lite));
      }
      const overlapped = await expectSameTables(db, pg);

      // And the same sessions as one clean run over every event once.
      const whole = join(dir, 'cowrie.json.whole');
      writeFileSync(whole, `${all.join('\n')}\n`);
      const clean = join(dir, 'clean.db');
      const once = await ingest([whole], `sqlite:${clean}`, dir);
      expect(once.duplicates).toBe(all.length - new Set(all).size);
      const metrics = overlapped.get('session_metrics') ?? [];
      expect(metrics.length).toBeGreaterThan(1000);
      expect(firstDifference(metrics, sqliteRows(clean, 'SELECT * FROM session_metrics', ['session_id']))).toBeUndefined();
    });

    it.concurrent('merges made-up tricky events into sessions as SQLite does, in one run or in five', async () => {
      const dir = tempDir();
      const events = trickyEvents().split('\n').filter((l) => l !== '');
      // Rows reach the sink by parser chunks of many rows, so runs are what splits the statements:
      // five runs of 320 events make every session merge into its row in later statements.
      const fifths = Array.from({ length: 5 }, (_, i) => {
        const path = join(dir, `cowrie.json.${i}`);
        writeFileSync(path, `${events.slice(i * 320, i === 4 ? undefined : (i + 1) * 320).join('\n')}\n`);
        return path;
      });
      for (const runs of [[fifths], fifths.map((f) => [f])]) {
        const db = join(dir, `tricky-${runs.length}.db`);
        const pg = testSchema('t_cowrie');
        schemas.push(pg);
        let duplicates = 0;
        for (const files of runs) {
          const [lite, post] = await Promise.all([ingest(files, `sqlite:${db}`, dir), ingest(files, pg.url, dir)]);
          expect(counts(post)).toEqual(counts(lite));
          duplicates += lite.duplicates;
        }
        expect(duplicates).toBeGreaterThan(50);
        const tables = await expectSameTables(db, pg);
        const metrics = tables.get('session_metrics') ?? [];
        expect(metrics.length).toBeGreaterThan(30);
        expect(new Set(metrics.map((m) => m.matcher)).size).toBe(3);
        expect(metrics.filter((m) => m.username !== null).length).toBeGreaterThan(10);
        // The long inputs and passwords are in no report index of PostgreSQL's: the reports over them
        // read them apart (migration 5), and must still count each one as SQLite does.
        const reports = await expectSameReports(db, pg.url, 'cowrie', [
          { name: 'credentials', flags: { limit: 0 } },
          { name: 'top_commands', flags: { limit: 0 } },
        ]);
        expect(reports.get('credentials --limit 0')).toBeGreaterThan(0);
        const long = sqliteRows(db, 'SELECT count(*) AS n FROM session_commands WHERE length(input) > 2048', ['n']);
        expect(Number(long[0]?.n)).toBeGreaterThan(0);
      }
    });
  },
);
