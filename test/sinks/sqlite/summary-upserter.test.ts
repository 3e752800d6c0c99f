import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { TableSpec } from '../../../src/core/rows/table-spec.js';
import { ChunkAssembler } from '../../../src/parse/chunk-assembler.js';
import type { Profile } from '../../../src/profiles/profile.js';
import { SqliteSink } from '../../../src/sinks/sqlite/sqlite-sink.js';
import { tempDir } from '../../helpers/cli.js';

const ITEMS: TableSpec = { name: 'items', uniqueKey: ['name'], columns: [{ name: 'name', kind: 'text', sqlType: 'TEXT', description: 'A name.' }] };
const LETTERS: TableSpec = {
  name: 'letters',
  uniqueKey: ['letter'],
  sqliteOnConflict: 'DO UPDATE SET n = n + excluded.n',
  columns: [
    { name: 'letter', kind: 'text', sqlType: 'TEXT', description: 'First letter.' },
    { name: 'n', kind: 'number', sqlType: 'INTEGER', description: 'Names with it.' },
  ],
};

/**
 * Items, names counted per first letter after each batch (by SQL over the batch's rows, or from the
 * parser's summary), and a statement after it that fails on the name `boom` (a CHECK).
 */
const profile: Profile = {
  name: 'summary_test',
  description: 'items counted per first letter',
  tables: [ITEMS],
  sqliteMigrations: [{
    version: 1,
    description: 'items, letters, guard',
    up: (db) => db.exec(`CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT UNIQUE);
      CREATE TABLE letters (letter TEXT PRIMARY KEY, n INTEGER NOT NULL);
      CREATE TABLE guard (name TEXT CHECK (name <> 'boom'));`),
  }],
  sqliteAfterBatch: {
    table: 0,
    statements: [
      `INSERT INTO letters (letter, n) SELECT substr(name, 1, 1), count(*) FROM items WHERE id BETWEEN $first_rowid AND $last_rowid
        GROUP BY 1 ORDER BY min(id) ON CONFLICT (letter) DO UPDATE SET n = n + excluded.n`,
      `INSERT INTO guard SELECT name FROM items WHERE id BETWEEN $first_rowid AND $last_rowid AND name = 'boom'`,
    ],
  },
  sqliteBatchSummary: {
    replaces: 1,
    table: LETTERS,
    add: (groups, [name]) => {
      if (typeof name !== 'string') return false;
      const letter = name.slice(0, 1);
      const g = groups.get(letter);
      if (g) g[1] = (g[1] as number) + 1;
      else groups.set(letter, [letter, 1]);
      return true;
    },
  },
  map: (record, emit) => {
    emit.row(0, [record as string]);
    return undefined;
  },
};

/** Writes `names` into the sink as one chunk, made as the parser thread makes it (with its summary). */
function write(sink: SqliteSink, names: readonly string[], summary = true): void {
  const assembler = new ChunkAssembler(profile, {});
  assembler.startUnit('names');
  names.forEach((n, i) => assembler.record(n, { line: i + 1, startOffset: 0, endOffset: 0 }, JSON.stringify(n)));
  for (const rows of assembler.take(0, 0, names.length, 0).rows) {
    expect(rows.summary, 'the assembler folded the chunk').toBeDefined();
    if (!summary) delete rows.summary;
    sink.write(rows);
  }
}

function letters(path: string): Array<[string, number]> {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT letter, n FROM letters ORDER BY rowid').raw().all() as Array<[string, number]>;
  } finally {
    db.close();
  }
}

describe('SqliteSink: a batch summary in place of the first after-batch statement', () => {
  it('gives what the statement gives, batch by batch, and the statement keeps the chunks whose summary cannot stand for them', async () => {
    const [viaSummary, viaStatements] = [join(tempDir(), 'summary.db'), join(tempDir(), 'statements.db')];
    // The fifth batch: a duplicate in every other chunk, more runs than are kept apart.
    const scattered = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? [`elder${i}`] : ['apple', `fig${i}`]));
    const batches = [[['apple', 'avocado'], ['banana']], [['cherry', 'apricot']], [['blueberry'], ['apple', 'cranberry']], [['date']], scattered];
    for (const [path, summary] of [[viaSummary, true], [viaStatements, false]] as const) {
      const sink = new SqliteSink(path, profile);
      await sink.open();
      for (const chunks of batches) {
        for (const names of chunks) write(sink, names, summary);
        await sink.commit([]);
      }
      // Batch 3's second chunk repeats `apple`: a duplicate left out, which its summary would count, so
      // the statement keeps that chunk (after its first chunk's summary: two runs). Batch 5 has 20
      // runs: the statement keeps all of it at once. Without summaries, one run per batch.
      expect(sink.afterBatchWays).toEqual(summary ? { summary: 4, statements: 2 } : { summary: 0, statements: 5 });
      await sink.close();
    }
    expect(letters(viaSummary)).toEqual(letters(viaStatements));
    // And what counting the stored items gives, letters in the order they first came.
    const db = new Database(viaSummary, { readonly: true });
    const counted = db.prepare('SELECT substr(name, 1, 1), count(*) FROM items GROUP BY 1 ORDER BY min(id)').raw().all();
    db.close();
    expect(letters(viaSummary)).toEqual(counted);
  });

  it('stages nothing that outlives a batch rolled back, or a commit whose later statement failed', async () => {
    const path = join(tempDir(), 'rollback.db');
    const sink = new SqliteSink(path, profile);
    await sink.open();
    write(sink, ['alpha', 'beta']);
    sink.rollback();
    write(sink, ['boom', 'bravo']);
    await expect(sink.commit([])).rejects.toThrow(/CHECK constraint failed/);
    sink.rollback();
    write(sink, ['charlie']);
    await sink.commit([]);
    await sink.close();
    // Neither the rolled-back chunk nor the failed batch's summary rows came along with the third batch.
    expect(letters(path)).toEqual([['c', 1]]);
    expect(sink.afterBatchWays.summary).toBe(1);
  });

  it('keeps the staged rows of a commit whose later statement failed, for the commit tried again', async () => {
    const path = join(tempDir(), 'retry.db');
    const sink = new SqliteSink(path, profile);
    await sink.open();
    write(sink, ['alpha']);
    write(sink, ['boom']);
    await expect(sink.commit([])).rejects.toThrow(/CHECK constraint failed/);
    // What failed is put right within the transaction, and the same commit goes through.
    sink.database.exec("UPDATE items SET name = 'boomer' WHERE name = 'boom'");
    await sink.commit([]);
    await sink.close();
    expect(letters(path)).toEqual([['a', 1], ['b', 1]]);
  });
});
