import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSluice, runSluiceAsync } from '../../helpers/cli.js';
import { concurrencyLimit } from '../../helpers/limit.js';
import { parseCsv } from '../../reports/helpers/csv-parse.js';

type Cell = string | number | null;

/** Events of one session, one second apart from `start`, with Cowrie's microsecond timestamps. */
function session(id: string, ip: string, start: string, events: Array<Record<string, unknown>>): string[] {
  const t0 = Date.parse(start);
  return events.map((e, i) =>
    JSON.stringify({
      ...e,
      timestamp: new Date(t0 + i * 1000).toISOString().replace('Z', '000Z'),
      session: id,
      src_ip: ip,
      sensor: 'hp-a',
      protocol: 'ssh',
    }),
  );
}

const ev = (eventid: string, extra: Record<string, unknown> = {}) => ({ eventid, ...extra });
const failed = (username: string, password: string) => ev('cowrie.login.failed', { username, password });
const success = (username: string, password: string) => ev('cowrie.login.success', { username, password });
const cmd = (input: string) => ev('cowrie.command.input', { input });
const dl = (url: string, shasum: string) => ev('cowrie.session.file_download', { url, shasum });
const closed = (duration: unknown) => ev('cowrie.session.closed', { duration });

// s1 (Mon 2025-01-06) and s2 (Tue 2025-01-07) from 10.0.0.1; s3 (Sat 2025-02-01, exactly at midnight) from 10.0.0.2.
const LINES = [
  ...session('s1', '10.0.0.1', '2025-01-06T10:00:00Z', [
    ev('cowrie.session.connect'),
    ev('cowrie.client.version', { version: 'SSH-2.0-Go' }),
    failed('root', '123456'),
    success('root', 'admin'),
    cmd('uname -a'),
    cmd('ls'),
    dl('http://x/a.sh', 'aaa'),
    closed('88.7'),
  ]),
  ...session('s2', '10.0.0.1', '2025-01-07T12:00:00Z', [
    ev('cowrie.session.connect'),
    failed('root', '123456'),
    failed('admin', 'admin'),
    closed(5),
  ]),
  ...session('s3', '10.0.0.2', '2025-02-01T00:00:00Z', [
    ev('cowrie.session.connect'),
    success('root', '123456'),
    cmd('uname -a'),
    dl('http://x/a.sh', 'aaa'),
    dl('http://x/b.sh', 'bbb'),
    closed('00:01:30'),
  ]),
];

let dir: string;
let db: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-cowrie-reports-'));
  db = join(dir, 'cowrie.db');
  const file = join(dir, 'cowrie.json.2025-01-06');
  writeFileSync(file, `${LINES.join('\n')}\n`);
  const r = runSluice(['ingest', file, '--profile', 'cowrie', '--db', db, '--no-progress']);
  expect(r.code, r.stderr).toBe(0);
  // No enrichment here: flag s3 as VirusTotal would.
  const conn = new Database(db);
  conn.prepare("UPDATE session_metrics SET vt_flagged = 1 WHERE session_id = 's3'").run();
  conn.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The tests run at once (each report run is mostly the CLI's start-up), four processes at a time. */
const limited = concurrencyLimit(4);
const sluice = (args: readonly string[]) => limited(() => runSluiceAsync(args));

async function report(name: string, format: 'table' | 'csv' | 'json', args: readonly string[] = []): Promise<string> {
  const r = await sluice(['report', name, '--profile', 'cowrie', '--db', db, '--format', format, ...args]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** Runs the report in all three formats (at once) and checks each against the same expected rows. */
async function expectReport(name: string, args: readonly string[], columns: readonly string[], rows: readonly Cell[][]): Promise<void> {
  const [csvText, jsonText, tableText] = await Promise.all([report(name, 'csv', args), report(name, 'json', args), report(name, 'table', args)]);
  const csv = parseCsv(csvText);
  expect(csv[0]).toEqual(columns);
  expect(csv.slice(1)).toEqual(rows.map((row) => row.map((v) => (v === null ? '' : String(v)))));

  const json = JSON.parse(jsonText) as Array<Record<string, Cell>>;
  expect(json).toEqual(rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]]))));

  const table = tableText.trimEnd().split('\n');
  expect(table[0]?.split(/\s+/)).toEqual(columns);
  expect(table).toHaveLength(rows.length + 2); // header, rule, rows
  rows.forEach((row, i) => expect(table[i + 2]?.trimStart().startsWith(String(row[0]))).toBe(true));
}

const SESSION_COLUMNS = [
  'session_id', 'first_seen', 'last_seen', 'duration_s', 'src_ip', 'protocol', 'sensor', 'client_version',
  'login_attempts', 'login_success', 'username', 'password', 'commands', 'downloads', 'vt_flagged',
  'dshield_flagged', 'matcher',
];
const S1: Cell[] = ['s1', '2025-01-06T10:00:00.000000Z', '2025-01-06T10:00:07.000000Z', 88.7, '10.0.0.1', 'ssh', 'hp-a',
  'SSH-2.0-Go', 2, 1, 'root', 'admin', 2, 1, 0, 0, 'session_id_only'];
