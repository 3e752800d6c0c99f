import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { startSluiceWith, summaryOf, waitFor } from '../helpers/spool-cli.js';
import { appLogEntries, writeGzJson } from '../helpers/spool-fixtures.js';
import { sqliteLedger, sqliteLogs } from '../helpers/spool-samples.js';

/** Enough that the kill finds units held; what is tested is taking them back, not their size. */
const ENTRIES_PER_UNIT = 10_000;

describe('sluice spool --mode once after a SIGKILL (SQLite ledger)', () => {
  it('takes back at once the units a dead process on this host held, instead of waiting out --lease-sec', async () => {
    const work = tempDir();
    const dir = join(work, 'in');
    const db = join(work, 'logs.db');
    let total = 0;
    for (let i = 0; i < 4; i++) {
      const entries = appLogEntries(ENTRIES_PER_UNIT, { seed: 20 + i, startMs: Date.parse(`2025-04-0${i + 1}T09:00:00Z`) });
      writeGzJson(join(dir, `2025-04-0${i + 1}T10-00-00.000Z-unit${i}.json.gz`), entries);
      total += entries.length;
    }
    const args = ['spool', '--from', dir, '--db', db, '--mode', 'once', '--json', '--no-progress', '--lease-sec', '300', '--dead-letter', join(work, 'dl.ndjson')];

    const victim = startSluiceWith(args);
    const claimed = await waitFor(() => sqliteLedger(db).some((l) => l.status === 'PROCESSING'), 20_000);
    expect(claimed, 'no unit was ever claimed').toBe(true);
    victim.child.kill('SIGKILL');
    const killed = await victim.done;
    expect(killed.signal, `it finished before the kill: ${killed.stdout}`).toBe('SIGKILL');
    const held = sqliteLedger(db).filter((l) => l.status === 'PROCESSING');
    expect(held.length, 'the kill landed while units were held').toBeGreaterThan(0);

    const rerun = startSluiceWith(args);
    const timer = setTimeout(() => rerun.child.kill('SIGKILL'), 60_000);
    const end = await rerun.done;
    clearTimeout(timer);
    expect(end.signal, 'the rerun waited for the dead holder\'s lease').toBeNull();
    expect(end.code, end.stderr).toBe(0);
    expect(end.ms).toBeLessThan(60_000);
    expect(sqliteLedger(db).every((l) => l.status === 'COMPLETED')).toBe(true);
    expect(summaryOf(end).failed_units ?? 0).toBe(0);
    expect(sqliteLogs(db)).toHaveLength(total);
  }, 120_000);
});
