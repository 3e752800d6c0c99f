import { describe, expect, it } from 'vitest';
import { RowChunkReader } from '../../../src/core/rows/row-chunk.js';
import type { RowValue } from '../../../src/core/rows/table-spec.js';
import { JsonArrayDecoder } from '../../../src/decoders/json-array-decoder.js';
import { ChunkAssembler } from '../../../src/parse/chunk-assembler.js';
import { applogProfile } from '../../../src/profiles/applog/index.js';
import { LOGS_TABLE } from '../../../src/profiles/applog/schema.js';

const RAW = LOGS_TABLE.columns.findIndex((c) => c.name === 'raw_data');
const ID = LOGS_TABLE.columns.findIndex((c) => c.name === 'id');

/** Rows of `logs` made from a JSON-array file's text, through the decoder and the profile. */
function rowsOf(text: string): RowValue[][] {
  const assembler = new ChunkAssembler(applogProfile, {});
  assembler.startUnit('app.json');
  const decoder = new JsonArrayDecoder({ file: 'app.json', maxRecordBytes: 1 << 20 }, assembler);
  // In small pieces: elements cross the chunks' edges.
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += 7) decoder.push(bytes.subarray(i, i + 7));
  decoder.finish('decode');
  const chunk = assembler.take(0, 0, 0, 0);
  const rows = chunk.rows[0];
  if (!rows) return [];
  const reader = new RowChunkReader(rows, LOGS_TABLE);
  const out: RowValue[][] = [];
  while (reader.remaining > 0) out.push([...reader.next(1, [])]);
  return out;
}

describe('applog raw_data: JSON.stringify of the entry, whatever its text', () => {
  it('is JSON.stringify of the entry for texts written otherwise (spaces, repeated keys, numbers, escapes, key order)', () => {
    const elements = [
      '{ "level": 30, "msg": "spaced" }',
      '{"level":30,"msg":"repeated","msg":"last"}',
      '{"level":30,"n":1.50,"m":1e3,"z":-0}',
      '{"level":30,"msg":"\\u0041\\/"}',
      '{"level":30,"b":1,"7":"integer key"}',
      '{"level":30,"time":1,"msg":"as written"}',
    ];
    const rows = rowsOf(`[\n  ${elements.join(',\n  ')}\n]\n`);
    expect(rows).toHaveLength(elements.length);
    rows.forEach((row, i) => expect(row[RAW], elements[i]).toBe(JSON.stringify(JSON.parse(elements[i] as string))));
  });

  it('keys an entry alike whether its text is compact or spaced', () => {
    const entry = { level: 30, time: 1743532096581, req: { id: 1, params: { 0: 'a' }, headers: { host: 'h' } }, msg: 'é 𝄞' };
    const compact = rowsOf(JSON.stringify([entry]));
    const spaced = rowsOf(JSON.stringify([entry], null, 2));
    expect(compact[0]?.[RAW]).toBe(JSON.stringify(entry));
    expect(spaced[0]?.[RAW]).toBe(JSON.stringify(entry));
    expect(compact[0]?.[ID]).toBe(spaced[0]?.[ID]);
  });
});
