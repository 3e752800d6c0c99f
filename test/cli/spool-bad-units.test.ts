import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { deadLetters, runSluiceWith, startSluiceWith, summaryOf, waitFor, type JobsList, type SluiceRun } from '../helpers/spool-cli.js';
import { appLogEntries, writeGzJson, writeGzText } from '../helpers/spool-fixtures.js';
import { startLocalS3, type LocalS3 } from '../helpers/s3-server.js';
import { localS3Client, putAll } from '../helpers/spool-s3.js';
import { sqliteLedger, sqliteLogs } from '../helpers/spool-samples.js';
import { startStallingProxy } from '../helpers/stalling-proxy.js';

const NOT_GZIP = '2025-04-01T00-00-01.000Z-not-gzip.json.gz';
const NOT_JSON = '2025-04-01T00-00-02.000Z-not-json.json.gz';
const TRUNCATED = '2025-04-01T00-00-03.000Z-truncated.json.gz';
const NON_OBJECTS = '2025-04-01T00-00-04.000Z-non-objects.json.gz';
const GOOD = '2025-04-01T00-00-05.000Z-good.json.gz';
const GOOD_LATE = '2025-04-02T00-00-00.000Z-good-late.json.gz';
const DAMAGED = [NOT_GZIP, NOT_JSON, TRUNCATED];

