import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ldoForm, mp4Bytes, postLdo, startTestServer } from './helpers.js';

describe('numeric ldo_id', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({ maxVideoMb: 1 });
  });
  afterAll(async () => server?.close());

  it('above 2^53 is refused with 400 metadata_bad_ldo_id, never rounded onto another LDO', async () => {
    for (const digits of ['12345678901234567890', '12345678901234567891', '9007199254740993', '1.5']) {
      const r = await postLdo(server.url, ldoForm(`{"ldo_id":${digits}}`, { bytes: mp4Bytes(1000) }));
      expect(r.status, digits).toBe(400);
      expect(r.body.code).toBe('metadata_bad_ldo_id');
    }
    // As strings the same ids keep their digits: two LDOs.
    const a = await postLdo(server.url, ldoForm('{"ldo_id":"12345678901234567890"}', { bytes: mp4Bytes(1000) }));
    const b = await postLdo(server.url, ldoForm('{"ldo_id":"12345678901234567891"}', { bytes: mp4Bytes(1000) }));
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.id).not.toBe(b.body.id);
  });

  it('a safe integer is the same id as its decimal string: another LDO under "7" is a conflict', async () => {
    const first = await postLdo(server.url, ldoForm('{"ldo_id":9007199254740991}', { bytes: mp4Bytes(1200) }));
    expect(first.status).toBe(200);
    const asString = await postLdo(server.url, ldoForm('{"ldo_id":"9007199254740991"}', { bytes: mp4Bytes(1200) }));
    expect(asString.status).toBe(409);
    expect(asString.body.id).toBe(first.body.id);
  });
});
