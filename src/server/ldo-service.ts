import type { Readable } from 'node:stream';
import { entryOf as entryOfRecord, type LdoEntry, type LdoRecord } from './ldo-entry.js';
import type { LdoRegistry, ListPage, ListQuery } from './registry/ldo-registry.js';
import type { ByteRange, LdoStore } from './store/ldo-store.js';
import { UploadSession, type UploadLimits } from './upload-session.js';

/** The upload service without HTTP: the routes and the archival job's `--store` mode both use it. */
export class LdoService {
  constructor(
    readonly store: LdoStore,
    readonly registry: LdoRegistry,
    readonly limits: UploadLimits,
  ) {}

  /** Starts one upload. */
  begin(): UploadSession {
    return new UploadSession(this.store, this.registry, this.limits);
  }

  /**
   * Removes the debris of uploads whose process died (reservations of dead owners, staging folders
   * no reservation names). Live uploads of other replicas are left alone. Returns how many were removed.
   */
  async recover(): Promise<number> {
    let removed = 0;
    const pending = await this.registry.pending();
    for (const p of pending.filter((x) => !x.alive)) {
      await this.store.discard(p.id, p.dir);
      await this.registry.release(p.id);
      removed++;
    }
    const reserved = new Set(pending.filter((x) => x.alive).map((x) => x.id));
    for (const id of await this.store.stagedIds()) {
      if (reserved.has(id)) continue;
      await this.store.discard(id, undefined);
      removed++;
    }
    return removed;
  }

  async get(id: string): Promise<LdoEntry | undefined> {
    return this.registry.get(id);
  }

  /** The whole record (`ldo.json`), or undefined. */
  async record(id: string): Promise<LdoRecord | undefined> {
    const entry = await this.registry.get(id);
    if (!entry) return undefined;
    const bytes = await this.store.readSmall(entry.dir, 'ldo.json');
    return bytes ? (JSON.parse(bytes.toString('utf8')) as LdoRecord) : undefined;
  }

  async list(query: ListQuery): Promise<ListPage> {
    return this.registry.list(query);
  }

  /** Opens an LDO's video (or a range of it). */
  async openVideo(entry: LdoEntry, range?: ByteRange): Promise<Readable> {
    if (!entry.video) throw new Error(`${entry.id} has no video`);
    return this.store.openRead(entry.dir, entry.video, range);
  }

  /**
   * Deletes an LDO: its `ldo.json` first (so a crash midway never lets `--reindex` bring it back),
   * then its registry entry, then the rest of its bytes. False when there was none.
   */
  async remove(id: string): Promise<boolean> {
    const entry = await this.registry.get(id);
    if (!entry) return false;
    await this.store.removeFile(entry.dir, 'ldo.json');
    await this.registry.remove(id);
    await this.store.discard(id, entry.dir);
    return true;
  }

  /** Rebuilds the registry from every `ldo.json` in the store; returns the number registered. */
  async reindex(): Promise<number> {
    const store = this.store;
    async function* entries(): AsyncIterable<LdoEntry> {
      for await (const { dir, bytes } of store.scanRecords()) {
        yield entryOfRecord(JSON.parse(bytes.toString('utf8')) as LdoRecord, dir);
      }
    }
    return this.registry.replaceAll(entries());
  }
}
