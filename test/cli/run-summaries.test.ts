import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runSluiceAsync, startSluice, tempDir } from '../helpers/cli.js';
import { waitFor } from '../helpers/follow-harness.js';

const SAMPLE = fileURLToPath(new URL('../../logs/bridge_20250829.ndjson', import.meta.url));
const SAMPLE_LINES = readFileSync(SAMPLE, 'utf8').split('\n').filter(Boolean);

/** The first line of a human summary (`done: … of N records …`) and its `files:` line. */
function summaryLines(stderr: string): { counts: string; files: string } {
  const lines = stderr.split('\n');
  const at = lines.findIndex((l) => /^(done|stopped|interrupted): /.test(l));
  return { counts: lines[at] ?? '', files: lines[at + 1] ?? '' };
}

// Every test has its own folder (and working folder): the tests of each block run at once.
describe.concurrent('run summaries agree with themselves', () => {
  it('a re-run says the file was already done; the first run says it was read', async () => {
    const dir = tempDir();
    const first = await runSluiceAsync(['ingest', SAMPLE, '--db', join(dir, 'b.db'), '--no-progress']);
    expect(summaryLines(first.stderr).files).toMatch(/files: 1 read, 0 already done/);
    const again = await runSluiceAsync(['ingest', SAMPLE, '--db', join(dir, 'b.db'), '--no-progress']);
    expect(summaryLines(again.stderr).files).toMatch(/files: 0 read, 1 already done/);
  });

  it('a spool re-run says its units were already done', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'in'));
    for (const n of [1, 2]) writeFileSync(join(dir, 'in', `2025-04-01T00-00-0${n}.000Z-a.json`), JSON.stringify([{ level: 30, time: 1743465600000 + n, msg: `m${n}` }]));
    const first = await runSluiceAsync(['spool', '--from', 'in', '--db', 'app.db', '--no-progress'], { cwd: dir });
    expect(summaryLines(first.stderr).files).toMatch(/files: 2 read, 0 already done/);
    const again = await runSluiceAsync(['spool', '--from', 'in', '--db', 'app.db', '--no-progress'], { cwd: dir });
    expect(summaryLines(again.stderr).counts).toMatch(/0 inserted, 0 duplicates, 0 bad, 0 skipped of 0 records/);
    expect(summaryLines(again.stderr).files).toMatch(/files: 0 read, 2 already done/);
  });

  it('--dry-run says rows would be inserted and nothing was stored, never "inserted"', async () => {
    const dir = tempDir();
    const r = await runSluiceAsync(['ingest', SAMPLE, '--db', join(dir, 'b.db'), '--dry-run', '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    const { counts } = summaryLines(r.stderr);
    expect(counts).toMatch(new RegExp(`${SAMPLE_LINES.length} rows would be inserted \\(dry run: nothing stored`));
    expect(counts).not.toMatch(/\d+ inserted/);
  });

  it('--session: skipped records are part of "of N records", and the pace is of records looked at', async () => {
    const dir = tempDir();
    const session = (JSON.parse(SAMPLE_LINES[0] ?? '{}') as { session_id: string }).session_id;
    const mine = SAMPLE_LINES.filter((l) => (JSON.parse(l) as { session_id: string }).session_id === session).length;
    expect(mine).toBeLessThan(SAMPLE_LINES.length);
    const r = await runSluiceAsync(['ingest', SAMPLE, '--db', join(dir, 'b.db'), '--session', session, '--json', '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout.trim()) as Record<string, number>;
    expect(s).toMatchObject({ inserted: mine, skipped: SAMPLE_LINES.length - mine, records: SAMPLE_LINES.length });
    expect(s.records_per_sec).toBeGreaterThan(s.rows_per_sec ?? 0);
    const human = await runSluiceAsync(['ingest', SAMPLE, '--db', join(dir, 'c.db'), '--session', session, '--no-progress']);
    expect(summaryLines(human.stderr).counts).toMatch(
      new RegExp(`${mine} inserted, 0 duplicates, 0 bad, ${SAMPLE_LINES.length - mine} skipped of ${SAMPLE_LINES.length} records .* records/s\\)`),
    );
  });

  it('follow counts the files it read, and on a re-run the old file as already done', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'logs'));
    writeFileSync(join(dir, 'logs/bridge_20250828.ndjson'), `${SAMPLE_LINES.slice(0, 100).join('\n')}\n`);
    writeFileSync(join(dir, 'logs/bridge_20250829.ndjson'), `${SAMPLE_LINES.slice(100, 200).join('\n')}\n`);
    const follow = async (): Promise<string> => {
      const child = startSluice(['follow', 'logs/bridge_{YYYYMMDD}.ndjson', '--db', 'f.db', '--no-progress', '--status-file', 's.json'], { cwd: dir });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const status = join(dir, 's.json');
      await waitFor(
        () => {
          try {
            return (JSON.parse(readFileSync(status, 'utf8')) as { phase: string }).phase === 'tailing' || undefined;
          } catch {
            return undefined;
          }
        },
        { timeoutMs: 20_000, what: () => stderr },
      );
      child.kill('SIGTERM');
      await new Promise((r) => child.on('close', r));
      writeFileSync(status, '');
      return stderr;
    };
    const first = summaryLines(await follow());
    expect(first.counts).toMatch(/200 inserted/);
    expect(first.files).toMatch(/files: 2 read, 0 already done/);
    const second = summaryLines(await follow());
    expect(second.counts).toMatch(/0 inserted, 0 duplicates, 0 bad, 0 skipped of 0 records/);
    expect(second.files).toMatch(/files: 0 read, 1 already done/);
  });
});

