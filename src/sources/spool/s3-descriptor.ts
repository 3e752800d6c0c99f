import { z } from 'zod';
import { SluiceError } from '../../core/errors.js';
import { parseS3Url } from '../../s3/s3-url.js';
import type { UnitListerDescriptor } from '../source-descriptor.js';
import { UNIT_NAME } from './unit-lister.js';

const S3Settings = z
  .object({
    endpoint: z
      .string()
      .optional()
      .describe('S3 endpoint of a store other than AWS, path-style addressing (--s3-endpoint, AWS_ENDPOINT_URL)')
      .meta({ example: 'http://127.0.0.1:9000' }),
    region: z.string().optional().describe('S3 region (--s3-region, AWS_REGION)').meta({ example: 'eu-west-1' }),
  })
  .strict();

/** An S3 prefix of units (`sluice spool --from s3://bucket/prefix`). */
export const spoolS3Descriptor: UnitListerDescriptor<typeof S3Settings> = {
  name: 'spool-s3',
  schemes: ['s3:'],
  summary: 'an S3 prefix of units, each claimed through the ledger (workers on many hosts share it)',
  example: 's3://logs-bucket/applog/',
  settings: S3Settings,
  capabilities: { endless: false, ledgerUnits: true, resumesMidUnit: false, rows: false },
  async create(inputs, settings, parts) {
    const url = inputs[0] ?? '';
    const s3 = parseS3Url(url);
    if (!s3) throw new SluiceError('SLUICE_E_CONFIG', `--from: expected s3://bucket/prefix, got ${url}`);
    // The AWS SDK is loaded only for S3 runs.
    const { createS3Client, s3SettingsFrom } = await import('../../s3/s3-client.js');
    const { S3Lister } = await import('./s3-lister.js');
    const client = createS3Client(s3SettingsFrom({ endpoint: settings.endpoint, region: settings.region }));
    return new S3Lister(client, s3.bucket, s3.prefix, parts.unitNames ?? UNIT_NAME);
  },
};
