import type { Readable } from 'node:stream';
import { HttpError } from './http-error.js';
import { fingerprintOf, ldoDir, newLdoId, recordOf, type LdoEntry } from './ldo-entry.js';
import { ldoIdOf, parseMetadata } from './metadata.js';
import type { LdoRegistry } from './registry/ldo-registry.js';
import type { LdoStore } from './store/ldo-store.js';
import { VideoMeter } from './video-meter.js';

/** Size limits of one upload. */
export interface UploadLimits {
  /** Largest video, in bytes. */
  maxVideoBytes: number;
  /** Largest metadata, in bytes. */
  maxMetadataBytes: number;
}

/** The answer to a finished upload. */
export interface UploadResult {
  entry: LdoEntry;
  /** True when the same LDO was stored before and nothing new was stored now. */
  replayed: boolean;
}

interface StoredVideo {
  name: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
}

/**
 * One `POST /ingest/ldo` (or one archived row): reserve the id, stream the video to the store,
 * take the metadata (in either order), then publish and register. `abort` leaves no bytes and no record.
 */
export class UploadSession {
  readonly id: string;
  readonly dir: string;
  private reserved = false;
  private finished = false;
  private videoSeen = false;
  private video: StoredVideo | undefined;
  private metadata: Record<string, unknown> | undefined;

  constructor(
    private readonly store: LdoStore,
    private readonly registry: LdoRegistry,
    private readonly limits: UploadLimits,
    nowMs = Date.now(),
  ) {
    this.id = newLdoId(nowMs);
    this.dir = ldoDir(this.id, nowMs);
  }

  /** Streams the video through the magic-byte check, size limit and hash into the store. */
  async putVideo(body: Readable, declaredType: string, filename: string): Promise<void> {
    if (this.videoSeen) {
      body.resume();
      throw new HttpError('too_many_files', 'send one video file at most');
    }
    this.videoSeen = true;
    await this.reserve();
    const meter = new VideoMeter(declaredType, this.limits.maxVideoBytes);
    body.once('error', (err) => meter.destroy(err));
    body.pipe(meter);
    let type;
    try {
      type = await meter.ready;
    } catch (err) {
      body.unpipe(meter);
      body.resume(); // let the parser reach the end of the request
      throw err;
    }
    if (!type) {
      meter.resume(); // an empty file part (a form with no file chosen) is no video
      return;
    }
    const name = `video.${type.ext}`;
    try {
      await this.store.writeStaged(this.id, this.dir, name, meter, type.mime);
    } catch (err) {
      body.unpipe(meter);
      body.resume();
      throw err;
    }
    this.video = { name, filename: filename.slice(0, 1024), contentType: type.mime, size: meter.bytesSeen, sha256: meter.digest() };
  }

  /** Takes the metadata text (validated: JSON object, size, no `__proto__`). */
  setMetadata(text: string): void {
    if (this.metadata) throw new HttpError('unexpected_field', 'send the metadata field once');
    this.metadata = parseMetadata(text, this.limits.maxMetadataBytes);
  }

  /** Publishes and registers; an equal LDO stored before is answered instead, a different one is a 409. */
  async finish(idempotencyKey?: string): Promise<UploadResult> {
    const metadata = this.metadata;
    if (!metadata) throw new HttpError('metadata_missing', 'the metadata field (a JSON object) is required');
    const key = idempotencyKey ?? ldoIdOf(metadata);
    const fingerprint = fingerprintOf(metadata, this.video?.sha256 ?? null);
    if (key !== null) {
      const existing = await this.registry.findByKey(key);
      if (existing) return this.settleWith(existing, fingerprint);
    }
    await this.reserve();
    const entry: LdoEntry = {
      id: this.id,
      status: 'ingested',
      idemKey: key,
      ldoId: ldoIdOf(metadata),
      filename: this.video?.filename ?? null,
      contentType: this.video?.contentType ?? null,
      video: this.video?.name ?? null,
      sizeBytes: this.video?.size ?? 0,
      sha256: this.video?.sha256 ?? null,
      fingerprint,
      createdAt: new Date().toISOString(),
      dir: this.dir,
    };
    const json = Buffer.from(`${JSON.stringify(recordOf(entry, metadata), null, 2)}\n`);
    await this.store.writeBytes(this.id, this.dir, 'ldo.json', json, 'application/json');
    await this.store.publish(this.id, this.dir);
    const outcome = await this.registry.commit(entry);
    if (outcome.kind === 'exists') return this.settleWith(outcome.existing, fingerprint);
    this.finished = true;
    return { entry, replayed: false };
  }

  /** Removes whatever this upload stored and its reservation. Safe to call at any point, and twice. */
  async abort(): Promise<void> {
    if (!this.reserved || this.finished) return;
    this.finished = true;
    await this.store.discard(this.id, this.dir);
    await this.registry.release(this.id);
  }

  private async settleWith(existing: LdoEntry, fingerprint: string): Promise<UploadResult> {
    await this.abort();
    if (existing.fingerprint !== fingerprint) {
      throw new HttpError('ldo_conflict', `an LDO with this key is stored with other content (id ${existing.id})`, {
        id: existing.id,
      });
    }
    return { entry: existing, replayed: true };
  }

  private async reserve(): Promise<void> {
    if (this.reserved) return;
    await this.registry.reserve(this.id, this.dir);
    this.reserved = true;
  }
}
