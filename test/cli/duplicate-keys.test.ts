import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runSluice, tempDir } from '../helpers/cli.js';

describe('a record that holds a key field twice', () => {
  it('with different values is dead-lettered as duplicate_key; with the same value, or the name only nested, it is kept', () => {
    const dir = tempDir();
    const file = join(dir, 'dup.ndjson');
    const base = '"type":"e","ts_ms":1,"plate":"P","msg":"HIT","pid":1';
    writeFileSync(
      file,
      [
        `{"seq":1,${base},"session_id":"a","seq":2}`, // which seq? refused
        `{"seq":3,${base},"session_id":"a","session_id":"b"}`, // which session? refused
        `{"seq":4,${base},"session_id":"a","seq":4}`, // the same value twice: no doubt
        `{"seq":5,${base},"session_id":"a","data":{"seq":99,"session_id":"x"},"msg2":"\\"seq\\":7"}`, // nested and in strings
        `{"seq":6,${base},"session_id":"a"}`,
      ].join('\n') + '\n',
    );
    const db = join(dir, 'b.db');
    const r = runSluice(['ingest', file, '--db', db, '--json', '--no-progress']);
    expect(r.code, r.stderr).toBe(3);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ inserted: 3, bad: 2 });
    const dead = readFileSync(join(dir, 'b.dead-letter.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { line: number; reason: string });
    expect(dead.map((d) => [d.line, d.reason])).toEqual([
      [1, 'duplicate_key: "seq" appears more than once with different values'],
      [2, 'duplicate_key: "session_id" appears more than once with different values'],
    ]);
    const d = new Database(db, { readonly: true });
    expect((d.prepare('SELECT seq FROM events ORDER BY seq').all() as { seq: number }[]).map((x) => x.seq)).toEqual([4, 5, 6]);
    d.close();
  });
});
