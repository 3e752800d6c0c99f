import { z } from 'zod';
import type { FileContainerDescriptor } from './decoder-descriptor.js';

const ZipSettings = z.object({}).strict().describe('The one .db entry of the archive (else its only entry) is the unit.');

/**
 * A zip archive (`PK\3\4`) holding one unit, such as a SQLite chunk (`mega_jetstream_….db.zip`). It
 * needs random access: the unit reader gives it a local file (`parse/sqlite-unit-file.ts`), and the
 * content it unpacks is sniffed again.
 */
export const zipDecoderDescriptor: FileContainerDescriptor<typeof ZipSettings> = {
  kind: 'file-container',
  name: 'zip',
  summary: 'a zip archive holding one SQLite chunk, unpacked to a temp file (never into memory)',
  example: 'mega_jetstream_20250925_010950.db.zip',
  settings: ZipSettings,
  capabilities: { container: true, resumable: false, needsFile: true },
  sniff: (head) => head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04,
  // The zip library loads only for runs that meet a zip.
  create: async () => (await import('./zip-unpack.js')).unpackZip,
};
