import { z } from 'zod';
import type { FileRowsDescriptor } from './decoder-descriptor.js';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

const SqliteRowsSettings = z
  .object({
    mapBytes: z
      .number()
      .int()
      .min(0)
      .default(64 * 1024 * 1024)
      .describe('bytes of the database read through a memory map (0: every page by read(); mapped pages count in RSS)')
      .meta({ example: 67_108_864 }),
  })
  .strict();

/** A SQLite database whose rows are the records, in row-id order (the row id is the cursor). */
export const sqliteRowsDecoderDescriptor: FileRowsDescriptor<typeof SqliteRowsSettings> = {
  kind: 'file-rows',
  name: 'sqlite',
  summary: "a SQLite database: the rows of the profile's table, in row-id order, streamed",
  example: 'mega_jetstream_20250925_010950.db',
  settings: SqliteRowsSettings,
  capabilities: { container: false, resumable: true, needsFile: true },
  sniff: (head) => head.length >= SQLITE_MAGIC.length && Buffer.from(head.buffer, head.byteOffset, SQLITE_MAGIC.length).equals(SQLITE_MAGIC),
  // The native module loads only for runs that read SQLite units.
  create: async (settings) => {
    const { SqliteRowsReader } = await import('./sqlite-rows.js');
    // A unit's own map size (none for documents, see the spool source) wins over the setting.
    return (path, name, spec) => new SqliteRowsReader(path, name, { ...spec, mapBytes: spec.mapBytes ?? settings.mapBytes });
  },
};
