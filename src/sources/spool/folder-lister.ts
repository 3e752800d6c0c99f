import { statSync, type Stats } from 'node:fs';
import { copyFile, mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { DiscoveredUnit } from '../../ledger/ledger.js';
import { assertUnchanged, sortKeyOf, UNIT_NAME, type UnitLister } from './unit-lister.js';

/** A file's version: its size and modification time (a rewrite changes one or both). */
export function fileVersion(st: Stats): string {
  return `${st.size}:${st.mtimeMs}`;
}

/** A local spool folder (and its subfolders); keys are paths relative to it. */
export class FolderLister implements UnitLister {
  readonly bucket: string;
  /** Versions of the units read, by key, until `--after` takes them. */
  private readonly read = new Map<string, string>();

  constructor(
    folder: string,
    private readonly names: RegExp = UNIT_NAME,
  ) {
    this.bucket = resolve(folder);
  }

  async *list(): AsyncIterable<DiscoveredUnit[]> {
    const entries = await readdir(this.bucket, { recursive: true, withFileTypes: true });
    const units: DiscoveredUnit[] = [];
    for (const e of entries) {
      if (!e.isFile() || !this.names.test(e.name)) continue;
      const path = join(e.parentPath ?? e.path, e.name);
      const st = await stat(path).catch(() => undefined);
      if (!st) continue; // removed meanwhile
      const key = relative(this.bucket, path);
      units.push({ bucket: this.bucket, key, size: st.size, sortKey: sortKeyOf(key, st.mtime), version: fileVersion(st) });
    }
    yield units;
  }

  localPath(key: string): string {
    const path = join(this.bucket, key);
    // Read in place from here on (SQLite units): the version now is the one read.
    try {
      const st = statSync(path, { throwIfNoEntry: false });
      if (st) this.read.set(key, fileVersion(st));
    } catch {
      // Not readable now: opening it fails the unit with the reason; no version, so --after keeps it.
    }
    return path;
  }

  takeVersionRead(key: string): string | undefined {
    const version = this.read.get(key);
    this.read.delete(key);
    return version;
  }

  async versionOf(key: string): Promise<string | undefined> {
    const st = await stat(join(this.bucket, key)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    return st && fileVersion(st);
  }

  async remove(key: string, version: string | undefined): Promise<void> {
    const now = await this.versionOf(key);
    if (now === undefined) return; // gone already
    assertUnchanged(key, version, now);
    // A rewrite between this check and the unlink is not seen: POSIX has no compare-and-unlink; the
    // window is a few microseconds instead of the whole unit's ingest.
    await rm(join(this.bucket, key), { force: true });
  }

  async move(key: string, folder: string, version: string | undefined): Promise<void> {
    const from = join(this.bucket, key);
    const now = await this.versionOf(key);
    if (now !== undefined) assertUnchanged(key, version, now); // a unit gone fails in rename, as before
    const to = join(folder, key);
    await mkdir(dirname(to), { recursive: true });
    await rename(from, to).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EXDEV') throw err;
      await copyFile(from, to);
      // Rewritten while it was copied: the copy is not what was ingested, and the original stays.
      const copied = await this.versionOf(key);
      if (copied !== now) {
        await rm(to, { force: true });
        assertUnchanged(key, version, copied ?? 'gone');
      }
      await unlink(from);
    });
  }

  async open(key: string): Promise<Readable> {
    const file = await open(join(this.bucket, key));
    try {
      // The version of the file this descriptor reads (a later rename over the path is another file).
      this.read.set(key, fileVersion(await file.stat()));
    } catch (err) {
      await file.close();
      throw err;
    }
    return file.createReadStream({ highWaterMark: 256 * 1024 });
  }
}
