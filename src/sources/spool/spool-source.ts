import { hostname } from 'node:os';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { stat } from 'node:fs/promises';
import { ChunkAssembler } from '../../parse/chunk-assembler.js';
import { peekUnit } from '../../parse/peek-unit.js';
import { readUnit } from '../../parse/read-unit.js';
import { ParserPool } from '../../parse/parser-pool.js';
import type { ParseJob } from '../../parse/parser-thread.js';
import type { ParseMessage, UnitPlan } from '../../core/parse-message.js';
import type { ParseOptions } from '../../parse/parse-options.js';
import type { SqliteRowsSpec } from '../../core/parse-message.js';
import type { DiscoveredUnit, Ledger, LedgerUnit } from '../../ledger/ledger.js';
import type { Profile } from '../../profiles/profile.js';
import { profileByName } from '../../profiles/registry.js';
import { SluiceError } from '../../core/errors.js';
import type { Source, SourceContext } from '../source.js';
import { DEFAULT_MAX_UNIT_BYTES, removeStaleUnitFiles, sqliteUnitFile, type SqliteUnitFile } from '../../parse/sqlite-unit-file.js';
import type { UnitLister } from './unit-lister.js';

/** Units claimed and being fetched ahead of the one being written. */
const PREFETCH = 4;

/** SQLite units at least this big are parsed in a thread of their own (starting one costs ~50 ms). */
const THREAD_MIN_BYTES = 4 * 1024 * 1024;

/**
 * Chunks (of up to 200 rows) the parser may run ahead of the writer: about a whole Megastream chunk
 * of rows (~22 MB), so the parser stays busy while the writer works (8 left a core idle a third of
 * the time: 4,400 posts/s into SQLite instead of 5,000). Documents for Elasticsearch are three times
 * bigger: 8 chunks of them are about the same bytes (4, 8 and 16 measured the same posts/s with one
 * parser thread, within the noise, and a peak RSS of 241-265 MB).
 */
const PARSED_AHEAD_CHUNKS = 32;
const PARSED_AHEAD_DOCUMENT_CHUNKS = 8;

/** Chunks of a JSON unit (one per read) the parser may run ahead of the writer, as in ingest. */
const PARSED_AHEAD_JSON_CHUNKS = 4;

/** A SQLite unit claimed ahead: its local file on the way, and maybe a parser thread already on it. */
interface SqliteAhead {
  kind: 'sqlite';
  unit: LedgerUnit;
  /** Its number in this run (messages carry it). */
  index: number;
  file: Promise<SqliteUnitFile>;
  spec: SqliteRowsSpec;
  stage?: Promise<ParseJob | undefined>;
  /** Given up (a stop, or another worker took it): never to be parsed. */
  discarded?: boolean;
}

/** A unit claimed ahead and being fetched. */
type Ahead = BytesAhead | SqliteAhead;

/** A unit of bytes claimed ahead: its local file (a folder's unit, read in place), or its stored bytes on the way. */
type BytesAhead = { kind: 'bytes'; unit: LedgerUnit; index: number } & ({ local: string } | { opened: Promise<Readable> });

/** Options of the spool source. */
export interface SpoolOptions {
  lister: UnitLister;
  ledger: Ledger;
  parse: ParseOptions;
  /** `once`: do the units there now and end; `spool`: poll for new units until stopped. */
  mode: 'once' | 'spool';
  /** How often the folder or prefix is listed again in spool mode. */
  intervalSec: number;
  /** Only units whose time (in the name, else modification time) is at or after this. */
  since?: Date | undefined;
  /** A claimed unit is the worker's for this long; after it, another worker may take it. */
  leaseSec: number;
  /** Claims before a unit whose workers keep dying on it is FAILED. */
  maxAttempts: number;
  /** Units are SQLite databases (`.db`, `.db.zip`) read as rows (the profile's `sqliteUnits`). */
  sqliteUnits?: SqliteRowsSpec | undefined;
  /** The parser threads to use (default: a pool of this source's own; closed when it ends). */
  parsers?: ParserPool | undefined;
  /** Largest database a SQLite unit may unpack or download to, in bytes (`--max-unit-bytes`). */
  maxUnitBytes?: number | undefined;
}

/**
 * The `spool` source: lists a folder or S3 prefix, registers what it finds in the ledger, then claims
 * due units one at a time (so workers on one prefix share them) and streams each through gunzip (by
 * magic bytes) and its decoder. A stop request ends it between units: the unit in hand is finished.
 */
export class SpoolSource implements Source {
  readonly description: string;
  private readonly worker = `${hostname()}:${process.pid}`;
  /** The parser threads of JSON and SQLite units, kept warm from unit to unit (for one run). */
  private readonly parsers: ParserPool;

  constructor(private readonly o: SpoolOptions) {
    this.description = `spool ${o.lister.bucket}`;
    this.parsers = o.parsers ?? new ParserPool();
  }

  async open(ctx: SourceContext): Promise<AsyncIterable<ParseMessage>> {
    return this.run(ctx);
  }

  async close(): Promise<void> {}

