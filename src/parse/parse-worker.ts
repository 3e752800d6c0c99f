/**
 * Entry of a parser thread. It runs parse jobs one at a time, as the writer sends them (a thread
 * lives on from unit to unit, so its compiled code stays warm), and posts each message of a job to
 * the writer, holding at most `maxInFlight` unacknowledged chunks so a slow writer slows the reader
 * instead of filling memory. A cancelled job stops at its next message.
 */
import { PassThrough } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import { SluiceError } from '../core/errors.js';
import { transferablesOf } from '../core/rows/row-chunk.js';
import type { ParseMessage } from '../core/parse-message.js';
import { parseUnits } from './parse-units.js';
import type { FromParserThread, ToParserThread } from './parser-thread-protocol.js';

interface RunningJob {
  id: number;
  inFlight: number;
  cancelled: boolean;
  wake: (() => void) | undefined;
  /** The bytes the writer feeds a `fed` job. */
  feed?: PassThrough | undefined;
}

type Port = NonNullable<typeof parentPort>;

function serve(port: Port): void {
  let current: RunningJob | undefined;
  const post = (message: FromParserThread, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
  port.on('message', (m: ToParserThread) => {
    if (m.kind === 'run') {
      const job: RunningJob = { id: m.job, inFlight: 0, cancelled: false, wake: undefined, feed: m.fed ? new PassThrough() : undefined };
      // A failed feed reaches the decoder through its read of the stream; no other listener needed.
      job.feed?.on('error', () => undefined);
      current = job;
      void run(job, m, post).finally(() => {
        if (current === job) current = undefined;
      });
      return;
    }
    if (current?.id !== m.job) return; // about a job that already ended
    if (m.kind === 'feed') {
      const job = current;
      if (m.chunk === null) job.feed?.end();
      // Taken once the decoder pulled it through (back-pressure): then the writer sends the next.
      else job.feed?.write(Buffer.from(m.chunk.buffer, m.chunk.byteOffset, m.chunk.byteLength), () => post({ job: job.id, msg: { kind: 'fed' } }));
      return;
    }
    if (m.kind === 'feed-error') {
      current.feed?.destroy(new Error(m.message));
      return;
    }
    if (m.kind === 'ack') current.inFlight -= 1;
    else current.cancelled = true;
    current.wake?.();
    current.wake = undefined;
  });
}

async function run(job: RunningJob, m: Extract<ToParserThread, { kind: 'run' }>, post: (message: FromParserThread, transfer?: ArrayBuffer[]) => void): Promise<void> {
  try {
    for await (const msg of parseUnits(m.plans, m.options, job.feed)) {
      while (job.inFlight >= m.maxInFlight && !job.cancelled) await new Promise<void>((resolve) => (job.wake = resolve));
      if (job.cancelled) break; // leaving the loop closes the unit being read
      job.inFlight += 1;
      post({ job: job.id, msg }, transferables(msg));
    }
    job.feed?.destroy();
    post({ job: job.id, msg: { kind: 'done' } });
  } catch (err) {
    // A coded error that stops the run (a driver built for another Node.js) keeps its code and hint;
    // anything else is a parser bug, reported with its stack.
    const coded = err instanceof SluiceError && err.code === 'SLUICE_E_NATIVE_MODULE' ? { code: err.code, message: err.message } : undefined;
    post({ job: job.id, msg: { kind: 'fatal', message: coded?.message ?? (err instanceof Error ? (err.stack ?? err.message) : String(err)), code: coded?.code } });
  }
}

function transferables(msg: ParseMessage): ArrayBuffer[] {
  if (msg.kind !== 'chunk') return [];
  return msg.rows.flatMap(transferablesOf);
}

if (parentPort) serve(parentPort);
