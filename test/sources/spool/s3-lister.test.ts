import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Lister } from '../../../src/sources/spool/s3-lister.js';
import { startLocalS3, type LocalS3 } from '../../helpers/s3-server.js';
import { localS3Client, putAll } from '../../helpers/spool-s3.js';

const BUCKET = 'spool';
const FIRST = '[{"level":30,"msg":"first"}]';
const SECOND = '[{"level":30,"msg":"second, never ingested"}]';

/** Whether the object is there. */
async function exists(client: S3Client, key: string): Promise<boolean> {
  return client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })).then(
    () => true,
    () => false,
  );
}

/** Reads an object through the lister, as the spool source does; returns its text. */
async function ingest(lister: S3Lister, key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of await lister.open(key)) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('S3Lister --after delete (local S3-compatible server): only the version that was read', () => {
  let s3: LocalS3;
  let client: S3Client;
  let lister: S3Lister;
  let n = 0;
  /** A fresh key holding FIRST. */
  const put = async (): Promise<string> => {
    const key = `p/${++n}.json`;
    await putAll(client, BUCKET, [{ key, body: FIRST }]);
    return key;
  };

  beforeAll(async () => {
    s3 = await startLocalS3([BUCKET]);
    client = localS3Client(s3);
    lister = new S3Lister(client, BUCKET, 'p/');
  });
  afterAll(async () => s3?.stop());

  it('deletes an object that is still the version read', async () => {
    const key = await put();
    expect(await ingest(lister, key)).toBe(FIRST);
    await lister.remove(key, lister.takeVersionRead(key));
    expect(await exists(client, key)).toBe(false);
  });

  it('keeps an object re-uploaded with other content after it was read, and says why', async () => {
    const key = await put();
    expect(await ingest(lister, key)).toBe(FIRST);
    const read = lister.takeVersionRead(key);
    await putAll(client, BUCKET, [{ key, body: SECOND }]);
    const now = await lister.versionOf(key);
    expect(now).not.toBe(read);
    await expect(lister.remove(key, read)).rejects.toThrow(`${key} changed since it was ingested (version ${read}, now ${now}); kept so that it is ingested again`);
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(await got.Body?.transformToString()).toBe(SECOND);
  });

  it('keeps an object whose version read is not known; one already gone is no error', async () => {
    const key = await put();
    await expect(lister.remove(key, undefined)).rejects.toThrow(/the version that was ingested is not known/);
    expect(await exists(client, key)).toBe(true);
    await expect(lister.remove('p/never-there.json', '"0"')).resolves.toBeUndefined();
  });

  it('spells the version read as the listing does (the ETag), and forgets it once taken', async () => {
    const key = await put();
    const listed = new Map<string, string | undefined>();
    for await (const page of lister.list()) for (const u of page) listed.set(u.key, u.version);
    expect(listed.get(key)).toMatch(/^"[0-9a-f]{32}"$/);
    await ingest(lister, key);
    expect(lister.takeVersionRead(key)).toBe(listed.get(key));
    expect(lister.takeVersionRead(key)).toBeUndefined();
    expect(await lister.versionOf(key)).toBe(listed.get(key));
    expect(await lister.versionOf('p/never-there.json')).toBeUndefined();
  });
});
