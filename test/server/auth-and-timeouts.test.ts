import { connect } from 'node:net';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAuthPolicy } from '../../src/server/run-serve.js';
import { ServeConfigSchema } from '../../src/server/serve-config.js';
import { ldoForm, mp4Bytes, postLdo, startTestServer } from './helpers.js';

describe('API keys', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({ apiKeys: ['key-one-secret', 'key-two-secret'] });
  });
  afterAll(async () => server?.close());

  it('refuses requests without a valid key (401) and takes Bearer or X-API-Key', async () => {
    const none = await postLdo(server.url, ldoForm({ a: 1 }));
    expect(none).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
    const wrong = await postLdo(server.url, ldoForm({ a: 1 }), { authorization: 'Bearer nope-nope-nope' });
    expect(wrong.status).toBe(401);
    expect((await fetch(`${server.url}/ingest/list`)).status).toBe(401);
    expect((await postLdo(server.url, ldoForm({ a: 1 }), { authorization: 'Bearer key-one-secret' })).status).toBe(200);
    expect((await postLdo(server.url, ldoForm({ a: 2 }), { 'x-api-key': 'key-two-secret' })).status).toBe(200);
    const list = await fetch(`${server.url}/ingest/list`, { headers: { 'x-api-key': 'key-one-secret' } });
    expect(((await list.json()) as { total: number }).total).toBe(2);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('will not serve a non-loopback host without keys unless --no-auth', async () => {
    const base = { store: 'file:/tmp/x' };
    await expect(checkAuthPolicy(ServeConfigSchema.parse({ ...base, host: '0.0.0.0' }))).rejects.toThrow(/without API keys/);
    await expect(checkAuthPolicy(ServeConfigSchema.parse({ ...base, host: '0.0.0.0', noAuth: true }))).resolves.toBeUndefined();
    await expect(checkAuthPolicy(ServeConfigSchema.parse({ ...base, host: '0.0.0.0', apiKeys: ['long-enough-key'] }))).resolves.toBeUndefined();
    await expect(checkAuthPolicy(ServeConfigSchema.parse({ ...base, host: '127.0.0.1' }))).resolves.toBeUndefined();
  });
});

describe('timeouts', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({ idleTimeoutSec: 1 });
  });
  afterAll(async () => server?.close());

  it('cuts off a client that stops sending mid-upload; nothing registered, nothing left', async () => {
    const port = Number(new URL(server.url).port);
    const boundary = 'XyZ';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="video"; filename="a.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
    );
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      `POST /ingest/ldo HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 10000000\r\n\r\n`,
    );
    socket.write(Buffer.concat([head, mp4Bytes(200_000)]));
    const started = Date.now();
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    expect(Date.now() - started).toBeLessThan(10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(readdirSync(join(server.root, '.tmp'))).toEqual([]);
    expect(await server.service.registry.pending()).toEqual([]);
    const list = (await (await fetch(`${server.url}/ingest/list`)).json()) as { total: number };
    expect(list.total).toBe(0);
  });
});
