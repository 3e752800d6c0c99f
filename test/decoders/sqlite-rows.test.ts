import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SluiceError } from '../../src/core/errors.js';
import { SqliteRowsReader } from '../../src/decoders/sqlite-rows.js';
import type { SqliteRowsSpec } from '../../src/core/parse-message.js';
import { mulberry32 } from '../helpers/prng.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-sqlite-rows-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A unit of `n` rows whose text spans many pages (so a map of part of the file is exercised). */
function writeUnit(n: number): { path: string; texts: string[] } {
  const path = join(dir, 'unit.db');
  const db = new Database(path);
  db.exec('CREATE TABLE enriched_posts (at_uri TEXT, raw_post TEXT)');
  const rnd = mulberry32(3);
  const texts = Array.from({ length: n }, (_, i) => `${i}:` + 'x'.repeat(Math.floor(rnd() * 20_000)));
  const insert = db.prepare('INSERT INTO enriched_posts (at_uri, raw_post) VALUES (?, ?)');
  db.transaction(() => texts.forEach((t, i) => insert.run(`at://${i}`, t)))();
  db.close();
  return { path, texts };
}

function read(path: string, spec: SqliteRowsSpec, after = 0): { rowId: number; value: Record<string, unknown> }[] {
  const reader = new SqliteRowsReader(path, path.slice(dir.length + 1), spec);
  try {
    return [...reader.rows(after)];
  } finally {
    reader.close();
  }
}

describe('SqliteRowsReader', () => {
  const spec = { tables: ['posts', 'enriched_posts'], columns: ['at_uri', 'raw_post', 'inferences'] };

  it('reads the first table that exists in row-id order, missing columns as null, after a row id', () => {
    const { path, texts } = writeUnit(300);
    const rows = read(path, spec);
    expect(rows.map((r) => r.rowId)).toEqual(texts.map((_, i) => i + 1));
    expect(rows[7]?.value).toEqual({ at_uri: 'at://7', raw_post: texts[7], inferences: null });
    expect(read(path, spec, 250).map((r) => r.rowId)).toEqual(texts.slice(250).map((_, i) => 251 + i));
  });

  it('reads the same rows through a partial memory map and without one', () => {
    const { path, texts } = writeUnit(400);
    for (const mapBytes of [0, 64 * 1024]) {
      const rows = read(path, { ...spec, mapBytes });
      expect(rows.map((r) => r.value.raw_post)).toEqual(texts);
    }
  });

  it('says which table it looked for, and rejects a file that is not SQLite', () => {
    const { path } = writeUnit(1);
    expect(() => read(path, { tables: ['posts'], columns: ['at_uri'] })).toThrow(/no table posts in the database/);
    const bad = join(dir, 'bad.db');
    writeFileSync(bad, 'PK\u0003\u0004 a zip, not a database'.repeat(200));
    expect(() => read(bad, spec)).toThrow(SluiceError);
    expect(() => read(bad, spec)).toThrow(/bad\.db: not a readable SQLite database/);
  });
});
