import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { SluiceError } from '../../core/errors.js';
import type { UnitListerDescriptor } from '../source-descriptor.js';
import { FolderLister } from './folder-lister.js';
import { UNIT_NAME } from './unit-lister.js';

const FolderSettings = z.object({}).strict().describe('The folder is the input; its subfolders are read too.');

/** A local folder of units (`sluice spool --from DIR`). */
export const spoolFolderDescriptor: UnitListerDescriptor<typeof FolderSettings> = {
  name: 'spool-folder',
  schemes: [],
  summary: 'a folder of units (JSON, NDJSON, gzipped or not; SQLite chunks), each claimed through the ledger',
  example: 'spool/incoming',
  settings: FolderSettings,
  capabilities: { endless: false, ledgerUnits: true, resumesMidUnit: false, rows: false },
  create(inputs, _settings, parts) {
    const folder = inputs[0] ?? '';
    if (!existsSync(folder) || !statSync(folder).isDirectory()) {
      return Promise.reject(new SluiceError('SLUICE_E_NO_INPUT', `--from: ${folder} is not a folder (or use s3://bucket/prefix)`));
    }
    return Promise.resolve(new FolderLister(resolve(folder), parts.unitNames ?? UNIT_NAME));
  },
};
