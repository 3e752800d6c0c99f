import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RowChunkBuilder } from '../../../src/core/rows/row-chunk.js';
import type { TableSpec } from '../../../src/core/rows/table-spec.js';
import type { Profile } from '../../../src/profiles/profile.js';
import { SqliteSink } from '../../../src/sinks/sqlite/sqlite-sink.js';
import { tempDir } from '../../helpers/cli.js';

const ITEMS: TableSpec = { name: 'items', uniqueKey: ['name'], columns: [{ name: 'name', kind: 'text', sqlType: 'TEXT', description: 'A name.' }] };

/** A profile whose per-batch statement logs the rowid range it was given and the rows in it. */
const profile: Profile = {
  name: 'after_batch_test',
  description: 'items, and a log of the after-batch runs',
  tables: [ITEMS],
  sqliteMigrations: [{
    version: 1,
    description: 'items and batches',
    up: (db) => db.exec(`CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT UNIQUE);
      CREATE TABLE batches (first INTEGER, last INTEGER, names TEXT);`),
  }],
  sqliteAfterBatch: {
    table: 0,
    statements: [`INSERT INTO batches SELECT $first_rowid, $last_rowid,
      (SELECT group_concat(name, ',') FROM (SELECT name FROM items WHERE id BETWEEN $first_rowid AND $last_rowid ORDER BY id))`],
  },
  map: () => undefined,
};

function rows(names: readonly string[]): ReturnType<RowChunkBuilder['take']> {
  const b = new RowChunkBuilder(0, ITEMS);
  for (const n of names) b.add([n]);
  return b.take();
}

describe('SqliteSink: a profile\'s statements after each batch', () => {
  it('run once per batch over exactly the rows it inserted: duplicates, empty and rolled-back batches left out', async () => {
    const sink = new SqliteSink(join(tempDir(), 'after.db'), profile);
    await sink.open();
    // Batch 1 in two writes, a duplicate inside it and in a statement where the last row is the duplicate.
    sink.write(rows(['a', 'b', 'a']));
    sink.write(rows(['c', 'b']));
    expect(await sink.commit([])).toEqual({ written: 3, duplicates: 2 });
    // Only duplicates: nothing to run.
    sink.write(rows(['a', 'c']));
    await sink.commit([]);
    // Rolled back: its rows and its range are gone (the next batch, of a duplicate, runs nothing).
    sink.write(rows(['x', 'y']));
    sink.rollback();
    sink.write(rows(['a']));
    await sink.commit([]);
    sink.write(rows(['b', 'd', 'e']));
    await sink.commit([]);
    // A batch with no rows at all.
    await sink.commit([]);
    expect(sink.database.prepare('SELECT * FROM batches ORDER BY rowid').all()).toEqual([
      { first: 1, last: 3, names: 'a,b,c' },
      { first: 4, last: 5, names: 'd,e' },
    ]);
    await sink.close();
  });
});
