import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bridgeLine } from '../../helpers/bridge-lines.js';
import { tempDir } from '../../helpers/cli.js';
import { postgresReachable, testSchema, type TestSchema } from '../../helpers/pg-test-db.js';
import { runSluiceWith, summaryOf, type SpoolSummary } from '../../helpers/spool-cli.js';
import { firstDifference, pgRows, sqliteRows } from '../../helpers/sqlite-pg-rows.js';
import { mulberry32 } from '../../helpers/prng.js';

const ready = await postgresReachable();

const COLUMNS = 'seq, ts_ms, type, msg, plate, t_rel_ms, session_id, pid, schema, data_json';
const KEY = ['session_id', 'seq'];

/**
 * About 12,000 lines of 4 interleaved sessions, with what real files hold: exact duplicates (next to
 * their original, so in the same batch, and far after it, in a later batch), a key seen again with
 * other content (the first one stays), bad lines of every kind, and values PostgreSQL could refuse
 * where SQLite takes them: a missing ts_ms (it falls back to the fractional t_rel_ms), a fractional
 * and a huge pid, texts with tabs, newlines, backslashes and non-ASCII, extra fields.
 */
function bridgeInput(): string {
  const rnd = mulberry32(7);
  const sessions = ['s-a', 's-b', 's-c', 's-d'];
  const next = new Map(sessions.map((s) => [s, 0]));
  const lines: string[] = [];
  for (let i = 0; i < 12_000; i++) {
    const session = sessions[Math.floor(rnd() * sessions.length)] ?? 's-a';
    const seq = next.get(session) ?? 0;
    next.set(session, seq + 1);
    const line = bridgeLine(seq, session, i % 997 === 0 ? { ts_ms: undefined } : {});
    lines.push(line);
    if (i % 1500 === 10) lines.push(line); // a duplicate in the same batch
    if (i % 2500 === 20 && i > 3000) lines.push(lines[Math.floor(rnd() * 2000)] ?? line); // a later batch
    if (i % 3000 === 30) lines.push(bridgeLine(seq, session, { msg: 'OTHER', data: { replaced: true } })); // same key
  }
  const special = [
    bridgeLine(0, 's-x', { pid: 4.5, msg: 'tab\there', plate: 3 }),
    bridgeLine(1, 's-x', { pid: 1e30, msg: 'line\nbreak and back\\slash', data: { text: 'caf\u00e9 \u{1F3AF}\t"q"' } }),
    bridgeLine(2, 's-x', { ts_ms: undefined, t_rel_ms: 1234.5, plate: undefined, extra: { nested: [1, 2] }, type: null }),
    bridgeLine(3, 's-x', { data: 'not an object', msg: '\r\n' }),
    bridgeLine(4, 's-x', { data: undefined, ts_ms: -5, t_rel_ms: undefined }),
  ];
  const bad = ['{"seq": 1, "session_id": ', '[1, 2]', bridgeLine(9, 's-x', { seq: 'x9' }), bridgeLine(10, 's-x', { session_id: undefined }), '   '];
  lines.splice(4000, 0, ...special, ...bad);
  return `${lines.join('\n')}\n`;
}

/** `sluice ingest FILE --into URL` with a small batch, so batches go both ways in PostgreSQL. */
async function ingest(file: string, into: string, deadLetter: string): Promise<SpoolSummary> {
  const run = await runSluiceWith(['ingest', file, '--into', into, '--batch-size', '1000', '--dead-letter', deadLetter, '--json', '--no-progress']);
  expect([0, 3], run.stderr).toContain(run.code);
  return summaryOf(run);
}

describe.skipIf(!ready)('bridge profile into PostgreSQL: the same rows as SQLite', () => {
  const schemas: TestSchema[] = [];
  afterAll(async () => {
    for (const s of schemas) await s.drop();
  });

  it('loads a file with duplicates and bad lines as SQLite does, row for row; a re-ingest adds nothing', async () => {
    const dir = tempDir();
    const file = join(dir, 'bridge_20250829.ndjson');
    writeFileSync(file, bridgeInput());
    const db = join(dir, 'bridge.db');
    const pg = testSchema('t_bridge');
    schemas.push(pg);

    const [lite, post] = await Promise.all([
      ingest(file, `sqlite:${db}`, join(dir, 'sqlite.dl.ndjson')),
      ingest(file, pg.url, join(dir, 'pg.dl.ndjson')),
    ]);
    const counts = (s: SpoolSummary): unknown => ({ read: s.read, inserted: s.inserted, duplicates: s.duplicates, bad: s.bad });
    expect(counts(post)).toEqual(counts(lite));
    expect(lite).toMatchObject({ bad: 4 });
    expect(lite.duplicates).toBeGreaterThanOrEqual(15);
    expect(readFileSync(join(dir, 'pg.dl.ndjson'), 'utf8')).toBe(readFileSync(join(dir, 'sqlite.dl.ndjson'), 'utf8'));

    const expected = sqliteRows(db, `SELECT ${COLUMNS} FROM events`, KEY);
    const rows = async (): Promise<string | undefined> => firstDifference(await pgRows(pg.name, `SELECT ${COLUMNS} FROM events`, KEY), expected);
    expect(expected.length).toBe(lite.inserted);
    expect(await rows()).toBeUndefined();
    // The first of two records with one key stays, in both.
    expect(expected.filter((r) => r.msg === 'OTHER')).toEqual([]);

    const indexes = await pg.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'events'", [pg.name]);
    expect(indexes.map((i) => i.indexname).sort()).toEqual(['events_pkey', 'events_session_seq', 'events_session_ts', 'events_ts_ms', 'events_type_msg']);

    // Again: the cursor says the file is done. Under another name (another inode): every row is a duplicate.
    expect(await ingest(file, pg.url, join(dir, 'pg.dl.ndjson'))).toMatchObject({ read: 0, inserted: 0 });
    const copy = join(dir, 'bridge_copy.ndjson');
    writeFileSync(copy, readFileSync(file));
    const again = await ingest(copy, pg.url, join(dir, 'pg-copy.dl.ndjson'));
    expect(again).toMatchObject({ read: lite.read, inserted: 0, duplicates: lite.read - lite.bad });
    expect(await rows()).toBeUndefined();
  });
});
