import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runSluice, startSluice, tempDir } from '../helpers/cli.js';
import { waitFor } from '../helpers/follow-harness.js';

const SAMPLE = fileURLToPath(new URL('../../logs/bridge_20250829.ndjson', import.meta.url));

describe('the first hour of a new user', () => {
  it("the README's main command works as written on the sample the repository ships", () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'logs'));
    copyFileSync(SAMPLE, join(dir, 'logs/bridge_20250829.ndjson'));
    const r = runSluice(['ingest', 'logs/bridge_20250829.ndjson', '--db', 'logs/bridge.db'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const db = new Database(join(dir, 'logs/bridge.db'), { readonly: true });
    const n = (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    db.close();
    expect(n).toBe(2000);
  });

  it('a path that does not exist is exit 2 and leaves no database behind', () => {
    const dir = tempDir();
    const r = runSluice(['ingest', 'logs/nope.ndjson', '--db', 'logs/bridge.db'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no such file/);
    expect(existsSync(join(dir, 'logs/bridge.db'))).toBe(false);
  });

  it('follow says what it follows, and warns when nothing matches yet', async () => {
    const dir = tempDir();
    const child = startSluice(['follow', join(dir, 'typo/bridge_{YYYYMMDD}.ndjson'), '--db', join(dir, 'f.db'), '--no-progress']);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitFor(() => /nothing matches .* \(folder .*typo does not exist\) yet/.test(stderr) || undefined, { timeoutMs: 10_000, what: () => stderr });
    child.kill('SIGTERM');
    await new Promise((r) => child.on('close', r));
  });
});
