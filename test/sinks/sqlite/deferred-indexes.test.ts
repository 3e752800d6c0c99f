import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { bridgeProfile } from '../../../src/profiles/bridge/index.js';
import { SqliteSink } from '../../../src/sinks/sqlite/sqlite-sink.js';
import { runSluice, startSluice, tempDir } from '../../helpers/cli.js';
import { loadBridgeGenerator } from '../../helpers/crash-generator.js';

/** Index names and definitions of a database, read by the sqlite3 shell (an oracle we did not write). */
function indexesOf(db: string): string {
  const r = spawnSync('sqlite3', ['-batch', db, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' ORDER BY name;"], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3: ${r.stderr}`);
  return r.stdout;
}

function scalar(db: string, sql: string): number {
  const r = spawnSync('sqlite3', ['-batch', db, sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3: ${r.stderr}`);
  return Number(r.stdout.trim());
}

/** Rows committed so far, read without disturbing the writer. */
function committed(db: string): number {
  if (!existsSync(db)) return 0;
  const d = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const table = d.prepare("SELECT 1 FROM sqlite_master WHERE name = 'events'").get();
    return table ? (d.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n : 0;
  } finally {
    d.close();
  }
}

async function waitFor(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Starts `ingest -` and feeds it the first `lines` of `file`, keeping standard input open, so the run
 * is certainly mid-load when it is killed; returns once `minRows` are committed.
 */
async function killMidLoad(file: string, db: string, lines: number, minRows: number): Promise<void> {
  const child = startSluice(['ingest', '-', '--db', db, '--batch-size', '1000', '--no-progress'], { stdin: true });
  child.stdin.on('error', () => undefined); // the kill may come while a write is still pending
  const ended = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
  const head = readFileSync(file, 'utf8').split('\n').slice(0, lines).join('\n');
  child.stdin.write(`${head}\n`);
  await waitFor(`${minRows} committed rows`, () => committed(db) >= minRows);
  child.kill('SIGKILL');
  expect(await ended).toBe('SIGKILL');
}

describe('secondary indexes of a bulk load into empty tables are built after the load', () => {
  it('ends with the same indexes as the migrations make, also after a kill mid-load; rows exactly once', async () => {
    const dir = tempDir();
    const file = join(dir, 'bridge.ndjson');
    const gen = await (await loadBridgeGenerator()).generateBridgeEvents({ count: 10_000, out: file, seed: 7 });

    // The reference: a database made by the migrations alone, its indexes kept as declared.
    const reference = join(dir, 'reference.db');
    const sink = new SqliteSink(reference, bridgeProfile);
    await sink.open();
    await sink.close();
    const declared = indexesOf(reference);
    expect(declared).toContain('events_ts_ms');

    const db = join(dir, 'bridge.db');
    await killMidLoad(file, db, 6_000, 3_000);
    // Killed mid-load: only the unique index is left, the others wait in sluice_deferred_indexes.
    const during = committed(db);
    expect(during).toBeGreaterThanOrEqual(3_000);
    expect(during).toBeLessThan(gen.good);
    expect(scalar(db, 'SELECT count(*) FROM sluice_deferred_indexes;')).toBe(3);
    expect(indexesOf(db)).not.toContain('events_ts_ms');
    expect(indexesOf(db)).toContain('events_session_seq');

    // The next ingest goes on deferring (the table is no longer empty) and builds them at its end.
    const rerun = runSluice(['ingest', file, '--db', db, '--no-progress']);
    expect([0, 3]).toContain(rerun.code);
    expect(scalar(db, 'SELECT count(*) FROM events;')).toBe(gen.good);
    expect(scalar(db, 'SELECT count(*) FROM (SELECT DISTINCT session_id, seq FROM events);')).toBe(gen.good);
    expect(scalar(db, 'SELECT count(*) FROM sluice_deferred_indexes;')).toBe(0);
    expect(indexesOf(db)).toBe(declared);
    expect(spawnSync('sqlite3', ['-batch', db, 'PRAGMA integrity_check;'], { encoding: 'utf8' }).stdout.trim()).toBe('ok');
  });

  it('a run that does not end by itself (follow, services) builds indexes a killed load left at once', async () => {
    const dir = tempDir();
    const file = join(dir, 'bridge.ndjson');
    await (await loadBridgeGenerator()).generateBridgeEvents({ count: 6_000, out: file, seed: 8 });
    const db = join(dir, 'bridge.db');
    await killMidLoad(file, db, 6_000, 2_000);
    expect(scalar(db, 'SELECT count(*) FROM sluice_deferred_indexes;')).toBe(3);

    const sink = new SqliteSink(db, bridgeProfile);
    await sink.open({ bounded: false });
    await sink.close();
    expect(scalar(db, 'SELECT count(*) FROM sluice_deferred_indexes;')).toBe(0);
    expect(indexesOf(db)).toContain('events_ts_ms');
    expect(indexesOf(db)).toContain('events_type_msg');
  });

  it('a load into a table that already holds rows keeps every index during the load', async () => {
    const dir = tempDir();
    const first = join(dir, 'first.ndjson');
    const second = join(dir, 'second.ndjson');
    const generator = await loadBridgeGenerator();
    await generator.generateBridgeEvents({ count: 2_000, out: first, seed: 9 });
    await generator.generateBridgeEvents({ count: 8_000, out: second, seed: 10 });
    const db = join(dir, 'bridge.db');
    expect([0, 3]).toContain(runSluice(['ingest', first, '--db', db, '--no-progress']).code);
    const before = indexesOf(db);
    const rows = committed(db);
    await killMidLoad(second, db, 8_000, rows + 2_000);
    expect(indexesOf(db)).toBe(before);
    expect(scalar(db, 'SELECT count(*) FROM sluice_deferred_indexes;')).toBe(0);
  });
});
