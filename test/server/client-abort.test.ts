import { Writable } from 'node:stream';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { buildApp } from '../../src/server/build-app.js';
import { openService } from '../../src/server/run-serve.js';
import { ServeConfigSchema } from '../../src/server/serve-config.js';
import type { LdoService } from '../../src/server/ldo-service.js';
import { mp4Bytes } from './helpers.js';
import { counterValue, openRaw } from './raw-client.js';

interface LogLine {
  level: number;
  msg: string;
  code?: string;
  err?: { stack?: string };
}

describe('a client that closes mid-upload (real socket)', () => {
  const lines: LogLine[] = [];
  let url = '';
  let service: LdoService;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const config = ServeConfigSchema.parse({ store: `file:${join(tempDir('sluice-abort-'), 'store')}`, port: 0 });
    service = await openService(config);
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const l of chunk.toString().split('\n').filter((x) => x !== '')) lines.push(JSON.parse(l) as LogLine);
        cb();
      },
    });
    const { app } = await buildApp(service, {
      apiKeys: [],
      idleTimeoutMs: 30_000,
      requestTimeoutMs: 3_600_000,
      minBytesPerSec: 1024,
      maxConnections: 256,
      logger: { level: 'info', stream },
    });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
    close = async () => {
      await app.close();
      await service.registry.close();
    };
  });
  afterAll(async () => close?.());

  it('is logged at info without a stack and counted as client_aborted, not internal', async () => {
    const client = await openRaw(url);
    const boundary = 'XyZ';
    client.write(`POST /ingest/ldo HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 10000000\r\n\r\n`);
    client.write(Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="video"; filename="a.mp4"\r\nContent-Type: video/mp4\r\n\r\n`), mp4Bytes(200_000)]));
    // Wait until the server holds the upload (its reservation), then go away.
    for (let i = 0; i < 100 && (await service.registry.pending()).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await service.registry.pending()).length).toBe(1);
    client.socket.destroy();
    for (let i = 0; i < 100 && (await service.registry.pending()).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await service.registry.pending()).toEqual([]);
    expect(await counterValue(url, 'sluice_ldo_rejections_total', 'reason="client_aborted"')).toBe(1);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).not.toMatch(/reason="(internal|registry_unavailable)"/);
    const errors = lines.filter((l) => l.level >= 50);
    expect(errors).toEqual([]);
    const note = lines.find((l) => l.code === 'client_aborted');
    expect(note?.level).toBe(30);
    expect(JSON.stringify(note)).not.toContain('stack');
  }, 20_000);
});
