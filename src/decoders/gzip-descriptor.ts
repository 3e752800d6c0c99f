import { createGunzip } from 'node:zlib';
import { z } from 'zod';
import type { StreamContainerDescriptor } from './decoder-descriptor.js';

const GzipSettings = z
  .object({
    chunkBytes: z
      .number()
      .int()
      .min(1024)
      .max(64 << 20)
      .default(16 * 1024)
      .describe("bytes of decompressed output per chunk handed to the next decoder (zlib's default)")
      .meta({ example: 262_144 }),
  })
  .strict();

/** gzip, told by its magic bytes `1f 8b` (a `.gz` name on other bytes is an error). */
export const gzipDecoderDescriptor: StreamContainerDescriptor<typeof GzipSettings> = {
  kind: 'stream-container',
  name: 'gzip',
  summary: 'gzip-compressed units, decompressed as they stream; the content inside is sniffed again',
  example: 'bridge_20250101.ndjson.gz',
  settings: GzipSettings,
  capabilities: { container: true, resumable: false, needsFile: false },
  sniff: (head) => head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b,
  create: (settings) => createGunzip({ chunkSize: settings.chunkBytes }),
};