  private async *run(ctx: SourceContext): AsyncGenerator<ParseMessage> {
    const { lister, ledger } = this.o;
    if (this.o.sqliteUnits) await removeStaleUnitFiles();
    const profile = profileByName(this.o.parse.profile);
    const assembler = new ChunkAssembler(profile, this.o.parse.profileOptions);
    // Units this process held when its source stopped on a lost database are its own to take again.
    await ledger.releaseHeldBy(this.worker);
    const ahead: Ahead[] = [];
    let index = 0;
    let listedAt = 0;
    // Set when the loop ends by itself or on a stop request; not when the writer failed (its
    // transaction may still hold the database, so the ledger is left alone: leases lapse as after a crash).
    let orderly = false;
    try {
      ctx.bus.setPhase('listing');
      while (!ctx.stop.aborted) {
        if (listedAt === 0 || (this.o.mode === 'spool' && Date.now() - listedAt >= this.o.intervalSec * 1000)) {
          for await (const page of lister.list()) await ledger.register(this.filter(page));
          if (listedAt === 0) {
            // What earlier runs finished: the summary's "already done" (a once-run that finds nothing new says so).
            const done = await ledger.list({ status: 'COMPLETED', bucket: lister.bucket, limit: 1, page: 1 });
            ctx.bus.add('unitsSkipped', done.total);
          }
          listedAt = Date.now();
        }
        if (ahead.length < PREFETCH) {
          // Claim a few units at once and start fetching them, so the next object's first bytes are
          // on their way while this one is written (S3 round trips dominate small units).
          const claimed = await ledger.claim(lister.bucket, this.worker, this.o.leaseSec, PREFETCH - ahead.length, this.o.maxAttempts, {
            ahead: true,
          });
          // A unit of ours whose lease lapsed while it waited comes back: it is in `ahead` already.
          for (const u of claimed) if (!ahead.some((a) => a.unit.key === u.key)) ahead.push(this.prefetch(u, index++));
        }
        const next = ahead.shift();
        if (!next) {
          yield { kind: 'idle' };
          const wait = await this.waitMs(this.o.mode === 'once' ? await ledger.nextDue(lister.bucket) : null, listedAt);
          if (wait === undefined) {
            orderly = true;
            return;
          }
          ctx.bus.setPhase('waiting');
          await sleep(wait, undefined, { signal: ctx.stop }).catch(() => undefined);
          continue;
        }
        ctx.bus.setPhase('ingesting');
        // Claimed ahead: the attempt counts, and its lease runs, from when its turn comes. A unit
        // another worker took meanwhile (our lease lapsed while it waited) is theirs now.
        if (!(await ledger.begin(next.unit.bucket, next.unit.key, this.o.leaseSec, this.worker))) {
          discard(next);
          continue;
        }
        if (next.kind === 'sqlite') {
          // One parser thread, going on to the next unit as soon as it has parsed this one (while
          // this one is still being written). Two at once, one a unit ahead, measured no faster
          // (both cores are busy either way) and cost 50 MB of RSS.
          const following = ahead[0];
          if (following?.kind === 'sqlite') {
            void this.startParsing(next)
              .then((job) => job?.parsed)
              .then(() => this.startParsing(following));
          }
          yield* this.readSqliteUnit(next, profile, assembler);
        } else {
          yield* this.readUnit(next);
        }
      }
      orderly = true;
    } finally {
      // Stopped (or failed): units claimed ahead but not started go back to PENDING for the next
      // worker, and the parser thread is stopped (it may be working on such a unit).
      for (const a of ahead) {
        discard(a);
        if (orderly) await ledger.release(a.unit.key);
      }
      await this.parsers.close();
    }
  }

  /**
   * A unit of bytes (JSON lines or an array, gzipped or not), decoded and mapped in a parser thread the
   * way ingest's is (the writer keeps the main thread): a folder's unit is read there in place by the
   * one unit reader (so a zip or a database is told by its content, as in ingest); a stored one (S3) is
   * read here and fed to the thread. Its messages come back in order; the thread's own `unit-start`
   * is ours already.
   */
  private async *readUnit(a: BytesAhead): AsyncGenerator<ParseMessage> {
    const plan = this.planOf(a.unit, a.index);
    yield { kind: 'unit-start', unit: a.index, plan };
    if ('local' in a) {
      const local: UnitPlan = { ...plan, path: a.local, gzip: peekUnit(a.local, plan.display).content === 'gzip' };
      const job = this.parsers.run([local], this.o.parse, PARSED_AHEAD_JSON_CHUNKS);
      try {
        for await (const msg of job) if (msg.kind !== 'unit-start') yield msg;
      } finally {
        await job.close();
      }
      return;
    }
    const { opened } = a;
    const job = this.parsers.run([plan], this.o.parse, PARSED_AHEAD_JSON_CHUNKS, true);
    const feeding = job.feed(async () => (await opened) as AsyncIterable<Buffer>);
    try {
      for await (const msg of job) if (msg.kind !== 'unit-start') yield msg;
    } finally {
      await job.close();
      // A unit given up half read (a failed write): its stored stream is closed, so feeding ends now.
      await opened.then((s) => s.destroy()).catch(() => undefined);
      await feeding;
    }
  }

