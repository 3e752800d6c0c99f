import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { bridgeFile } from '../helpers/bridge-lines.js';
import { runSluice, tempDir } from '../helpers/cli.js';
import { deadLetters, runSluiceWith, summaryOf } from '../helpers/spool-cli.js';
import { appLogEntries, writeGzJson } from '../helpers/spool-fixtures.js';
import { sqliteLedger, sqliteLogs } from '../helpers/spool-samples.js';

/** Gzip of `text`, cut to its first `keep` share: a download or copy that stopped early. */
function truncatedGzip(text: string, keep = 0.5): Buffer {
  const full = gzipSync(Buffer.from(text));
  return full.subarray(0, Math.floor(full.length * keep));
}

describe('a truncated .gz', () => {
  it('in ingest: the rows before the damage stay, one truncated_gzip dead letter, the next file is read, exit 3', () => {
    const dir = tempDir();
    const trunc = join(dir, 'trunc.ndjson.gz');
    const good = join(dir, 'good.ndjson');
    // Random-looking data so that half the compressed bytes hold a good part of the lines.
    const lines = bridgeFile(5000, 'cut');
    writeFileSync(trunc, truncatedGzip(lines));
    writeFileSync(good, bridgeFile(10, 'good'));
    const db = join(dir, 'b.db');

    const r = runSluice(['ingest', trunc, good, '--db', db, '--json', '--no-progress']);
    expect(r.code, r.stderr).toBe(3);
    const summary = JSON.parse(r.stdout.trim()) as { inserted: number; bad: number };
    expect(summary.bad).toBe(1);
    const d = new Database(db, { readonly: true });
    const cut = (d.prepare("SELECT count(*) AS n, max(seq) AS last FROM events WHERE session_id = 'cut'").get() as { n: number; last: number });
    const goodRows = (d.prepare("SELECT count(*) AS n FROM events WHERE session_id = 'good'").get() as { n: number }).n;
    d.close();
    expect(cut.n).toBeGreaterThan(100);
    expect(cut.n).toBeLessThan(5000);
    expect(cut.last).toBe(cut.n - 1); // every line before the damage, in order
    expect(goodRows).toBe(10);
    expect(summary.inserted).toBe(cut.n + 10);
    const dead = readFileSync(join(dir, 'b.dead-letter.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { file: string; line: number; offset: number; reason: string });
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ file: trunc, line: cut.n + 1 });
    expect(dead[0]?.reason).toMatch(/^truncated_gzip: /);
    expect(dead[0]?.offset).toBe(Buffer.byteLength(lines.split('\n').slice(0, cut.n).join('\n')) + 1);

    // Done is done: a rerun neither reads it again nor dead-letters the damage twice.
    const again = runSluice(['ingest', trunc, good, '--db', db, '--json', '--no-progress']);
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(join(dir, 'b.dead-letter.ndjson'), 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
  }, 60_000);

  it('in spool: the unit is FAILED with the reason, dead-lettered once, the other units complete', async () => {
    const work = tempDir();
    const dir = join(work, 'in');
    const db = join(work, 'logs.db');
    const dl = join(work, 'dead.ndjson');
    const TRUNC = '2025-04-01T00-00-01.000Z-trunc.json.gz';
    const GOOD = '2025-04-01T00-00-02.000Z-good.json.gz';
    const good = appLogEntries(5, { seed: 5, startMs: Date.parse('2025-04-01T00:00:02Z') });
    writeGzJson(join(dir, GOOD), good);
    writeFileSync(join(dir, TRUNC), truncatedGzip(JSON.stringify(appLogEntries(2000, { seed: 3, startMs: Date.parse('2025-04-01T00:00:01Z') }))));

    const r = await runSluiceWith(['spool', '--from', dir, '--db', db, '--mode', 'once', '--json', '--no-progress', '--max-attempts', '1', '--dead-letter', dl]);
    expect(r.code, r.stderr).toBe(1);
    expect(summaryOf(r).failed_units).toBe(1);
    const ledger = Object.fromEntries(sqliteLedger(db).map((l) => [l.key, l.status]));
    expect(ledger).toEqual({ [TRUNC]: 'FAILED', [GOOD]: 'COMPLETED' });
    const list = await runSluiceWith(['jobs', 'list', '--db', db, '--status', 'FAILED', '--json']);
    expect(list.stdout).toMatch(/truncated_gzip/);
    expect(sqliteLogs(db).filter((row) => row.source_file === TRUNC)).toEqual([]);
    const dead = deadLetters(dl);
    expect(dead).toHaveLength(1);
    expect(dead[0]?.file).toBe(TRUNC);
    expect(dead[0]?.reason).toMatch(/^truncated_gzip: /);
  }, 60_000);
});
