import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DurableFileWriter, FolderSyncer, fsyncPath, writeFileDurably } from './folder-files.js';
import type { ByteRange, LdoStore } from './ldo-store.js';

/** Staging folder inside the store root (same file system, so publishing is one rename). */
export const STAGING_DIR = '.tmp';
const DATE_PART = /^[0-9]{2,4}$/;

/**
 * A folder store. An upload is written under `.tmp/<id>/`, each file fsynced, then the folder is
 * renamed to `YYYY/MM/DD/<id>` and the parent fsynced: a reader never sees half an LDO. The parent's
 * fsync is shared by the uploads published meanwhile (group commit, `FolderSyncer`); a folder created
 * on the way (a new day) has its own parent fsynced first.
 */
export class FolderStore implements LdoStore {
  readonly url: string;
  private readonly syncer: FolderSyncer;
  /** Day folders made (or found) durable, so publishing needs no mkdir: one entry a day. */
  private readonly parents = new Map<string, Promise<void>>();

  constructor(
    private readonly root: string,
    fsync: (path: string) => Promise<void> = fsyncPath,
  ) {
    this.url = `file:${root}`;
    this.syncer = new FolderSyncer(fsync);
  }

  async writeStaged(id: string, _dir: string, name: string, body: Readable): Promise<void> {
    const folder = await this.stagingFolder(id);
    await pipeline(body, new DurableFileWriter(join(folder, name)));
  }

  async writeBytes(id: string, _dir: string, name: string, bytes: Buffer, _contentType?: string): Promise<void> {
    const folder = await this.stagingFolder(id);
    await writeFileDurably(join(folder, name), bytes);
  }

  async publish(id: string, dir: string): Promise<void> {
    const target = join(this.root, dir);
    const parent = dirname(target);
    const staged = join(this.root, STAGING_DIR, id);
    await this.ensureParent(parent);
    try {
      await rename(staged, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      // The day folder went away behind our back (or the staged one): make it again and retry once.
      this.parents.delete(parent);
      await this.ensureParent(parent);
      await rename(staged, target);
    }
    await this.syncer.sync(parent);
  }

  /** Makes the day folder once; concurrent publishes of a new day wait for the same making. */
  private async ensureParent(parent: string): Promise<void> {
    let made = this.parents.get(parent);
    if (!made) {
      made = this.makeParent(parent);
      this.parents.set(parent, made);
      made.catch(() => this.parents.delete(parent));
    }
    await made;
  }

  /** `.tmp/<id>/`, made (and `.tmp` too when it is missing). */
  private async stagingFolder(id: string): Promise<string> {
    const folder = join(this.root, STAGING_DIR, id);
    try {
      await mkdir(folder);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') await mkdir(folder, { recursive: true });
      else if (code !== 'EEXIST') throw err;
    }
    return folder;
  }

  /** Makes a day folder and fsyncs the parent of each folder it had to create, outermost first. */
  private async makeParent(parent: string): Promise<void> {
    const first = await mkdir(parent, { recursive: true });
    if (first !== undefined) {
      const made = relative(dirname(first), parent).split(sep);
      let at = dirname(first);
      for (const part of made) {
        await this.syncer.sync(at);
        at = join(at, part);
      }
    }
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
