import type { Decoder, DecodedRecordHandler } from './decoder.js';
import { JsonArrayDecoder } from './json-array-decoder.js';
import { NdjsonDecoder } from './ndjson-decoder.js';
import { SniffingDecoder } from './sniffing-decoder.js';

/** The record formats Sluice decodes. */
export type RecordFormat = 'ndjson' | 'json';

/** `.json` / `.json.gz` may hold one JSON array (sniffed); everything else is read as NDJSON. */
export function formatOf(name: string): RecordFormat {
  return /\.json(\.gz)?$/i.test(name) ? 'json' : 'ndjson';
}

/** True when a unit of this format can be resumed at a byte offset (NDJSON resumes at every line start). */
export function resumable(format: RecordFormat): boolean {
  return format === 'ndjson';
}

/**
 * The decoder for a unit, starting at its cursor. A `.json` file is sniffed: a JSON array (always
 * read from its start) or, as often in the wild, JSON lines under a `.json` name.
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
  if (formatOf(name) === 'ndjson') return lines();
  return new SniffingDecoder({ array: () => new JsonArrayDecoder({ file: name, maxRecordBytes: options.maxRecordBytes }, handler), lines });
}
