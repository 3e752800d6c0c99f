import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesUnder, ldoForm, mp4Bytes, postLdo, startTestServer, webmBytes } from './helpers.js';

describe('bad uploads: each answered with its code, nothing written', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let baseline: string[];
  beforeAll(async () => {
    server = await startTestServer({ maxVideoMb: 1, maxMetadataKb: 1 });
    await postLdo(server.url, ldoForm({ ldo_id: 'base' }, { bytes: mp4Bytes(1000) }));
    baseline = filesUnder(server.root);
  });
  afterAll(async () => server?.close());

  async function expectNothingWritten(): Promise<void> {
    expect(filesUnder(server.root)).toEqual(baseline);
    expect(readdirSync(join(server.root, '.tmp'))).toEqual([]);
    expect(await server.service.registry.pending()).toEqual([]);
    const list = (await (await fetch(`${server.url}/ingest/list`)).json()) as { total: number };
    expect(list.total).toBe(1);
  }

  const cases: Array<[string, () => FormData | string, number, string]> = [
    ['a video over --max-video-mb', () => ldoForm({ a: 1 }, { bytes: mp4Bytes(2 * 1024 * 1024) }), 413, 'video_too_large'],
    ['metadata over --max-metadata-kb', () => ldoForm({ a: 'x'.repeat(2000) }), 413, 'metadata_too_large'],
    ['no metadata', () => {
      const f = new FormData();
      f.append('video', new Blob([mp4Bytes(1000)], { type: 'video/mp4' }), 'a.mp4');
      return f;
    }, 400, 'metadata_missing'],
    ['metadata that is not JSON', () => ldoForm('{"a": '), 400, 'metadata_invalid_json'],
    ['metadata that is an array', () => ldoForm('[1, 2]'), 400, 'metadata_not_object'],
    ['metadata that is a string', () => ldoForm('"LDO"'), 400, 'metadata_not_object'],
    ['a __proto__ key', () => ldoForm('{"a": {"__proto__": {"admin": true}}}'), 400, 'metadata_forbidden_key'],
    ['constructor.prototype', () => ldoForm('{"constructor": {"prototype": {"x": 1}}}'), 400, 'metadata_forbidden_key'],
    ['an ldo_id that is an object', () => ldoForm({ ldo_id: { a: 1 } }), 400, 'metadata_bad_ldo_id'],
    ['an extra field', () => {
      const f = ldoForm({ a: 1 });
      f.append('comment', 'hi');
      return f;
    }, 400, 'unexpected_field'],
    ['a file under another name', () => {
      const f = ldoForm({ a: 1 });
      f.append('image', new Blob([mp4Bytes(100)]), 'x.mp4');
      return f;
    }, 400, 'unexpected_field'],
    ['two videos', () => {
      const f = ldoForm({ a: 1 }, { bytes: mp4Bytes(5000) });
      f.append('video', new Blob([mp4Bytes(5000)], { type: 'video/mp4' }), 'b.mp4');
      return f;
    }, 400, 'too_many_files'],
    ['a text file as video', () => ldoForm({ a: 1 }, { bytes: Buffer.from('hello world, this is not a video at all.......'), type: 'text/plain', name: 'a.txt' }), 415, 'unsupported_media_type'],
    ['an MP4 declared as WebM', () => ldoForm({ a: 1 }, { bytes: mp4Bytes(5000), type: 'video/webm' }), 415, 'unsupported_media_type'],
    ['a WebM declared as MP4', () => ldoForm({ a: 1 }, { bytes: webmBytes(5000), type: 'video/mp4' }), 415, 'unsupported_media_type'],
    ['a PNG declared as MP4', () => ldoForm({ a: 1 }, { bytes: Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(100)]) }), 415, 'unsupported_media_type'],
    ['a JSON body', () => '{"metadata": {}}', 415, 'not_multipart'],
  ];

  for (const [name, body, status, code] of cases) {
    it(`${name} → ${status} ${code}`, async () => {
      const b = body();
      const res = await fetch(`${server.url}/ingest/ldo`, {
        method: 'POST',
        body: b,
        ...(typeof b === 'string' ? { headers: { 'content-type': 'application/json' } } : {}),
      });
      expect(res.status).toBe(status);
      expect(await res.json()).toMatchObject({ statusCode: status, code });
      await expectNothingWritten();
    });
  }

  it('never makes a path of the client file name', async () => {
    const names = ['../../../../etc/passwd.mp4', '/etc/cron.d/evil.mp4', 'a\u0000b.mp4', `${'n'.repeat(1000)}.mp4`, '..\\..\\win.mp4'];
    for (const [i, filename] of names.entries()) {
      const r = await postLdo(server.url, ldoForm({ ldo_id: `name-${i}` }, { bytes: mp4Bytes(2000), name: filename }));
      expect(r.status, filename).toBe(200);
      const id = String(r.body.id);
      const status = (await (await fetch(`${server.url}/ingest/status/${id}`)).json()) as { filename: string };
      expect(typeof status.filename).toBe('string');
      expect(filesUnder(server.root).filter((f) => f.includes(id)).map((f) => f.split('/').slice(-1)[0])).toEqual(['ldo.json', 'video.mp4']);
    }
    expect(filesUnder(server.root).every((f) => /^(\d{4}\/\d{2}\/\d{2}\/ldo_[0-9a-f]{12}_\d+\/(ldo\.json|video\.mp4))$/.test(f))).toBe(true);
  });
});
