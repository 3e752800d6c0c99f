import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { BadRecord } from './bad-record.js';
import type { UnitCursor } from '../sinks/sink.js';

/**
 * The dead-letter file: one NDJSON line `{file, line, offset, reason, raw}` per bad record. Its length
 * is committed with each batch like a cursor, so after a crash the lines of the uncommitted batch are
 * cut off and written again exactly once when the batch is redone.
 */
export class DeadLetterFile {
  private fd: number | undefined;
  private pending: string[] = [];
  private size = 0;
  private identity = '';
  readonly path: string;

  constructor(path: string) {
    this.path = resolve(path);
  }

  /** Key of the cursor that remembers the committed length. */
  get cursorKey(): string {
    return `dead-letter:${this.path}`;
  }

  /**
   * Opens for append. `committed` is the last committed mark: if the file is still the same file and
   * longer, the extra tail belongs to a batch that never committed and is cut off.
   */
  open(committed: UnitCursor | undefined): void {
    if (!existsSync(this.path)) return; // created on the first bad record, not before
    this.openFile();
    if (this.fd === undefined) return;
    const st = fstatSync(this.fd);
    if (committed && committed.identity === this.identity && committed.offset < st.size) {
      ftruncateSync(this.fd, committed.offset);
      this.size = committed.offset;
    }
  }

  /** Queues bad records; they reach the disk at `flush`. */
  add(records: readonly BadRecord[]): void {
    for (const r of records) this.pending.push(`${JSON.stringify(r)}\n`);
  }

  /** Writes and syncs queued records before the batch they belong to commits; returns the mark. */
  flush(): UnitCursor | undefined {
    if (this.pending.length > 0 && this.fd === undefined) this.openFile();
    if (this.fd === undefined) return undefined;
    if (this.pending.length > 0) {
      const bytes = Buffer.from(this.pending.join(''));
      writeSync(this.fd, bytes);
      fsyncSync(this.fd);
      this.size += bytes.length;
      this.pending = [];
    }
    return {
      key: this.cursorKey,
      unit: this.path,
      identity: this.identity,
      size: this.size,
      offset: this.size,
      line: 0,
      done: false,
    };
  }

  private openFile(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    this.fd = openSync(this.path, 'a');
    const st = fstatSync(this.fd);
    this.identity = `${st.dev}:${st.ino}`;
    this.size = st.size;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
