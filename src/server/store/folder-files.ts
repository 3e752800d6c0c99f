import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { Writable } from 'node:stream';

/** While a big file is written, start an fdatasync each time this many bytes were added since the last. */
const SYNC_EVERY_BYTES = 32 * 1024 * 1024;

/**
 * Writes a stream to a new file (`wx`) with `writev` of whatever the stream buffered (no copies), and
 * starts an `fdatasync` every 32 MiB without waiting for it: the disk writes back while more bytes
 * arrive, instead of the whole file being flushed by the final fsync after the last byte. `final`
 * waits for the last of them and fsyncs the file, so the stream finishes only once the bytes are durable.
 */
export class DurableFileWriter extends Writable {
  private handle: FileHandle | undefined;
  private sinceSync = 0;
  private syncing: Promise<void> | undefined;
  private syncError: Error | undefined;
  /** Bytes written. */
  written = 0;
  /** fdatasyncs started while writing (the final fsync not counted). */
  syncsStarted = 0;

  constructor(
    private readonly path: string,
    private readonly syncEveryBytes = SYNC_EVERY_BYTES,
  ) {
    super({ highWaterMark: 1 << 20 });
  }

  override _construct(done: (err?: Error | null) => void): void {
    open(this.path, 'wx').then(
      (h) => {
        this.handle = h;
        done();
      },
      (err: Error) => done(err),
    );
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.writeAll([chunk]).then(() => done(), (err: Error) => done(err));
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, done: (err?: Error | null) => void): void {
    this.writeAll(chunks.map((c) => c.chunk)).then(() => done(), (err: Error) => done(err));
  }

  override _final(done: (err?: Error | null) => void): void {
    const handle = this.handle;
    if (!handle) {
      done(new Error(`${this.path} is not open`));
      return;
    }
    (async () => {
      await this.syncing;
      if (this.syncError) throw this.syncError;
      await handle.sync();
    })().then(() => done(), (err: Error) => done(err));
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    const handle = this.handle;
    this.handle = undefined;
    const syncing = this.syncing ?? Promise.resolve();
    if (!handle) {
      done(err);
      return;
    }
    // Let an fdatasync in flight end before the descriptor is closed (it could be reused meanwhile).
    syncing.then(() => handle.close()).then(() => done(err), (closeErr: Error) => done(err ?? closeErr));
  }

  private async writeAll(buffers: Buffer[]): Promise<void> {
    const handle = this.handle;
    if (!handle) throw new Error(`${this.path} is not open`);
    let left = 0;
    for (const b of buffers) left += b.length;
    for (;;) {
      const { bytesWritten } = await handle.writev(buffers);
      this.written += bytesWritten;
      this.account(bytesWritten);
      left -= bytesWritten;
      if (left <= 0) return;
      buffers = remainder(buffers, bytesWritten); // a short write: the rest again
    }
  }

  private account(bytes: number): void {
    this.sinceSync += bytes;
    if (this.sinceSync < this.syncEveryBytes || this.syncing || !this.handle) return;
    this.sinceSync = 0;
    this.syncsStarted++;
    this.syncing = this.handle
      .datasync()
      .catch((err: Error) => {
        this.syncError ??= err;
      })
      .finally(() => {
        this.syncing = undefined;
      });
  }
}

function remainder(buffers: Buffer[], skip: number): Buffer[] {
  const out: Buffer[] = [];
  for (const b of buffers) {
    if (skip >= b.length) {
      skip -= b.length;
      continue;
    }
    out.push(skip > 0 ? b.subarray(skip) : b);
    skip = 0;
  }
  return out;
}

/** Writes small bytes to a new file (`wx`) and fsyncs it: one open, one write, one fsync, one close. */
export async function writeFileDurably(path: string, bytes: Buffer): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    let off = 0;
    while (off < bytes.length) off += (await handle.write(bytes, off, bytes.length - off)).bytesWritten;
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsyncs a file or folder by its path. */
export async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Group commit of folder fsyncs: callers that need a folder's entries durable share one fsync. A call
 * made while an fsync of that folder is running waits for the next one (the running one may have
 * started before the caller's rename), which starts when the running one ends and covers every caller
 * that arrived meanwhile. Under load, one fsync serves many renames instead of one each.
 */
export class FolderSyncer {
  private readonly folders = new Map<string, { running: boolean; waiters: Array<{ resolve(): void; reject(err: unknown): void }> }>();

  constructor(private readonly fsync: (path: string) => Promise<void> = fsyncPath) {}

  /** Resolves once every entry change made in `path` before the call is durable. */
  sync(path: string): Promise<void> {
    let state = this.folders.get(path);
    if (!state) {
      state = { running: false, waiters: [] };
      this.folders.set(path, state);
    }
    const done = new Promise<void>((resolve, reject) => state.waiters.push({ resolve, reject }));
    if (!state.running) this.round(path, state);
    return done;
  }

  private round(path: string, state: { running: boolean; waiters: Array<{ resolve(): void; reject(err: unknown): void }> }): void {
    const waiters = state.waiters;
    state.waiters = [];
    state.running = true;
    this.fsync(path).then(
      () => {
        for (const w of waiters) w.resolve();
      },
      (err: unknown) => {
        for (const w of waiters) w.reject(err);
      },
    ).finally(() => {
      state.running = false;
      if (state.waiters.length > 0) this.round(path, state);
      else this.folders.delete(path);
    });
  }
}