const S2: Cell[] = ['s2', '2025-01-07T12:00:00.000000Z', '2025-01-07T12:00:03.000000Z', 5, '10.0.0.1', 'ssh', 'hp-a',
  null, 2, 0, null, null, 0, 0, 0, 0, 'session_id_only'];
const S3: Cell[] = ['s3', '2025-02-01T00:00:00.000000Z', '2025-02-01T00:00:05.000000Z', 90, '10.0.0.2', 'ssh', 'hp-a',
  null, 1, 1, 'root', '123456', 1, 2, 1, 0, 'session_id_only'];

describe.concurrent('cowrie report sessions', () => {
  it('lists every session, newest first, with its metrics', async () => {
    await expectReport('sessions', [], SESSION_COLUMNS, [S3, S2, S1]);
  });
  it('--since is inclusive and --until exclusive on first_seen (dates or times)', async () => {
    await expectReport('sessions', ['--since', '2025-01-07'], SESSION_COLUMNS, [S3, S2]);
    await expectReport('sessions', ['--until', '2025-02-01T00:00:00Z'], SESSION_COLUMNS, [S2, S1]);
    await expectReport('sessions', ['--since', '2025-01-06T10:00:00Z', '--until', '2025-01-07'], SESSION_COLUMNS, [S1]);
  });
  it('--ip, --flagged and --limit', async () => {
    await expectReport('sessions', ['--ip', '10.0.0.1'], SESSION_COLUMNS, [S2, S1]);
    await expectReport('sessions', ['--flagged'], SESSION_COLUMNS, [S3]);
    await expectReport('sessions', ['--limit', '1'], SESSION_COLUMNS, [S3]);
  });
  it('refuses a bad time and flags it does not take', async () => {
    const bad = await sluice(['report', 'sessions', '--profile', 'cowrie', '--db', db, '--since', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/ISO/);
    const refused = await sluice(['report', 'top-commands', '--profile', 'cowrie', '--db', db, '--ip', '10.0.0.1']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/takes no --ip/);
  });
});

const SUMMARY_COLUMNS = ['period', 'sessions', 'unique_ips', 'login_attempts', 'login_successes', 'commands', 'downloads', 'flagged'];

describe.concurrent('cowrie report summary', () => {
  it('daily by default', async () => {
    await expectReport('summary', [], SUMMARY_COLUMNS, [
      ['2025-01-06', 1, 1, 2, 1, 2, 1, 0],
      ['2025-01-07', 1, 1, 2, 0, 0, 0, 0],
      ['2025-02-01', 1, 1, 1, 1, 1, 2, 1],
    ]);
  });
  it('weekly (weeks start on Monday) and monthly', async () => {
    await expectReport('summary', ['--period', 'weekly'], SUMMARY_COLUMNS, [
      ['2025-01-06', 2, 1, 4, 1, 2, 1, 0],
      ['2025-01-27', 1, 1, 1, 1, 1, 2, 1],
    ]);
    await expectReport('summary', ['--period', 'monthly'], SUMMARY_COLUMNS, [
      ['2025-01', 2, 1, 4, 1, 2, 1, 0],
      ['2025-02', 1, 1, 1, 1, 1, 2, 1],
    ]);
  });
  it('refuses an unknown period', async () => {
    const r = await sluice(['report', 'summary', '--profile', 'cowrie', '--db', db, '--period', 'hourly']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/daily, weekly, monthly/);
  });
});

describe.concurrent('cowrie reports top-commands, top-ips, credentials, downloads', () => {
  it('top-commands: times run and sessions', async () => {
    await expectReport('top-commands', [], ['input', 'times', 'sessions'], [
      ['uname -a', 2, 2],
      ['ls', 1, 1],
    ]);
  });
  it('top-ips: sessions, logins, commands, downloads per source', async () => {
    const columns = ['src_ip', 'sessions', 'login_attempts', 'commands', 'downloads', 'first_seen', 'last_seen'];
    await expectReport('top-ips', [], columns, [
      ['10.0.0.1', 2, 4, 2, 1, '2025-01-06T10:00:00.000000Z', '2025-01-07T12:00:03.000000Z'],
      ['10.0.0.2', 1, 1, 1, 2, '2025-02-01T00:00:00.000000Z', '2025-02-01T00:00:05.000000Z'],
    ]);
  });
  it('credentials: each pair tried, from the login events', async () => {
    await expectReport('credentials', [], ['username', 'password', 'attempts', 'successes', 'sessions'], [
      ['root', '123456', 3, 1, 3],
      ['root', 'admin', 1, 1, 1],
      ['admin', 'admin', 1, 0, 1],
    ]);
    await expectReport('credentials', ['--session', 's2'], ['username', 'password', 'attempts', 'successes', 'sessions'], [
      ['admin', 'admin', 1, 0, 1],
      ['root', '123456', 1, 0, 1],
    ]);
  });
  it('downloads: per url and shasum', async () => {
    await expectReport('downloads', [], ['url', 'shasum', 'downloads', 'sessions', 'first_seen', 'last_seen'], [
      ['http://x/a.sh', 'aaa', 2, 2, '2025-01-06T10:00:06.000000Z', '2025-02-01T00:00:03.000000Z'],
      ['http://x/b.sh', 'bbb', 1, 1, '2025-02-01T00:00:04.000000Z', '2025-02-01T00:00:04.000000Z'],
    ]);
  });
});
