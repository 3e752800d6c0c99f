import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { BRIDGE_LOG, bridgeLogPresent } from '../../helpers/bridge-log-sample.js';
import { runSluiceAsync, tempDir } from '../../helpers/cli.js';
import { FollowerProcess, killLeftovers, waitForRows } from '../../helpers/follow-harness.js';

const ready = bridgeLogPresent();

/** The sqlite3 shell's answer (the oracle: not our code). */
const shell = (db: string, sql: string): string => execFileSync('sqlite3', [db, sql], { encoding: 'utf8' }).trim();
/** jq over the file (the oracle for what the file holds). */
const jq = (filter: string): string => execFileSync('jq', ['-rs', filter, BRIDGE_LOG], { encoding: 'utf8' }).trim();
/** Lines of the file, as `wc -l` counts them. */
const wcLines = (): number => Number(execFileSync('wc', ['-l', BRIDGE_LOG], { encoding: 'utf8' }).trim().split(/\s+/)[0]);

const ingest = (files: string[], db: string, ...flags: string[]) =>
  runSluiceAsync(['ingest', ...files, '--db', db, '--tz', 'America/Chicago', '--json', '--no-progress', ...flags]);

// The tests run at once (each in its own folder, waiting on its own processes); leftovers are
// killed when all are done, as a kill after each test would hit the others' followers.
afterAll(() => killLeftovers());

