import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, s3SettingsFrom } from '../../src/s3/s3-client.js';
import { LdoService } from '../../src/server/ldo-service.js';
import { SqliteRegistry } from '../../src/server/registry/sqlite-registry.js';
import { startServer, type RunningServer } from '../../src/server/run-serve.js';
import { ServeConfigSchema } from '../../src/server/serve-config.js';
import { openStore } from '../../src/server/store/open-store.js';
import { tempDir } from '../helpers/cli.js';
import { startLocalS3, type LocalS3 } from '../helpers/s3-server.js';
import { ldoForm, mp4Bytes, postLdo } from './helpers.js';

describe('S3 store against a local S3-compatible server', () => {
  let s3: LocalS3;
  let server: RunningServer;
  const registryPath = join(tempDir(), 'registry.db');
  const limits = { maxVideoBytes: 12 * 1024 * 1024, maxMetadataBytes: 65536 };
  const keys = async (): Promise<string[]> => {
    const client = createS3Client(s3SettingsFrom({}, s3.env));
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'ldos', Prefix: 'training/' }));
    return (listed.Contents ?? []).map((c) => c.Key ?? '').sort();
  };

  beforeAll(async () => {
    s3 = await startLocalS3(['ldos']);
    const config = ServeConfigSchema.parse({ store: 's3://ldos/training', registry: `sqlite:${registryPath}`, port: 0, logLevel: 'error', maxVideoMb: 12 });
    const service = new LdoService(await openStore(config.store, {}, s3.env), new SqliteRegistry(registryPath), limits);
    server = await startServer(config, service);
  });
  afterAll(async () => {
    await server?.close();
    await s3?.stop();
  });

  it('streams a multipart-sized video to S3 byte for byte, with ldo.json beside it, and serves ranges', async () => {
    const video = mp4Bytes(9 * 1024 * 1024 + 7); // over one 8 MiB part
    const r = await postLdo(server.url, ldoForm({ ldo_id: 'S3-1', p: 1 }, { bytes: video }));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const id = String(r.body.id);
    const stored = (await keys()).filter((k) => k.includes(id));
    expect(stored.map((k) => k.replace(/^training\/\d{4}\/\d{2}\/\d{2}\//, ''))).toEqual([`${id}/ldo.json`, `${id}/video.mp4`]);
    const client = createS3Client(s3SettingsFrom({}, s3.env));
    const obj = await client.send(new GetObjectCommand({ Bucket: 'ldos', Key: stored[1] }));
    expect(Buffer.from(await obj.Body!.transformToByteArray()).equals(video)).toBe(true);

    const part = await fetch(`${server.url}/ingest/ldo/${id}/video`, { headers: { range: 'bytes=1000-1999' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).equals(video.subarray(1000, 2000))).toBe(true);
    const rec = (await (await fetch(`${server.url}/ingest/ldo/${id}`)).json()) as Record<string, unknown>;
    expect(rec).toMatchObject({ id, metadata: { ldo_id: 'S3-1', p: 1 } });
  });

  it('leaves no object behind for a refused upload (too large, bad type)', async () => {
    const before = await keys();
    expect((await postLdo(server.url, ldoForm({ a: 1 }, { bytes: mp4Bytes(13 * 1024 * 1024) }))).status).toBe(413);
    expect((await postLdo(server.url, ldoForm({ a: 1 }, { bytes: mp4Bytes(1000), type: 'video/webm' }))).status).toBe(415);
    expect(await keys()).toEqual(before);
    expect(await server.service.registry.pending()).toEqual([]);
  });

  it('deletes from S3, and reindexes the registry from the bucket', async () => {
    const a = await postLdo(server.url, ldoForm({ ldo_id: 'S3-2' }));
    const b = await postLdo(server.url, ldoForm({ ldo_id: 'S3-3' }, { bytes: mp4Bytes(5000) }));
    expect((await fetch(`${server.url}/ingest/${String(a.body.id)}`, { method: 'DELETE' })).status).toBe(200);
    expect((await keys()).some((k) => k.includes(String(a.body.id)))).toBe(false);
    const listed = (await (await fetch(`${server.url}/ingest/list`)).json()) as { total: number; ldos: unknown[] };
    const n = await server.service.reindex();
    expect(n).toBe(listed.total);
    const after = (await (await fetch(`${server.url}/ingest/list`)).json()) as { total: number; ldos: unknown[] };
    expect(after).toEqual(listed);
    expect(JSON.stringify(after)).toContain(String(b.body.id));
  });
});
