import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bridgeLine } from './bridge-lines.js';
import { runSluice, SHARED_DATA } from './cli.js';

/** Real sample data the dashboard databases are made from (absent: skipped, or failed in CI). */
export const COWRIE_DIR = join(SHARED_DATA, 'cowrie', 'kareiva-2018');
export const MEGASTREAM_DIR = join(SHARED_DATA, 'bluesky', 'ingex-megastream');

function ok(args: readonly string[]): void {
  const r = runSluice(args);
  if (r.code !== 0 && r.code !== 3) throw new Error(`sluice ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
}

/**
 * A bridge database of three sessions, ingested by the real CLI: s1 steady, s2 with two gaps over
 * 10 s, s3 with errors; `ts_ms` in 2025 (epoch milliseconds, as the bridge writes them).
 */
export function bridgeDb(dir: string): string {
  const lines: string[] = [];
  const t0 = Date.UTC(2025, 7, 29, 8, 0, 0);
  for (let i = 0; i < 300; i++) lines.push(bridgeLine(i, 's1', { ts_ms: t0 + i * 500 }));
  for (let i = 0; i < 200; i++) lines.push(bridgeLine(i, 's2', { ts_ms: t0 + 60_000 + i * 400 + (i >= 80 ? 15_000 : 0) + (i >= 150 ? 30_000 : 0) }));
  for (let i = 0; i < 100; i++) {
    lines.push(bridgeLine(i, 's3', { ts_ms: t0 + 120_000 + i * 300, ...(i % 10 === 0 ? { type: 'error', msg: i % 20 === 0 ? 'timeout' : 'sensor fault', plate: undefined } : {}) }));
  }
  const file = join(dir, 'bridge.ndjson');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const db = join(dir, 'bridge.db');
  ok(['ingest', file, '--db', db, '--no-progress']);
  return db;
}

/** A Cowrie database of six days of a real honeypot's logs. */
export function cowrieDb(dir: string): string {
  const files = readdirSync(COWRIE_DIR).filter((f) => f.startsWith('cowrie.json')).sort().slice(0, 6);
  const db = join(dir, 'cowrie.db');
  ok(['ingest', ...files.map((f) => join(COWRIE_DIR, f)), '--profile', 'cowrie', '--db', db, '--no-progress']);
  return db;
}

/** A posts database of the real Megastream chunks (copied to a spool folder of their own). */
export function postsDb(dir: string): string {
  const spool = join(dir, 'megastream');
  mkdirSync(spool);
  for (const f of readdirSync(MEGASTREAM_DIR).filter((n) => n.endsWith('.db.zip'))) copyFileSync(join(MEGASTREAM_DIR, f), join(spool, f));
  const db = join(dir, 'posts.db');
  ok(['spool', '--profile', 'posts', '--from', spool, '--into', `sqlite:${db}`, '--mode', 'once', '--no-progress']);
  return db;
}
