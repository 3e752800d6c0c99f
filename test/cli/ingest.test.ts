import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BRIDGE_SQLITE_MIGRATIONS } from '../../src/profiles/bridge/schema.js';
import { bridgeFile, bridgeLine } from '../helpers/bridge-lines.js';
import { runSluiceAsync, tempDir } from '../helpers/cli.js';

interface Summary {
  status: string;
  read: number;
  inserted: number;
  duplicates: number;
  bad: number;
  skipped: number;
  units_done: number;
  units_skipped: number;
}

async function ingest(args: string[], input?: string | Buffer): Promise<{ code: number | null; summary: Summary; stderr: string }> {
  const r = await runSluiceAsync(['ingest', ...args, '--json', '--no-progress'], { input });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return { code: r.code, summary: (last ? JSON.parse(last) : {}) as Summary, stderr: r.stderr };
}

function rows(db: string, sql = 'SELECT session_id, seq FROM events ORDER BY session_id, seq'): unknown[] {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare(sql).all();
  } finally {
    d.close();
  }
}

function deadLetters(path: string): Array<{ file: string; line: number; offset: number; reason: string; raw: string }> {
  return readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

// Each test has its own folder: they run at once, waiting on their processes together.
describe.concurrent('sluice ingest', () => {
  it('creates the database folder, loads every row and is idempotent on re-run', async () => {
    const dir = tempDir();
    const file = join(dir, 'bridge.ndjson');
    writeFileSync(file, bridgeFile(1000, 'a') + bridgeFile(500, 'b'));
    const db = join(dir, 'nested', 'logs', 'bridge.db');

    const first = await ingest([file, '--db', db]);
    expect(first.code).toBe(0);
    expect(first.summary).toMatchObject({ inserted: 1500, duplicates: 0, bad: 0, units_done: 1 });
    expect(rows(db, 'SELECT count(*) AS n FROM events')).toEqual([{ n: 1500 }]);

    const again = await ingest([file, '--db', db]);
    expect(again.code).toBe(0);
    expect(again.summary).toMatchObject({ inserted: 0, read: 0, units_skipped: 1 });

    // The same content under another name (another inode) is read again: all duplicates.
    const copy = join(dir, 'copy.ndjson');
    writeFileSync(copy, readFileSync(file));
    const dup = await ingest([copy, '--db', db]);
    expect(dup.summary).toMatchObject({ inserted: 0, duplicates: 1500 });
    expect(rows(db, 'SELECT count(*) AS n FROM events')).toEqual([{ n: 1500 }]);
  });

  it('resumes an appended file from its cursor and re-reads a rewritten one from the start', async () => {
    const dir = tempDir();
    const file = join(dir, 'bridge.ndjson');
    const db = join(dir, 'b.db');
    writeFileSync(file, bridgeFile(100, 'a'));
    expect((await ingest([file, '--db', db])).summary.inserted).toBe(100);

    appendFileSync(file, bridgeFile(20, 'a', 100));
    const resumed = await ingest([file, '--db', db]);
    expect(resumed.summary).toMatchObject({ read: 20, inserted: 20, duplicates: 0 });

    // Rewritten in place with other content: identity (head hash) changed, so read from the start.
    writeFileSync(file, bridgeFile(130, 'z'));
    const reread = await ingest([file, '--db', db]);
    expect(reread.summary).toMatchObject({ read: 130, inserted: 130 });
    expect(rows(db, 'SELECT count(*) AS n FROM events')).toEqual([{ n: 250 }]);
  });

  it('dead-letters every kind of bad input with its line number and keeps the good rows around it', async () => {
    const dir = tempDir();
    const file = join(dir, 'mixed.ndjson');
    const lines: Buffer[] = [
      Buffer.from(bridgeLine(1)), // 1 good
      Buffer.from('{"seq": 2, "session_id": "s1", '), // 2 invalid JSON
      Buffer.from('[1, 2, 3]'), // 3 not an object
      Buffer.from(bridgeLine(4, 's1', { seq: 'x4' })), // 4 seq not an integer
      Buffer.concat([Buffer.from('{"seq": 5, "session_id": "s1", "msg": "'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]), // 5 bad UTF-8
      Buffer.from(bridgeLine(6, 's1', { msg: 'y'.repeat(400) })), // 6 longer than --max-line-bytes
      Buffer.from('   '), // 7 blank: skipped silently
      Buffer.from(bridgeLine(8, 's1', { session_id: undefined })), // 8 no session_id
      Buffer.from(bridgeLine(9, 's1', { seq: undefined })), // 9 no seq
      Buffer.from(bridgeLine(10)), // 10 good
      Buffer.from(bridgeLine(11, 's1', { extra_field: { k: 1 } })), // 11 good, unterminated last line
    ];
    writeFileSync(file, Buffer.concat(lines.flatMap((l, i) => (i < lines.length - 1 ? [l, Buffer.from('\n')] : [l]))));
    const db = join(dir, 'b.db');
    const dl = join(dir, 'dead.ndjson');

    const r = await ingest([file, '--db', db, '--dead-letter', dl, '--max-line-bytes', '300']);
    expect(r.code).toBe(3);
    expect(r.summary).toMatchObject({ inserted: 3, bad: 7, skipped: 1 });
    expect(rows(db, 'SELECT seq FROM events ORDER BY seq')).toEqual([{ seq: 1 }, { seq: 10 }, { seq: 11 }]);

    const dead = deadLetters(dl);
    expect(dead.map((d) => [d.line, d.reason.split(':')[0]])).toEqual([
      [2, 'invalid_json'],
      [3, 'not_an_object'],
      [4, 'wrong_type'],
      [5, 'invalid_utf8'],
      [6, 'line_too_long'],
      [8, 'missing_key'],
      [9, 'missing_key'],
    ]);
    const offsets = [0];
    for (const l of lines) offsets.push((offsets.at(-1) ?? 0) + l.length + 1);
    for (const d of dead) {
      expect(d.file).toBe(file);
      expect(d.offset).toBe(offsets[d.line - 1]);
      expect(typeof d.raw).toBe('string');
    }
    expect(dead[2]?.reason).toContain('seq must be a non-negative integer');
    expect(dead[5]?.reason).toContain('session_id');

    // Fields without a column of their own are kept in data_json.
    const kept = rows(db, "SELECT data_json FROM events WHERE seq = 11") as Array<{ data_json: string }>;
    expect(JSON.parse(kept[0]?.data_json ?? '{}')).toEqual({ amp: 16.5, _extra: { extra_field: { k: 1 } } });

    // A second run over the same file writes no dead letter twice.
    appendFileSync(file, `\n${bridgeLine(12)}\n`);
    const again = await ingest([file, '--db', db, '--dead-letter', dl, '--max-line-bytes', '300']);
    expect(again.summary).toMatchObject({ inserted: 1 });
    expect(deadLetters(dl)).toHaveLength(7);
  });

  it('falls back to t_rel_ms when ts_ms is missing, never to the wall clock', async () => {
    const dir = tempDir();
    const file = join(dir, 'f.ndjson');
    writeFileSync(file, `${bridgeLine(1, 's', { ts_ms: undefined, t_rel_ms: 77.5 })}\n${bridgeLine(2, 's', { ts_ms: undefined, t_rel_ms: undefined })}\n`);
    const db = join(dir, 'b.db');
    await ingest([file, '--db', db]);
    expect(rows(db, 'SELECT seq, ts_ms, t_rel_ms FROM events ORDER BY seq')).toEqual([
      { seq: 1, ts_ms: 77.5, t_rel_ms: 77.5 },
      { seq: 2, ts_ms: null, t_rel_ms: null },
    ]);
  });

  it('keeps only one session with --session, without marking the file done for other runs', async () => {
    const dir = tempDir();
    const file = join(dir, 'f.ndjson');
    writeFileSync(file, bridgeFile(30, 'keep') + bridgeFile(20, 'other'));
    const db = join(dir, 'b.db');
    const r = await ingest([file, '--db', db, '--session', 'keep']);
    expect(r.summary).toMatchObject({ inserted: 30, skipped: 20 });
    expect(rows(db, 'SELECT DISTINCT session_id FROM events')).toEqual([{ session_id: 'keep' }]);
    const all = await ingest([file, '--db', db]);
    expect(all.summary).toMatchObject({ inserted: 20, duplicates: 30 });
  });

  it('reads .gz files, stdin and globs', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.ndjson.gz'), gzipSync(bridgeFile(40, 'gz')));
    writeFileSync(join(dir, 'b.ndjson'), bridgeFile(10, 'plain'));
    const db = join(dir, 'b.db');
    const globbed = await ingest([join(dir, '*.ndjson*'), '--db', db]);
    expect(globbed.summary).toMatchObject({ inserted: 50, units_done: 2 });
    expect((await ingest([join(dir, 'a.ndjson.gz'), '--db', db])).summary).toMatchObject({ units_skipped: 1, read: 0 });

    const piped = await ingest(['-', '--db', db], bridgeFile(5, 'stdin'));
    expect(piped.summary).toMatchObject({ inserted: 5 });
    expect(rows(db, 'SELECT session_id, count(*) AS n FROM events GROUP BY 1 ORDER BY 1')).toEqual([
      { session_id: 'gz', n: 40 },
      { session_id: 'plain', n: 10 },
      { session_id: 'stdin', n: 5 },
    ]);
  });

  it('writes a status file with the documented shape', async () => {
    const dir = tempDir();
    const file = join(dir, 'f.ndjson');
    writeFileSync(file, bridgeFile(200, 's'));
    const status = join(dir, 'run', 'status.json');
    await ingest([file, '--db', join(dir, 'b.db'), '--status-file', status]);
    const doc = JSON.parse(readFileSync(status, 'utf8')) as Record<string, unknown>;
    expect(doc).toMatchObject({
      job: 'ingest',
      phase: 'done',
      progress: { unit: 'bytes', current: readFileSync(file).length, total: readFileSync(file).length, percent: 100 },
      counts: { written: 200, duplicates: 0, bad: 0 },
    });
    expect(new Date(doc.started_at as string).toISOString()).toBe(doc.started_at);
    expect(new Date(doc.updated_at as string).toISOString()).toBe(doc.updated_at);
    expect(typeof doc.elapsed_s).toBe('number');
    expect(typeof doc.rss_bytes).toBe('number');
    expect(doc).toHaveProperty('eta_s');
    expect(doc).toHaveProperty('progress.rate_per_sec');
  });

  it('writes nothing with --dry-run but still counts', async () => {
    const dir = tempDir();
    const file = join(dir, 'f.ndjson');
    writeFileSync(file, `${bridgeFile(10, 's')}not json\n`);
    const db = join(dir, 'b.db');
    const r = await ingest([file, '--db', db, '--dry-run']);
    expect(r.code).toBe(3);
    expect(r.summary).toMatchObject({ inserted: 0, dry_run: true, would_insert: 10, bad: 1 });
    expect(existsSync(db)).toBe(false);
  });

  it('exits 2 with a message naming the flag on bad usage', async () => {
    const dir = tempDir();
    const file = join(dir, 'f.ndjson');
    writeFileSync(file, bridgeFile(1));
    const bad = await runSluiceAsync(['ingest', file, '--db', join(dir, 'b.db'), '--batch-size', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--batch-size');
    const both = await runSluiceAsync(['ingest', file, '--db', 'x.db', '--into', 'sqlite:y.db']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--into');
    const missing = await runSluiceAsync(['ingest', join(dir, 'nope.ndjson'), '--db', join(dir, 'b.db')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.ndjson');
    const unknown = await runSluiceAsync(['ingest', file, '--frobnicate']);
    expect(unknown.code).toBe(2);
    const sink = await runSluiceAsync(['ingest', file, '--into', 'mysql://x']);
    expect(sink.code).toBe(2);
    expect(sink.stderr).toContain('--into');
  });

  it('refuses a database written by a newer schema version, with exit 1', async () => {
    const dir = tempDir();
    const file = join(dir, 'f.ndjson');
    writeFileSync(file, bridgeFile(3));
    const db = join(dir, 'b.db');
    await ingest([file, '--db', db]);
    const d = new Database(db);
    d.prepare("INSERT INTO schema_version VALUES ('bridge', 99, 'from the future', '2030-01-01')").run();
    d.close();
    const r = await runSluiceAsync(['ingest', file, '--db', db]);
    expect(r.code).toBe(1);
    const known = Math.max(...BRIDGE_SQLITE_MIGRATIONS.map((m) => m.version));
    expect(r.stderr).toMatch(new RegExp(`version 99.*knows only up to ${known}`));
    expect(r.stderr).toContain('SLUICE_E_SCHEMA_TOO_NEW');
  });
});
