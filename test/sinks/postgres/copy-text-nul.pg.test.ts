import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSluice, tempDir } from '../../helpers/cli.js';
import { postgresReachable, testSchema, type TestSchema } from '../../helpers/pg-test-db.js';

const ready = await postgresReachable();

/**
 * PostgreSQL text cannot hold NUL (SQLite can): such a value must not fail the batch it is in. It is
 * stored as U+FFFD, in a text column and in a jsonb column's `\u0000` escape; an escaped backslash
 * followed by `u0000` is text and stays as it is.
 */
describe.skipIf(!ready)('NUL characters into PostgreSQL', () => {
  const schemas: TestSchema[] = [];
  afterAll(async () => {
    for (const s of schemas) await s.drop();
  });

  it('a bridge message with NUL and an app log whose JSON holds \\u0000 are stored, every other row with them', async () => {
    const dir = tempDir();
    const pg = testSchema('t_nul');
    schemas.push(pg);
    const lines = [
      JSON.stringify({ seq: 1, type: 'event', msg: 'a\u0000b', session_id: 's', ts_ms: 1 }),
      JSON.stringify({ seq: 2, type: 'event', msg: 'fine', session_id: 's', ts_ms: 2 }),
    ];
    writeFileSync(join(dir, 'nul.ndjson'), `${lines.join('\n')}\n`);
    const bridge = runSluice(['ingest', join(dir, 'nul.ndjson'), '--into', pg.url, '--dead-letter', join(dir, 'dl'), '--no-progress']);
    expect(bridge.code, bridge.stderr).toBe(0);
    expect(await pg.query('SELECT seq, msg FROM events ORDER BY seq')).toEqual([
      { seq: '1', msg: 'a\ufffdb' },
      { seq: '2', msg: 'fine' },
    ]);

    const entries = [{ level: 30, time: 1, msg: 'x\u0000y', req: { url: 'a\\u0000' } }, { level: 30, time: 2, msg: 'ok' }];
    writeFileSync(join(dir, 'app.json'), JSON.stringify(entries));
    const app = runSluice(['ingest', join(dir, 'app.json'), '--profile', 'applog', '--into', pg.url, '--dead-letter', join(dir, 'dl2'), '--no-progress']);
    expect(app.code, app.stderr).toBe(0);
    const rows = await pg.query<{ message: string; raw: string }>("SELECT message, raw_data->>'msg' AS raw, raw_data->'req'->>'url' AS url FROM logs ORDER BY source_index");
    expect(rows).toEqual([
      { message: 'x\ufffdy', raw: 'x\ufffdy', url: 'a\\u0000' },
      { message: 'ok', raw: 'ok', url: null },
    ]);
  });

  it('an app log with unpaired surrogate escapes or a fractional pid is stored, and so is every other entry', async () => {
    const dir = tempDir();
    const pg = testSchema('t_lone');
    schemas.push(pg);
    // As written: JSON.stringify escapes a lone surrogate (\ud800); the second text holds a lone low
    // half, a pair (which stays) and an escaped backslash before u0000 (text, not an escape).
    const texts = [
      JSON.stringify({ level: 30, time: 1, msg: 'high \ud800 alone', req: { url: '/a' } }),
      '{"level":30,"time":2,"msg":"low \\udc00, pair \\ud83d\\ude00, text \\\\u0000","pid":1.5,"documentCount":30000000000}',
      JSON.stringify({ level: 30, time: 3, msg: 'ok', pid: 42, req: { remotePort: 8080 } }),
    ];
    writeFileSync(join(dir, 'app.json'), `[${texts.join(',')}]`);
    const app = runSluice(['ingest', join(dir, 'app.json'), '--profile', 'applog', '--into', pg.url, '--dead-letter', join(dir, 'dl'), '--no-progress']);
    expect(app.code, app.stderr).toBe(0);
    const rows = await pg.query(
      "SELECT raw_data->>'msg' AS raw, pid, document_count, remote_port FROM logs ORDER BY source_index",
    );
    expect(rows).toEqual([
      { raw: 'high \ufffd alone', pid: null, document_count: null, remote_port: null },
      { raw: 'low \ufffd, pair \u{1f600}, text \\u0000', pid: null, document_count: null, remote_port: null },
      { raw: 'ok', pid: 42, document_count: null, remote_port: 8080 },
    ]);
  });
});
