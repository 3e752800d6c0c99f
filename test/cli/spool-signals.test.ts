import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { startLocalS3, type LocalS3 } from '../helpers/s3-server.js';
import { runSluiceWith, startSluiceWith, summaryOf, waitFor, type SluiceChild } from '../helpers/spool-cli.js';
import { appLogEntries } from '../helpers/spool-fixtures.js';
import { localS3Client, putAll } from '../helpers/spool-s3.js';
import { sqliteLedger, sqliteLogs } from '../helpers/spool-samples.js';
import { startStallingProxy, type StallingProxy } from '../helpers/stalling-proxy.js';

const BUCKET = 'signals';
const BIG = '2025-04-03T10-00-00.000Z-big.json.gz';
const NEXT = '2025-04-03T11-00-00.000Z-next.json.gz';
const bigEntries = appLogEntries(5_000, { seed: 21, startMs: Date.parse('2025-04-03T09:00:00Z') });
const nextEntries = appLogEntries(5, { seed: 22, startMs: Date.parse('2025-04-03T10:59:00Z') });

/**
 * The units come from a local S3 server through a proxy that holds BIG's download open after its
 * first 4 KiB (the open-pipe pattern of ingest-signals): a signal lands while BIG is in hand however
 * fast the machine, and nothing of the test waits on a guess of how long a unit takes.
 */
describe('sluice spool on SIGTERM: the unit in hand is finished and marked, then it stops', () => {
  let s3: LocalS3;
  beforeAll(async () => {
    s3 = await startLocalS3([BUCKET]);
    await putAll(localS3Client(s3), BUCKET, [
      { key: BIG, body: gzipSync(JSON.stringify(bigEntries)) },
      { key: NEXT, body: gzipSync(JSON.stringify(nextEntries)) },
    ]);
  }, 60_000);
  afterAll(async () => s3?.stop());

  /** Starts a spool run through a fresh proxy; resolves once BIG is in hand and its download held. */
  async function startHeld(mode: 'once' | 'spool'): Promise<{ run: SluiceChild; proxy: StallingProxy; db: string; stderr: () => string }> {
    const work = tempDir();
    const db = join(work, 'logs.db');
    const status = join(work, 'status.json');
    const proxy = await startStallingProxy(s3.endpoint, BIG, 4096);
    const run = startSluiceWith(['spool', '--from', `s3://${BUCKET}/`, '--db', db, '--mode', mode, '--interval-sec', '1', '--json', '--no-progress', '--status-file', status], {
      env: { ...s3.env, AWS_ENDPOINT: proxy.endpoint },
    });
    let stderr = '';
    run.child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await proxy.stalled;
    const inHand = await waitFor(
      () =>
        sqliteLedger(db).some((l) => l.key === BIG && l.status === 'PROCESSING') &&
        existsSync(status) &&
        (JSON.parse(readFileSync(status, 'utf8')) as { phase: string }).phase === 'ingesting',
      20_000,
    );
    expect(inHand, `BIG was never in hand: ${stderr}`).toBe(true);
    return { run, proxy, db, stderr: () => stderr };
  }

  it.each([
    ['spool', 0],
    ['once', 143],
  ] as const)('--mode %s exits %i with the unit in hand COMPLETED and the next one left PENDING', async (mode, exitCode) => {
    const { run, proxy, db, stderr } = await startHeld(mode);
    try {
      run.child.kill('SIGTERM');
      expect(await waitFor(() => stderr().includes('SIGTERM received'), 20_000), stderr()).toBe(true);
      proxy.release(); // the rest of BIG arrives only after the process has taken the signal
      const end = await run.done;
      expect(end.code, end.stderr).toBe(exitCode);
      const status = Object.fromEntries(sqliteLedger(db).map((l) => [l.key, l.status]));
      expect(status).toEqual({ [BIG]: 'COMPLETED', [NEXT]: 'PENDING' });
      expect(sqliteLogs(db).filter((r) => r.source_file === BIG)).toHaveLength(bigEntries.length);
    } finally {
      await proxy.close();
    }
  }, 60_000);

  it('a second SIGTERM exits at once (143) while the unit in hand is still held; nothing of it is committed, and the next run does it once', async () => {
    const { run, proxy, db, stderr } = await startHeld('once');
    try {
      run.child.kill('SIGTERM');
      expect(await waitFor(() => stderr().includes('SIGTERM received'), 20_000), stderr()).toBe(true);
      run.child.kill('SIGTERM'); // BIG's download is still held: only an immediate exit ends the process
      const end = await run.done;
      expect(end.code, end.stderr).toBe(143);
      expect(end.stderr).toContain('second SIGTERM, exiting now');
      expect(sqliteLogs(db).filter((r) => r.source_file === BIG)).toEqual([]);
      expect(sqliteLedger(db).find((l) => l.key === BIG)?.status).not.toBe('COMPLETED');
    } finally {
      proxy.release();
      await proxy.close();
    }
    // The dead process's units are taken back at once (same host, pid gone): all of it, exactly once.
    const again = await runSluiceWith(['spool', '--from', `s3://${BUCKET}/`, '--db', db, '--mode', 'once', '--json', '--no-progress'], { env: s3.env });
    expect(again.code, again.stderr).toBe(0);
    expect(summaryOf(again)).toMatchObject({ inserted: bigEntries.length + nextEntries.length, duplicates: 0 });
    expect(sqliteLogs(db)).toHaveLength(bigEntries.length + nextEntries.length);
  }, 90_000);
});
