import type { ParseMessage } from '../core/parse-message.js';
import { decoderFor } from '../decoders/decoder-for.js';
import type { ChunkAssembler } from './chunk-assembler.js';
import { BAD_REASON } from '../core/bad-record.js';
import { SluiceError } from '../core/errors.js';

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
    const damage = gzipDamage(err);
    if (damage !== undefined) {
      // The lines before the damage stand; the part line cut by it and everything after are lost.
      const reason = `${damage}: the gzip stream ${damage === BAD_REASON.truncatedGzip ? 'ends early' : 'is corrupt'} after ${raw()} compressed bytes (${(err as Error).message}); the rest of the unit after decompressed byte ${decoder.offset} is lost`;
      const position = { line: decoder.line + 1, startOffset: decoder.offset, endOffset: decoder.offset };
      assembler.bad({ file: name, line: position.line, offset: decoder.offset, reason, raw: '' });
      yield assembler.take(unit, decoder.offset, decoder.line, raw());
      yield { kind: 'unit-error', unit, message: reason, damaged: { endOffset: decoder.offset, endLine: decoder.line, rawBytes: raw() } };
      return;
    }
    if (!assembler.empty) yield assembler.take(unit, decoder.offset, decoder.line, raw());
    yield { kind: 'unit-error', unit, message: (err as Error).message, because: err instanceof SluiceError ? err.because : undefined };
    return;
  }
  if (!assembler.empty) yield assembler.take(unit, decoder.offset, decoder.line, raw());
  if (decoder.damaged) {
    // The decoder dead-lettered the damage itself.
    yield { kind: 'unit-error', unit, message: decoder.damaged, damaged: { endOffset: decoder.offset, endLine: decoder.line, rawBytes: raw() } };
    return;
  }
  yield { kind: 'unit-end', unit, endOffset: decoder.offset, endLine: decoder.line, rawBytes: raw() };
}

/** The bad-record reason of a gzip stream that is cut short or corrupt (zlib's error, or its cause), else undefined. */
function gzipDamage(err: unknown): string | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (code === 'Z_BUF_ERROR') return BAD_REASON.truncatedGzip;
    if (code === 'Z_DATA_ERROR') return BAD_REASON.invalidGzip;
  }
  return undefined;
}
