import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSluiceAsync, SHARED_DATA, tempDir } from '../helpers/cli.js';
import { FollowerProcess, killLeftovers, startWriter, waitFor, waitForTailing, type WriterProcess, type WriterStep } from '../helpers/follow-harness.js';
import { startOwnPostgres, postgresBin, type OwnPostgres } from '../helpers/own-postgres.js';
import { mulberry32 } from '../helpers/prng.js';
import { bridgeFile } from '../helpers/bridge-lines.js';

/**
 * `sluice follow` into PostgreSQL, bridge and Cowrie logs: a real writer appends across a rollover
 * while the follower is SIGKILLed at random moments and restarted, and the PostgreSQL server itself
 * is restarted twice under a running follower (its own server on its own port, so other tests keep
 * theirs). Every record must end in the database exactly once, and the follower that saw the server
 * go must have waited for it instead of failing.
 */

/**
 * A server of its own for each test (the tests run at once: each one's restarts stay its own).
 * Ports 54_392 and 54_393 belong to other test files.
 */
const PORTS = { bridge: 54_391, down: 54_394, cowrie: 54_395 } as const;
const COWRIE_DIR = join(SHARED_DATA, 'cowrie/kareiva-2018');
const haveBin = postgresBin() !== undefined;
if (!haveBin && process.env.CI === 'true') throw new Error('PostgreSQL server binaries (initdb, pg_ctl) are required in CI');
const haveCowrie = existsSync(COWRIE_DIR);
if (!haveCowrie && process.env.CI === 'true') throw new Error('../shared/data/cowrie is required in CI');

const servers = new Map<keyof typeof PORTS, OwnPostgres>();
beforeAll(() => {
  if (haveBin) for (const [name, port] of Object.entries(PORTS) as Array<[keyof typeof PORTS, number]>) servers.set(name, startOwnPostgres(port));
}, 60_000);
// After all tests, not after each: the tests run at once, and this kills every follower of the file.
afterAll(() => {
  killLeftovers();
  for (const server of servers.values()) server.stop();
});

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url.replace(/\?schema=.*/, ''), connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function countOr(url: string, sql: string): Promise<number> {
  try {
    return Number((await query<{ n: string }>(url, sql))[0]?.n ?? 0);
  } catch {
    return 0; // the table does not exist yet, or the server is restarting
  }
}

interface Run {
  kills: number;
  /** Kills that landed while the writer was still appending. */
  killsWhileWriting: number;
  restartsSurvived: number;
}

/** Segments of the writer's plan: each waits for `go<N>` and ends with the mark `done<N>`. */
const SEGMENTS = 14;

/** A writer plan cut into SEGMENTS parts, each released by the test when a new follower starts. */
function segmented(parts: readonly WriterStep[][]): WriterStep[] {
  return parts.flatMap((steps, i) => [{ op: 'await', name: `go${i}` } as WriterStep, ...steps, { op: 'mark', name: `done${i}` } as WriterStep]);
}

/**
 * One follower per writer segment, each SIGKILLed at a random moment while its segment is being
 * written; followers 1 and 3 instead see the server stop under them (once tailing) while their segment
 * is written, so their commits fail, and must wait for it and come back.
 */
async function killAndRestart(args: string[], writer: WriterProcess, rnd: () => number, status: string, server: OwnPostgres | undefined): Promise<Run> {
  let kills = 0;
  let killsWhileWriting = 0;
  let restartsSurvived = 0;
  for (let run = 0; run < SEGMENTS; run++) {
    const f = new FollowerProcess([...args, '--status-file', status]);
    if ((run === 1 || run === 3) && server) {
      await waitForTailing(status, f, 30_000);
      // Stopped, then kept down 2.5 s while the segment is written: the follower's commits fail
      // meanwhile, so it must wait for the server and come back.
      const restarting = server.restartInBackground(2_500);
      await restarting.down;
      writer.send(`go${run}`);
      await restarting.up;
      // It must notice, wait, come back and go on, not exit.
      await waitFor(() => /is back/.test(f.stderr), { timeoutMs: 60_000, what: () => `reconnect after restart:\n${f.stderr}` });
      expect(f.exited, f.stderr).toBe(false);
      expect(f.stderr).toMatch(/lost postgres:\/\/.*retrying in/);
      restartsSurvived += 1;
    } else {
      writer.send(`go${run}`);
      const delayMs = Math.round(150 + rnd() * 650);
      const ended = await Promise.race([f.ended, new Promise<undefined>((r) => setTimeout(() => r(undefined), delayMs))]);
      expect(ended, `follower run ${run} exited by itself before its kill:\n${f.stderr}`).toBeUndefined();
    }
    const writing = !writer.reached(`done${run}`);
    const end = await f.stop('SIGKILL');
    expect(end.signal, f.stderr).toBe('SIGKILL');
    kills += 1;
    if (writing) killsWhileWriting += 1;
  }
  return { kills, killsWhileWriting, restartsSurvived };
}

