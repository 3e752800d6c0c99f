import type { Readable } from 'node:stream';
import { decoderFor } from '../decoders/decoder-for.js';
import { profileByName } from '../profiles/registry.js';
import { ChunkAssembler } from './chunk-assembler.js';
import type { ParseMessage, UnitPlan } from '../core/parse-message.js';
import type { ParseOptions } from './parse-options.js';
import { readSqliteUnit } from './read-sqlite-unit.js';
import { openUnitBytes } from './unit-reader.js';

/**
 * The parse stage: reads each planned unit from its cursor, decodes NDJSON, maps records through
 * the profile and yields one chunk of rows per read. The consumer's pace is the pace: nothing is read
 * ahead of what the writer asks for (back-pressure, flat memory).
 */
export async function* parseUnits(
  plans: readonly UnitPlan[],
  options: ParseOptions,
  stdin?: Readable,
): AsyncGenerator<ParseMessage> {
  const profile = profileByName(options.profile);
  const assembler = new ChunkAssembler(profile, options.profileOptions);
  for (const plan of plans) {
    yield { kind: 'unit-start', unit: plan.index, plan };
    assembler.startUnit(plan.display);
    if (plan.sqlite && plan.path !== null) {
      yield* readSqliteUnit(plan.index, plan.path, plan.display, plan.sqlite, assembler, plan.size);
      continue;
    }
    const decoder = decoderFor(
      plan.display,
      { maxRecordBytes: options.maxLineBytes, startOffset: plan.startOffset, startLine: plan.startLine },
      assembler,
    );
    let bytes;
    try {
      bytes = openUnitBytes(plan, options.readBytes, stdin);
      for await (const chunk of bytes.chunks) {
        decoder.push(chunk);
        if (!assembler.empty) yield assembler.take(plan.index, decoder.offset, decoder.line, bytes.rawBytes());
      }
    } catch (err) {
      if (!assembler.empty) yield assembler.take(plan.index, decoder.offset, decoder.line, bytes?.rawBytes() ?? 0);
      yield { kind: 'unit-error', unit: plan.index, message: (err as Error).message };
      continue;
    }
    decoder.finish('decode');
    if (!assembler.empty) yield assembler.take(plan.index, decoder.offset, decoder.line, bytes.rawBytes());
    if (decoder.damaged) {
      yield { kind: 'unit-error', unit: plan.index, message: decoder.damaged };
      continue;
    }
    yield { kind: 'unit-end', unit: plan.index, endOffset: decoder.offset, endLine: decoder.line, rawBytes: bytes.rawBytes() };
  }
}
