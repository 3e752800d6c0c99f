import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../src/core/json-depth.js';
import { bridgeLine } from '../helpers/bridge-lines.js';
import { runSluice, tempDir } from '../helpers/cli.js';

/** A bridge record whose `data` nests `levels` objects deep: a line of about 6 bytes a level. */
function deepLine(seq: number, levels: number): string {
  return bridgeLine(seq, 's1', { data: 0 }).replace('"data":0', `"data":${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`);
}

describe('deep nesting', () => {
  it('is dead-lettered as too_deep in NDJSON and JSON arrays; the run goes on with the next lines and files', () => {
    const dir = tempDir();
    const lines = join(dir, 'deep.ndjson');
    const array = join(dir, 'deep.json');
    const good = join(dir, 'good.ndjson');
    writeFileSync(lines, [bridgeLine(1), deepLine(2, 20_000), deepLine(3, MAX_JSON_DEPTH - 2), bridgeLine(4)].join('\n') + '\n');
    writeFileSync(array, `[${deepLine(5, 20_000)},${bridgeLine(6)}]`);
    writeFileSync(good, `${bridgeLine(7)}\n`);
    const db = join(dir, 'b.db');

    const r = runSluice(['ingest', lines, array, good, '--db', db, '--json', '--no-progress']);
    expect(r.code, r.stderr).toBe(3);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ inserted: 5, bad: 2 });
    const dead = readFileSync(join(dir, 'b.dead-letter.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { reason: string; line: number });
    expect(dead.map((d) => [d.line, d.reason.split(':')[0]])).toEqual([
      [2, 'too_deep'],
      [1, 'too_deep'],
    ]);
    const d = new Database(db, { readonly: true });
    expect((d.prepare('SELECT seq FROM events ORDER BY seq').all() as { seq: number }[]).map((x) => x.seq)).toEqual([1, 3, 4, 6, 7]);
    d.close();

    // A rerun finds nothing new and fails on nothing; a finished JSON array is not read again either,
    // so its dead letter is not written twice.
    const again = runSluice(['ingest', lines, array, good, '--db', db, '--json', '--no-progress']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout.trim())).toMatchObject({ read: 0, units_skipped: 3 });
    expect(readFileSync(join(dir, 'b.dead-letter.ndjson'), 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
  }, 60_000);
});
