import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mp4Bytes, startTestServer } from './helpers.js';
import { closedWithin, counterValue, openRaw, type RawClient } from './raw-client.js';

const REJECTIONS = 'sluice_ldo_rejections_total';

/** Sends one byte every `everyMs` until the connection closes. */
function trickle(client: RawClient, bytes: string, everyMs: number): () => void {
  let i = 0;
  const timer = setInterval(() => client.write(bytes[i++ % bytes.length] ?? 'x'), everyMs);
  void client.closed.then(() => clearInterval(timer));
  return () => clearInterval(timer);
}

describe('slow clients (real sockets)', () => {
  // Only the idle timeout is shortened: the floor on the transfer rate is the default one.
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({ idleTimeoutSec: 2 });
  });
  afterAll(async () => server?.close());

  it('cuts off an upload whose body trickles in a byte a second (never idle), counted request_too_slow; nothing kept', async () => {
    const client = await openRaw(server.url);
    const boundary = 'XyZ';
    client.write(`POST /ingest/ldo HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 1000000\r\n\r\n`);
    client.write(Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="video"; filename="a.mp4"\r\nContent-Type: video/mp4\r\n\r\n`), mp4Bytes(8_192)]));
    const stop = trickle(client, 'abcdef', 1_000);
    // Before the fix the idle timeout (2 s) never fired and the request timeout is an hour.
    expect(await closedWithin(client.closed, 12_000)).toBe('closed');
    stop();
    await new Promise((r) => setTimeout(r, 300));
    expect(await counterValue(server.url, REJECTIONS, 'reason="request_too_slow"')).toBe(1);
    expect(await counterValue(server.url, REJECTIONS, 'reason="internal"')).toBe(0);
    expect(readdirSync(join(server.root, '.tmp'))).toEqual([]);
    expect(await server.service.registry.pending()).toEqual([]);
  }, 30_000);

  it('cuts off a client that trickles its headers (headers timeout = idle timeout)', async () => {
    const client = await openRaw(server.url);
    client.write('GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const stop = trickle(client, 'abcdef', 1_000);
    // Before the fix Node's default headers timeout (60 s, checked every 30 s) let it stay.
    expect(await closedWithin(client.closed, 12_000)).toBe('closed');
    stop();
    expect(client.received()).toMatch(/^HTTP\/1\.1 408/);
  }, 30_000);

  it('leaves a client that sends steadily alone', async () => {
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
  });
});

describe('--max-connections', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({ maxConnections: 2 });
  });
  afterAll(async () => server?.close());

  it('closes connections past the cap at once, counts them, and serves again when one is free', async () => {
    const a = await openRaw(server.url);
    const b = await openRaw(server.url);
    a.write('GET /health HTTP/1.1\r\nHost: x\r\n'); // both hold their slot: headers not finished
    b.write('GET /health HTTP/1.1\r\nHost: x\r\n');
    const c = await openRaw(server.url);
    c.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await closedWithin(c.closed, 5_000)).toBe('closed');
    expect(c.received()).toBe('');
    a.socket.destroy();
    await a.closed;
    await new Promise((r) => setTimeout(r, 100));
    expect(await counterValue(server.url, REJECTIONS, 'reason="too_many_connections"')).toBe(1);
    b.socket.destroy();
  }, 20_000);
});
