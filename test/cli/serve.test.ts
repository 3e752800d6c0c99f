import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSluice, SLUICE_BIN, tempDir } from '../helpers/cli.js';
import { filesUnder, ldoForm, mp4Bytes, postLdo } from '../server/helpers.js';
import { exited, startServe } from './serve-helpers.js';

type ListBody = { total: number; ldos: Array<{ id: string; status: string; filename: string | null; created_at: string; size_bytes: number }> };

async function listAll(url: string): Promise<ListBody> {
  return (await (await fetch(`${url}/ingest/list?limit=1000`)).json()) as ListBody;
}

describe('sluice serve (the real binary)', () => {
  it('accepts the seed\'s curl command unchanged and stops cleanly on SIGTERM', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'clip.mp4'), mp4Bytes(2_457_600));
    const serve = await startServe([], { STORAGE_PATH: join(dir, 'store') });
    try {
      const curl = spawnSync(
        'curl',
        ['-s', '-X', 'POST', `${serve.url}/ingest/ldo`, '-F', 'video=@clip.mp4', '-F',
          'metadata={\n    "ldo_id": "LDO-123",\n    "sensor_data": {"t": 1},\n    "context": {},\n    "prediction": {}\n  }'],
        { cwd: dir, encoding: 'utf8' },
      );
      const answer = JSON.parse(curl.stdout) as Record<string, unknown>;
      expect(answer).toEqual({ id: expect.stringMatching(/^ldo_[0-9a-f]{12}_\d+$/), status: 'ingested', size_bytes: 2_457_600 });
      const list = spawnSync('curl', ['-s', `${serve.url}/ingest/list?skip=0&limit=100`], { encoding: 'utf8' });
      expect(JSON.parse(list.stdout)).toMatchObject({ total: 1, ldos: [{ id: answer.id, status: 'ingested', filename: 'clip.mp4', size_bytes: 2_457_600 }] });
    } finally {
      serve.child.kill('SIGTERM');
    }
    expect(await exited(serve.child)).toBe(0);
  });

  it('refuses a non-loopback host without keys (exit 2, SLUICE_E_AUTH_REQUIRED) and needs a store', () => {
    const r = runSluice(['serve', '--host', '0.0.0.0', '--store', `file:${tempDir()}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SLUICE_E_AUTH_REQUIRED');
    const noStore = spawnSync(process.execPath, [SLUICE_BIN, 'serve'], {
      encoding: 'utf8',
      env: { ...process.env, STORAGE_PATH: '' },
    });
    expect(noStore.status).toBe(2);
    expect(noStore.stderr).toMatch(/--store/);
    const s3NoRegistry = runSluice(['serve', '--store', 's3://bucket/p']);
    expect(s3NoRegistry.code).toBe(2);
    expect(s3NoRegistry.stderr).toMatch(/--registry/);
  });

  it('SIGKILLed mid-upload: after restart nothing of it is registered or left, earlier LDOs all listed; --reindex rebuilds an equal registry', async () => {
    const root = join(tempDir(), 'store');
    const first = await startServe(['--store', `file:${root}`]);
    for (let i = 0; i < 6; i++) {
      const video = i % 2 === 0 ? { bytes: mp4Bytes(20_000 + i) } : undefined;
      expect((await postLdo(first.url, ldoForm({ ldo_id: `K-${i}`, i }, video))).status).toBe(200);
    }
    const before = await listAll(first.url);
    const filesBefore = filesUnder(root);

    // A slow upload: headers and 3 MB of video, then the server dies while waiting for more.
    const port = Number(new URL(first.url).port);
    const boundary = 'kill-boundary';
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/ingest/ldo',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(50_000_000) },
    });
    req.on('error', () => undefined);
    req.write(`--${boundary}\r\nContent-Disposition: form-data; name="video"; filename="big.mp4"\r\nContent-Type: video/mp4\r\n\r\n`);
    req.write(mp4Bytes(3_000_000));
    const staging = join(root, '.tmp');
    const deadline = Date.now() + 20_000;
    while (!(existsSync(staging) && readdirSync(staging).length > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(staging).length).toBe(1);
    first.child.kill('SIGKILL');
    await exited(first.child);
    req.destroy();

    const second = await startServe(['--store', `file:${root}`]);
    try {
      expect(readdirSync(staging)).toEqual([]);
      expect(filesUnder(root)).toEqual(filesBefore);
      expect(await listAll(second.url)).toEqual(before);
    } finally {
      second.child.kill('SIGTERM');
      await exited(second.child);
    }

    const reindex = runSluice(['serve', '--store', `file:${root}`, '--reindex']);
    expect(reindex.code, reindex.stderr).toBe(0);
    expect(reindex.stderr).toContain('reindexed 6 LDOs');
    const third = await startServe(['--store', `file:${root}`]);
    try {
      expect(await listAll(third.url)).toEqual(before);
      const r = await postLdo(third.url, ldoForm({ ldo_id: 'K-0', i: 0 }, { bytes: mp4Bytes(100) }));
      expect(r.status).toBe(409); // the idempotency keys came back with the reindex
    } finally {
      third.child.kill('SIGTERM');
      await exited(third.child);
    }
  });
});
