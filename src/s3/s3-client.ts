import { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { validateConfig } from '../core/config/validate.js';
import { quietNodeVersionWarning } from './quiet-node-version-warning.js';

export { parseS3Url } from './s3-url.js';

/** S3 settings, from flags or the environment names the seeds use (flags win). */
export const S3SettingsSchema = z
  .object({
    /** AWS region; `AWS_REGION`. */
    region: z.string().min(1).default('us-east-1'),
    /** S3-compatible endpoint (MinIO, LocalStack, a test server); `AWS_ENDPOINT`. Implies path-style. */
    endpoint: z.url({ error: 'expected a URL such as http://127.0.0.1:9000' }).optional(),
    /** `AWS_ACCESS_KEY_ID`; when absent the SDK's default chain (profile, instance role) is used. */
    accessKeyId: z.string().min(1).optional(),
    /** `AWS_SECRET_ACCESS_KEY`. */
    secretAccessKey: z.string().min(1).optional(),
    /** Force path-style addressing (`http://host/bucket/key`); default on with a custom endpoint. */
    forcePathStyle: z.boolean().optional(),
    /**
     * When request checksums are computed: `WHEN_REQUIRED` with a custom endpoint, because with the
     * SDK's default a streamed PutObject is sent aws-chunked, and S3-compatible servers that do not
     * speak that framing store it inside the object (silently corrupt). `AWS_REQUEST_CHECKSUM_CALCULATION`.
     */
    checksums: z.enum(['WHEN_SUPPORTED', 'WHEN_REQUIRED']).optional(),
  })
  .strict();

export type S3Settings = z.infer<typeof S3SettingsSchema>;

/** Settings from the environment, overridden by whatever flags were given. */
export function s3SettingsFrom(flags: Partial<S3Settings>, env: NodeJS.ProcessEnv = process.env): Readonly<S3Settings> {
  const pick = <T>(flag: T | undefined, envValue: T | undefined): T | undefined => flag ?? envValue;
  return validateConfig(S3SettingsSchema, {
    region: pick(flags.region, env.AWS_REGION ?? env.AWS_DEFAULT_REGION),
    endpoint: pick(flags.endpoint, env.AWS_ENDPOINT ?? env.AWS_ENDPOINT_URL ?? env.AWS_ENDPOINT_URL_S3),
    accessKeyId: pick(flags.accessKeyId, env.AWS_ACCESS_KEY_ID),
    secretAccessKey: pick(flags.secretAccessKey, env.AWS_SECRET_ACCESS_KEY),
    forcePathStyle: flags.forcePathStyle,
    checksums: pick(flags.checksums, env.AWS_REQUEST_CHECKSUM_CALCULATION?.toUpperCase() as S3Settings['checksums']),
  });
}

/**
 * The one S3 client factory for every S3 use (spool source, object sink, upload store). With a custom
 * endpoint it uses path-style addressing and checksums only when required (see `checksums`).
 */
export function createS3Client(settings: Readonly<S3Settings>): S3Client {
  quietNodeVersionWarning();
  const custom = settings.endpoint !== undefined;
  const checksums = settings.checksums ?? (custom ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED');
  return new S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle ?? custom,
    requestChecksumCalculation: checksums,
    responseChecksumValidation: checksums,
    ...(settings.accessKeyId && settings.secretAccessKey
      ? { credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } }
      : {}),
  });
}
