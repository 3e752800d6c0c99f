import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { waitFor } from '../helpers/follow-harness.js';
import { ldoForm, mp4Bytes, postLdo } from '../server/helpers.js';
import { exited, startServe } from './serve-helpers.js';

interface Status {
  job: string;
  phase: string;
  counts: { written: number; duplicates: number; bad: number };
}

describe('sluice serve in the common harness', () => {
  it('keeps a status file (stored, replayed, rejected) and stops on SIGTERM with exit 0', async () => {
    const dir = tempDir();
    const status = join(dir, 'serve-status.json');
    const serve = await startServe(['--store', `file:${join(dir, 'store')}`, '--status-file', status]);
    const read = (): Status => JSON.parse(readFileSync(status, 'utf8')) as Status;
    const video = mp4Bytes(10_000);
    expect((await postLdo(serve.url, ldoForm({ ldo_id: 'S-1' }, { bytes: video }))).status).toBe(200);
    expect((await postLdo(serve.url, ldoForm({ ldo_id: 'S-1' }, { bytes: video }))).status).toBe(200);
    expect((await postLdo(serve.url, ldoForm('not an object'))).status).toBe(400);
    const live = await waitFor(() => {
      const s = read();
      return s.counts.bad === 1 ? s : undefined;
    }, { timeoutMs: 5_000, what: 'the status file to count the rejection' });
    expect(live).toMatchObject({ job: 'serve', phase: 'serving', counts: { written: 1, duplicates: 1, bad: 1 } });
    serve.child.kill('SIGTERM');
    expect(await exited(serve.child)).toBe(0);
    expect(read().phase).toBe('stopped');
  });
});
