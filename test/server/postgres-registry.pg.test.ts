import { existsSync, readdirSync } from 'node:fs';
import { request, type ClientRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { exited, startServe, type ServeProcess } from '../cli/serve-helpers.js';
import { filesUnder, ldoForm, mp4Bytes, postLdo } from './helpers.js';
import { PG_URL, pgAvailable, pgQuery, uniqueSchema } from './pg-helpers.js';

const available = await pgAvailable();

/** Starts a multipart upload of one video and stops sending after `sent` bytes; `finish()` sends the rest. */
function slowUpload(url: string, video: Buffer, sent: number): { req: ClientRequest; finish(): Promise<{ status: number; body: string }> } {
  const boundary = 'pg-boundary';
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="video"; filename="s.mp4"\r\nContent-Type: video/mp4\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n{"ldo_id": "SLOW"}\r\n--${boundary}--\r\n`);
  const u = new URL(url);
  const req = request({
    host: u.hostname,
    port: u.port,
    method: 'POST',
    path: '/ingest/ldo',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + video.length + tail.length) },
  });
  req.on('error', () => undefined);
  const answer = new Promise<{ status: number; body: string }>((resolve) => {
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
  });
  req.write(Buffer.concat([head, video.subarray(0, sent)]));
  return {
    req,
    finish: async () => {
      req.end(Buffer.concat([video.subarray(sent), tail]));
      return answer;
    },
  };
}

async function waitForStaging(root: string, n: number): Promise<void> {
  const staging = join(root, '.tmp');
  const deadline = Date.now() + 20_000;
  while (!(existsSync(staging) && readdirSync(staging).length >= n) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

describe.skipIf(!available)('PostgreSQL registry: two sluice serve processes on one store', () => {
  const schema = uniqueSchema('ldo_reg');
  const registry = `${PG_URL}?schema=${schema}`;
  const root = join(tempDir(), 'store');
  const procs: ServeProcess[] = [];
  const serve = async (): Promise<ServeProcess> => {
    const p = await startServe(['--store', `file:${root}`, '--registry', registry]);
    procs.push(p);
    return p;
  };

  afterAll(async () => {
    for (const p of procs) {
      p.child.kill('SIGKILL');
      await exited(p.child);
    }
    await pgQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });

  it('shares one list and one idempotency space across replicas', async () => {
    const [a, b] = await Promise.all([serve(), serve()]);
    const video = mp4Bytes(30_000);
    const first = await postLdo(a!.url, ldoForm({ ldo_id: 'PG-1' }, { bytes: video }));
    expect(first.status).toBe(200);
    const listB = (await (await fetch(`${b!.url}/ingest/list`)).json()) as { total: number; ldos: Array<{ id: string }> };
    expect(listB).toMatchObject({ total: 1, ldos: [{ id: first.body.id }] });
    const replay = await postLdo(b!.url, ldoForm({ ldo_id: 'PG-1' }, { bytes: video }));
    expect(replay.body.id).toBe(first.body.id);
    expect((await postLdo(b!.url, ldoForm({ ldo_id: 'PG-1', other: true }))).status).toBe(409);

    // The same new LDO posted to both at once: one stored, both answered with its id.
    const both = await Promise.all([a!, b!, a!, b!].map((p) => postLdo(p.url, ldoForm({ ldo_id: 'PG-RACE', x: 1 }, { bytes: video }))));
    expect(new Set(both.map((r) => r.body.id)).size).toBe(1);
    expect(both.every((r) => r.status === 200)).toBe(true);
    const race = (await (await fetch(`${a!.url}/ingest/list?ldo_id=PG-RACE`)).json()) as { total: number };
    expect(race.total).toBe(1);
    expect(filesUnder(root).filter((f) => f.endsWith('ldo.json'))).toHaveLength(2);
    expect((await fetch(`${b!.url}/ingest/ldo/${String(first.body.id)}/video`)).status).toBe(200);
  });

  it('a starting replica leaves a live replica\'s upload alone, and cleans a dead one\'s', async () => {
    const [a] = procs;
    const video = mp4Bytes(2_000_000);
    const live = slowUpload(a!.url, video, 1_000_000);
    await waitForStaging(root, 1);
    const c = await serve(); // runs recovery at start
    expect(readdirSync(join(root, '.tmp'))).toHaveLength(1);
    const done = await live.finish();
    expect(done.status, done.body).toBe(200);
    const listC = (await (await fetch(`${c.url}/ingest/list?ldo_id=SLOW`)).json()) as { total: number };
    expect(listC.total).toBe(1);

    // Now kill a replica mid-upload: the next replica to start removes the debris.
    const doomed = await serve();
    const dying = slowUpload(doomed.url, mp4Bytes(2_000_000), 500_000);
    await waitForStaging(root, 1);
    doomed.child.kill('SIGKILL');
    await exited(doomed.child);
    dying.req.destroy();
    const pendingBefore = await pgQuery(`SELECT id FROM "${schema}".ldo_pending`);
    expect(pendingBefore).toHaveLength(1);
    await serve();
    expect(readdirSync(join(root, '.tmp'))).toEqual([]);
    expect(await pgQuery(`SELECT id FROM "${schema}".ldo_pending`)).toEqual([]);
  });
});
