import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runSluice, SHARED_DATA, tempDir } from '../../helpers/cli.js';

const DAILY = join(SHARED_DATA, 'cowrie', 'kareiva-2018');
const present = existsSync(DAILY);

function sessions(db: string): number {
  const d = new Database(db, { readonly: true });
  try {
    return (d.prepare('SELECT count(*) AS n FROM session_metrics').get() as { n: number }).n;
  } finally {
    d.close();
  }
}

describe.skipIf(!present && process.env.CI !== 'true')(`sluice spool --profile cowrie${present ? '' : ` (skipped: ${DAILY} is absent)`}`, () => {
  it('takes the dated files of Cowrie’s rotation and gives the sessions ingest gives', () => {
    expect(present, `${DAILY} is missing; CI must have the shared sample data`).toBe(true);
    const dir = tempDir();
    const folder = join(dir, 'cowrie');
    cpSync(DAILY, folder, { recursive: true });
    const spooled = join(dir, 'spool.db');
    const r = runSluice(['spool', '--from', folder, '--profile', 'cowrie', '--db', spooled, '--no-progress', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ units_done: 26, bad: 0 });
    const ingested = join(dir, 'ingest.db');
    expect(runSluice(['ingest', join(folder, 'cowrie.json.*'), '--profile', 'cowrie', '--db', ingested, '--no-progress']).code).toBe(0);
    expect(sessions(spooled)).toBe(sessions(ingested));
    expect(sessions(spooled)).toBeGreaterThan(100);
  });
});
