import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { bridgeFile } from '../helpers/bridge-lines.js';
import { runSluice, startSluice, tempDir } from '../helpers/cli.js';

function count(db: string): number {
  const d = new Database(db, { readonly: true });
  try {
    return (d.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  } finally {
    d.close();
  }
}

/** Lines per session; the run reads 30 sessions. */
const PER_SESSION = 1_000;
/** Rows per transaction: 30 batches come through standard input before the signal, as with 4,000 lines a session and batches of 2,000. */
const BATCH = 500;

async function waitFor(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.each([
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const)('sluice ingest on %s', (signal, exitCode) => {
  it(`commits the batch in hand, prints the summary and exits ${exitCode}`, async () => {
    const dir = tempDir();
    const file = join(dir, 'big.ndjson');
    // 30 sessions of 1,000 lines: 30 batches on standard input before the signal, 30,000 in all. What
    // is tested is the signal mid-run, which stdin left open guarantees at any size.
    const sessions = Array.from({ length: 30 }, (_, i) => bridgeFile(PER_SESSION, `s${i}`));
    writeFileSync(file, sessions.join(''));
    const db = join(dir, 'b.db');
    const status = join(dir, 'status.json');

    // Half the events through standard input, which stays open: the signal always lands mid-run,
    // however fast the machine.
    const child = startSluice(['ingest', '-', '--db', db, '--json', '--batch-size', String(BATCH), '--status-file', status], { stdin: true });
    child.stdin.on('error', () => undefined); // unread input when the process exits
    child.stdin.write(sessions.slice(0, 15).join(''));
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => existsSync(status) && JSON.parse(readFileSync(status, 'utf8')).counts.written > 0);
    child.kill(signal);
    const code = await exited;

    expect(code, stderr).toBe(exitCode);
    const summary = JSON.parse(stdout.trim()) as { status: string; inserted: number };
    expect(summary.status).toBe('interrupted');
    expect(summary.inserted).toBeGreaterThan(0);
    expect(summary.inserted).toBeLessThanOrEqual(15 * PER_SESSION);
    // Everything the summary acknowledged is committed, nothing more.
    expect(count(db)).toBe(summary.inserted);

    const rest = runSluice(['ingest', file, '--db', db, '--json', '--no-progress']);
    expect(rest.code).toBe(0);
    // Standard input has no cursor: what the interrupted run committed comes again, as duplicates.
    expect(JSON.parse(rest.stdout.trim())).toMatchObject({ inserted: 30 * PER_SESSION - summary.inserted, duplicates: summary.inserted });
    expect(count(db)).toBe(30 * PER_SESSION);
  });
});
