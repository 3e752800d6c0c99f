import type { RecordDecoderDescriptor } from './decoder-descriptor.js';
import { recordDecoderSettings } from './record-settings.js';
import { JsonArrayDecoder } from './json-array-decoder.js';
import { firstNonSpace, jsonShape } from './unit-content.js';

const JsonArraySettings = recordDecoderSettings(16 << 20, 'longest element of the array accepted, in bytes; a longer one is dead-lettered (--max-line-bytes)');

/** One JSON array of records, streamed element by element; read again from its start on a resume. */
export const jsonArrayDecoderDescriptor: RecordDecoderDescriptor<typeof JsonArraySettings> = {
  kind: 'records',
  name: 'json-array',
  summary: 'one JSON array of records, streamed element by element (a .json log chunk)',
  example: '2025-04-01T18:28:18.671Z-3f2a.json',
  settings: JsonArraySettings,
  capabilities: { container: false, resumable: false, needsFile: false },
  sniff: (head, name) => jsonShape(firstNonSpace(head), name) === 'array',
  create: (settings, start, handler) => new JsonArrayDecoder({ file: start.file, maxRecordBytes: settings.maxRecordBytes }, handler),
};
