import { createReadStream } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { DiscoveredUnit } from '../../ledger/ledger.js';
import { sortKeyOf, UNIT_NAME, type UnitLister } from './unit-lister.js';

/** A local spool folder (and its subfolders); keys are paths relative to it. */
export class FolderLister implements UnitLister {
  readonly bucket: string;

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
      units.push({ bucket: this.bucket, key, size: st.size, sortKey: sortKeyOf(key, st.mtime), version: `${st.size}:${st.mtimeMs}` });
    }
    yield units;
  }

  localPath(key: string): string {
    return join(this.bucket, key);
  }

  async remove(key: string): Promise<void> {
    await rm(join(this.bucket, key), { force: true });
  }

  async open(key: string): Promise<Readable> {
    return createReadStream(join(this.bucket, key), { highWaterMark: 256 * 1024 });
  }
}
