import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { postgresReachable, testSchema, type TestSchema } from '../helpers/pg-test-db.js';
import { deadLetters, runSluiceWith, summaryOf, type JobsList } from '../helpers/spool-cli.js';
import { appLogEntries, writeAppLogUnits, writeGzJson, writeGzText } from '../helpers/spool-fixtures.js';

const ready = await postgresReachable();

interface LedgerRow {
  key: string;
  status: string;
  attempts: number;
  error: string | null;
  processed_at: Date | null;
  sort_key: string;
}

describe.skipIf(!ready)('sluice spool into PostgreSQL with the PostgreSQL ledger (the sink database by default)', () => {
  const schemas: TestSchema[] = [];
  afterAll(async () => {
    for (const s of schemas) await s.drop();
  });

  it('lands ~50 generated files: rows = entries, each unit COMPLETED once in time order; a re-run adds nothing', async () => {
    const work = tempDir();
    const dir = join(work, 'in');
    const units = writeAppLogUnits(dir, 50, 40, 3);
    const total = units.reduce((n, u) => n + u.entries.length, 0);
    const pg = testSchema();
    schemas.push(pg);
    const args = ['spool', '--from', dir, '--into', pg.url, '--mode', 'once', '--json', '--no-progress', '--dead-letter', join(work, 'dl.ndjson')];

    const run = await runSluiceWith(args);
    expect(run.code, run.stderr).toBe(0);
    expect(summaryOf(run)).toMatchObject({ inserted: total, duplicates: 0, bad: 0, units_done: 50, failed_units: 0 });

    const perUnit = await pg.query<{ source_file: string; n: string; distinct_ids: string; max_index: number }>(
      'SELECT source_file, count(*) AS n, count(DISTINCT id) AS distinct_ids, max(source_index) AS max_index FROM logs GROUP BY source_file',
    );
    expect(perUnit.map((r) => [r.source_file, Number(r.n), Number(r.distinct_ids), r.max_index]).sort()).toEqual(
      units.map((u) => [u.name, u.entries.length, u.entries.length, u.entries.length]).sort(),
    );
    const raw = await pg.query<{ raw_data: unknown; source_file: string; source_index: number }>(
      'SELECT raw_data, source_file, source_index FROM logs',
    );
    const byName = new Map(units.map((u) => [u.name, u.entries]));
    for (const r of raw) expect(r.raw_data).toEqual(byName.get(r.source_file)?.[r.source_index - 1]);

    // The ledger lives in the same schema (no --ledger given): every unit COMPLETED on its first attempt.
    const ledger = await pg.query<LedgerRow>('SELECT key, status, attempts, error, processed_at, sort_key FROM sluice_ledger ORDER BY processed_at, sort_key');
    expect(ledger).toHaveLength(50);
    expect(ledger.every((l) => l.status === 'COMPLETED' && l.attempts === 1 && l.error === null && l.processed_at !== null)).toBe(true);
    // Processed oldest first: COMPLETED order follows the timestamps in the names.
    expect(ledger.map((l) => l.key)).toEqual(units.map((u) => u.name).sort());

    const again = await runSluiceWith(args);
    expect(again.code, again.stderr).toBe(0);
    expect(summaryOf(again)).toMatchObject({ read: 0, inserted: 0, units_done: 0 });
    expect((await pg.query<{ n: string }>('SELECT count(*) AS n FROM logs'))[0]?.n).toBe(String(total));
    expect((await pg.query<{ a: number }>('SELECT max(attempts) AS a FROM sluice_ledger'))[0]?.a).toBe(1);

    // The ledger pages: 50 units, 20 a page, page 3 holds the last 10.
    const page = await runSluiceWith(['jobs', 'list', '--ledger', pg.url, '--status', 'COMPLETED', '--limit', '20', '--page', '3', '--json']);
    expect(page.code, page.stderr).toBe(0);
    const listed = JSON.parse(page.stdout) as JobsList;
    expect(listed.total).toBe(50);
    expect(listed.units).toHaveLength(10);
  });

  it('rolls a damaged unit back in PostgreSQL too (rows staged by COPY are dropped) and goes on with the next units', async () => {
    const work = tempDir();
    const dir = join(work, 'in');
    const dl = join(work, 'dl.ndjson');
    const good = writeAppLogUnits(dir, 6, 25, 4);
    const truncatedKey = '2025-04-01T00-30-00.000Z-truncated.json.gz';
    const truncated = JSON.stringify(appLogEntries(30, { seed: 11, startMs: Date.parse('2025-04-01T00:29:00Z') }));
    writeGzText(join(dir, truncatedKey), truncated.slice(0, Math.floor(truncated.length * 0.8))); // rows before the damage
    const notGzipKey = '2025-04-01T00-40-00.000Z-not-gzip.json.gz';
    writeFileSync(join(dir, notGzipKey), '[{"level":30}]');
    const mixedKey = '2025-04-01T00-50-00.000Z-mixed.json.gz';
    writeGzJson(join(dir, mixedKey), [{ level: 40, msg: 'a' }, 'not an object', { level: 50, msg: 'b' }]);
    const pg = testSchema();
    schemas.push(pg);

    const run = await runSluiceWith([
      'spool', '--from', dir, '--into', pg.url, '--mode', 'once', '--json', '--no-progress',
      '--max-attempts', '2', '--retry-base-sec', '1', '--dead-letter', dl,
    ]);
    expect(run.signal).toBeNull();
    expect(run.stderr).not.toMatch(/unexpected failure|triggerUncaughtException|at .*\.js:\d+/);
    expect(run.code, run.stderr).toBe(1);
    expect(summaryOf(run)).toMatchObject({ failed_units: 2 });

    const status = Object.fromEntries((await pg.query<LedgerRow>('SELECT key, status, attempts FROM sluice_ledger')).map((l) => [l.key, `${l.status}/${l.attempts}`]));
    expect(status[truncatedKey]).toBe('FAILED/2');
    expect(status[notGzipKey]).toBe('FAILED/2');
    expect(status[mixedKey]).toBe('COMPLETED/1');
    for (const u of good) expect(status[u.name], u.name).toBe('COMPLETED/1');

    const counts = Object.fromEntries(
      (await pg.query<{ source_file: string; n: string }>('SELECT source_file, count(*) AS n FROM logs GROUP BY 1')).map((r) => [r.source_file, Number(r.n)]),
    );
    expect(counts[truncatedKey]).toBeUndefined();
    expect(counts[notGzipKey]).toBeUndefined();
    expect(counts[mixedKey]).toBe(2);
    for (const u of good) expect(counts[u.name], u.name).toBe(u.entries.length);
    expect(deadLetters(dl).filter((l) => l.file === mixedKey).map((l) => l.line)).toEqual([2]);
  });
});