describe.skipIf(!ready)('the bridge log of today (no session_id) goes into the bridge profile', () => {
  it.concurrent('every line a row, keyed by content: re-run, renamed and recompressed copies add nothing; reports run', async () => {
    const work = tempDir();
    const db = join(work, 'bridge.db');
    const dead = join(work, 'dead.ndjson');
    const run = await ingest([BRIDGE_LOG], db, '--dead-letter', dead);
    expect(run.code, run.stderr).toBe(0);
    const lines = wcLines();
    expect(lines).toBe(1298);
    expect(JSON.parse(run.stdout)).toMatchObject({ inserted: lines, bad: 0 });
    expect(existsSync(dead) ? readFileSync(dead, 'utf8') : '').toBe('');
    expect(shell(db, 'SELECT count(*) FROM events')).toBe(String(lines));
    // One run (one "Bridge Initialized" line, the first), numbered 1..n in file order.
    expect(jq('map(select(.details == "Bridge Initialized")) | length')).toBe('1');
    expect(shell(db, 'SELECT count(DISTINCT session_id), min(seq), max(seq), count(DISTINCT seq) FROM events')).toBe(`1|1|${lines}|${lines}`);
    expect(shell(db, 'SELECT session_id FROM events LIMIT 1')).toBe(jq('.[0].timestamp_iso'));
    // --tz: the wall time read in America/Chicago is the instant the writer's own epoch-second `seq`
    // says, to within the second between taking the two.
    expect(shell(db, "SELECT count(*) FROM events WHERE abs(ts_ms / 1000 - json_extract(data_json, '$._extra.seq')) > 1")).toBe('0');
    expect(shell(db, "SELECT count(*) FROM events WHERE ts_ms / 1000 = json_extract(data_json, '$._extra.seq')")).not.toBe('0');
    // Impacts are the hits the reports count.
    expect(shell(db, "SELECT count(*) FROM events WHERE type = 'event' AND msg = 'HIT'")).toBe(jq('map(select(.type == "Impact")) | length'));

    const again = await ingest([BRIDGE_LOG], db);
    expect(JSON.parse(again.stdout)).toMatchObject({ inserted: 0 });
    writeFileSync(join(work, 'bridge_20250910.ndjson.gz'), gzipSync(readFileSync(BRIDGE_LOG)));
    const renamed = await ingest([join(work, 'bridge_20250910.ndjson.gz')], db);
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(JSON.parse(renamed.stdout)).toMatchObject({ inserted: 0, duplicates: lines, bad: 0 });
    expect(shell(db, 'SELECT count(*) FROM events')).toBe(String(lines));

    const sessions = await runSluiceAsync(['report', 'sessions', '--db', db, '--format', 'json']);
    expect(sessions.code, sessions.stderr).toBe(0);
    expect(JSON.parse(sessions.stdout)).toMatchObject([{ events: lines, hits: 1288 }]);
    const hits = await runSluiceAsync(['report', 'hits', '--db', db, '--format', 'json']);
    expect(JSON.parse(hits.stdout)).toMatchObject([{ plate: 'Plate 1', hits: 1288 }]);
    const names = ['types', 'gaps', 'gap_list', 'last_seen', 'cadence', 'recent', 'errors_recent'];
    const reports = await Promise.all(names.map((name) => runSluiceAsync(['report', name, '--db', db, '--format', 'csv'])));
    reports.forEach((r, i) => expect(r.code, `${names[i]}: ${r.stderr}`).toBe(0));
    const exported = await runSluiceAsync(['report', 'export', '--db', db, '--session', jq('.[0].timestamp_iso'), '--out', '-']);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout.trim().split('\n')).toHaveLength(lines + 1);
  });

  it.concurrent('a follow stopped mid-file (SIGKILL) and started again stores every line once, numbered as one whole read', async () => {
    const work = tempDir();
    const all = readFileSync(BRIDGE_LOG, 'utf8').split('\n').filter((l) => l !== '');
    const file = join(work, 'bridge_20250910.ndjson');
    const db = join(work, 'follow.db');
    const follow = (): FollowerProcess =>
      new FollowerProcess([join(work, 'bridge_{YYYYMMDD}.ndjson'), '--db', db, '--tz', 'America/Chicago', '--poll-ms', '100', '--no-progress']);
    writeFileSync(file, `${all.slice(0, 700).join('\n')}\n`);
    const first = follow();
    await waitForRows(db, 700, first);
    await first.stop('SIGKILL');
    appendFileSync(file, `${all.slice(700).join('\n')}\n`);
    const second = follow();
    await waitForRows(db, all.length, second);
    expect(await second.stop('SIGTERM')).toEqual({ code: 0, signal: null });

    const whole = join(work, 'whole.db');
    expect((await ingest([BRIDGE_LOG], whole)).code).toBe(0);
    const rows = (path: string): string => shell(path, 'SELECT group_concat(session_id || \'/\' || seq || \'/\' || ts_ms, \' \') FROM (SELECT * FROM events ORDER BY seq)');
    expect(shell(db, 'SELECT count(*), count(DISTINCT seq) FROM events')).toBe(`${all.length}|${all.length}`);
    expect(rows(db)).toBe(rows(whole));
  });

  it.concurrent('an ingest resumed from its cursor (the file grew) numbers records as one whole read does', async () => {
    const work = tempDir();
    const all = readFileSync(BRIDGE_LOG, 'utf8').split('\n').filter((l) => l !== '');
    const file = join(work, 'bridge.ndjson');
    const db = join(work, 'grown.db');
    writeFileSync(file, `${all.slice(0, 500).join('\n')}\n`);
    expect(JSON.parse((await ingest([file], db)).stdout)).toMatchObject({ inserted: 500 });
    appendFileSync(file, `${all.slice(500).join('\n')}\n`);
    expect(JSON.parse((await ingest([file], db)).stdout)).toMatchObject({ inserted: all.length - 500, duplicates: 0 });
    const whole = join(work, 'whole.db');
    expect((await ingest([BRIDGE_LOG], whole)).code).toBe(0);
    const rows = (path: string): string => shell(path, "SELECT group_concat(session_id || '/' || seq || '/' || ts_ms, ' ') FROM (SELECT * FROM events ORDER BY seq)");
    expect(rows(db)).toBe(rows(whole));
  });

  it.concurrent('--tz takes IANA names only: anything else is a coded usage error, and nothing is written', async () => {
    const work = tempDir();
    const r = await runSluiceAsync(['ingest', BRIDGE_LOG, '--db', join(work, 'x.db'), '--tz', 'Mars/Olympus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--tz: expected an IANA time zone name');
    expect(r.stderr).toContain('SLUICE_E_CONFIG');
    expect(existsSync(join(work, 'x.db'))).toBe(false);
  });
});
