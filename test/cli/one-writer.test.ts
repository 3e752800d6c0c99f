import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bridgeFile, bridgeLine } from '../helpers/bridge-lines.js';
import { runSluice, startSluice, tempDir } from '../helpers/cli.js';

async function waitFor(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** `n` good lines of session `s` with `bad` broken lines among them. */
function withBadLines(n: number, bad: number, session: string): string {
  const lines = bridgeFile(n, session).split('\n').filter(Boolean);
  for (let i = 0; i < bad; i++) lines.splice(i * 2 + 1, 0, `{"seq": ${i}, broken ${session}`);
  return `${lines.join('\n')}\n`;
}

const deadLetters = (path: string): { raw: string }[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { raw: string });

describe('one writer per database', () => {
  it('a second ingest into the same database fails with SLUICE_E_LOCKED naming the holder, and no dead letter is lost', async () => {
    const dir = tempDir();
    const db = join(dir, 'b.db');
    const file = join(dir, 'in.ndjson');
    writeFileSync(file, withBadLines(200, 50, 's1'));
    const status = join(dir, 'status.json');

    // The first run reads standard input, which stays open: it holds the database while the second starts.
    const first = startSluice(['ingest', '-', '--db', db, '--json', '--batch-size', '10', '--status-file', status], { stdin: true });
    first.stdin.on('error', () => undefined);
    first.stdin.write(bridgeFile(20, 'live'));
    let stdout = '';
    first.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => first.on('exit', (code) => resolve(code)));
    await waitFor(() => existsSync(status) && JSON.parse(readFileSync(status, 'utf8')).counts.written > 0);

    const second = runSluice(['ingest', file, '--db', db, '--no-progress']);
    expect(second.code, second.stderr).toBe(1);
    expect(second.stderr).toContain('SLUICE_E_LOCKED');
    expect(second.stderr).toContain(`pid ${first.pid}`);

    first.stdin.end(withBadLines(0, 3, 'live'));
    expect(await exited).toBe(3);
    expect(JSON.parse(stdout.trim())).toMatchObject({ bad: 3 });

    // After the holder ended, the same command runs, and every bad record is there exactly once.
    const again = runSluice(['ingest', file, '--db', db, '--no-progress']);
    expect(again.code, again.stderr).toBe(3);
    const dead = deadLetters(join(dir, 'b.dead-letter.ndjson'));
    expect(dead).toHaveLength(53);
    expect(new Set(dead.map((d) => d.raw)).size).toBe(53);
  }, 60_000);

  it('never cuts dead letters another database wrote into the same dead-letter file', () => {
    const dir = tempDir();
    const shared = join(dir, 'shared.dead-letter.ndjson');
    const one = join(dir, 'one.ndjson');
    const two = join(dir, 'two.ndjson');
    const three = join(dir, 'three.ndjson');
    writeFileSync(one, withBadLines(10, 2, 'a'));
    writeFileSync(two, withBadLines(10, 5, 'b'));
    writeFileSync(three, `${bridgeLine(1, 'c')}\n`);

    expect(runSluice(['ingest', one, '--db', join(dir, 'a.db'), '--dead-letter', shared, '--no-progress']).code).toBe(3);
    expect(runSluice(['ingest', two, '--db', join(dir, 'b.db'), '--dead-letter', shared, '--no-progress']).code).toBe(3);
    // Database a's last committed mark says 2 records long; the file is 7 records long, the 5 of database b.
    expect(runSluice(['ingest', three, '--db', join(dir, 'a.db'), '--dead-letter', shared, '--no-progress']).code).toBe(0);
    expect(deadLetters(shared)).toHaveLength(7);
  }, 60_000);
});
