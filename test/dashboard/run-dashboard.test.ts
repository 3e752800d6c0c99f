import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSluice, tempDir } from '../helpers/cli.js';
import { bridgeDb } from '../helpers/dashboard-dbs.js';

let dir: string;
let db: string;

beforeAll(() => {
  dir = tempDir('sluice-dashboard-cli-');
  db = bridgeDb(dir);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sluice dashboard: usage errors exit 2 before listening', () => {
  it('refuses a non-loopback host without API keys', () => {
    const r = runSluice(['dashboard', '--db', db, '--host', '0.0.0.0', '--port', '0'], { env: { SLUICE_API_KEYS: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SLUICE_E_AUTH_REQUIRED');
  });

  it('needs something to show', () => {
    const r = runSluice(['dashboard']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nothing to show');
  });

  it('names a database that no profile fits, or that is missing', () => {
    const notDb = join(dir, 'notes.txt');
    writeFileSync(notDb, 'hello');
    const bad = runSluice(['dashboard', '--db', notDb, '--port', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(notDb);
    const missing = runSluice(['dashboard', '--db', join(dir, 'none.db'), '--port', '0']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('none.db');
  });

  it('takes a bad metrics URL as a config error', () => {
    const r = runSluice(['dashboard', '--db', db, '--metrics', 'not a url']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--metrics');
  });
});
