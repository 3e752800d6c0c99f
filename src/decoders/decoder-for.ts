import type { Decoder, DecodedRecordHandler } from './decoder.js';
import { JsonArrayDecoder } from './json-array-decoder.js';
import { NdjsonDecoder } from './ndjson-decoder.js';

/** The record formats Sluice decodes. */
export type RecordFormat = 'ndjson' | 'json';

/** `.json` / `.json.gz` hold one JSON array (or object); everything else is read as NDJSON. */
export function formatOf(name: string): RecordFormat {
  return /\.json(\.gz)?$/i.test(name) ? 'json' : 'ndjson';
}

/** True when a unit of this format can be resumed at a byte offset (NDJSON: any line start). */
export function resumable(format: RecordFormat): boolean {
  return format === 'ndjson';
}

/** The decoder for a unit, starting at its cursor (JSON arrays always start at 0). */
export function decoderFor(
  name: string,
  options: { maxRecordBytes: number; startOffset: number; startLine: number },
  handler: DecodedRecordHandler,
): Decoder {
  if (formatOf(name) === 'json') return new JsonArrayDecoder({ file: name, maxRecordBytes: options.maxRecordBytes }, handler);
  return new NdjsonDecoder(
    { file: name, maxLineBytes: options.maxRecordBytes, startOffset: options.startOffset, startLine: options.startLine },
    handler,
  );
}
