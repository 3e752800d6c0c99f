import type { Decoder, DecodedRecordHandler } from './decoder.js';
import { recordDecoderFor, resumableDecoderFor } from './registry.js';
import { SniffingDecoder } from './sniffing-decoder.js';

/**
 * The decoder for the (decompressed) bytes of a unit, starting at its cursor, from the decoder
 * registry. From the start of a unit the content decides (the record decoders' sniffs: a JSON array,
 * or JSON lines), whatever the file is called. A resumed unit goes to the resumable decoder (lines):
 * only lines are resumed mid-way (an array is read again from its start).
 */
export function decoderFor(
  name: string,
  options: { maxRecordBytes: number; startOffset: number; startLine: number },
  handler: DecodedRecordHandler,
): Decoder {
  const start = { file: name, startOffset: options.startOffset, startLine: options.startLine };
  const resumable = (): Decoder => resumableDecoderFor(start, options.maxRecordBytes, handler);
  if (options.startOffset > 0) return resumable();
  return new SniffingDecoder((head) => recordDecoderFor(head, start, options.maxRecordBytes, handler), resumable);
}
