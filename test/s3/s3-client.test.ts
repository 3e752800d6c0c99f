import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, parseS3Url, s3SettingsFrom } from '../../src/s3/s3-client.js';
import { startLocalS3, type LocalS3 } from '../helpers/s3-server.js';

describe('S3 client against a local S3-compatible server', () => {
  let s3: LocalS3;
  beforeAll(async () => {
    s3 = await startLocalS3(['b']);
  });
  afterAll(async () => s3?.stop());

  it('stores a streamed upload byte for byte (no aws-chunked framing inside the object)', async () => {
    const client = createS3Client(s3SettingsFrom({}, s3.env));
    const body = Buffer.alloc(6 * 1024 * 1024 + 123, 7);
    await new Upload({ client, params: { Bucket: 'b', Key: 'big.bin', Body: Readable.from([body.subarray(0, 1000), body.subarray(1000)]) } }).done();
    const got = await client.send(new GetObjectCommand({ Bucket: 'b', Key: 'big.bin' }));
    const bytes = Buffer.from(await got.Body!.transformToByteArray());
    expect(bytes.length).toBe(body.length);
    expect(bytes.equals(body)).toBe(true);
  });

  it('pages ListObjectsV2 with continuation tokens', async () => {
    const client = createS3Client(s3SettingsFrom({}, s3.env));
    for (let i = 0; i < 7; i++) await client.send(new PutObjectCommand({ Bucket: 'b', Key: `p/${i}.json`, Body: '[]' }));
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: 'b', Prefix: 'p/', MaxKeys: 3, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((c) => c.Key ?? ''));
      token = page.NextContinuationToken;
    } while (token);
    expect(keys.sort()).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `p/${i}.json`));
  });

  it('takes settings from the seed environment, flags first, and parses s3:// URLs', () => {
    const s = s3SettingsFrom({ region: 'eu-west-1' }, { AWS_REGION: 'us-east-2', AWS_ENDPOINT: 'http://127.0.0.1:1' });
    expect(s).toMatchObject({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:1' });
    expect(() => s3SettingsFrom({ endpoint: 'not a url' }, {})).toThrow(/--endpoint/);
    expect(parseS3Url('s3://logs/app/2025/')).toEqual({ bucket: 'logs', prefix: 'app/2025/' });
    expect(parseS3Url('/local')).toBeUndefined();
  });
});
