import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client, s3SettingsFrom } from '../../src/s3/s3-client.js';
import type { LocalS3 } from './s3-server.js';

/** An S3 client for the local server, built the way Sluice builds its own. */
export function localS3Client(s3: LocalS3): S3Client {
  return createS3Client(s3SettingsFrom({}, s3.env));
}

/** Puts objects with at most `concurrency` requests in flight. */
export async function putAll(client: S3Client, bucket: string, objects: readonly { key: string; body: Buffer | string }[], concurrency = 32): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < objects.length) {
      const o = objects[next++];
      if (o) await client.send(new PutObjectCommand({ Bucket: bucket, Key: o.key, Body: o.body }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, objects.length) }, lane));
}
