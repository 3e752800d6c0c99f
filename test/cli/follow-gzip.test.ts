import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { bridgeFile } from '../helpers/bridge-lines.js';
import { startSluice, tempDir } from '../helpers/cli.js';

function sessions(db: string): Record<string, number> {
  if (!existsSync(db)) return {};
  const d = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const rows = d.prepare('SELECT session_id AS s, count(*) AS n FROM events GROUP BY 1').all() as { s: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.s, r.n]));
  } catch {
    return {};
  } finally {
    d.close();
  }
}

/** Runs `sluice follow` until `done` says so, then SIGTERM; returns its exit code. */
async function followUntil(args: string[], done: () => boolean): Promise<number | null> {
  const child = startSluice(['follow', ...args, '--no-progress']);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const until = Date.now() + 20_000;
  while (!done() && Date.now() < until && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300)); // anything more it would (wrongly) do
  child.kill('SIGTERM');
  const code = await exited;
  expect(done(), stderr).toBe(true);
  return code;
}

describe('sluice follow over rotated .gz files', () => {
  it('decompresses them, keeps the rows before a truncation, dead-letters it once as truncated_gzip and goes on', async () => {
    const dir = tempDir();
    const full = gzipSync(bridgeFile(3000, 'cut'));
    writeFileSync(join(dir, 'b_20250101.ndjson.gz'), full.subarray(0, Math.floor(full.length / 2)));
    writeFileSync(join(dir, 'b_20250102.ndjson.gz'), gzipSync(bridgeFile(20, 'gz')));
    writeFileSync(join(dir, 'b_20250103.ndjson'), bridgeFile(10, 'live'));
    const db = join(dir, 'f.db');
    const pattern = join(dir, 'b_{YYYYMMDD}.ndjson*');
    const deadFile = join(dir, 'f.dead-letter.ndjson');
    const dead = () => (existsSync(deadFile) ? readFileSync(deadFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { reason: string }) : []);

    const code = await followUntil([pattern, '--db', db], () => sessions(db).live === 10 && sessions(db).gz === 20);
    expect(code).toBe(0);
    const cut = sessions(db).cut ?? 0;
    expect(cut).toBeGreaterThan(100);
    expect(cut).toBeLessThan(3000);
    expect(dead().map((d) => d.reason.split(':')[0])).toEqual(['truncated_gzip']);

    // Restarted: the compressed files are done; nothing is read or dead-lettered again.
    writeFileSync(join(dir, 'b_20250103.ndjson'), bridgeFile(15, 'live'));
    expect(await followUntil([pattern, '--db', db], () => sessions(db).live === 15)).toBe(0);
    expect(sessions(db)).toEqual({ cut, gz: 20, live: 15 });
    expect(dead()).toHaveLength(1);
  }, 60_000);
});
