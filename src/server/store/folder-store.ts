import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ByteRange, LdoStore } from './ldo-store.js';

/** Staging folder inside the store root (same file system, so publishing is one rename). */
export const STAGING_DIR = '.tmp';
const DATE_PART = /^[0-9]{2,4}$/;

/**
 * A folder store. An upload is written under `.tmp/<id>/`, each file fsynced, then the folder is
 * renamed to `YYYY/MM/DD/<id>` and the parent fsynced: a reader never sees half an LDO.
 */
export class FolderStore implements LdoStore {
  readonly url: string;

  constructor(private readonly root: string) {
    this.url = `file:${root}`;
  }

  async writeStaged(id: string, _dir: string, name: string, body: Readable): Promise<void> {
    const folder = join(this.root, STAGING_DIR, id);
    await mkdir(folder, { recursive: true });
    const path = join(folder, name);
    const out = createWriteStream(path, { flags: 'wx', highWaterMark: 1 << 20 });
    await pipeline(body, out);
    await fsyncPath(path);
  }

  async publish(id: string, dir: string): Promise<void> {
    const target = join(this.root, dir);
    await mkdir(dirname(target), { recursive: true });
    await rename(join(this.root, STAGING_DIR, id), target);
    await fsyncPath(dirname(target));
  }

  async discard(id: string, dir: string | undefined): Promise<void> {
    await rm(join(this.root, STAGING_DIR, id), { recursive: true, force: true });
    if (dir !== undefined) await rm(join(this.root, dir), { recursive: true, force: true });
  }

  async stagedIds(): Promise<string[]> {
    try {
      return await readdir(join(this.root, STAGING_DIR));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  async readSmall(dir: string, name: string): Promise<Buffer | undefined> {
    try {
      return await readFile(join(this.root, dir, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async size(dir: string, name: string): Promise<number | undefined> {
    try {
      return (await stat(join(this.root, dir, name))).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async openRead(dir: string, name: string, range?: ByteRange): Promise<Readable> {
    return createReadStream(join(this.root, dir, name), range ? { start: range.start, end: range.end } : {});
  }

  async removeFile(dir: string, name: string): Promise<void> {
    await rm(join(this.root, dir, name), { force: true });
  }

  async *scanRecords(): AsyncIterable<{ dir: string; bytes: Buffer }> {
    for (const y of await subdirs(this.root)) {
      for (const m of await subdirs(join(this.root, y))) {
        for (const d of await subdirs(join(this.root, y, m))) {
          for (const id of await subdirs(join(this.root, y, m, d), /^ldo_/)) {
            const dir = `${y}/${m}/${d}/${id}`;
            const bytes = await this.readSmall(dir, 'ldo.json');
            if (bytes) yield { dir, bytes };
          }
        }
      }
    }
  }
}

async function subdirs(path: string, pattern = DATE_PART): Promise<string[]> {
  try {
    const entries = await readdir(path, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory() && pattern.test(e.name)).map((e) => e.name).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