describe('sluice spool: damaged units are rolled back, retried with backoff, then FAILED; the run goes on', () => {
  const work = tempDir();
  const dir = join(work, 'in');
  const db = join(work, 'logs.db');
  const dl = join(work, 'dead.ndjson');
  const good = appLogEntries(5, { seed: 5, startMs: Date.parse('2025-04-01T00:00:04Z') });
  const late = appLogEntries(3, { seed: 6, startMs: Date.parse('2025-04-01T23:59:00Z') });
  const truncatedEntries = appLogEntries(3, { seed: 3, startMs: Date.parse('2025-04-01T00:00:02Z') });
  const spool = () =>
    runSluiceWith(['spool', '--from', dir, '--db', db, '--mode', 'once', '--json', '--no-progress', '--max-attempts', '2', '--retry-base-sec', '1', '--dead-letter', dl]);
  let first: SluiceRun;

  beforeAll(async () => {
    writeGzJson(join(dir, GOOD_LATE), late);
    writeFileSync(join(dir, NOT_GZIP), 'plain text, not gzip\n');
    writeGzText(join(dir, NOT_JSON), 'this is not JSON at all');
    const full = JSON.stringify(truncatedEntries);
    writeGzText(join(dir, TRUNCATED), full.slice(0, full.lastIndexOf('{') + 30)); // cut inside the third entry
    writeGzText(join(dir, NON_OBJECTS), '[1, "x", {"level":30,"msg":"kept"}]');
    writeGzJson(join(dir, GOOD), good);
    first = await spool();
  });

  it('exits 1 with the damaged units FAILED after 2 attempts and the others COMPLETED', () => {
    expect(first.code, first.stderr).toBe(1);
    expect(summaryOf(first).failed_units).toBe(3);
    const status = Object.fromEntries(sqliteLedger(db).map((l) => [l.key, `${l.status}/${l.attempts}`]));
    expect(status).toEqual({
      [NOT_GZIP]: 'FAILED/2',
      [NOT_JSON]: 'FAILED/2',
      [TRUNCATED]: 'FAILED/2',
      [NON_OBJECTS]: 'COMPLETED/1',
      [GOOD]: 'COMPLETED/1',
      [GOOD_LATE]: 'COMPLETED/1',
    });
    // The second attempt waited for the backoff (--retry-base-sec 1).
    expect(first.ms).toBeGreaterThanOrEqual(1000);
    expect(first.stderr).toMatch(/will retry/);
  });

  it('`jobs list --status FAILED --json` shows each damaged unit with a readable error', async () => {
    const list = await runSluiceWith(['jobs', 'list', '--db', db, '--status', 'FAILED', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const page = JSON.parse(list.stdout) as JobsList;
    expect(page.total).toBe(3);
    const errors = Object.fromEntries(page.units.map((u) => [u.s3Key, u.metadata.error ?? '']));
    expect(errors[NOT_GZIP]).toMatch(/not gzip/i);
    expect(errors[NOT_JSON]).toMatch(/JSON/);
    expect(errors[TRUNCATED]).toMatch(/truncated.*element 3/i);
    expect(page.units.every((u) => u.status === 'FAILED' && u.metadata.attempts === 2 && u.processedAt === null)).toBe(true);
  });

  it('keeps nothing of a damaged unit, all of the good ones, and a non-object unit minus its bad entries', () => {
    const rows = sqliteLogs(db);
    const of = (k: string) => rows.filter((r) => r.source_file === k);
    for (const k of DAMAGED) expect(of(k), k).toEqual([]);
    expect(of(GOOD).map((r) => r.raw_data)).toEqual(good);
    expect(of(GOOD_LATE).map((r) => r.raw_data)).toEqual(late);
    expect(of(NON_OBJECTS).map((r) => [r.source_index, r.raw_data])).toEqual([[3, { level: 30, msg: 'kept' }]]);
    expect(rows).toHaveLength(good.length + late.length + 1);
  });

  it('dead-letters non-object entries with the unit key and their index', () => {
    const lines = deadLetters(dl).filter((l) => l.file.includes('non-objects'));
    expect(lines.map((l) => [l.file, l.line, l.raw])).toEqual([
      [NON_OBJECTS, 1, '1'],
      [NON_OBJECTS, 2, '"x"'],
    ]);
    expect(lines.every((l) => /not_an_object/.test(l.reason))).toBe(true);
  });

  it('dead-letters the damage of a unit once (final attempt only), under the unit key', () => {
    const lines = deadLetters(dl);
    const truncated = lines.filter((l) => l.file.includes('truncated'));
    const notJson = lines.filter((l) => l.file.includes('not-json'));
    expect(truncated).toHaveLength(1);
    expect(notJson).toHaveLength(1);
    expect(truncated[0]?.line).toBe(3);
    expect(truncated[0]?.reason).toMatch(/truncated/);
    // The ledger, `jobs list` and the non-object dead letters say `...json.gz`: so must these.
    expect(truncated[0]?.file).toBe(TRUNCATED);
    expect(notJson[0]?.file).toBe(NOT_JSON);
  });

  it("the summary's bad count matches the dead letters written (rolled-back attempts not counted)", () => {
    expect(summaryOf(first).bad).toBe(deadLetters(dl).length);
  });

  it('after the file is fixed, `jobs retry --all-failed` and a re-run complete it', async () => {
    writeGzJson(join(dir, TRUNCATED), truncatedEntries);
    const retry = await runSluiceWith(['jobs', 'retry', '--all-failed', '--db', db]);
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.stderr).toMatch(/3 unit\(s\) back to PENDING/);
    expect(sqliteLedger(db).filter((l) => l.status === 'PENDING').map((l) => `${l.key}/${l.attempts}`).sort()).toEqual(
      DAMAGED.map((k) => `${k}/0`).sort(),
    );
    const again = await spool();
    expect(again.code, again.stderr).toBe(1); // the two still-damaged units FAILED again
    expect(summaryOf(again)).toMatchObject({ inserted: truncatedEntries.length, failed_units: 2 });
    const status = Object.fromEntries(sqliteLedger(db).map((l) => [l.key, l.status]));
    expect([status[TRUNCATED], status[NOT_GZIP], status[NOT_JSON]]).toEqual(['COMPLETED', 'FAILED', 'FAILED']);
    expect(sqliteLogs(db).filter((r) => r.source_file === TRUNCATED).map((r) => r.raw_data)).toEqual(truncatedEntries);
    const retryKey = await runSluiceWith(['jobs', 'retry', 'no-such-key.json.gz', '--db', db]);
    expect(retryKey.code).toBe(2); // an unknown key is a usage error (SLUICE_E_UNKNOWN_UNIT)
  });
});

describe('sluice jobs release: a unit left PROCESSING by a killed worker', () => {
  let s3: LocalS3;
  const key = '2025-04-03T10-00-00.000Z-big.json.gz';
  const entries = appLogEntries(5_000, { seed: 9, startMs: Date.parse('2025-04-03T09:00:00Z') });
  beforeAll(async () => {
    s3 = await startLocalS3(['release']);
    await putAll(localS3Client(s3), 'release', [{ key, body: gzipSync(JSON.stringify(entries)) }]);
  }, 60_000);
  afterAll(async () => s3?.stop());

  it('is PROCESSING with no rows after SIGKILL mid-unit, PENDING after release, COMPLETED on the next run', async () => {
    const work = tempDir();
    const db = join(work, 'logs.db');
    const args = ['spool', '--from', 's3://release/', '--db', db, '--mode', 'once', '--json', '--no-progress', '--dead-letter', join(work, 'dl.ndjson')];

    // The unit's download is held open after its first 4 KiB: the kill lands mid-unit, whatever the machine's speed.
    const proxy = await startStallingProxy(s3.endpoint, key, 4096);
    const victim = startSluiceWith(args, { env: { ...s3.env, AWS_ENDPOINT: proxy.endpoint } });
    try {
      await proxy.stalled;
      const claimed = await waitFor(() => sqliteLedger(db).some((l) => l.status === 'PROCESSING'), 20_000);
      expect(claimed, 'the unit was never claimed').toBe(true);
      victim.child.kill('SIGKILL');
      const killed = await victim.done;
      expect(killed.signal, `it finished before the kill: ${killed.stdout}`).toBe('SIGKILL');
    } finally {
      proxy.release();
      await proxy.close();
    }

    const [stuck] = sqliteLedger(db);
    expect(stuck).toMatchObject({ key, status: 'PROCESSING', attempts: 1, worker: `${hostname()}:${victim.child.pid}` });
    expect(sqliteLogs(db)).toEqual([]); // all-or-nothing: no part of the unit

    const release = await runSluiceWith(['jobs', 'release', key, '--db', db]);
    expect(release.code, release.stderr).toBe(0);
    expect(release.stderr).toMatch(/released/);
    expect(sqliteLedger(db)[0]).toMatchObject({ status: 'PENDING' });
    const twice = await runSluiceWith(['jobs', 'release', key, '--db', db]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/not PROCESSING/);

    const rerun = await runSluiceWith(args, { env: s3.env });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(summaryOf(rerun)).toMatchObject({ inserted: entries.length, duplicates: 0 });
    expect(sqliteLedger(db)[0]).toMatchObject({ status: 'COMPLETED', attempts: 2 });
    expect(sqliteLogs(db)).toHaveLength(entries.length);
  }, 90_000);
});
