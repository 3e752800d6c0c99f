/**
 * Entry of a scan thread: opens the database read-only, joins the split scan and scans the id ranges
 * it claims, then answers once (see similar-protocol.ts). Everything that can fail, loading the SQLite
 * binding included, runs inside the try, so a failure reaches the waiting thread as a message instead
 * of an event nobody can receive.
 */
import { workerData } from 'node:worker_threads';
import { beat, claimRanges, join, markDone, packHits, type SimilarAnswer, type SimilarWorkerData } from './similar-protocol.js';

/** The buffers of freshly made arrays (never shared), to move instead of copy. */
function transferables(...arrays: Float64Array[]): ArrayBuffer[] {
  return arrays.map((a) => a.buffer as ArrayBuffer);
}

const data = workerData as SimilarWorkerData;
const signal = new Int32Array(data.signal);
let answer: SimilarAnswer;
try {
  beat(signal);
  const { default: Database } = await import('better-sqlite3');
  const { scanVectors } = await import('./similar-scan.js');
  const db = new Database(data.file, { readonly: true, fileMustExist: true });
  try {
    const joined = join(signal);
    answer = packHits(joined ? scanVectors(db, data.plan, claimRanges(signal, data.ranges, () => beat(signal))) : []);
  } finally {
    db.close();
  }
} catch (err) {
  answer = { ok: false, message: err instanceof Error ? err.message : String(err) };
}
try {
  data.port.postMessage(answer, answer.ok ? transferables(answer.ids, answer.similarities) : []);
} finally {
  markDone(signal); // even when posting failed: the waiting thread then finds no message and says so
}
