import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { HttpError } from './http-error.js';
import { declaredTypeFits, SNIFF_BYTES, sniffVideo, type VideoType } from './video-types.js';

/**
 * The video on its way to the store: holds back only the first 64 bytes until the magic number is
 * checked against the declared type, counts bytes against the limit and hashes them; never buffers more.
 */
export class VideoMeter extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private head: Buffer[] = [];
  private headBytes = 0;
  private sniffed: VideoType | undefined;
  private settle: { resolve(t: VideoType | undefined): void; reject(err: Error): void } | undefined;
  /** Resolves with the container once the head is checked (undefined for an empty file); rejects on error. */
  readonly ready: Promise<VideoType | undefined>;
  /** Bytes passed so far (not `size`: lib-storage would read that as a Blob length). */
  bytesSeen = 0;

  constructor(
    private readonly declaredType: string,
    private readonly maxBytes: number,
  ) {
    super({ highWaterMark: 1 << 20 });
    this.ready = new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    this.ready.catch(() => undefined); // the error also reaches whoever consumes the stream
    this.once('error', (err) => this.settle?.reject(err));
    this.once('close', () => this.settle?.reject(new Error('video stream closed early')));
  }

  /** The container found by sniffing (after the stream ended, or once 64 bytes were seen). */
  get type(): VideoType | undefined {
    return this.sniffed;
  }

  /** Hex sha256 of every byte passed (call after the end). */
  digest(): string {
    return this.hash.digest('hex');
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytesSeen += chunk.length;
    if (this.bytesSeen > this.maxBytes) {
      done(new HttpError('video_too_large', `video is over ${this.maxBytes} bytes (--max-video-mb)`));
      return;
    }
    this.hash.update(chunk);
    if (this.sniffed) {
      done(null, chunk);
      return;
    }
    this.head.push(chunk);
    this.headBytes += chunk.length;
    if (this.headBytes < SNIFF_BYTES) {
      done();
      return;
    }
    done(this.check(), this.releaseHead());
  }

  override _flush(done: TransformCallback): void {
    if (this.sniffed || this.headBytes === 0) {
      this.settle?.resolve(this.sniffed);
      done();
      return;
    }
    const err = this.check();
    if (err) {
      done(err);
      return;
    }
    done(null, this.releaseHead());
  }

  private check(): HttpError | null {
    const head = Buffer.concat(this.head);
    const type = sniffVideo(head);
    if (!type) {
      return new HttpError('unsupported_media_type', 'video is not an MP4, QuickTime, WebM or Matroska file (checked by its first bytes)');
    }
    if (!declaredTypeFits(this.declaredType, type)) {
      return new HttpError('unsupported_media_type', `video is declared as ${this.declaredType} but its bytes are ${type.mime}`);
    }
    this.sniffed = type;
    this.settle?.resolve(type);
    return null;
  }

  private releaseHead(): Buffer {
    const head = Buffer.concat(this.head);
    this.head = [];
    return head;
  }
}
