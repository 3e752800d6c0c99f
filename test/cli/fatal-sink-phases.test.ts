import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bridgeFile } from '../helpers/bridge-lines.js';
import { tempDir } from '../helpers/cli.js';
import { startSluiceWith, type SluiceRun } from '../helpers/spool-cli.js';
import { writeAppLogUnits } from '../helpers/spool-fixtures.js';

/**
 * Faults injected in the real database, not in a mock: a trigger that aborts the statement the sink
 * runs in one phase (a row insert while writing; the cursor or ledger row while committing). Each must
 * end the run with exit 1 and one coded line, never a hang or a stack trace.
 */
async function run(args: readonly string[]): Promise<SluiceRun & { hung: boolean }> {
  const child = startSluiceWith(args);
  const timer = setTimeout(() => child.child.kill('SIGKILL'), 60_000);
  const end = await child.done;
  clearTimeout(timer);
  return { ...end, hung: end.signal === 'SIGKILL' };
}

function inject(db: string, sql: string): void {
  execFileSync('sqlite3', [db, sql]);
}

function expectFatal(r: SluiceRun & { hung: boolean }, fault: string): void {
  expect(r.hung, `still running after 60 s:\n${r.stderr}`).toBe(false);
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toContain(fault);
  expect(r.stderr).toMatch(/\[SLUICE_E_SINK\]/);
  expect(r.stderr).not.toMatch(/unexpected failure/);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

// Each case has its own folder and database: they run at once.
describe.concurrent('a fatal sink error in each phase ends the run: exit 1, one coded line, no hang', () => {
  const ingestDb = (): { dir: string; db: string } => {
    const dir = tempDir('sluice-fault-');
    const db = join(dir, 'b.db');
    writeFileSync(join(dir, 'first.ndjson'), bridgeFile(20, 'first'));
    writeFileSync(join(dir, 'second.ndjson'), bridgeFile(2000, 'second'));
    return { dir, db };
  };

  it.each([
    ['writing rows', (db: string) => inject(db, "CREATE TRIGGER fault BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'injected write fault'); END;"), 'injected write fault'],
    [
      'committing the cursor',
      (db: string) =>
        inject(
          db,
          "CREATE TRIGGER fault_i BEFORE INSERT ON sluice_cursors BEGIN SELECT RAISE(ABORT, 'injected commit fault'); END; CREATE TRIGGER fault_u BEFORE UPDATE ON sluice_cursors BEGIN SELECT RAISE(ABORT, 'injected commit fault'); END;",
        ),
      'injected commit fault',
    ],
  ] as const)('ingest, %s', async (_phase, fault, message) => {
    const { dir, db } = ingestDb();
    const first = await run(['ingest', join(dir, 'first.ndjson'), '--db', db, '--no-progress']);
    expect(first.code, first.stderr).toBe(0);
    fault(db);
    expectFatal(await run(['ingest', join(dir, 'second.ndjson'), '--db', db, '--no-progress']), message);
  }, 90_000);

  it.each([
    ['writing rows', "CREATE TRIGGER fault BEFORE INSERT ON logs BEGIN SELECT RAISE(ABORT, 'injected write fault'); END;", 'injected write fault'],
    [
      'committing a unit (its ledger row COMPLETED)',
      "CREATE TRIGGER fault BEFORE UPDATE ON sluice_ledger WHEN NEW.status = 'COMPLETED' BEGIN SELECT RAISE(ABORT, 'injected commit fault'); END;",
      'injected commit fault',
    ],
  ] as const)('spool, %s', async (_phase, trigger, message) => {
    const work = tempDir('sluice-fault-');
    const first = join(work, 'first');
    const later = join(work, 'later');
    mkdirSync(first);
    writeAppLogUnits(first, 1, 20, 3);
    const db = join(work, 'logs.db');
    const clean = await run(['spool', '--from', first, '--db', db, '--mode', 'once', '--no-progress']);
    expect(clean.code, clean.stderr).toBe(0);
    inject(db, trigger);
    writeAppLogUnits(later, 3, 500, 4);
    expectFatal(await run(['spool', '--from', later, '--db', db, '--mode', 'once', '--no-progress']), message);
  }, 90_000);

  it.each([
    ['writing rows', "CREATE TRIGGER fault BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'injected write fault'); END;", 'injected write fault'],
    ['committing the cursor', "CREATE TRIGGER fault BEFORE UPDATE ON sluice_cursors BEGIN SELECT RAISE(ABORT, 'injected commit fault'); END;", 'injected commit fault'],
  ] as const)('follow (a service: not retried as if the database were away), %s', async (_phase, trigger, message) => {
    const { dir, db } = ingestDb();
    const log = join(dir, 'first.ndjson');
    const first = await run(['ingest', log, '--db', db, '--no-progress']);
    expect(first.code, first.stderr).toBe(0);
    inject(db, trigger);
    writeFileSync(log, bridgeFile(200, 'more', 20), { flag: 'a' }); // new lines after the committed cursor
    expectFatal(await run(['follow', log, '--db', db, '--no-progress']), message);
  }, 90_000);
});
