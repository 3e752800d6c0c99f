import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bridgeFile } from '../helpers/bridge-lines.js';
import { tempDir } from '../helpers/cli.js';
import { postgresReachable, testSchema, type TestSchema } from '../helpers/pg-test-db.js';
import { startSluiceWith, type SluiceRun } from '../helpers/spool-cli.js';
import { writeAppLogUnits } from '../helpers/spool-fixtures.js';

const reachable = await postgresReachable();
if (!reachable && process.env.CI === 'true') throw new Error('CI: PostgreSQL at 127.0.0.1:5432 is required');

/**
 * Faults injected in the real PostgreSQL server, not in a mock: a trigger (in a schema of the test's own)
 * that raises an exception on the statement the sink runs in one phase (a row insert while writing; the
 * ledger or cursor row while committing). Each must end the run with exit 1 and one coded line, never a
 * hang, a retry loop as if the server were away, or a stack trace.
 */
async function run(args: readonly string[]): Promise<SluiceRun & { hung: boolean }> {
  const child = startSluiceWith(args);
  const timer = setTimeout(() => child.child.kill('SIGKILL'), 45_000);
  const end = await child.done;
  clearTimeout(timer);
  return { ...end, hung: end.signal === 'SIGKILL' };
}

async function inject(pg: TestSchema, table: string, when: string, message: string, condition = 'true'): Promise<void> {
  await pg.query(`CREATE FUNCTION "${pg.name}".fault() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '${message}'; END $$`);
  await pg.query(`CREATE TRIGGER fault BEFORE ${when} ON "${pg.name}".${table} FOR EACH ROW WHEN (${condition}) EXECUTE FUNCTION "${pg.name}".fault()`);
}

function expectFatal(r: SluiceRun & { hung: boolean }, fault: string): void {
  expect(r.hung, `still running after 45 s:\n${r.stderr}`).toBe(false);
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toContain(fault);
  expect(r.stderr).toMatch(/\[SLUICE_E_SINK\]/);
  expect(r.stderr).not.toMatch(/unexpected failure/);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

describe.skipIf(!reachable)('a fatal PostgreSQL sink error in each phase ends the run: exit 1, one coded line, no hang', () => {
  const schemas: TestSchema[] = [];
  const schema = (): TestSchema => {
    const pg = testSchema('t_fault');
    schemas.push(pg);
    return pg;
  };
  afterAll(async () => {
    for (const pg of schemas) await pg.drop();
  });

  it.each([
    ['writing rows', 'logs', 'INSERT', 'injected write fault', 'true'],
    ['committing a unit (its ledger row COMPLETED)', 'sluice_ledger', "UPDATE OF status", 'injected commit fault', "NEW.status = 'COMPLETED'"],
  ] as const)('spool --into postgres, %s', async (_phase, table, when, message, condition) => {
    const pg = schema();
    const work = tempDir('sluice-pg-fault-');
    const first = join(work, 'first');
    const later = join(work, 'later');
    mkdirSync(first);
    writeAppLogUnits(first, 1, 20, 3);
    // Dead letters in the test's folder: a PostgreSQL sink's default is the working folder, shared by test files running at once.
    const deadLetter = ['--dead-letter', join(first, '..', 'dead-letter.ndjson')];
    const clean = await run(['spool', '--from', first, '--into', pg.url, '--mode', 'once', ...deadLetter, '--no-progress']);
    expect(clean.code, clean.stderr).toBe(0);
    await inject(pg, table, when, message, condition);
    writeAppLogUnits(later, 3, 500, 4);
    expectFatal(await run(['spool', '--from', later, '--into', pg.url, '--mode', 'once', ...deadLetter, '--no-progress']), message);
  }, 90_000);

  it.each([
    ['writing rows', 'events', 'INSERT', 'injected write fault'],
    ['committing the cursor', 'sluice_cursors', 'INSERT OR UPDATE', 'injected commit fault'],
  ] as const)('ingest --into postgres, %s', async (_phase, table, when, message) => {
    const pg = schema();
    const dir = tempDir('sluice-pg-fault-');
    writeFileSync(join(dir, 'first.ndjson'), bridgeFile(20, 'first'));
    writeFileSync(join(dir, 'second.ndjson'), bridgeFile(2000, 'second'));
    const deadLetter = ['--dead-letter', join(dir, 'dead-letter.ndjson')];
    const clean = await run(['ingest', join(dir, 'first.ndjson'), '--into', pg.url, ...deadLetter, '--no-progress']);
    expect(clean.code, clean.stderr).toBe(0);
    await inject(pg, table, when, message);
    expectFatal(await run(['ingest', join(dir, 'second.ndjson'), '--into', pg.url, ...deadLetter, '--no-progress']), message);
  }, 90_000);
});
