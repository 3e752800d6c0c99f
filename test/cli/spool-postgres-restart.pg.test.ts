import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSluice, tempDir } from '../helpers/cli.js';
import { killLeftovers, waitFor } from '../helpers/follow-harness.js';
import { postgresBin, startOwnPostgres, type OwnPostgres } from '../helpers/own-postgres.js';
import { writeAppLogUnits } from '../helpers/spool-fixtures.js';

/**
 * `sluice spool --mode spool` into PostgreSQL (rows and ledger in one database) while that server is
 * restarted twice: the service waits for it, takes back the units it held, and ends with every entry
 * stored once and every unit COMPLETED. The server is this file's own, on its own port.
 */

const PORT = 54_392;
const haveBin = postgresBin() !== undefined;
if (!haveBin && process.env.CI === 'true') throw new Error('PostgreSQL server binaries (initdb, pg_ctl) are required in CI');

let server: OwnPostgres | undefined;
beforeAll(() => {
  if (haveBin) server = startOwnPostgres(PORT);
});
afterAll(() => server?.stop());
afterEach(() => killLeftovers());

async function one(url: string, sql: string): Promise<Record<string, string> | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return (await client.query<Record<string, string>>(sql)).rows[0];
  } catch {
    return undefined; // not there yet, or the server is restarting
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe.skipIf(!haveBin)('sluice spool --mode spool into PostgreSQL while the server restarts', () => {
  it('waits for the server twice and ends with every entry once, every unit COMPLETED', async () => {
    const dir = tempDir('sluice-spool-pg-restart-');
    const inbox = join(dir, 'in');
    const base = server?.url ?? '';
    const url = `${base}?schema=spool_restart`;
    let total = writeAppLogUnits(inbox, 15, 400, 1).reduce((n, u) => n + u.entries.length, 0);
    const child = startSluice(['spool', '--from', inbox, '--into', url, '--profile', 'applog', '--mode', 'spool', '--interval-sec', '1',
      '--dead-letter', join(dir, 'dl.ndjson'), '--no-progress']);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const ended = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const rows = async (): Promise<number> => Number((await one(base, 'SELECT count(*) AS n FROM spool_restart.logs'))?.n ?? -1);

    for (const [round, seed] of [[1, 2], [2, 3]] as const) {
      await waitFor(async () => (await rows()) > 0 || undefined, { timeoutMs: 30_000, what: () => `rows before restart ${round}\n${stderr}` });
      await server?.restart(1_000);
      await waitFor(() => stderr.split('is back').length > round || undefined, { timeoutMs: 30_000, what: () => `reconnect ${round}\n${stderr}` });
      total += writeAppLogUnits(inbox, 10, 400, seed).reduce((n, u) => n + u.entries.length, 0);
    }
    await waitFor(async () => (await rows()) >= total || undefined, { timeoutMs: 60_000, what: () => `${total} rows\n${stderr}` });
    child.kill('SIGTERM');
    expect(await ended, stderr).toBe(0);

    const stats = await one(base, 'SELECT count(*) AS n, count(DISTINCT id) AS ids FROM spool_restart.logs');
    const ledger = await one(base, "SELECT count(*) AS units, count(*) FILTER (WHERE status = 'COMPLETED') AS completed FROM spool_restart.sluice_ledger");
    expect(stderr).toMatch(/lost postgres:\/\/.*retrying in/);
    expect(stats).toEqual({ n: String(total), ids: String(total) });
    expect(ledger).toEqual({ units: '35', completed: '35' });
  }, 150_000);
});
