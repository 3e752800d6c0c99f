import type { ParseMessage } from '../core/parse-message.js';
import { decoderFor } from '../decoders/decoder-for.js';
import type { ChunkAssembler } from './chunk-assembler.js';

/** The (decompressed) bytes of one unit and how many raw bytes were read, for progress. */
export interface UnitStream {
  chunks: AsyncIterable<Buffer>;
  rawBytes(): number;
}

/**
 * The one decode loop of every source that reads bytes: pushes a unit's bytes through the decoder its
 * content calls for (JSON lines or one array), maps records through the profile (the assembler), and
 * yields a chunk of rows per read, then the unit's end, or `unit-error` with what was decoded before
 * it when the unit cannot be read to its end (a broken gzip, an array cut short). The caller has sent
 * `unit-start` and called `assembler.startUnit`.
 */
export async function* decodeUnit(
  unit: number,
  name: string,
  resume: { startOffset: number; startLine: number },
  maxRecordBytes: number,
  open: () => UnitStream | Promise<UnitStream>,
  assembler: ChunkAssembler,
): AsyncGenerator<ParseMessage> {
  const decoder = decoderFor(name, { maxRecordBytes, ...resume }, assembler);
  let stream: UnitStream | undefined;
  const raw = (): number => stream?.rawBytes() ?? 0;
  try {
    stream = await open();
    for await (const chunk of stream.chunks) {
      decoder.push(chunk);
      if (!assembler.empty) yield assembler.take(unit, decoder.offset, decoder.line, raw());
    }
    decoder.finish('decode');
  } catch (err) {
    if (!assembler.empty) yield assembler.take(unit, decoder.offset, decoder.line, raw());
    yield { kind: 'unit-error', unit, message: (err as Error).message };
    return;
  }
  if (!assembler.empty) yield assembler.take(unit, decoder.offset, decoder.line, raw());
  if (decoder.damaged) {
    yield { kind: 'unit-error', unit, message: decoder.damaged };
    return;
  }
  yield { kind: 'unit-end', unit, endOffset: decoder.offset, endLine: decoder.line, rawBytes: raw() };
}
