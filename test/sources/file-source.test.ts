import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INLINE_PARSE_MAX_BYTES } from '../../src/sources/file-source.js';
import { bridgeLine } from '../helpers/bridge-lines.js';
import { runSluice } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-file-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Bridge lines, every 97th one broken JSON, until the file holds at least `bytes`; its bad line numbers. */
function bridgeFileOf(path: string, bytes: number): number[] {
  const lines: string[] = [];
  const bad: number[] = [];
  let size = 0;
  for (let seq = 0; size < bytes; seq++) {
    const line = seq % 97 === 96 ? `{"seq":${seq},"type":` : bridgeLine(seq);
    if (seq % 97 === 96) bad.push(seq + 1);
    lines.push(line);
    size += Buffer.byteLength(line) + 1;
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return bad;
}

function sqliteShell(db: string, sql: string): string {
  return execFileSync('sqlite3', [db, sql], { encoding: 'utf8' }).trim();
}

describe('the file source reads small input in the main thread, larger input in a parser thread', () => {
  // The same kind of input on each side of the limit: every good line stored once, every bad one a
  // dead letter with its line number (the sqlite3 shell and the file itself are the oracles).
  for (const [name, bytes] of [
    ['below the limit (main thread)', INLINE_PARSE_MAX_BYTES / 4],
    ['above the limit (parser thread)', INLINE_PARSE_MAX_BYTES * 1.5],
  ] as const) {
    it(`stores every record once and dead-letters every bad line, ${name}`, () => {
      const input = join(dir, `${bytes}.ndjson`);
      const db = join(dir, `${bytes}.db`);
      const bad = bridgeFileOf(input, bytes);
      const total = readFileSync(input, 'utf8').trimEnd().split('\n').length;
      const run = runSluice(['ingest', input, '--db', db, '--no-progress']);
      expect(run.code, run.stderr).toBe(3); // bad records: exit 3
      expect(Number(sqliteShell(db, 'SELECT count(*) FROM events'))).toBe(total - bad.length);
      expect(Number(sqliteShell(db, 'SELECT count(DISTINCT seq) FROM events'))).toBe(total - bad.length);
      const letters = readFileSync(join(dir, `${bytes}.dead-letter.ndjson`), 'utf8').trimEnd().split('\n');
      expect(letters.map((l) => (JSON.parse(l) as { line: number }).line)).toEqual(bad);
      // Again: nothing new, nothing twice.
      const again = runSluice(['ingest', input, '--db', db, '--no-progress']);
      expect(again.code, again.stderr).toBe(0);
      expect(Number(sqliteShell(db, 'SELECT count(*) FROM events'))).toBe(total - bad.length);
    });
  }
});
