import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runSluice, startSluice, tempDir } from '../helpers/cli.js';

/** `n` Cowrie events as JSON lines, numbered from `from` (each one distinct). */
function cowrieLines(from: number, n: number): string {
  let out = '';
  for (let i = from; i < from + n; i++) {
    const ts = new Date(Date.UTC(2025, 0, 1, 0, 0, 0) + i * 1000).toISOString();
    out += `${JSON.stringify({ eventid: 'cowrie.command.input', session: `s${Math.floor(i / 10)}`, timestamp: ts, src_ip: '10.0.0.1', input: `echo ${i}`, message: `CMD: echo ${i}` })}\n`;
  }
  return out;
}

function events(db: string): number {
  if (!existsSync(db)) return 0;
  const d = new Database(db, { readonly: true });
  try {
    const t = d.prepare("SELECT 1 FROM sqlite_master WHERE name = 'cowrie_events'").get();
    return t ? (d.prepare('SELECT count(*) AS n FROM cowrie_events').get() as { n: number }).n : 0;
  } finally {
    d.close();
  }
}

const summary = (stdout: string): { read: number; inserted: number; duplicates: number } => JSON.parse(stdout.trim()) as { read: number; inserted: number; duplicates: number };

describe('cowrie.json (JSON lines under a .json name) resumes from its cursor', () => {
  it('ingest: appended, and after a SIGKILL, only the lines past the cursor are read', async () => {
    const dir = tempDir();
    const log = join(dir, 'cowrie.json');
    const db = join(dir, 'h.db');
    const ingest = () => runSluice(['ingest', log, '--profile', 'cowrie', '--db', db, '--json', '--no-progress']);
    writeFileSync(log, cowrieLines(0, 1000));
    expect(summary(ingest().stdout)).toMatchObject({ read: 1000, inserted: 1000 });

    appendFileSync(log, cowrieLines(1000, 200));
    const appended = ingest();
    expect(appended.code, appended.stderr).toBe(0);
    expect(summary(appended.stdout)).toMatchObject({ read: 200, inserted: 200, duplicates: 0 });

    // A crash: killed once some batches are committed, then run again.
    appendFileSync(log, cowrieLines(1200, 60_000));
    const status = join(dir, 'status.json');
    const child = startSluice(['ingest', log, '--profile', 'cowrie', '--db', db, '--batch-size', '500', '--no-progress', '--status-file', status]);
    child.stdout.resume();
    child.stderr.resume();
    const closed = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_c, signal) => resolve(signal)));
    const until = Date.now() + 30_000;
    while (events(db) <= 1200 && Date.now() < until && child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    expect(await closed, 'the kill landed mid-run').toBe('SIGKILL');
    const committed = events(db);
    expect(committed).toBeGreaterThan(1200);
    expect(committed).toBeLessThan(61_200);

    const rerun = ingest();
    expect(rerun.code, rerun.stderr).toBe(0);
    const s = summary(rerun.stdout);
    expect(s.read).toBe(61_200 - committed);
    expect(s.duplicates).toBe(0);
    expect(events(db)).toBe(61_200);
  }, 120_000);

  it('follow: restarted after lines were appended, reads only the new ones', async () => {
    const dir = tempDir();
    const log = join(dir, 'cowrie.json');
    const db = join(dir, 'h.db');
    const follow = async (expectRows: number): Promise<string> => {
      const child = startSluice(['follow', log, '--profile', 'cowrie', '--db', db, '--no-progress']);
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.resume();
      const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      const until = Date.now() + 30_000;
      while (events(db) < expectRows && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      child.kill('SIGTERM');
      expect(await closed, stderr).toBe(0);
      return stderr;
    };
    writeFileSync(log, cowrieLines(0, 1000));
    expect(await follow(1000)).toMatch(/ of 1000 records/);
    appendFileSync(log, cowrieLines(1000, 300));
    const second = await follow(1300);
    expect(second).toMatch(/300 inserted, 0 duplicates, 0 bad, 0 skipped of 300 records/);
    expect(events(db)).toBe(1300);
    expect(readFileSync(log, 'utf8').split('\n').filter(Boolean)).toHaveLength(1300);
  }, 90_000);
});
