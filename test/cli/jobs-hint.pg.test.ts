import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSluice, tempDir } from '../helpers/cli.js';
import { postgresReachable, testSchema } from '../helpers/pg-test-db.js';

const ready = await postgresReachable();

describe.skipIf(!ready)('sluice jobs with a PostgreSQL ledger', () => {
  const pg = testSchema('t_jobs_hint');
  afterAll(async () => {
    await pg.drop();
  });

  it('the FAILED hint runs as printed (the URL quoted for the shell); an unknown key is SLUICE_E_UNKNOWN_UNIT', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'in'));
    writeFileSync(join(dir, 'in', '2025-04-01T00-00-01.000Z-bad.json.gz'), 'plain text, not gzip\n');
    const spool = runSluice(['spool', '--from', 'in', '--into', pg.url, '--mode', 'once', '--no-progress', '--max-attempts', '1'], { cwd: dir });
    expect(spool.code, spool.stderr).toBe(1);
    const hint = /see (sluice jobs list .*)$/m.exec(spool.stderr)?.[1];
    expect(hint).toContain(`--ledger '${pg.url}'`);
    const words = [...(hint ?? '').matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
    const list = runSluice(words.slice(1), { cwd: dir });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^STATUS\s+ATTEMPTS\s+UPDATED\s+KEY/);
    expect(list.stdout).toMatch(/\nFAILED\s+1\s+\S+\s+2025-04-01T00-00-01.000Z-bad.json.gz/);
    const release = runSluice(['jobs', 'release', 'nope.json.gz', '--ledger', pg.url]);
    expect(release.code).toBe(2);
    expect(release.stderr).toMatch(/no unit nope\.json\.gz in the ledger .*\[SLUICE_E_UNKNOWN_UNIT\]/s);
    const failed = runSluice(['jobs', 'release', '2025-04-01T00-00-01.000Z-bad.json.gz', '--ledger', pg.url]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/is FAILED, not PROCESSING/);
  });
});
