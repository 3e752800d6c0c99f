import type { RecordDecoderDescriptor } from './decoder-descriptor.js';
import { recordDecoderSettings } from './record-settings.js';
import { NdjsonDecoder } from './ndjson-decoder.js';
import { firstNonSpace, jsonShape } from './unit-content.js';

const NdjsonSettings = recordDecoderSettings(1 << 20, 'longest line accepted, in bytes; a longer one is dead-lettered as line_too_long (--max-line-bytes)');

/** JSON lines: one value per line; the only format a cursor can enter mid-way. */
export const ndjsonDecoderDescriptor: RecordDecoderDescriptor<typeof NdjsonSettings> = {
  kind: 'records',
  name: 'ndjson',
  summary: 'JSON lines (NDJSON): one JSON value per line, resumed from a byte offset',
  example: 'bridge_20250101.ndjson',
  settings: NdjsonSettings,
  capabilities: { container: false, resumable: true, needsFile: false },
  sniff: (head, name) => jsonShape(firstNonSpace(head), name) === 'lines',
  create: (settings, start, handler) => new NdjsonDecoder({ ...start, maxLineBytes: settings.maxRecordBytes }, handler),
};
