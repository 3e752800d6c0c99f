import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { startSluiceWith, waitFor } from '../helpers/spool-cli.js';
import { appLogEntries, writeGzJson } from '../helpers/spool-fixtures.js';
import { sqliteLedger, sqliteLogs } from '../helpers/spool-samples.js';

const BIG = '2025-04-03T10-00-00.000Z-big.json.gz';
const NEXT = '2025-04-03T11-00-00.000Z-next.json.gz';

/** A folder with a unit big enough to signal the process in the middle of it, and one after it. */
function spoolFolder(): { dir: string; db: string; bigEntries: number } {
  const work = tempDir();
  const dir = join(work, 'in');
  const big = appLogEntries(25_000, { seed: 21, startMs: Date.parse('2025-04-03T09:00:00Z') });
  writeGzJson(join(dir, BIG), big);
  writeGzJson(join(dir, NEXT), appLogEntries(5, { seed: 22, startMs: Date.parse('2025-04-03T10:59:00Z') }));
  return { dir, db: join(work, 'logs.db'), bigEntries: big.length };
}

describe('sluice spool on SIGTERM: the unit in hand is finished and marked, then it stops', () => {
  it.each([
    ['spool', 0],
    ['once', 143],
  ] as const)('--mode %s exits %i with the unit in hand COMPLETED and the next one left PENDING', async (mode, exitCode) => {
    const { dir, db, bigEntries } = spoolFolder();
    const run = startSluiceWith(['spool', '--from', dir, '--db', db, '--mode', mode, '--interval-sec', '1', '--json', '--no-progress']);
    const inHand = await waitFor(() => sqliteLedger(db).some((l) => l.key === BIG && l.status === 'PROCESSING'), 20_000);
    expect(inHand, 'the big unit was never claimed').toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    run.child.kill('SIGTERM');
    const end = await run.done;
    expect(end.code, end.stderr).toBe(exitCode);
    const status = Object.fromEntries(sqliteLedger(db).map((l) => [l.key, l.status]));
    expect(status).toEqual({ [BIG]: 'COMPLETED', [NEXT]: 'PENDING' });
    expect(sqliteLogs(db).filter((r) => r.source_file === BIG)).toHaveLength(bigEntries);
  });
});
