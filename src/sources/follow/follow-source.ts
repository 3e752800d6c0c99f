import { closeSync, existsSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { ChunkAssembler } from '../../parse/chunk-assembler.js';
import type { ParseMessage, UnitPlan } from '../../core/parse-message.js';
import type { ParseOptions } from '../../parse/parse-options.js';
import { decoderFor } from '../../decoders/decoder-for.js';
import { cursorKeyOf, validCursor } from '../plan-units.js';
import { profileByName } from '../../profiles/registry.js';
import type { Source, SourceContext } from '../source.js';
import { identityString, readFileIdentity, sameFile } from '../file-identity.js';
import { readUnit } from '../../parse/read-unit.js';
import { firstRecordOfFile } from '../../parse/first-record.js';
import { peekUnit } from '../../parse/peek-unit.js';
import type { DatePattern, PatternMatch } from './date-pattern.js';
import { TailedFile } from './tailed-file.js';
import { WakeSignal } from './wake-signal.js';

/** Options of the follow source. */
export interface FollowOptions {
  pattern: DatePattern;
  parse: ParseOptions;
  /** Fallback poll interval. */
  pollMs: number;
  /** An older file is closed once idle this long and drained. */
  idleCloseSec: number;
  /** Files without a cursor at start are read from their end instead of their start. */
  fromEnd: boolean;
}

/** The `follow` source as a `Source`: it ends only when the job's stop signal fires. */
export class FollowSource implements Source {
  readonly description: string;

  constructor(private readonly options: FollowOptions) {
    this.description = `follow ${options.pattern.pattern}`;
  }

  async open(ctx: SourceContext): Promise<AsyncIterable<ParseMessage>> {
    return followSource(this.options, ctx);
  }

  async close(): Promise<void> {}
}

/** Without folder events, the pattern is listed again this often (tails are checked every poll). */
const RESCAN_MS = 2000;

/** Bytes read from one file before the others get their turn. */
const READ_BUDGET = 1 << 20;

/**
 * The `follow` source: every file of a dated pattern not yet fully ingested is read from its cursor,
 * oldest first, then the newest is tailed. Older files stay open until idle and drained (lines written
 * to yesterday's file after midnight are not lost), a partial last line waits for its newline, a
 * truncated file is read again, a deleted or rotated one is drained from its open handle.
 */
export async function* followSource(o: FollowOptions, ctx: SourceContext): AsyncGenerator<ParseMessage> {
  const profile = profileByName(o.parse.profile);
  const assembler = new ChunkAssembler(profile, o.parse.profileOptions);
  const tails = new Map<string, TailedFile>();
  // Where files closed in this run ended: newer than the sink's cursors until the next commit.
  const closedAt = new Map<string, { offset: number; line: number; identity: string }>();
  const wake = new WakeSignal(o.pattern.folder, o.pollMs, ctx.stop, (name) => o.pattern.mightMatch(name));
  const buffer = Buffer.allocUnsafe(256 * 1024);
  // Files with nothing new: skipped without re-reading their cursor until size or mtime change.
  const settled = new Map<string, string>();
  let lastScan = 0;
  let matches: PatternMatch[] = [];
  let nextUnit = 0;
  let firstScan = true;
  let tailing = false;
  ctx.bus.setPhase('catch-up');

  /** Opens a file for tailing; undefined when it vanished meanwhile (picked up again if it returns). */
  const open = (path: string, key: string, startOffset: number, startLine: number): UnitPlan | undefined => {
    // The identity is filled in (and refreshed while the head grows) by the TailedFile.
    const plan: UnitPlan = { index: nextUnit, display: path, path, gzip: false, startOffset, startLine, cursorKey: key, identity: '', size: 0 };
    try {
      // A profile that maps with the unit's history reads the file from its start, replaying up to the cursor.
      const history = profile.unitHistory;
      const replay =
        startOffset > 0 && (history === true || (typeof history === 'function' && history(firstRecordOfFile(path, o.parse.maxLineBytes))));
      const from = replay ? { offset: 0, line: 0 } : { offset: startOffset, line: startLine };
      const decoder = decoderFor(path, { maxRecordBytes: o.parse.maxLineBytes, startOffset: from.offset, startLine: from.line }, assembler);
      const tail = new TailedFile(plan, decoder, path, from.offset, assembler.startUnit(path, startOffset - from.offset));
      plan.size = tail.size;
      tails.set(key, tail);
    } catch (err) {
      if (isGone(err)) return undefined;
      throw err;
    }
    nextUnit += 1;
    return plan;
  };

  /** Reads a file that is not tailed (gzip, zip, SQLite) from its cursor to its end (or its damage), as `ingest` does. */
  async function* readWhole(path: string, key: string, size: number, gzip: boolean): AsyncGenerator<ParseMessage> {
    let plan: UnitPlan;
    try {
      const cursor = await validCursor(ctx.sink, key, path, size, true);
      if (cursor?.done && cursor.size === size) {
        if (firstScan) ctx.bus.add('unitsSkipped', 1);
        return;
      }
      const identity = identityString(readFileIdentity(path));
      plan = { index: nextUnit, display: path, path, gzip, startOffset: cursor?.offset ?? 0, startLine: cursor?.line ?? 0, cursorKey: key, identity, size };
    } catch (err) {
      if (isGone(err)) return;
      throw err;
    }
    nextUnit += 1;
    yield { kind: 'unit-start', unit: plan.index, plan };
    try {
      yield* readUnit(plan, profile, o.parse, assembler);
    } finally {
      assembler.startUnit(''); // as for the tails
    }
  }

  /** Reads a tail until drained (or `limit`), handing over a chunk per read. */
  async function* drain(tail: TailedFile, limit?: number): AsyncGenerator<ParseMessage, boolean> {
    let readAny = false;
    assembler.use(tail.unit);
    while (tail.read(buffer, READ_BUDGET, limit) > 0) {
      readAny = true;
      if (!assembler.empty) yield assembler.take(tail.plan.index, tail.decoder.offset, tail.decoder.line, tail.rawBytes);
      if (ctx.stop.aborted && limit === undefined) break;
    }
    return readAny;
  }

  try {
    while (!ctx.stop.aborted) {
      if (wake.takeFolderEvent() || Date.now() - lastScan >= RESCAN_MS) {
        matches = await o.pattern.list();
        lastScan = Date.now();
        if (firstScan) announce(o.pattern, matches);
      }
      const newestKey = matches.length > 0 ? keyOfPath(ctx.scope, matches[matches.length - 1]?.path ?? '') : undefined;
      const starts: UnitPlan[] = [];
      for (const m of matches) {
        const key = keyOfPath(ctx.scope, m.path);
        if (key === undefined) continue;
        const tail = tails.get(key);
        if (tail) {
          tail.path = m.path; // renamed by a rotation: same file, same cursor
          continue;
        }
        const { size, signature } = statOf(m.path);
        if (settled.get(key) === signature && key !== newestKey) continue;
        const content = peekUnit(m.path, m.path).content;
        if (content !== 'text') {
          // A compressed (rotated) file or a database is never written to again: read once from its cursor, not tailed.
          settled.set(key, signature);
          yield* readWhole(m.path, key, size, content === 'gzip');
          continue;
        }
        try {
          const closed = closedAt.get(key);
          // Inode numbers are reused: a remembered end counts only for the very same file.
          const cursor =
            closed && closed.offset <= size && sameFile(m.path, closed.identity) ? closed : await validCursor(ctx.sink, key, m.path, size, false);
          if (cursor && cursor.offset >= size && key !== newestKey) {
            settled.set(key, signature); // nothing new in an old file
            if (firstScan) ctx.bus.add('unitsSkipped', 1); // read to its end by an earlier run
            continue;
          }
          const start = cursor ? [cursor.offset, cursor.line] : firstScan && o.fromEnd ? [lastLineEnd(m.path, size), 0] : [0, 0];
          const plan = open(m.path, key, start[0] ?? 0, start[1] ?? 0);
          if (plan) starts.push(plan);
        } catch (err) {
          if (!isGone(err)) throw err; // listed, then deleted before we looked: the next scan decides
        }
      }
      firstScan = false;
      for (const plan of starts) yield { kind: 'unit-start', unit: plan.index, plan };

      let readAny = false;
      let lag = 0;
      for (const [key, tail] of [...tails.entries()].sort((a, b) => a[1].plan.index - b[1].plan.index)) {
        const state = tail.state();
        lag += tail.lag; // before reading: what was waiting at this look
        if (state === 'truncated') {
          tails.delete(key);
          tail.close();
          const plan = open(tail.path, key, 0, 0);
          if (plan) yield { kind: 'unit-start', unit: plan.index, plan };
          readAny = true;
          continue;
        }
        if (yield* drain(tail)) readAny = true;
        const drained = tail.lag === 0;
        const idleMs = Date.now() - tail.lastGrowthMs;
        const finished = drained && (state === 'detached' || (key !== newestKey && idleMs >= o.idleCloseSec * 1000));
        if (finished) {
          assembler.use(tail.unit);
          tail.decoder.finish('dead-letter');
          if (!assembler.empty) yield assembler.take(tail.plan.index, tail.decoder.offset, tail.decoder.line, tail.rawBytes);
          yield { kind: 'unit-end', unit: tail.plan.index, endOffset: tail.decoder.offset, endLine: tail.decoder.line, rawBytes: tail.rawBytes };
          tails.delete(key);
          tail.close();
          closedAt.set(key, { offset: tail.decoder.offset, line: tail.decoder.line, identity: tail.plan.identity });
        }
      }
      ctx.bus.set('lagBytes', lag);
      if (readAny) continue;
      if (!tailing) {
        tailing = true;
        ctx.bus.setPhase('tailing');
      }
      yield { kind: 'idle' };
      await wake.wait();
    }
    // Stopping: what was written before the stop is read (up to each file's size now), so a
    // SIGTERM after a burst leaves no backlog behind.
    for (const tail of [...tails.values()].sort((a, b) => a.plan.index - b.plan.index)) {
      tail.state();
      yield* drain(tail, tail.size);
    }
  } finally {
    wake.close();
    for (const tail of tails.values()) tail.close();
  }
}

/** The cursor key of the file at `path` now, or undefined if it vanished meanwhile. */
function keyOfPath(scope: string, path: string): string | undefined {
  try {
    const st = statSync(path);
    return cursorKeyOf(scope, st.dev, st.ino);
  } catch {
    return undefined;
  }
}

function statOf(path: string): { size: number; signature: string } {
  try {
    const st = statSync(path);
    return { size: st.size, signature: `${st.size}:${st.mtimeMs}` };
  } catch {
    return { size: 0, signature: 'gone' };
  }
}

/** Offset just past the last newline at or before `size` (`--from-end` never starts mid-line). */
function lastLineEnd(path: string, size: number): number {
  const fd = openSync(path, 'r');
  try {
    const step = 64 * 1024;
    const buf = Buffer.alloc(step);
    for (let end = Math.min(size, fstatSync(fd).size); end > 0; end -= step) {
      const start = Math.max(0, end - step);
      const n = readSync(fd, buf, 0, end - start, start);
      const nl = buf.subarray(0, n).lastIndexOf(10);
      if (nl !== -1) return start + nl + 1;
    }
    return 0;
  } finally {
    closeSync(fd);
  }
}

/** True for errors that mean the file is gone (deleted between two looks). */
function isGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Says at start what is followed, so a typo'd folder or pattern does not look like a quiet success:
 * the files matching now and the newest, or a warning that nothing matches yet.
 */
function announce(pattern: DatePattern, matches: readonly PatternMatch[]): void {
  const newest = matches[matches.length - 1]?.path;
  if (newest === undefined) {
    const where = existsSync(pattern.folder) ? `in ${pattern.folder}` : `(folder ${pattern.folder} does not exist)`;
    process.stderr.write(`sluice follow: warning: nothing matches ${pattern.pattern} ${where} yet; waiting for files to appear\n`);
    return;
  }
  process.stderr.write(`sluice follow: following ${pattern.pattern}: ${matches.length} file(s) match now, newest ${newest}\n`);
}
