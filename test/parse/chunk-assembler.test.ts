import { describe, expect, it } from 'vitest';
import { ChunkAssembler } from '../../src/parse/chunk-assembler.js';
import type { Profile } from '../../src/profiles/profile.js';

/** A profile whose one column is the number of earlier records with the same `k` in the unit. */
const counting: Profile = {
  name: 'counting',
  description: 'test',
  tables: [{ name: 't', uniqueKey: ['n'], columns: [{ name: 'n', kind: 'number', sqlType: 'INTEGER', description: 'n' }] }],
  sqliteMigrations: [],
  unitHistory: true,
  map(record, emit, _options, origin) {
    emit.row(0, [origin.memory.occurrence(String((record as { k: string }).k))]);
    return undefined;
  },
};

const at = (i: number) => ({ line: i, startOffset: i * 10, endOffset: i * 10 + 10 });

describe('ChunkAssembler replay: records before the resume offset rebuild the memory, nothing else', () => {
  it('maps them for their memory but drops their rows, bad records and skips', () => {
    const a = new ChunkAssembler(counting, {});
    const unit = a.startUnit('u.ndjson', 30);
    a.record({ k: 'x' }, at(1), '');
    a.bad({ file: 'u.ndjson', line: 2, offset: 20, reason: 'invalid_json: x', raw: '' }, at(2));
    a.record({ k: 'x' }, at(2), '');
    expect(a.empty).toBe(true);
    a.record({ k: 'x' }, at(3), '');
    a.skip(at(4));
    const chunk = a.take(0, 50, 4, 50);
    expect(chunk.records).toBe(1);
    expect(chunk.skipped).toBe(1);
    expect(chunk.bad).toEqual([]);
    expect(chunk.rows[0]?.count).toBe(1);
    // The replayed records were counted: the stored one was the third `x`, the next is the fourth.
    expect(unit.memory.occurrence('x')).toBe(3);
  });

  it('without a replay, damage reported at offset 0 (a unit that is not JSON at all) is kept', () => {
    const a = new ChunkAssembler(counting, {});
    a.startUnit('u.json');
    a.bad({ file: 'u.json', line: 1, offset: 0, reason: 'invalid_json: not JSON', raw: '' }, { line: 1, startOffset: 0, endOffset: 0 });
    expect(a.take(0, 0, 0, 0).bad).toHaveLength(1);
  });

  it('keeps one memory per unit, also when units are read in turns (follow)', () => {
    const a = new ChunkAssembler(counting, {});
    const one = a.startUnit('one.ndjson');
    const two = a.startUnit('two.ndjson');
    a.use(one);
    a.record({ k: 'x' }, at(1), '');
    a.use(two);
    a.record({ k: 'x' }, at(1), '');
    a.use(one);
    a.record({ k: 'x' }, at(2), '');
    expect([one.memory.occurrence('x'), two.memory.occurrence('x')]).toEqual([2, 1]);
  });
});
