import { Worker } from 'node:worker_threads';
import { SluiceError } from '../../core/errors.js';
import { workerScript } from '../../core/worker-script.js';
import type { ConsumeThreadSettings, ConsumedChunk, FromConsumeThread, ToConsumeThread } from './consume-protocol.js';
import { fromThreadError } from './thread-error.js';

/** What the writer reads from the thread, in order. */
export type ConsumeThreadNews = { kind: 'ready' } | ConsumedChunk | { kind: 'idle' };

/** How long `close` waits for the thread to send its last acks and close its connection, in ms. */
const CLOSE_WAIT_MS = 5000;

const WHAT = 'the consume thread (NATS client and message decoding)';

/**
 * The writer's end of the consume thread (`consume-worker.ts`), which holds the NATS connection and
 * hands over ready rows: `next` gives what it sent, in order; `took`, `ack`, `halt` and `close` tell
 * it what the writer did. A failure in the thread (its NATS errors keep their names, so a lost
 * connection reads as transient) fails the next `next`; a thread that dies says SLUICE_E_WORKER.
 */
export class ConsumeThread {
  private readonly worker: Worker;
  private readonly news: ConsumeThreadNews[] = [];
  private wakeReader: (() => void) | undefined;
  private failure: Error | undefined;
  private exited = false;
  private wakeCloser: (() => void) | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    settings: ConsumeThreadSettings,
    /** Told the lag (messages waiting in the stream for the durable) every few seconds. */
    private readonly onLag: (pending: number) => void,
  ) {
    this.worker = new Worker(workerScript('./consume-worker.js', import.meta.url), { workerData: settings });
    // Held only while the writer waits for it (`next`, `close`): it never keeps a finished process alive.
    this.worker.unref();
    this.worker.on('message', (m: FromConsumeThread) => this.receive(m));
    this.worker.on('error', (err) => this.fail(new SluiceError('SLUICE_E_WORKER', `${WHAT} failed: ${err.message}`, { cause: err })));
    this.worker.on('exit', (code) => {
      this.exited = true;
      this.wakeCloser?.();
      this.fail(new SluiceError('SLUICE_E_WORKER', `${WHAT} ended (exit code ${code})`));
    });
  }

  /** What the thread sent next; undefined when `stop` fired first. Throws the thread's failure. */
  async next(stop?: AbortSignal): Promise<ConsumeThreadNews | undefined> {
    for (;;) {
      if (this.failure) throw this.failure;
      const m = this.news.shift();
      if (m) return m;
      if (stop?.aborted) return undefined;
      this.worker.ref();
      try {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            stop?.removeEventListener('abort', done);
            this.wakeReader = undefined;
            resolve();
          };
          this.wakeReader = done;
          stop?.addEventListener('abort', done, { once: true });
        });
      } finally {
        this.worker.unref();
      }
    }
  }

  /** Starts consuming; `identity` is the committed cursor's. */
  begin(identity: string): void {
    this.post({ kind: 'begin', identity });
  }

  /** The writer took a chunk or an idle note from `next`: the thread may send one more. */
  took(): void {
    this.post({ kind: 'took' });
  }

  /** Acknowledges the messages of every chunk up to `upTo` (their batches are committed). */
  ack(upTo: number): void {
    this.post({ kind: 'ack', upTo });
  }

  /** Reads no more (a stop); the connection stays for the acks of the last commit. */
  halt(): void {
    this.post({ kind: 'halt' });
  }

  /** Lets the thread send the acks asked for and close its connection, then ends it. */
  close(): Promise<void> {
    this.closing ??= this.end();
    return this.closing;
  }

  private async end(): Promise<void> {
    if (!this.exited) {
      this.worker.ref();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, CLOSE_WAIT_MS);
        this.wakeCloser = () => {
          clearTimeout(timer);
          resolve();
        };
        this.post({ kind: 'close' });
      });
    }
    this.failure ??= new SluiceError('SLUICE_E_WORKER', `${WHAT} was closed`);
    await this.worker.terminate();
  }

  private post(m: ToConsumeThread): void {
    if (!this.exited) this.worker.postMessage(m);
  }

  private receive(m: FromConsumeThread): void {
    switch (m.kind) {
      case 'notice':
        process.stderr.write(`${m.text}\n`);
        return;
      case 'lag':
        this.onLag(m.pending);
        return;
      case 'failed':
        this.fail(fromThreadError(m.error));
        return;
      case 'closed':
        this.wakeCloser?.();
        return;
      default:
        this.news.push(m);
        this.wakeReader?.();
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.wakeReader?.();
  }
}
