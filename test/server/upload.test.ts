import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesUnder, ldoForm, mp4Bytes, postLdo, startTestServer, webmBytes } from './helpers.js';

describe('LDO upload service over a real socket', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  it('stores an LDO with a video, answers as the seed, and serves it back', async () => {
    const video = mp4Bytes(300_000);
    const meta = { ldo_id: 'LDO-1', sensor_data: { t: 21.5 }, context: { line: 3 }, prediction: { label: 'ok' } };
    const r = await postLdo(server.url, ldoForm(meta, { bytes: video }));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ id: expect.stringMatching(/^ldo_[0-9a-f]{12}_\d+$/), status: 'ingested', size_bytes: video.length });
    const id = String(r.body.id);

    const status = await (await fetch(`${server.url}/ingest/status/${id}`)).json();
    expect(status).toMatchObject({ id, status: 'ingested', filename: 'clip.mp4', size_bytes: video.length });

    const record = (await (await fetch(`${server.url}/ingest/ldo/${id}`)).json()) as Record<string, unknown>;
    expect(record).toMatchObject({ id, ldo_id: 'LDO-1', content_type: 'video/mp4', video: 'video.mp4', metadata: meta });

    const full = await fetch(`${server.url}/ingest/ldo/${id}/video`);
    expect(full.status).toBe(200);
    expect(Buffer.from(await full.arrayBuffer()).equals(video)).toBe(true);

    const part = await fetch(`${server.url}/ingest/ldo/${id}/video`, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${video.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(video.subarray(100, 200))).toBe(true);

    const tail = await fetch(`${server.url}/ingest/ldo/${id}/video`, { headers: { range: 'bytes=-10' } });
    expect(Buffer.from(await tail.arrayBuffer()).equals(video.subarray(-10))).toBe(true);
    const bad = await fetch(`${server.url}/ingest/ldo/${id}/video`, { headers: { range: `bytes=${video.length}-` } });
    expect(bad.status).toBe(416);
    expect(bad.headers.get('content-range')).toBe(`bytes */${video.length}`);

    const files = filesUnder(server.root).filter((f) => f.includes(id));
    expect(files.map((f) => f.replace(/^\d{4}\/\d{2}\/\d{2}\//, ''))).toEqual([`${id}/ldo.json`, `${id}/video.mp4`]);
  });

  it('stores a metadata-only LDO (size 0) and takes the fields in either order', async () => {
    const r = await postLdo(server.url, ldoForm({ ldo_id: 'LDO-2' }));
    expect(r).toMatchObject({ status: 200, body: { status: 'ingested', size_bytes: 0 } });
    const form = new FormData();
    form.append('metadata', JSON.stringify({ ldo_id: 'LDO-3' }));
    form.append('video', new Blob([webmBytes(5000)], { type: 'video/webm' }), 'c.webm');
    const r2 = await postLdo(server.url, form);
    expect(r2).toMatchObject({ status: 200, body: { size_bytes: 5000 } });
    const rec = (await (await fetch(`${server.url}/ingest/ldo/${String(r2.body.id)}`)).json()) as Record<string, unknown>;
    expect(rec).toMatchObject({ video: 'video.webm', content_type: 'video/webm' });
    const noVideo = await fetch(`${server.url}/ingest/ldo/${String(r.body.id)}/video`);
    expect(noVideo.status).toBe(404);
  });

  it('replays the same LDO idempotently and refuses the same ldo_id with other content (409)', async () => {
    const video = mp4Bytes(50_000);
    const first = await postLdo(server.url, ldoForm({ ldo_id: 'LDO-R', v: 1 }, { bytes: video }));
    const before = filesUnder(server.root);
    const again = await postLdo(server.url, ldoForm({ v: 1, ldo_id: 'LDO-R' }, { bytes: video }));
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(filesUnder(server.root)).toEqual(before);

    const other = await postLdo(server.url, ldoForm({ ldo_id: 'LDO-R', v: 2 }, { bytes: video }));
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ code: 'ldo_conflict', id: first.body.id });
    const otherVideo = await postLdo(server.url, ldoForm({ ldo_id: 'LDO-R', v: 1 }, { bytes: mp4Bytes(50_000) }));
    expect(otherVideo.status).toBe(409);
    expect(filesUnder(server.root)).toEqual(before);

    const k1 = await postLdo(server.url, ldoForm({ a: 1 }), { 'idempotency-key': 'key-77' });
    const k2 = await postLdo(server.url, ldoForm({ a: 1 }), { 'idempotency-key': 'key-77' });
    expect(k2.body.id).toBe(k1.body.id);
  });

  it('lists newest first with skip/limit, filters and a keyset cursor', async () => {
    for (let i = 0; i < 5; i++) await postLdo(server.url, ldoForm({ ldo_id: `P-${i}` }));
    const all = (await (await fetch(`${server.url}/ingest/list?limit=1000`)).json()) as { total: number; ldos: Array<{ id: string; created_at: string }> };
    expect(all.total).toBe(all.ldos.length);
    const created = all.ldos.map((l) => l.created_at);
    expect([...created].sort().reverse()).toEqual(created);

    const seen: string[] = [];
    let cursor = '';
    for (;;) {
      const page = (await (await fetch(`${server.url}/ingest/list?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json()) as {
        ldos: Array<{ id: string }>;
        next_cursor: string | null;
      };
      seen.push(...page.ldos.map((l) => l.id));
      if (!page.next_cursor) break;
      cursor = page.next_cursor;
    }
    expect(seen).toEqual(all.ldos.map((l) => l.id));

    const skipped = (await (await fetch(`${server.url}/ingest/list?skip=1&limit=2`)).json()) as { ldos: Array<{ id: string }> };
    expect(skipped.ldos.map((l) => l.id)).toEqual(all.ldos.slice(1, 3).map((l) => l.id));
    const byId = (await (await fetch(`${server.url}/ingest/list?ldo_id=P-3`)).json()) as { total: number; ldos: Array<{ ldo_id: string }> };
    expect(byId).toMatchObject({ total: 1, ldos: [{ ldo_id: 'P-3' }] });
    const future = (await (await fetch(`${server.url}/ingest/list?since=2999-01-01T00:00:00Z`)).json()) as { total: number };
    expect(future.total).toBe(0);
    const until = (await (await fetch(`${server.url}/ingest/list?until=2000-01-01`)).json()) as { total: number };
    expect(until.total).toBe(0);
    for (const q of ['limit=1001', 'limit=0', 'skip=-1', 'since=yesterday', 'cursor=bm9wZQ']) {
      const res = await fetch(`${server.url}/ingest/list?${q}`);
      expect(res.status, q).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'bad_query' });
    }
  });

  it('deletes an LDO: gone from the list, the store and the record', async () => {
    const r = await postLdo(server.url, ldoForm({ ldo_id: 'LDO-D' }, { bytes: mp4Bytes(10_000) }));
    const id = String(r.body.id);
    const del = await fetch(`${server.url}/ingest/${id}`, { method: 'DELETE' });
    expect(await del.json()).toEqual({ id, status: 'deleted' });
    expect((await fetch(`${server.url}/ingest/status/${id}`)).status).toBe(404);
    expect((await fetch(`${server.url}/ingest/${id}`, { method: 'DELETE' })).status).toBe(404);
    expect(filesUnder(server.root).some((f) => f.includes(id))).toBe(false);
    // The ldo_id is free again.
    expect((await postLdo(server.url, ldoForm({ ldo_id: 'LDO-D', v: 2 }))).status).toBe(200);
  });

  it('answers health, metrics and unknown routes as JSON', async () => {
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: 'healthy' });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/sluice_ldo_uploads_total\{result="ingested"\} \d+/);
    expect(metrics).toMatch(/sluice_ldo_upload_duration_seconds_bucket/);
    expect(metrics).toMatch(/sluice_ldo_rejections_total\{reason="ldo_conflict"\} \d+/);
    const missing = await fetch(`${server.url}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'not_found' });
    expect((await fetch(`${server.url}/ingest/status/..%2F..%2Fetc`)).status).toBe(404);
  });
});
