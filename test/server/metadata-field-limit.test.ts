import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from './helpers.js';
import { closedWithin, openRaw } from './raw-client.js';

describe('a huge metadata text field (real socket)', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({ maxMetadataKb: 1, idleTimeoutSec: 8 });
  });
  afterAll(async () => server?.close());

  it('is answered 413 once the limit is passed, without reading the rest of a 50 MB field', async () => {
    const client = await openRaw(server.url);
    const boundary = 'XyZ';
    client.write(`POST /ingest/ldo HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${50 * 1024 * 1024}\r\n\r\n`);
    client.write(`--${boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n{"ldo_id": "big", "pad": "`);
    // 2 MiB of the announced 50 MiB, then nothing more: the answer must not wait for the rest.
    client.write(Buffer.alloc(2 * 1024 * 1024, 'x'));
    // Before the fix the parser waited for the field's end: no answer until the idle timeout closed it.
    expect(await closedWithin(client.closed, 6_000)).toBe('closed');
    const text = client.received();
    expect(text).toMatch(/^HTTP\/1\.1 413/);
    expect(text).toContain('"code":"metadata_too_large"');
    expect(text.toLowerCase()).toContain('connection: close');
    const list = (await (await fetch(`${server.url}/ingest/list`)).json()) as { total: number };
    expect(list.total).toBe(0);
    expect(await server.service.registry.pending()).toEqual([]);
  }, 20_000);

  it('still takes a metadata field under the limit, with a video before it', async () => {
    const form = new FormData();
    form.append('metadata', JSON.stringify({ ldo_id: 'small', pad: 'y'.repeat(900) }));
    const res = await fetch(`${server.url}/ingest/ldo`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
  });
});
