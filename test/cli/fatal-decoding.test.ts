import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bridgeFile, bridgeLine } from '../helpers/bridge-lines.js';
import { tempDir } from '../helpers/cli.js';
import { startSluiceWith, type SluiceRun } from '../helpers/spool-cli.js';

/**
 * Faults in the decoding phase. Damage inside a file is per record (dead-lettered: bad JSON, too deep,
 * binary junk, the tail of a cut .gz) or per unit (spool: FAILED, see spool-bad-units.test.ts), by
 * design: the run goes on. The one decode failure that stops ingest is a file that is not what its
 * name says (`.gz` holding no gzip): it ends the run with a coded line, keeping what was committed.
 * (A parser thread that dies, SLUICE_E_WORKER, is tested on the pool in test/parse/parser-thread.test.ts.)
 * Either way the run must end: each is SIGKILLed after 30 s and counted as a hang.
 */
async function run(args: readonly string[]): Promise<SluiceRun & { hung: boolean }> {
  const child = startSluiceWith(args);
  const timer = setTimeout(() => child.child.kill('SIGKILL'), 30_000);
  const end = await child.done;
  clearTimeout(timer);
  return { ...end, hung: end.signal === 'SIGKILL' };
}

/** Rows in the events table, counted by the sqlite3 shell (not by our code). */
function rows(db: string): number {
  return Number(execFileSync('sqlite3', [db, 'SELECT count(*) FROM events']).toString().trim());
}

describe('a fault while decoding never hangs a run', () => {
  it('ingest: damaged records and a cut .gz are dead-lettered, every good row is in, exit 3', async () => {
    const dir = tempDir('sluice-decode-');
    const db = join(dir, 'b.db');
    const whole = gzipSync(bridgeFile(300, 'cut'));
    writeFileSync(join(dir, 'a-cut.ndjson.gz'), whole.subarray(0, whole.length - 200));
    const nested = `{"session_id":"deep","seq":1,"data":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    writeFileSync(join(dir, 'b-bad.ndjson'), [bridgeLine(1, 'bad'), 'not json {{{', nested, '\u0000\u00ff\u00fe', bridgeLine(2, 'bad')].join('\n') + '\n');
    writeFileSync(join(dir, 'c-good.ndjson'), bridgeFile(50, 'good'));

    const r = await run(['ingest', join(dir, 'a-cut.ndjson.gz'), join(dir, 'b-bad.ndjson'), join(dir, 'c-good.ndjson'), '--db', db, '--no-progress']);
    expect(r.hung, `still running after 30 s:\n${r.stderr}`).toBe(false);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    const reasons = readFileSync(join(dir, 'b.dead-letter.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { reason: string }).reason.split(':')[0]);
    expect(reasons).toEqual(['truncated_gzip', 'invalid_json', 'too_deep', 'invalid_json']);
    const cutRows = rows(db) - 52;
    expect(cutRows, 'rows kept from before the damage of the cut .gz').toBeGreaterThan(0);
    expect(cutRows).toBeLessThan(300);
    expect(Number(execFileSync('sqlite3', [db, "SELECT count(*) FROM events WHERE session_id IN ('good', 'bad')"]).toString().trim())).toBe(52);
  }, 60_000);

  it('ingest: a .gz that holds no gzip, after rows were committed, ends the run: exit 1, one coded line, the rows before stay', async () => {
    const dir = tempDir('sluice-decode-');
    const db = join(dir, 'b.db');
    writeFileSync(join(dir, 'a-good.ndjson'), bridgeFile(50, 'good'));
    writeFileSync(join(dir, 'b-plain.ndjson.gz'), bridgeFile(10, 'plain'));
    const r = await run(['ingest', join(dir, 'a-good.ndjson'), join(dir, 'b-plain.ndjson.gz'), '--db', db, '--no-progress']);
    expect(r.hung, `still running after 30 s:\n${r.stderr}`).toBe(false);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^sluice: \S*b-plain\.ndjson\.gz: named \.gz but is not gzip data$/m); // the file named once
    expect(r.stderr).toMatch(/holds no gzip data.*\[SLUICE_E_SOURCE\]/);
    expect(r.stderr).not.toMatch(/unexpected failure/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(rows(db)).toBe(50);
  }, 60_000);
});
