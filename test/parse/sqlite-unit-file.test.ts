import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SluiceError } from '../../src/core/errors.js';
import { sqliteUnitFile } from '../../src/parse/sqlite-unit-file.js';
import { tempDir } from '../helpers/cli.js';
import { withDeclaredSize, zipOf } from '../helpers/zip-bytes.js';

const MiB = 1024 * 1024;
const SQLITE_HEAD = Buffer.from('SQLite format 3\0', 'latin1');
/** A "database" of `size` bytes: the SQLite magic, then zeros (deflates about a thousandfold). */
const dbBytes = (size: number): Buffer => Buffer.concat([SQLITE_HEAD, Buffer.alloc(size - SQLITE_HEAD.length)]);
const noStore = async (): Promise<Readable> => Promise.reject(new Error('local unit: never downloaded'));

async function failureOf(p: Promise<unknown>): Promise<SluiceError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SluiceError);
  return err as SluiceError;
}

describe('sqliteUnitFile under --max-unit-bytes', () => {
  it('unpacks a zip under the cap to the same bytes', async () => {
    const dir = tempDir('sluice-unitcap-');
    const zipPath = join(dir, 'ok.db.zip');
    const content = dbBytes(2 * MiB);
    writeFileSync(zipPath, await zipOf('chunk.db', content));
    const file = await sqliteUnitFile('ok.db.zip', zipPath, noStore, { maxBytes: 4 * MiB, dir: join(dir, 'tmp') });
    expect(readFileSync(file.path).equals(content)).toBe(true);
    await file.cleanup();
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
  });

  it('refuses a zip whose directory says it unpacks past the cap, before writing anything', async () => {
    const dir = tempDir('sluice-unitcap-');
    const zipPath = join(dir, 'bomb.db.zip');
    writeFileSync(zipPath, await zipOf('chunk.db', dbBytes(16 * MiB)));
    const err = await failureOf(sqliteUnitFile('bomb.db.zip', zipPath, noStore, { maxBytes: MiB, dir: join(dir, 'tmp') }));
    expect(err.because).toBe('unit_too_large');
    expect(err.message).toMatch(/^bomb\.db\.zip: unit_too_large: /);
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
  });

  it('stops a zip that lies about its size at the cap (the bytes are counted, the header is not believed)', async () => {
    const dir = tempDir('sluice-unitcap-');
    const zipPath = join(dir, 'liar.db.zip');
    writeFileSync(zipPath, withDeclaredSize(await zipOf('chunk.db', dbBytes(16 * MiB)), 4096));
    const err = await failureOf(sqliteUnitFile('liar.db.zip', zipPath, noStore, { maxBytes: MiB, dir: join(dir, 'tmp') }));
    expect(err.because).toBe('unit_too_large');
    expect(err.message).toContain('unpacks to more than --max-unit-bytes 1048576');
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
  });

  it('caps a download too', async () => {
    const dir = tempDir('sluice-unitcap-');
    const stored = async (): Promise<Readable> => Readable.from([dbBytes(MiB), Buffer.alloc(MiB), Buffer.alloc(MiB)]);
    const err = await failureOf(sqliteUnitFile('remote.db', undefined, stored, { maxBytes: 2 * MiB, dir: join(dir, 'tmp') }));
    expect(err.because).toBe('unit_too_large');
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
  });

  it('will not unpack onto a disk without room for the entry (no_space, to be retried)', async () => {
    const dir = tempDir('sluice-unitcap-');
    const zipPath = join(dir, 'big.db.zip');
    writeFileSync(zipPath, await zipOf('chunk.db', dbBytes(2 * MiB)));
    const err = await failureOf(sqliteUnitFile('big.db.zip', zipPath, noStore, { maxBytes: 4 * MiB, dir: join(dir, 'tmp'), freeBytes: async () => MiB }));
    expect(err.because).toBe('no_space');
    expect(err.message).toMatch(/^big\.db\.zip: no_space: /);
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
  });
});
