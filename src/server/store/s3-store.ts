import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import type { ByteRange, LdoStore } from './ldo-store.js';

const PART_BYTES = 8 * 1024 * 1024;

/**
 * An S3 store (`s3://bucket/prefix`). S3 has no rename, so an upload is written in place with a
 * multipart upload (lib-storage: at most 4 parts of 8 MiB in memory); it is invisible to the service
 * until registered, and a dead reservation's keys are deleted at start.
 */
export class S3Store implements LdoStore {
  readonly url: string;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {
    this.url = `s3://${bucket}/${prefix}`;
  }

  private key(dir: string, name?: string): string {
    const base = this.prefix === '' ? dir : `${this.prefix.replace(/\/+$/, '')}/${dir}`;
    return name === undefined ? `${base}/` : `${base}/${name}`;
  }

  async writeStaged(_id: string, dir: string, name: string, body: Readable, contentType: string): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: this.key(dir, name), Body: body, ContentType: contentType },
      partSize: PART_BYTES,
      queueSize: 4,
      leavePartsOnError: false,
    });
    // An error of the body (limit, bad type, client gone) must stop the upload and surface as itself.
    let bodyError: unknown;
    body.once('error', (err) => {
      bodyError = err;
      void upload.abort().catch(() => undefined);
    });
    try {
      await upload.done();
    } catch (err) {
      throw bodyError ?? err;
    }
    if (bodyError) throw bodyError;
  }

  async writeBytes(id: string, dir: string, name: string, bytes: Buffer, contentType: string): Promise<void> {
    await this.writeStaged(id, dir, name, Readable.from([bytes]), contentType);
  }

  async publish(): Promise<void> {
    // Written in place; registration makes it visible.
  }

  async discard(_id: string, dir: string | undefined): Promise<void> {
    if (dir === undefined) return;
    const listed = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.key(dir) }));
    const keys = (listed.Contents ?? []).flatMap((c) => (c.Key ? [{ Key: c.Key }] : []));
    if (keys.length === 1 && keys[0]) await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: keys[0].Key }));
    else if (keys.length > 1) await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys } }));
  }

  async stagedIds(): Promise<string[]> {
    return [];
  }

  async readSmall(dir: string, name: string): Promise<Buffer | undefined> {
    try {
      const got = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(dir, name) }));
      return got.Body ? Buffer.from(await got.Body.transformToByteArray()) : undefined;
    } catch (err) {
      if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw err;
    }
  }

  async size(dir: string, name: string): Promise<number | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(dir, name) }));
      return head.ContentLength;
    } catch (err) {
      if (err instanceof NotFound || (err as { name?: string }).name === 'NotFound') return undefined;
      throw err;
    }
  }

  async openRead(dir: string, name: string, range?: ByteRange): Promise<Readable> {
    const got = await this.client.send(
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: this.key(dir, name),
        ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
      }),
    );
    if (!(got.Body instanceof Readable)) throw new Error('S3 GetObject returned no stream');
    return got.Body;
  }

  async removeFile(dir: string, name: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(dir, name) }));
  }

  async *scanRecords(): AsyncIterable<{ dir: string; bytes: Buffer }> {
    const base = this.prefix === '' ? '' : `${this.prefix.replace(/\/+$/, '')}/`;
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: base, ContinuationToken: token }));
      for (const obj of page.Contents ?? []) {
        const key = obj.Key ?? '';
        const m = /^([0-9]{4}\/[0-9]{2}\/[0-9]{2}\/ldo_[^/]+)\/ldo\.json$/.exec(key.slice(base.length));
        if (!m?.[1]) continue;
        const bytes = await this.readSmall(m[1], 'ldo.json');
        if (bytes) yield { dir: m[1], bytes };
      }
      token = page.NextContinuationToken;
    } while (token);
  }
}
