import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { DurableFileWriter, FolderSyncer } from '../../src/server/store/folder-files.js';
import { FolderStore } from '../../src/server/store/folder-store.js';

/** An fsync stand-in that records the paths it was asked for and takes `ms` each. */
function recordingFsync(ms = 5): { calls: string[]; fsync: (path: string) => Promise<void> } {
  const calls: string[] = [];
  return { calls, fsync: (path) => new Promise((resolve) => {
    calls.push(path);
    setTimeout(resolve, ms);
  }) };
}

describe('FolderSyncer (group commit of folder fsyncs)', () => {
  it('serves many concurrent callers with one fsync per round, and a caller arriving mid-round waits for the next', async () => {
    const { calls, fsync } = recordingFsync(20);
    const syncer = new FolderSyncer(fsync);
    const first = syncer.sync('/a');
    let lateDone = false;
    const late = Array.from({ length: 20 }, () => syncer.sync('/a'));
    void Promise.all(late).then(() => (lateDone = true));
    await first;
    await new Promise((r) => setImmediate(r));
    // The first round started before the late callers' changes: they must not be answered by it.
    expect(calls).toEqual(['/a', '/a']);
    expect(lateDone).toBe(false);
    await Promise.all(late);
    expect(calls).toEqual(['/a', '/a']);
    await Promise.all([syncer.sync('/a'), syncer.sync('/b')]);
    expect(calls).toEqual(['/a', '/a', '/a', '/b']);
  });

  it('fails every caller of a failed round, and the next round runs again', async () => {
    let fail = true;
    const syncer = new FolderSyncer(async () => {
      await new Promise((r) => setTimeout(r, 5));
      if (fail) throw new Error('EIO');
    });
    const results = await Promise.allSettled([syncer.sync('/x'), syncer.sync('/x')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']); // the second waited for round 2, which failed too
    fail = false;
    await expect(syncer.sync('/x')).resolves.toBeUndefined();
  });
});

describe('DurableFileWriter', () => {
  it('writes every byte, starting fdatasyncs along the way, and refuses an existing file', async () => {
    const dir = tempDir('sluice-dfw-');
    const chunks = Array.from({ length: 40 }, () => randomBytes(100_000 + Math.floor(Math.random() * 50_000)));
    const writer = new DurableFileWriter(join(dir, 'v.bin'), 1 << 20);
    await pipeline(Readable.from(chunks), writer);
    expect(readFileSync(join(dir, 'v.bin')).equals(Buffer.concat(chunks))).toBe(true);
    expect(writer.written).toBe(Buffer.concat(chunks).length);
    expect(writer.syncsStarted).toBeGreaterThan(0);
    await expect(pipeline(Readable.from([Buffer.from('x')]), new DurableFileWriter(join(dir, 'v.bin')))).rejects.toMatchObject({ code: 'EEXIST' });
  });

  it('closes its file when the source fails midway', async () => {
    const dir = tempDir('sluice-dfw-');
    async function* failing(): AsyncGenerator<Buffer> {
      yield randomBytes(3 << 20);
      throw new Error('client went away');
    }
    const writer = new DurableFileWriter(join(dir, 'v.bin'), 1 << 20);
    await expect(pipeline(Readable.from(failing()), writer)).rejects.toThrow('client went away');
    expect(writer.destroyed).toBe(true);
    if (!writer.closed) await new Promise((r) => writer.once('close', r));
  });
});

describe('FolderStore publishing', () => {
  it('fsyncs the parent of every folder a new day creates, then only the day folder; concurrent publishes share its fsync', async () => {
    const root = join(tempDir('sluice-fs-'), 'store');
    const { calls, fsync } = recordingFsync(10);
    const store = new FolderStore(root, fsync);
    await store.writeBytes('ldo_000000000001_1', '', 'ldo.json', Buffer.from('{"a":1}\n'), 'application/json');
    await store.publish('ldo_000000000001_1', '2031/02/03/ldo_000000000001_1');
    expect(calls).toEqual([root, join(root, '2031'), join(root, '2031/02'), join(root, '2031/02/03')]);
    expect(readFileSync(join(root, '2031/02/03/ldo_000000000001_1/ldo.json'), 'utf8')).toBe('{"a":1}\n');

    calls.length = 0;
    const ids = Array.from({ length: 12 }, (_, i) => `ldo_${String(i + 2).padStart(12, '0')}_1`);
    await Promise.all(ids.map(async (id) => {
      await store.writeBytes(id, '', 'ldo.json', Buffer.from(`{"id":"${id}"}`), 'application/json');
      await store.publish(id, `2031/02/03/${id}`);
    }));
    expect(new Set(calls)).toEqual(new Set([join(root, '2031/02/03')]));
    expect(calls.length).toBeLessThan(ids.length);
    expect(readdirSync(join(root, '2031/02/03')).length).toBe(13);
    expect(readdirSync(join(root, '.tmp'))).toEqual([]);
  });

  it('publishes again after its day folder was removed behind its back; refuses to overwrite a staged file', async () => {
    const root = join(tempDir('sluice-fs-'), 'store');
    const store = new FolderStore(root);
    await store.writeBytes('ldo_00000000000a_1', '', 'ldo.json', Buffer.from('{}'), 'application/json');
    await store.publish('ldo_00000000000a_1', '2031/02/03/ldo_00000000000a_1');
    rmSync(join(root, '2031'), { recursive: true });
    await store.writeBytes('ldo_00000000000b_1', '', 'ldo.json', Buffer.from('{}'), 'application/json');
    await store.publish('ldo_00000000000b_1', '2031/02/03/ldo_00000000000b_1');
    expect(existsSync(join(root, '2031/02/03/ldo_00000000000b_1/ldo.json'))).toBe(true);
    await store.writeBytes('ldo_00000000000c_1', '', 'ldo.json', Buffer.from('{}'), 'application/json');
    await expect(store.writeBytes('ldo_00000000000c_1', '', 'ldo.json', Buffer.from('{}'), 'application/json')).rejects.toMatchObject({ code: 'EEXIST' });
  });
});
