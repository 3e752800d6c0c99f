/**
 * A scan split over two threads: a scan thread and the report's own thread claim chunks of the id
 * span from a shared counter (similar-protocol.ts), each on its own read-only connection, then the two
 * top-k lists are merged. Reading the rows is the cost, and it divides between the threads.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { SluiceError } from '../../core/errors.js';
import { workerScript } from '../../core/worker-script.js';
import {
  beats,
  claimRanges,
  isDone,
  joinedOrDone,
  shutOut,
  SIGNAL_SLOTS,
  sleepUntilDone,
  unpackHits,
  type SimilarAnswer,
  type SimilarWorkerData,
  type SplitRanges,
} from './similar-protocol.js';
import { readsInChunks } from './similar-read.js';
import { scanVectors, type ScanPlan } from './similar-scan.js';
import { mergeHits, type Hit } from './similar-topk.js';

/** Below this many ids a thread's start (~100 ms before it reads) costs more than it saves. */
export const THREAD_MIN_ROWS = 20_000;

/** Ids per claimed range: a few chunks' worth, so claims are cheap and the two threads end together. */
const RANGE_IDS = 512;
/** At most this many ranges, so sparse ids (a wide span, few rows) do not make claims the cost. */
const MAX_RANGES = 4_096;

/** How often the waiting thread checks that the scan thread is still alive. */
const POLL_MS = 1_000;
/** A scan thread that shows no progress for this long is taken for dead (it answers on any error). */
const STALL_MS = 30_000;

/** A split scan: the database file and how its id span is cut. */
export interface ScanSplit {
  file: string;
  ranges: SplitRanges;
}

/** Knobs for tests. */
export interface SplitOptions {
  /** Ids per claimed range (default RANGE_IDS). */
  rangeIds?: number;
  /** Let the scan thread join before this thread claims anything, so both surely scan. */
  waitForThread?: boolean;
}

/**
 * How to split the scan of `plan`, or undefined when one thread should do it all: an in-memory
 * database (no file for a second connection), a scan read row by row (an author's few posts), or a
 * span of fewer than `minRows` ids (reading both ends of the rowid tree is free, counting rows is not).
 */
export function planSplit(
  db: Database.Database,
  plan: ScanPlan,
  minRows = THREAD_MIN_ROWS,
  options: SplitOptions = {},
): ScanSplit | undefined {
  if (db.memory || db.name === '' || !readsInChunks(db, plan)) return undefined;
  const [low, high] = db.prepare('SELECT min(id), max(id) FROM posts').raw(true).get() as [number | null, number | null];
  if (low === null || high === null || high - low + 1 < minRows) return undefined;
  const span = Math.max(options.rangeIds ?? RANGE_IDS, Math.ceil((high - low + 1) / MAX_RANGES));
  return { file: db.name, ranges: { low, span, count: Math.ceil((high - low + 1) / span) } };
}

/** The hits of `plan`, the ranges of `split` scanned by this thread and a scan thread together. */
export function scanSplit(db: Database.Database, plan: ScanPlan, split: ScanSplit, options: SplitOptions = {}): Hit[] {
  const shared = new SharedArrayBuffer(SIGNAL_SLOTS * Int32Array.BYTES_PER_ELEMENT);
  const signal = new Int32Array(shared);
  const { port1, port2 } = new MessageChannel();
  // The query vector may view a larger buffer, which cloning would copy whole.
  const threadPlan: ScanPlan = { ...plan, query: plan.query.slice() };
  const workerData: SimilarWorkerData = { file: split.file, plan: threadPlan, ranges: split.ranges, signal: shared, port: port2 };
  const worker = new Worker(scanWorkerScript(), { workerData, transferList: [port2] });
  // Its answer comes through `signal`; the thread must never keep the CLI alive, nor crash it with an
  // unhandled 'error' event after the report has already failed or finished.
  worker.unref();
  worker.on('error', () => undefined);
  try {
    if (options.waitForThread) awaitThread(signal, joinedOrDone);
    const own = scanVectors(db, plan, claimRanges(signal, split.ranges));
    // No claims are left: a thread that has not joined by now never will, and has nothing to add,
    // unless it already failed (a broken install should be heard of, not just make reports slower).
    if (!shutOut(signal)) awaitThread(signal, isDone);
    const theirs = isDone(signal) ? answerOf(port1) : [];
    return mergeHits([own, theirs], plan.k);
  } finally {
    port1.close();
    void worker.terminate();
  }
}

/** Sleeps until `ready(signal)`, or throws once the scan thread has shown no sign of life for STALL_MS. */
function awaitThread(signal: Int32Array, ready: (signal: Int32Array) => boolean): void {
  let seen = beats(signal);
  let seenAt = Date.now();
  while (!ready(signal)) {
    sleepUntilDone(signal, ready === isDone ? POLL_MS : 1);
    if (beats(signal) !== seen) {
      seen = beats(signal);
      seenAt = Date.now();
    } else if (!ready(signal) && Date.now() - seenAt > STALL_MS) {
      throw new SluiceError('SLUICE_E_REPORT', `similarity scan thread made no progress for ${STALL_MS / 1000} s`);
    }
  }
}

/** The scan thread's hits, or its error. */
function answerOf(port: MessagePort): Hit[] {
  const answer = receiveMessageOnPort(port)?.message as SimilarAnswer | undefined;
  if (answer === undefined) throw new SluiceError('SLUICE_E_REPORT', 'similarity scan thread ended without an answer');
  if (!answer.ok) throw new SluiceError('SLUICE_E_REPORT', `similarity scan thread failed: ${answer.message}`);
  return unpackHits(answer.ids, answer.similarities);
}

/** The scan thread's compiled file (made by `npm run build`). */
function scanWorkerScript(): URL {
  const url = workerScript('./similar-worker.js', import.meta.url);
  if (!existsSync(fileURLToPath(url))) {
    throw new SluiceError('SLUICE_E_REPORT', `similarity scan thread file missing: ${fileURLToPath(url)} (npm run build makes it)`);
  }
  return url;
}
