import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReport } from '../../src/jobs/report/run-report.js';
import { BRIDGE_REPORTS } from '../../src/profiles/bridge/reports.js';
import { validateConfig } from '../../src/core/config/validate.js';
import { PgReportPools } from '../../src/reports/pg-report-pools.js';
import { ReportConfigSchema } from '../../src/reports/report-config.js';
import { runSluice, tempDir } from '../helpers/cli.js';
import { bridgeDb } from '../helpers/dashboard-dbs.js';
import { postgresReachable, testSchema, type TestSchema } from '../helpers/pg-test-db.js';

const ready = await postgresReachable();

describe.runIf(ready)('PostgreSQL connections kept for reports (PgReportPools)', () => {
  let dir: string;
  let schema: TestSchema;
  let pools: PgReportPools;

  beforeAll(() => {
    dir = tempDir('sluice-report-pools-');
    bridgeDb(dir);
    schema = testSchema('t_report_pools');
    const r = runSluice(['ingest', join(dir, 'bridge.ndjson'), '--into', schema.url, '--no-progress'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    pools = new PgReportPools(1);
  }, 120_000);

  afterAll(async () => {
    await pools?.close();
    await schema?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const backend = async (): Promise<number> => {
    const { reader } = await pools.open(schema.url, BRIDGE_REPORTS);
    try {
      return Number((await reader.one('SELECT pg_backend_pid()'))?.[0]);
    } finally {
      await reader.close();
    }
  };

  it('runs one report after another on the same connection, each in a read-only transaction', async () => {
    const first = await backend();
    expect(await backend()).toBe(first);
    const { reader } = await pools.open(schema.url, BRIDGE_REPORTS);
    await expect(reader.one("UPDATE events SET msg = 'X' WHERE id = 1")).rejects.toThrow(/read-only transaction/);
    await reader.close();
    // The failed transaction ended; the connection serves the next report, which sees nothing written.
    const again = await pools.open(schema.url, BRIDGE_REPORTS);
    expect(await again.reader.one("SELECT count(*) FROM events WHERE msg = 'X'")).toEqual([0]);
    await again.reader.close();
  });

  it('gives the connection back when the table is missing (a pool of one would wait forever)', async () => {
    await expect(pools.open(schema.url, { ...BRIDGE_REPORTS, table: 'no_such_table' })).rejects.toMatchObject({ code: 'SLUICE_E_NO_DATABASE' });
    expect(await backend()).toBeGreaterThan(0);
  });

  it('gives the rows of sluice report', async () => {
    for (const name of ['sessions', 'hits', 'gap_list']) {
      const chunks: Buffer[] = [];
      const stdout = new Writable({ write: (c: Buffer, _e, done) => (chunks.push(c), done()) });
      const config = validateConfig(ReportConfigSchema, { name, db: schema.url, profile: 'bridge', format: 'json' });
      await runReport(config, { stdout, stdoutIsTty: false, notice: () => undefined }, (db, set) => pools.open(db, set));
      const cli = runSluice(['report', name, '--db', schema.url, '--format', 'json']);
      expect(JSON.parse(Buffer.concat(chunks).toString('utf8')), name).toEqual(JSON.parse(cli.stdout));
    }
  }, 60_000);
});
