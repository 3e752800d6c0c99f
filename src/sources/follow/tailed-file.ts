import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { Decoder } from '../../decoders/decoder.js';
import type { UnitPlan } from '../../core/parse-message.js';
import type { AssemblerUnit } from '../../parse/chunk-assembler.js';
import { HEAD_BYTES, hashHead } from '../file-identity.js';

/** What a look at a tailed file found. */
export type TailState =
  /** Still the file at its path. */
  | 'live'
  /** Shrunk below what was read, or its head changed: rewritten in place, to be read again from the start. */
  | 'truncated'
  /** Its path is gone or names another file now (deleted, renamed away, replaced). */
  | 'detached';

/**
 * One open file being followed: its handle (kept open so a deleted or rotated file can still be
 * drained), its decoder and how far it has been read. It also keeps the hash of the file's head as
 * read so far, to notice a truncate-and-rewrite that left the file at least as long as before, and
 * refreshes the unit's identity while the head fills (a file first seen empty gets a real one).
 */
export class TailedFile {
  private readonly fd: number;
  private readonly ino: number;
  private readonly dev: number;
  /** Bytes pushed to the decoder so far, as a file offset. */
  private position: number;
  private mtimeMs: number;
  private headLength = 0;
  private headHash = '';
  /** When the file last grew (or its mtime when opened), for idle-close. */
  lastGrowthMs: number;
  /** Size seen by the last look. */
  size: number;

  constructor(
    readonly plan: UnitPlan,
    readonly decoder: Decoder,
    public path: string,
    startOffset: number,
    /** The file's unit in the assembler (its memory), made current before each read. */
    readonly unit: AssemblerUnit,
  ) {
    this.fd = openSync(path, 'r');
    const st = fstatSync(this.fd);
    this.dev = st.dev;
    this.ino = st.ino;
    this.size = st.size;
    this.mtimeMs = st.mtimeMs;
    this.position = startOffset;
    this.lastGrowthMs = st.mtimeMs;
    this.refreshHead();
  }

  /** Bytes written but not read yet. */
  get lag(): number {
    return Math.max(0, this.size - this.position);
  }

  /** Looks at the handle and the path: is this still the live file, truncated, or detached? */
  state(): TailState {
    const st = fstatSync(this.fd);
    if (st.size > this.size) this.lastGrowthMs = Date.now();
    this.size = st.size;
    if (st.size < this.position) return 'truncated';
    if (st.mtimeMs !== this.mtimeMs) {
      this.mtimeMs = st.mtimeMs;
      if (this.headLength > 0 && hashHead(this.fd, this.headLength) !== this.headHash) return 'truncated';
    }
    try {
      const p = statSync(this.path);
      if (p.ino !== this.ino || p.dev !== this.dev) return 'detached';
    } catch {
      return 'detached';
    }
    return 'live';
  }

  /**
   * Reads what is there, up to `budget` bytes (and not past `limit`), into the decoder, which hands
   * records on at once. Returns the bytes read; 0 means drained for now.
   */
  read(buffer: Buffer, budget: number, limit = Number.POSITIVE_INFINITY): number {
    let total = 0;
    while (total < budget && this.position < limit) {
      const want = Math.min(buffer.length, budget - total, limit - this.position);
      const n = readSync(this.fd, buffer, 0, want, this.position);
      if (n === 0) break;
      this.position += n;
      total += n;
      this.decoder.push(n === buffer.length ? buffer : buffer.subarray(0, n));
    }
    if (this.position > this.size) {
      // It grew since the last look: not idle, whatever that look said.
      this.size = this.position;
      this.lastGrowthMs = Date.now();
    }
    if (total > 0 && this.headLength < HEAD_BYTES) this.refreshHead();
    return total;
  }

  /** Raw bytes read so far (file offset). */
  get rawBytes(): number {
    return this.position;
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Hashes the head read so far (up to HEAD_BYTES) and makes it the unit's identity. */
  private refreshHead(): void {
    const length = Math.min(HEAD_BYTES, this.position);
    if (length === this.headLength && this.headHash !== '') return;
    this.headLength = length;
    this.headHash = hashHead(this.fd, length);
    // The plan travels with every cursor of this unit: later cursors carry the fuller identity.
    this.plan.identity = `${this.dev}:${this.ino}:${length}:${this.headHash}`;
  }
}
