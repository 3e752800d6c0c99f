import { z } from 'zod';
import type { FileDecoderDescriptor } from './decoder-descriptor.js';

const ZipSettings = z.object({}).strict().describe('The one .db entry of the archive (else its only entry) is the unit.');

/**
 * A zip archive (`PK\3\4`) holding one SQLite chunk (`mega_jetstream_….db.zip`). It needs random
 * access: the spool source unpacks it to a temp file (`sources/spool/sqlite-unit-file.ts`), whose
 * content is sniffed again; `create` gives the zip library.
 */
export const zipDecoderDescriptor: FileDecoderDescriptor<typeof ZipSettings> = {
  kind: 'file',
  name: 'zip',
  summary: 'a zip archive holding one SQLite chunk, unpacked to a temp file (never into memory)',
  example: 'mega_jetstream_20250925_010950.db.zip',
  settings: ZipSettings,
  capabilities: { container: true, resumable: false, needsFile: true },
  sniff: (head) => head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04,
  create: async () => (await import('yauzl')).default,
};
