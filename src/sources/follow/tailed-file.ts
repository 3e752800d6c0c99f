import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { Decoder } from '../../decoders/decoder.js';
import type { UnitPlan } from '../../core/parse/parse-messages.js';

/** What a look at a tailed file found. */
export type TailState =
  /** Still the file at its path. */
  | 'live'
  /** Shrunk below what was read: truncated in place, to be read again from the start. */
  | 'truncated'
  /** Its path is gone or names another file now (deleted, renamed away, replaced). */
  | 'detached';

/**
 * One open file being followed: its handle (kept open so a deleted or rotated file can still be
 * drained), its decoder and how far it has been read.
 */
export class TailedFile {
  private readonly fd: number;
  private readonly ino: number;
  private readonly dev: number;
  /** Bytes pushed to the decoder so far, as a file offset. */
  private position: number;
  /** When the file last grew (or its mtime when opened), for idle-close. */
  lastGrowthMs: number;
  /** Size seen by the last `state()` look. */
  size: number;

  constructor(
    readonly plan: UnitPlan,
    readonly decoder: Decoder,
    public path: string,
    startOffset: number,
  ) {
    this.fd = openSync(path, 'r');
    const st = fstatSync(this.fd);
    this.dev = st.dev;
    this.ino = st.ino;
    this.size = st.size;
    this.position = startOffset;
    this.lastGrowthMs = st.mtimeMs;
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
    try {
      const p = statSync(this.path);
      if (p.ino !== this.ino || p.dev !== this.dev) return 'detached';
    } catch {
      return 'detached';
    }
    return 'live';
  }

  /**
   * Reads what is there, up to `budget` bytes, into the decoder (which hands records on at once).
   * Returns the bytes read; 0 means drained for now.
   */
  read(buffer: Buffer, budget: number): number {
    let total = 0;
    while (total < budget) {
      const n = readSync(this.fd, buffer, 0, Math.min(buffer.length, budget - total), this.position);
      if (n === 0) break;
      this.position += n;
      total += n;
      this.decoder.push(n === buffer.length ? buffer : buffer.subarray(0, n));
    }
    if (this.position > this.size) this.size = this.position;
    return total;
  }

  /** Raw bytes read so far (file offset). */
  get rawBytes(): number {
    return this.position;
  }

  close(): void {
    closeSync(this.fd);
  }
}
