import type { Decoder, DecodedRecordHandler } from './decoder.js';
import { JsonArrayDecoder } from './json-array-decoder.js';
import { NdjsonDecoder } from './ndjson-decoder.js';
import { SniffingDecoder } from './sniffing-decoder.js';

/**
 * The decoder for the (decompressed) bytes of a unit, starting at its cursor. From the start of a
 * unit the content decides (`jsonShape`): a JSON array, or JSON lines, whatever the file is called. A
 * resumed unit is lines: only lines are resumed mid-way (an array is read again from its start).
 */
export function decoderFor(
  name: string,
  options: { maxRecordBytes: number; startOffset: number; startLine: number },
  handler: DecodedRecordHandler,
): Decoder {
  const lines = (): Decoder =>
    new NdjsonDecoder(
      { file: name, maxLineBytes: options.maxRecordBytes, startOffset: options.startOffset, startLine: options.startLine },
      handler,
    );
  if (options.startOffset > 0) return lines();
  return new SniffingDecoder(name, { array: () => new JsonArrayDecoder({ file: name, maxRecordBytes: options.maxRecordBytes }, handler), lines });
}
