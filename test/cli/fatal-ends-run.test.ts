import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bridgeFile } from '../helpers/bridge-lines.js';
import { startSluice, tempDir } from '../helpers/cli.js';
import { runSluiceWith } from '../helpers/spool-cli.js';
import { waitFor } from '../helpers/follow-harness.js';

/** Waits for a child's exit, SIGKILLing it after `limitMs` (then `hung` is true). */
function ended(child: ReturnType<typeof startSluice>, limitMs = 30_000): Promise<{ code: number | null; hung: boolean; stderr: string }> {
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.resume();
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, hung: signal === 'SIGKILL', stderr });
    }),
  );
}

describe('a fatal error ends the run: exit 1, one coded line, never a hang', () => {
  it('ingest: a planned file gone when its turn comes (reading), after rows were committed', async () => {
    const dir = tempDir();
    const later = join(dir, 'later.ndjson');
    writeFileSync(later, bridgeFile(10, 'later'));
    const status = join(dir, 'status.json');
    const child = startSluice(['ingest', '-', later, '--db', join(dir, 'b.db'), '--status-file', status, '--no-progress'], { stdin: true });
    child.stdin.on('error', () => undefined);
    const end = ended(child);
    child.stdin.write(bridgeFile(100, 'stdin'));
    // Gone only once the run has planned it and is reading stdin (a busy machine starts slowly).
    await waitFor(() => (existsSync(status) && /"phase": "ingesting"/.test(readFileSync(status, 'utf8'))) || undefined, {
      timeoutMs: 30_000,
      what: 'the run reading stdin',
    });
    rmSync(later);
    child.stdin.end();
    const r = await end;
    expect(r.hung, r.stderr).toBe(false);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/ENOENT.*\[SLUICE_E_SOURCE\]/s);
    expect(r.stderr).not.toMatch(/unexpected failure/);
  });

  it('ingest and spool: a --db that is not a SQLite database (opening the sink)', async () => {
    const dir = tempDir();
    const db = join(dir, 'not.db');
    writeFileSync(db, 'this is not a database, but it is long enough to be read as one: '.repeat(100));
    writeFileSync(join(dir, 'f.ndjson'), bridgeFile(5));
    const ingest = await ended(startSluice(['ingest', join(dir, 'f.ndjson'), '--db', db, '--no-progress']));
    expect(ingest.hung).toBe(false);
    expect(ingest.code, ingest.stderr).toBe(1);
    expect(ingest.stderr).toMatch(/\[SLUICE_E_SINK\]/);
    const spool = await runSluiceWith(['spool', '--from', dir, '--db', db, '--mode', 'once', '--no-progress']);
    expect(spool.code, spool.stderr).toBe(1);
    expect(spool.stderr).toMatch(/\[SLUICE_E_SINK\]/);
    expect(spool.stderr).not.toMatch(/unexpected failure/);
  });
});
