import { spawn } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { bridgeFile } from '../helpers/bridge-lines.js';
import { SLUICE_BIN, startSluice, tempDir } from '../helpers/cli.js';
import { parseCsv } from '../reports/helpers/csv-parse.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `sluice ARGS` without blocking the event loop, so the ingest child is watched meanwhile. */
function sluice(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SLUICE_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const SESSIONS = ['a', 'b', 'c', 'd', 'e', 'f'];
/**
 * 90k rows, fed to the ingest on its standard input: the first half at once, the second only after
 * two rounds of reports finished, so however fast the machine, reports run while rows are written.
 * The rounds go on as long as the ingest does, so the row count sets the test's time: 300k rows
 * cost about three times as much and checked the same thing.
 */
const PER_SESSION = 15_000;
const TOTAL = SESSIONS.length * PER_SESSION;

/** Rows committed so far, read directly (cheaper than a report process while polling). */
function committed(db: string): number {
  if (!existsSync(db)) return 0;
  try {
    const d = new Database(db, { readonly: true });
    try {
      return (d.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    } finally {
      d.close();
    }
  } catch {
    return 0; // not created yet
  }
}

/** Sum of the events column of `sessions`. */
const eventsIn = (csv: string) => parseCsv(csv).slice(1).reduce((n, row) => n + Number(row[1]), 0);

describe('sluice report beside a running sluice ingest (WAL)', () => {
  it(`answers every report, many times, while ${TOTAL} rows are being written`, async () => {
    const dir = tempDir();
    const input = SESSIONS.map((s) => bridgeFile(PER_SESSION, s)).join('');
    const half = input.lastIndexOf('\n', input.length / 2) + 1;
    const db = join(dir, 'bridge.db');

    const ingest = startSluice(['ingest', '-', '--db', db, '--json', '--no-progress', '--batch-size', '1000'], { stdin: true });
    ingest.stdin.write(input.slice(0, half));
    let rounds = 0;
    let ingestErr = '';
    ingest.stderr.on('data', (d: Buffer) => (ingestErr += d.toString()));
    const ingestDone = new Promise<number | null>((resolve) => ingest.on('close', resolve));
    const running = () => ingest.exitCode === null && ingest.signalCode === null;

    // Start once the first rows are committed (before that, "no table events" is the right answer).
    while (running() && committed(db) === 0) await new Promise((r) => setTimeout(r, 10));

    const reports: string[][] = [
      ['sessions', '--limit', '0'],
      ['types'],
      ['hits', '--session', 'a'],
      ['gaps', '--threshold-sec', '0.001'],
      ['gap_list', '--threshold-sec', '0.001'],
      ['last_seen'],
      ['cadence', '--window-sec', '60'],
      ['errors_recent'],
      ['recent', '--format', 'json'],
      ['export', '--session', 'a', '--out', '-'],
    ];
    // Three reports at a time, round after round, until the ingest is done and each ran at least once.
    const seen: number[] = [];
    let during = 0;
    let next = 0;
    const check = (args: string[], r: Run) => {
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stderr).toBe('');
      if (args[0] === 'sessions') seen.push(eventsIn(r.stdout));
      if (args[0] === 'export') {
        // One snapshot: the committed rows of session a are a prefix 0..n-1 of its seq, with no hole.
        const seqs = parseCsv(r.stdout).slice(1).map((row) => Number(row[0]));
        expect(seqs).toEqual(seqs.map((_, i) => i));
      }
      if (args[0] === 'recent') expect(Array.isArray(JSON.parse(r.stdout))).toBe(true);
    };
    while (running() || next < reports.length) {
      const batch = [0, 1, 2].map(() => reports[next++ % reports.length] as string[]);
      const results = await Promise.all(batch.map((args) => sluice(['report', ...args, '--db', db])));
      if (running()) during += batch.length;
      batch.forEach((args, i) => check(args, results[i] as Run));
      if (++rounds === 2) ingest.stdin.end(input.slice(half));
    }

    expect(await ingestDone, ingestErr).toBe(0);
    expect(during, `report runs that finished while the ingest was still writing (events seen: ${seen.join(', ')})`).toBeGreaterThanOrEqual(5);
    expect(seen.some((n) => n > 0 && n < TOTAL), `counts seen: ${seen.join(', ')}`).toBe(true);

    const final = await sluice(['report', 'sessions', '--db', db, '--limit', '0']);
    expect(eventsIn(final.stdout)).toBe(TOTAL);
    rmSync(dir, { recursive: true, force: true }); // ~30 MB of database
  }, 180_000);

  it('stops quietly, exit 0, when the reader of stdout goes away (| head)', async () => {
    const dir = tempDir();
    const file = join(dir, 'f.ndjson');
    // Far more CSV than a pipe holds (64 KB), so the reader goes away while the report still writes.
    writeFileSync(file, bridgeFile(20_000, 'big'));
    const db = join(dir, 'b.db');
    expect((await sluice(['ingest', file, '--db', db, '--no-progress'])).code).toBe(0);

    const child = spawn(process.execPath, [SLUICE_BIN, 'report', 'export', '--db', db, '--session', 'big', '--out', '-'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
