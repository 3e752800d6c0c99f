import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { BadRecord } from './bad-record.js';
import { SluiceError } from './errors.js';
import type { UnitCursor } from './sink.js';

/**
 * The dead-letter file: one NDJSON line `{file, line, offset, reason, raw}` per bad record. Its length
 * is committed with each batch like a cursor, so after a crash the lines of the uncommitted batch are
 * cut off and written again exactly once when the batch is redone.
 */
/** Identity recorded while the dead-letter file does not exist yet. */
const ABSENT = 'absent';
/** Between the file's identity and the run token in a mark's identity. */
const RUN_SEPARATOR = ' run=';

/** A mark's identity: the file's `dev:ino` (or ABSENT) and the run that committed it (older marks have none). */
function splitIdentity(identity: string): { file: string; run: string | undefined } {
  const at = identity.indexOf(RUN_SEPARATOR);
  return at < 0 ? { file: identity, run: undefined } : { file: identity.slice(0, at), run: identity.slice(at + RUN_SEPARATOR.length) };
}

export class DeadLetterFile {
  private fd: number | undefined;
  private pending: string[] = [];
  private size = 0;
  private identity = '';
  readonly path: string;
  /** A token of this run, recorded in every mark: which run of which database wrote the tail. */
  private readonly run: string;

  /**
   * `run` is this run's token (from the run lock); `previousRun` the token of the run that wrote the
   * file last (any database): a tail is cut only when that run was this database's last committed one.
   */
  constructor(path: string, run = '', private readonly previousRun: string | undefined = undefined) {
    this.path = resolve(path);
    this.run = run;
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
    if (this.fd === undefined || committed === undefined) return;
    const { file, run } = splitIdentity(committed.identity);
    // Another run (of another database, or a run that shared the file) wrote after this database's
    // last commit: the tail holds its records, never ours to cut.
    const ours = run === undefined || run === this.run || this.previousRun === undefined || run === this.previousRun;
    if (!ours) return;
    // ABSENT: the file did not exist at the last commit, so all of it is from uncommitted batches.
    const same = file === this.identity || file === ABSENT;
    if (same && committed.offset < this.size) {
      ftruncateSync(this.fd, committed.offset);
      this.size = committed.offset;
    }
  }

  /**
   * The mark to commit now: the file's identity and length, or ABSENT before it exists. Committed
   * once before the first batch too, so a crash before the first real mark can still be cut off.
   */
  mark(): UnitCursor {
    return {
      key: this.cursorKey,
      unit: this.path,
      identity: `${this.fd === undefined ? ABSENT : this.identity}${this.run === '' ? '' : `${RUN_SEPARATOR}${this.run}`}`,
      size: this.size,
      offset: this.size,
      line: 0,
      done: false,
    };
  }

  /** Queues bad records; they reach the disk at `flush`. */
  add(records: readonly BadRecord[]): void {
    for (const r of records) this.pending.push(`${JSON.stringify(r)}\n`);
  }

  /** Forgets queued records (their unit will be read again). */
  discardPending(): void {
    this.pending = [];
  }

  /** Writes and syncs queued records before the batch they belong to commits; returns the mark. */
  flush(): UnitCursor {
    if (this.pending.length > 0 && this.fd === undefined) this.openFile();
    if (this.fd === undefined) return this.mark();
    if (this.pending.length > 0) {
      const bytes = Buffer.from(this.pending.join(''));
      let written = 0;
      while (written < bytes.length) written += writeSync(this.fd, bytes, written, bytes.length - written);
      fsyncSync(this.fd);
      this.size += bytes.length;
      this.pending = [];
    }
    return this.mark();
  }

  private openFile(): void {
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.path, 'a');
    } catch (err) {
      throw new SluiceError('SLUICE_E_CONFIG', `--dead-letter: cannot write ${this.path}: ${(err as Error).message}`, { cause: err });
    }
    const st = fstatSync(this.fd);
    this.identity = `${st.dev}:${st.ino}`;
    this.size = st.size;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
