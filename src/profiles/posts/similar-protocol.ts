/**
 * What the report's thread and a scan thread (similar-worker.ts) share. The id span is cut into
 * chunks that both threads claim from one shared counter, so neither waits while the other has work
 * (the scan thread starts ~100 ms late, and either may lose its core to another process). The report's
 * query is synchronous, so the answer cannot come as an event: the scan thread posts it on a
 * MessagePort and flips a flag, and the report's thread sleeps on that flag (Atomics.wait) and takes
 * the message with receiveMessageOnPort.
 */
import type { MessagePort } from 'node:worker_threads';
import type { IdRange } from './similar-read.js';
import type { ScanPlan } from './similar-scan.js';
import type { Hit } from './similar-topk.js';

/** Slots of the shared Int32Array `signal`. */
const DONE = 0; // 0 while the scan thread works, 1 once its answer is on the port
const BEAT = 1; // bumped per claimed range, so a scan thread that died silently is noticed
const NEXT = 2; // the next range to claim
const JOINED = 3; // 0 until the scan thread joins (1), or -1 once the report's thread shut it out
export const SIGNAL_SLOTS = 4;

/** How the id span of a split scan is cut: ranges `span` ids wide from `low`, `count` of them. */
export interface SplitRanges {
  low: number;
  span: number;
  count: number;
}

/** The scan thread's `workerData`. */
export interface SimilarWorkerData {
  /** The database file, opened read-only again by the thread. */
  file: string;
  plan: ScanPlan;
  ranges: SplitRanges;
  signal: SharedArrayBuffer;
  port: MessagePort;
}

/** The scan thread's answer: its hits as two parallel arrays (no object per hit to clone), or why not. */
export type SimilarAnswer = { ok: true; ids: Float64Array; similarities: Float64Array } | { ok: false; message: string };

/** The ranges this thread claims, one at a time, until none is left; `claimed` runs on each. */
export function* claimRanges(signal: Int32Array, ranges: SplitRanges, claimed: () => void = () => undefined): Generator<IdRange> {
  for (;;) {
    const i = Atomics.add(signal, NEXT, 1);
    if (i >= ranges.count) return;
    claimed();
    const from = ranges.low + i * ranges.span;
    yield { from, to: from + ranges.span - 1 };
  }
}

/** The scan thread joins the scan; false when the report's thread already did all of it. */
export function join(signal: Int32Array): boolean {
  return Atomics.compareExchange(signal, JOINED, 0, 1) === 0;
}

/**
 * The report's thread, its claims exhausted, shuts a scan thread out that has not joined yet; true
 * when it did (no answer is then needed), false when the scan thread joined and must be waited for.
 */
export function shutOut(signal: Int32Array): boolean {
  return Atomics.compareExchange(signal, JOINED, 0, -1) === 0;
}

/** Whether the scan thread has joined or answered yet. */
export function joinedOrDone(signal: Int32Array): boolean {
  return Atomics.load(signal, JOINED) !== 0 || Atomics.load(signal, DONE) !== 0;
}

export function beat(signal: Int32Array): void {
  Atomics.add(signal, BEAT, 1);
}

export function beats(signal: Int32Array): number {
  return Atomics.load(signal, BEAT);
}

/** The scan thread: its answer is on the port. */
export function markDone(signal: Int32Array): void {
  Atomics.store(signal, DONE, 1);
  Atomics.notify(signal, DONE);
}

export function isDone(signal: Int32Array): boolean {
  return Atomics.load(signal, DONE) !== 0;
}

/** Sleeps until the scan thread is done or `ms` have passed. */
export function sleepUntilDone(signal: Int32Array, ms: number): void {
  Atomics.wait(signal, DONE, 0, ms);
}

/** Hits as parallel arrays whose buffers can be transferred. */
export function packHits(hits: readonly Hit[]): SimilarAnswer {
  const ids = new Float64Array(hits.length);
  const similarities = new Float64Array(hits.length);
  hits.forEach((h, i) => {
    ids[i] = h.id;
    similarities[i] = h.similarity;
  });
  return { ok: true, ids, similarities };
}

/** The hits `packHits` packed, in the same order. */
export function unpackHits(ids: Float64Array, similarities: Float64Array): Hit[] {
  const hits: Hit[] = new Array<Hit>(ids.length);
  for (let i = 0; i < ids.length; i++) hits[i] = { id: ids[i] as number, similarity: similarities[i] as number };
  return hits;
}
