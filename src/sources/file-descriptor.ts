import { dirname } from 'node:path';
import { z } from 'zod';
import { FileSource } from './file-source.js';
import type { StreamSourceDescriptor } from './source-descriptor.js';

const FileSettings = z
  .object({})
  .strict()
  .describe('Paths, globs and - (standard input) are the inputs; gzip, JSON arrays and JSON lines are told by their content.');

/** Files, globs and `-`, each read once from its cursor (`sluice ingest`). */
export const fileSourceDescriptor: StreamSourceDescriptor<typeof FileSettings> = {
  name: 'file',
  schemes: [],
  summary: 'files, globs and - (stdin), each read once from its cursor, parsed in a worker thread',
  example: 'logs/bridge_*.ndjson.gz',
  settings: FileSettings,
  capabilities: { endless: false, ledgerUnits: false, resumesMidUnit: true, rows: false },
  // The first input's folder; stdin (`-`): the working folder.
  folderOf: (inputs) => (inputs[0] === undefined || inputs[0] === '-' ? '.' : dirname(inputs[0])),
  create: (inputs, _settings, parts) => Promise.resolve(() => new FileSource(inputs, parts.parse, parts.stdin)),
};
