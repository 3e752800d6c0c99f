import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { postgresReachable, testSchema } from '../helpers/pg-test-db.js';
import { startSluiceWith, summaryOf, waitFor } from '../helpers/spool-cli.js';
import { writeAppLogUnits } from '../helpers/spool-fixtures.js';

const ready = await postgresReachable();

const UNITS = 300;
const PER_UNIT = 20;
const LEASE_SEC = 3;

describe.skipIf(!ready)('three concurrent `sluice spool --mode once` workers on one folder, PostgreSQL sink and ledger', () => {
  const pg = testSchema();
  afterAll(async () => pg.drop());

  it('process every unit exactly once, and recover the units of a worker SIGKILLed midway after its lease', async () => {
    const work = tempDir();
    const dir = join(work, 'in');
    const units = writeAppLogUnits(dir, UNITS, PER_UNIT, 8);
    const total = UNITS * PER_UNIT;
    const workers = [0, 1, 2].map((i) =>
      startSluiceWith([
        'spool', '--from', dir, '--into', pg.url, '--ledger', pg.url, '--mode', 'once', '--lease-sec', String(LEASE_SEC),
        '--json', '--no-progress', '--dead-letter', join(work, `dl-${i}.ndjson`),
      ]),
    );
    const [victim, ...survivors] = workers;
    if (!victim) throw new Error('no workers');
    const victimId = `${hostname()}:${victim.child.pid}`;

    const completed = async (): Promise<number> =>
      Number((await pg.query<{ n: string }>("SELECT count(*) AS n FROM sluice_ledger WHERE status = 'COMPLETED'").catch(() => [{ n: '0' }]))[0]?.n);
    const midway = await waitFor(async () => (await completed()) >= UNITS / 3, 60_000, 25);
    expect(midway, 'the workers never got a third of the way').toBe(true);
    victim.child.kill('SIGKILL');
    const killed = await victim.done;
    expect(killed.signal, `the victim finished before the kill: ${killed.stderr}`).toBe('SIGKILL');
    const stuck = (await pg.query<{ key: string }>("SELECT key FROM sluice_ledger WHERE status = 'PROCESSING' AND worker = $1", [victimId])).map((r) => r.key);
    const doneAtKill = await completed();

    const ends = await Promise.all(survivors.map((s) => s.done));
    for (const end of ends) expect(end.code, end.stderr).toBe(0);
    const summaries = ends.map(summaryOf);

    const ledger = await pg.query<{ key: string; status: string; attempts: number; worker: string }>('SELECT key, status, attempts, worker FROM sluice_ledger');
    expect(ledger).toHaveLength(UNITS);
    expect(ledger.filter((l) => l.status !== 'COMPLETED')).toEqual([]);

    const rows = await pg.query<{ n: string; ids: string; files: string }>('SELECT count(*) AS n, count(DISTINCT id) AS ids, count(DISTINCT source_file) AS files FROM logs');
    expect(rows[0]).toEqual({ n: String(total), ids: String(total), files: String(UNITS) });
    const perUnit = await pg.query<{ source_file: string; n: string }>('SELECT source_file, count(*) AS n FROM logs GROUP BY 1 HAVING count(*) <> $1', [PER_UNIT]);
    expect(perUnit).toEqual([]);

    // Exactly once: a unit processed twice would show as duplicates (ids are deterministic); the rows
    // the survivors inserted plus those of units the victim completed are all the rows.
    expect(summaries.map((s) => s.duplicates)).toEqual([0, 0]);
    const byVictim = ledger.filter((l) => l.worker === victimId).length;
    expect(summaries.reduce((n, s) => n + s.inserted, 0) + byVictim * PER_UNIT).toBe(total);
    expect(summaries.reduce((n, s) => n + s.units_done, 0) + byVictim).toBe(UNITS);

    // The victim's units were taken again once the lease lapsed: the one it had begun counts two
    // attempts, those it had only claimed ahead (prefetched) count just the survivor's.
    const attempts = new Map(ledger.map((l) => [l.key, l]));
    for (const key of stuck) {
      expect([1, 2], key).toContain(attempts.get(key)?.attempts);
      expect(attempts.get(key)?.worker, key).not.toBe(victimId);
    }
    process.stderr.write(
      `spool concurrency: killed ${victimId} at ${doneAtKill}/${UNITS} COMPLETED; it completed ${byVictim} unit(s); ` +
        `${stuck.length ? `its in-flight unit(s) ${stuck.join(', ')} were recovered` : 'the kill caught no unit in flight'}; ` +
        `survivors: ${summaries.map((s) => `${s.units_done} units in ${ends[summaries.indexOf(s)]?.ms.toFixed(0)} ms`).join(', ')}\n`,
    );
    expect(units).toHaveLength(UNITS);
  });
});
