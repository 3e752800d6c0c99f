import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ldoForm, mp4Bytes, startTestServer } from './helpers.js';

describe('metadata nesting deeper than the limit', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({ maxVideoMb: 1, maxMetadataKb: 512 });
  });
  afterAll(async () => server?.close());

  it('is answered 400 metadata_too_deep, not 500', async () => {
    const levels = 20_000;
    const metadata = `{"ldo_id":"deep","x":${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}}`;
    const res = await fetch(`${server.url}/ingest/ldo`, { method: 'POST', body: ldoForm(metadata, { bytes: mp4Bytes(1000) }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ statusCode: 400, code: 'metadata_too_deep' });
  });
});