  /**
   * Starts fetching a claimed unit: its bytes, or for a SQLite unit the whole local file (downloaded,
   * unzipped), so the next units are ready when their turn comes.
   */
  private prefetch(unit: LedgerUnit, index: number): Ahead {
    const { lister, sqliteUnits } = this.o;
    if (sqliteUnits) {
      const file = sqliteUnitFile(unit.key, lister.localPath?.(unit.key), () => lister.open(unit.key), {
        maxBytes: this.o.maxUnitBytes ?? DEFAULT_MAX_UNIT_BYTES,
      });
      file.catch(() => undefined); // reported when the unit's turn comes
      // Documents (Elasticsearch) hold more memory than rows: their units are read without a memory
      // map, whose pages count in RSS (-30 MB of peak RSS for +2 % CPU, 38 MB chunks).
      const spec = this.o.parse.profileOptions.documents ? { ...sqliteUnits, mapBytes: 0 } : sqliteUnits;
      return { kind: 'sqlite', unit, index, file, spec };
    }
    const local = lister.localPath?.(unit.key);
    if (local !== undefined) return { kind: 'bytes', unit, index, local };
    const opened = lister.open(unit.key);
    opened.catch(() => undefined);
    return { kind: 'bytes', unit, index, opened };
  }

  /** Starts a parser thread on a SQLite unit once its file is ready (if it is big enough for one). */
  private startParsing(a: SqliteAhead): Promise<ParseJob | undefined> {
    a.stage ??= a.file
      .then(async (f) => {
        if (a.discarded || (await stat(f.path)).size < THREAD_MIN_BYTES) return undefined;
        const plan: UnitPlan = { ...this.planOf(a.unit, a.index), path: f.path, sqlite: a.spec };
        const ahead = this.o.parse.profileOptions.documents ? PARSED_AHEAD_DOCUMENT_CHUNKS : PARSED_AHEAD_CHUNKS;
        return this.parsers.run([plan], this.o.parse, ahead);
      })
      .catch(() => undefined);
    return a.stage;
  }

  /**
   * A SQLite unit: its rows read in row-id order, decoded and mapped in a parser thread when the
   * unit is large enough to pay for starting one (JSON and vectors are the hot path; the writer
   * keeps the main thread).
   */
  private async *readSqliteUnit(a: SqliteAhead, profile: Profile, assembler: ChunkAssembler): AsyncGenerator<ParseMessage> {
    const { unit, index } = a;
    const plan = this.planOf(unit, index);
    yield { kind: 'unit-start', unit: index, plan };
    assembler.startUnit(plan.display);
    let file: SqliteUnitFile;
    try {
      file = await a.file;
    } catch (err) {
      const because = err instanceof SluiceError ? err.because : undefined;
      // Too large stays too large: FAILED at once rather than unpacked again on each attempt.
      yield { kind: 'unit-error', unit: index, message: (err as Error).message, because, permanent: because === 'unit_too_large' };
      return;
    }
    try {
      const stage = await this.startParsing(a);
      if (!stage) {
        // The one unit reader, as in the thread (the file's content says how it is read).
        yield* readUnit({ ...plan, path: file.path, sqlite: a.spec }, profile, this.o.parse, assembler);
        return;
      }
      try {
        for await (const msg of stage) if (msg.kind !== 'unit-start') yield msg;
      } finally {
        await stage.close();
      }
    } finally {
      await file.cleanup();
    }
  }

  private planOf(unit: LedgerUnit, index: number): UnitPlan {
    return {
      index,
      display: unit.key,
      path: null,
      gzip: false,
      startOffset: 0,
      startLine: 0,
      // The cursor row's commit is what marks the unit COMPLETED in a SQL sink that holds the ledger.
      cursorKey: `spool|${unit.bucket}|${unit.key}`,
      identity: unit.key,
      size: unit.size,
      ledger: { bucket: unit.bucket, key: unit.key },
    };
  }

  /** How long to wait before looking again; undefined ends a once-run (nothing left for it). */
  private async waitMs(nextDue: string | null, listedAt: number): Promise<number | undefined> {
    if (this.o.mode === 'spool') return Math.max(50, listedAt + this.o.intervalSec * 1000 - Date.now());
    if (nextDue === null) return undefined;
    // Units in backoff or leased by other workers: look again soon (a lapsed lease is ours to take).
    const until = Date.parse(nextDue) - Date.now();
    return Number.isFinite(until) ? Math.min(1000, Math.max(50, until)) : 50;
  }

  private filter(units: DiscoveredUnit[]): DiscoveredUnit[] {
    const since = this.o.since?.toISOString();
    return since ? units.filter((u) => u.sortKey >= since) : units;
  }
}

/** Stops fetching or parsing a unit claimed ahead and removes its temp file. */
function discard(a: Ahead): void {
  if (a.kind === 'sqlite') {
    a.discarded = true;
    a.stage?.then((s) => s?.close()).catch(() => undefined);
    a.file.then((f) => f.cleanup()).catch(() => undefined);
  } else if ('opened' in a) {
    a.opened.then((s) => s.destroy()).catch(() => undefined);
  }
}