describe.skipIf(!haveBin).concurrent('sluice follow into PostgreSQL under SIGKILL and server restarts', () => {
  it('bridge: every line of a writer appending across a rollover is stored exactly once', async () => {
    const dir = tempDir('sluice-follow-pg-');
    const server = servers.get('bridge');
    const url = `${server?.url ?? ''}?schema=bridge_follow`;
    const perSegment = 2_500;
    const total = SEGMENTS * perSegment;
    const day = (d: string): string => join(dir, `bridge_${d}.ndjson`);
    // Day 1 for six segments, then day 2 (a rollover), with late lines in day 1's file in segment 8.
    const parts = Array.from({ length: SEGMENTS }, (_, i): WriterStep[] => [
      { op: 'lines', file: day(i < 6 || i === 8 ? '20240101' : '20240102'), session: 's', from: i * perSegment, count: perSegment, rate: 2_500 },
    ]);
    const writer = startWriter(dir, segmented(parts));
    const args = [join(dir, 'bridge_{YYYYMMDD}.ndjson'), '--into', url, '--dead-letter', join(dir, 'dl.ndjson'),
      '--poll-ms', '100', '--idle-close-sec', '1', '--batch-size', '2000', '--no-progress'];
    const run = await killAndRestart(args, writer, mulberry32(7), join(dir, 'status.json'), server);
    expect(await writer.finished()).toBe(total);

    const last = new FollowerProcess([...args, '--status-file', join(dir, 'status-last.json')]);
    await waitFor(async () => (await countOr(url, 'SELECT count(*) AS n FROM bridge_follow.events')) >= total || undefined, {
      timeoutMs: 60_000,
      what: () => `${total} rows\n${last.stderr}`,
    });
    await waitForTailing(join(dir, 'status-last.json'), last);
    expect(await last.stop('SIGTERM')).toEqual({ code: 0, signal: null });

    const [stats] = await query<{ n: string; keys: string; lo: string; hi: string }>(
      url,
      'SELECT count(*) AS n, count(DISTINCT (session_id, seq)) AS keys, min(seq) AS lo, max(seq) AS hi FROM bridge_follow.events',
    );
    console.log(`follow into PostgreSQL, bridge: ${run.kills} SIGKILLs (${run.killsWhileWriting} while the writer wrote), ${run.restartsSurvived} server restarts survived, ${stats?.n} rows`);
    expect(run.killsWhileWriting).toBeGreaterThanOrEqual(10);
    expect(run.restartsSurvived).toBe(2);
    expect(stats).toEqual({ n: String(total), keys: String(total), lo: '0', hi: String(total - 1) });
    expect(existsSync(join(dir, 'dl.ndjson')) ? readFileSync(join(dir, 'dl.ndjson'), 'utf8') : '').toBe('');
  }, 180_000);

  it('a follower started while its server is down waits for it, then stores every line once', async () => {
    const dir = tempDir('sluice-follow-pg-down-');
    const server = servers.get('down');
    const url = `${server?.url ?? ''}?schema=bridge_down`;
    writeFileSync(join(dir, 'bridge_20240101.ndjson'), bridgeFile(300, 'down'));
    // Stopped before the follower starts, and started again once the follower said it waits for it
    // (not after a fixed time: a follower slow to start on a busy machine would find it back already).
    await server?.halt();
    const f = new FollowerProcess([join(dir, 'bridge_{YYYYMMDD}.ndjson'), '--into', url, '--dead-letter', join(dir, 'dl.ndjson'),
      '--poll-ms', '100', '--no-progress', '--status-file', join(dir, 'status.json')]);
    await waitFor(() => /lost postgres:\/\/.*retrying in/.test(f.stderr), { timeoutMs: 20_000, what: () => `a wait for the server:\n${f.stderr}` });
    expect(f.exited, f.stderr).toBe(false);
    await server?.start();
    await waitFor(async () => (await countOr(url, 'SELECT count(*) AS n FROM bridge_down.events')) >= 300 || undefined, {
      timeoutMs: 60_000,
      what: () => `300 rows\n${f.stderr}`,
    });
    expect(f.stderr).toMatch(/is back/);
    expect(await f.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    const [stats] = await query<{ n: string; keys: string }>(url, 'SELECT count(*) AS n, count(DISTINCT seq) AS keys FROM bridge_down.events');
    expect(stats).toEqual({ n: '300', keys: '300' });
  }, 120_000);

  it.skipIf(!haveCowrie)('cowrie: every event of real logs appended across a rollover is stored once, session metrics as a clean load', async () => {
    const dir = tempDir('sluice-follow-pg-cowrie-');
    const server = servers.get('cowrie');
    const url = `${server?.url ?? ''}?schema=cowrie_follow`;
    // Eight real daily logs (about 7,400 events), appended 40 lines at a time: seven rollovers.
    const days = ['06', '07', '08', '09', '10', '11', '12', '13'].map((d) => `2018-05-${d}`);
    const chunks: WriterStep[][] = [];
    for (const d of days) {
      const lines = readFileSync(join(COWRIE_DIR, `cowrie.json.${d}`), 'utf8').split('\n').filter((l) => l.trim() !== '');
      for (let i = 0; i < lines.length; i += 40) {
        chunks.push([{ op: 'raw', file: join(dir, `cowrie.json.${d}`), text: `${lines.slice(i, i + 40).join('\n')}\n` }, { op: 'sleep', ms: 70 }]);
      }
    }
    const per = Math.ceil(chunks.length / SEGMENTS);
    const parts = Array.from({ length: SEGMENTS }, (_, i) => chunks.slice(i * per, (i + 1) * per).flat());
    const writer = startWriter(dir, segmented(parts));
    const args = [join(dir, 'cowrie.json.{YYYY}-{MM}-{DD}'), '--profile', 'cowrie', '--into', url,
      '--dead-letter', join(dir, 'dl.ndjson'), '--poll-ms', '100', '--idle-close-sec', '1', '--batch-size', '500', '--no-progress'];
    const run = await killAndRestart(args, writer, mulberry32(11), join(dir, 'status.json'), server);
    await writer.finished();

    // The oracle: a clean load of the finished files into SQLite.
    const reference = join(dir, 'reference.db');
    const files = days.map((d) => join(dir, `cowrie.json.${d}`));
    const clean = await runSluiceAsync(['ingest', ...files, '--profile', 'cowrie', '--db', reference, '--no-progress']);
    expect([0, 3], clean.stderr).toContain(clean.code);
    const { default: Database } = await import('better-sqlite3');
    const ref = new Database(reference, { readonly: true });
    const refEvents = (ref.prepare('SELECT count(*) AS n FROM cowrie_events').get() as { n: number }).n;
    const refMetrics = ref
      .prepare('SELECT session_id, event_count, command_count, login_attempts, login_success, download_count, first_seen, last_seen FROM session_metrics ORDER BY session_id')
      .all();
    ref.close();

    const last = new FollowerProcess([...args, '--status-file', join(dir, 'status-last.json')]);
    await waitFor(async () => (await countOr(url, 'SELECT count(*) AS n FROM cowrie_follow.cowrie_events')) >= refEvents || undefined, {
      timeoutMs: 60_000,
      what: () => `${refEvents} events\n${last.stderr}`,
    });
    await waitForTailing(join(dir, 'status-last.json'), last);
    expect(await last.stop('SIGTERM')).toEqual({ code: 0, signal: null });

    const [events] = await query<{ n: string; keys: string }>(url, 'SELECT count(*) AS n, count(DISTINCT event_key) AS keys FROM cowrie_follow.cowrie_events');
    const metrics = (
      await query(url, 'SELECT session_id, event_count, command_count, login_attempts, login_success, download_count, first_seen, last_seen FROM cowrie_follow.session_metrics ORDER BY session_id COLLATE "C"')
    ).map((r) => ({ ...r }));
    console.log(`follow into PostgreSQL, cowrie: ${run.kills} SIGKILLs (${run.killsWhileWriting} while the writer wrote), ${run.restartsSurvived} server restarts survived, ${events?.n} events, ${metrics.length} sessions`);
    expect(run.killsWhileWriting).toBeGreaterThanOrEqual(10);
    expect(run.restartsSurvived).toBe(2);
    expect(Number(events?.n)).toBe(refEvents);
    expect(metrics).toEqual(refMetrics.sort((a, b) => ((a as { session_id: string }).session_id < (b as { session_id: string }).session_id ? -1 : 1)));
  }, 180_000);
});
