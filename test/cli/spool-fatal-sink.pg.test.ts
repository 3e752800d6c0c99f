import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { postgresReachable, testSchema } from '../helpers/pg-test-db.js';
import { startSluiceWith, summaryOf, waitFor } from '../helpers/spool-cli.js';
import { writeAppLogUnits } from '../helpers/spool-fixtures.js';

const reachable = await postgresReachable();
if (!reachable && process.env.CI === 'true') throw new Error('CI: PostgreSQL at 127.0.0.1:5432 is required');

describe.skipIf(!reachable)('sluice spool --mode once when its PostgreSQL connection is killed mid-run', () => {
  const pg = testSchema('t_fatal');
  afterAll(async () => pg.drop());

  it('ends at once with exit 1 and a coded one-line error (no hang, no stack trace); the rerun completes exactly once', async () => {
    const work = tempDir();
    const dir = join(work, 'in');
    const units = writeAppLogUnits(dir, 12, 4000, 7);
    const total = units.reduce((n, u) => n + u.entries.length, 0);
    // Its connections carry a name of their own, so only they are killed (others share this server).
    const appName = `sluice-fatal-${randomBytes(4).toString('hex')}`;
    // A short lease: the rerun takes the units the failed run held soon after (a PostgreSQL ledger
    // cannot tell that their holder is gone).
    const args = ['spool', '--from', dir, '--into', pg.url, '--mode', 'once', '--json', '--no-progress', '--lease-sec', '3', '--dead-letter', join(work, 'dl.ndjson')];

    const victim = startSluiceWith(args, { env: { PGAPPNAME: appName } });
    const started = await waitFor(async () => {
      const done = await pg.query<{ n: string }>("SELECT count(*) AS n FROM sluice_ledger WHERE status = 'COMPLETED'").catch(() => [{ n: '0' }]);
      return Number(done[0]?.n ?? 0) >= 1;
    }, 30_000);
    expect(started, 'no unit completed').toBe(true);
    const killed = await pg.query<{ ok: boolean }>('SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1', [appName]);
    expect(killed.length).toBeGreaterThan(0);

    const timer = setTimeout(() => victim.child.kill('SIGKILL'), 60_000);
    const end = await victim.done;
    clearTimeout(timer);
    expect(end.signal, `still running 60 s after its connection was killed:\n${end.stderr}`).toBeNull();
    if (end.code !== 0) {
      // The kill landed mid-run (a run that had finished already exits 0).
      expect(end.code, end.stderr).toBe(1);
      expect(end.stderr).toMatch(/\[SLUICE_E_[A-Z_]+\]/);
      expect(end.stderr).not.toMatch(/unexpected failure/);
      expect(end.stderr).not.toMatch(/^\s+at /m);
    }

    const rerun = await startSluiceWith(args).done;
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(summaryOf(rerun).failed_units ?? 0).toBe(0);
    const rows = await pg.query<{ n: string }>('SELECT count(*) AS n FROM logs');
    expect(Number(rows[0]?.n)).toBe(total);
  }, 120_000);
});