describe.concurrent('sluice jobs', () => {
  /** A spool run whose only unit FAILED, into a database whose path needs quoting. */
  async function failedRun(): Promise<{ dir: string; stderr: string }> {
    const dir = tempDir();
    mkdirSync(join(dir, 'in'));
    writeFileSync(join(dir, 'in', '2025-04-01T00-00-01.000Z-bad.json.gz'), 'plain text, not gzip\n');
    const r = await runSluiceAsync(['spool', '--from', 'in', '--db', 'my logs.db', '--mode', 'once', '--no-progress', '--max-attempts', '1'], { cwd: dir });
    expect(r.code).toBe(1);
    return { dir, stderr: r.stderr };
  }

  it('the FAILED hint of spool works as printed, and jobs list has a header', async () => {
    const { dir, stderr } = await failedRun();
    const hint = /see (sluice jobs list .*)$/m.exec(stderr)?.[1];
    expect(hint, stderr).toBeDefined();
    // Run the printed command as a shell would split it (single quotes only).
    const words = [...(hint ?? '').matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
    expect(words.slice(0, 2)).toEqual(['sluice', 'jobs']);
    const list = await runSluiceAsync(words.slice(1), { cwd: dir });
    expect(list.code, list.stderr).toBe(0);
    const [header, row] = list.stdout.split('\n');
    expect(header).toMatch(/^STATUS\s+ATTEMPTS\s+UPDATED\s+KEY/);
    expect(row).toMatch(/^FAILED\s+1\s+\S+\s+2025-04-01T00-00-01.000Z-bad.json.gz/);
  });

  it('release and retry of an unknown key say it is unknown (coded, exit 2); of a FAILED unit, what it is', async () => {
    const { dir } = await failedRun();
    for (const verb of ['release', 'retry']) {
      const r = await runSluiceAsync(['jobs', verb, 'no-such-key.json.gz', '--db', 'my logs.db'], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/no unit no-such-key\.json\.gz in the ledger/);
      expect(r.stderr).toMatch(/SLUICE_E_UNKNOWN_UNIT/);
      expect(r.stderr).not.toMatch(/PROCESSING/);
    }
    const failed = await runSluiceAsync(['jobs', 'release', '2025-04-01T00-00-01.000Z-bad.json.gz', '--db', 'my logs.db'], { cwd: dir });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/is FAILED, not PROCESSING/);
  });
});
