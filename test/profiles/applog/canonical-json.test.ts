import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/profiles/applog/canonical-json.js';
import { appLogEntryKey } from '../../../src/profiles/applog/entry-key.js';
import { UnitMemory } from '../../../src/profiles/unit-memory.js';
import { pinoSamples } from '../../helpers/applog-old-layout.js';
import { PINO_DIR, pinoSamplesPresent } from '../../helpers/spool-samples.js';

const ready = pinoSamplesPresent();
const firstKey = (entry: unknown): string => appLogEntryKey(entry, new UnitMemory());

describe.skipIf(!ready)('canonical JSON of the real pino samples', () => {
  it('is what jq -cS writes, and the key is the sha256 of that text', () => {
    let checked = 0;
    for (const sample of pinoSamples()) {
      // jq sorts every object's keys (the oracle: not our code).
      const jq = execFileSync('jq', ['-cS', '.[]', join(PINO_DIR, sample.name)], { encoding: 'utf8' }).trimEnd().split('\n');
      expect(jq).toHaveLength(sample.entries.length);
      sample.entries.forEach((entry, i) => {
        expect(canonicalJson(entry)).toBe(jq[i]);
        expect(firstKey(entry)).toBe(createHash('sha256').update(jq[i] as string).digest('hex').slice(0, 32));
        checked += 1;
      });
    }
    expect(checked).toBe(612);
  });
});

/** Stored keys: each text and key as the first content-key release wrote them (they must never change). */
const STORED: Array<[unknown, string, string]> = [
  [{ level: 30, time: 1743532098000, msg: 'cache miss', pid: 7 }, '{"level":30,"msg":"cache miss","pid":7,"time":1743532098000}', '6068b7731fc7307a0507b7dbf1c4e2b0'],
  [{ params: { 10: 'a', 9: 'b', '-1': 'c', $: 'd', '': 'e', '01': 'f' } }, '{"params":{"":"e","$":"d","-1":"c","01":"f","10":"a","9":"b"}}', '50ab2a0d25c7f66ab407942cb034d6eb'],
  // Sorted by UTF-16 code units: an astral character (a surrogate pair) before U+E000.
  [{ é: 1, '\u{1F600}': 2, '\uE000': 3, Z: 4, a: 5 }, '{"Z":4,"a":5,"é":1,"\u{1F600}":2,"\uE000":3}', '27ea3055b9862615262285bd7c8c46e8'],
  [
    { s: 'quote " backslash \\ newline \n tab \t nul \u0000 sep \u2028 lone \ud800', n: [0, -0, 1.5, 1e21, 1e-7, 2 ** 53 + 2] },
    '{"n":[0,0,1.5,1e+21,1e-7,9007199254740994],"s":"quote \\" backslash \\\\ newline \\n tab \\t nul \\u0000 sep \u2028 lone \\ud800"}',
    '0572077a424f61d6c2bea177f49535d2',
  ],
  [{ a: [null, { y: 1, x: [{}, []] }, true, false], u: undefined, b: {} }, '{"a":[null,{"x":[{},[]],"y":1},true,false],"b":{}}', '8fd32c7c36c5fa1edb9f6fbe1d7f1979'],
  [{ __proto__x: 1, toJSON: 'not a function', constructor: 'c' }, '{"__proto__x":1,"constructor":"c","toJSON":"not a function"}', '97d6056b09ecbb1ceb2fe5135091a49c'],
];

describe('canonical JSON keeps the stored keys', () => {
  it.each(STORED.map(([entry, text, key], i) => ({ i, entry, text, key })))('case $i', ({ entry, text, key }) => {
    expect(canonicalJson(entry)).toBe(text);
    expect(firstKey(entry)).toBe(key);
  });

  it('the same keys in any order, and other keys behind the same first key, each get their own sorted text', () => {
    // Key orders are remembered by their first key: a different set behind it must not reuse that order.
    const texts = [
      { b: 1, a: 2, c: 3 },
      { b: 1, c: 3, a: 2 },
      { b: 1, a: 2 },
      { b: 1, z: 0, a: 2, c: 3 },
      { b: 1, y: 2, x: 3 },
      { b: 1, a: 2, c: 3 },
      { c: 3, a: 2, b: 1 },
    ].map(canonicalJson);
    expect(texts).toEqual([
      '{"a":2,"b":1,"c":3}',
      '{"a":2,"b":1,"c":3}',
      '{"a":2,"b":1}',
      '{"a":2,"b":1,"c":3,"z":0}',
      '{"b":1,"x":3,"y":2}',
      '{"a":2,"b":1,"c":3}',
      '{"a":2,"b":1,"c":3}',
    ]);
  });

  it('a repeat within the unit is keyed by its content hash and its count', () => {
    const memory = new UnitMemory();
    const entry = { level: 30, time: 1743532098000, msg: 'cache miss', pid: 7 };
    const content = createHash('sha256').update(canonicalJson(entry)).digest('hex');
    expect(appLogEntryKey(entry, memory)).toBe(content.slice(0, 32));
    expect(appLogEntryKey({ pid: 7, msg: 'cache miss', time: 1743532098000, level: 30 }, memory)).toBe('9cb0ebf50b21c4f29672bd3f85c56a72');
    expect(appLogEntryKey(entry, memory)).toBe(createHash('sha256').update(`${content}:2`).digest('hex').slice(0, 32));
  });
});
