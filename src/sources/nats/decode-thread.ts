import type { JsMsg } from '@nats-io/jetstream';
import { Worker } from 'node:worker_threads';
import { SluiceError } from '../../core/errors.js';
import { workerScript } from '../../core/worker-script.js';
import type { DecodeRequest, DecodeResult, FromDecodeThread } from './decode-protocol.js';

/**
 * A thread that turns message bodies into rows (`decode-worker.ts`), so that `sluice consume` parses
 * the next chunk while the writer inserts this one. Requests are answered in the order they were
 * made; a dead thread fails every request.
 */
export class DecodeThread {
  private readonly worker: Worker;
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (r: DecodeResult) => void; reject: (e: Error) => void }>();
  private failure: Error | undefined;

  constructor(profile: string) {
    this.worker = new Worker(workerScript('./decode-worker.js', import.meta.url), { workerData: { profile } });
    this.worker.unref();
    this.worker.on('message', (m: FromDecodeThread) => {
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if ('error' in m) w?.reject(new SluiceError('SLUICE_E_WORKER', `decode thread failed: ${m.error}`));
      else w?.resolve(m);
    });
    this.worker.on('error', (err) => this.fail(new SluiceError('SLUICE_E_WORKER', `decode thread failed: ${err.message}`, { cause: err })));
    this.worker.on('exit', () => this.fail(new SluiceError('SLUICE_E_WORKER', 'decode thread ended')));
  }

  /** The rows of `msgs` (whole messages, in order). */
  decode(msgs: readonly JsMsg[]): Promise<DecodeResult> {
    if (this.failure) return Promise.reject(this.failure);
    let size = 0;
    for (const m of msgs) size += m.data.byteLength;
    const bodies = new Uint8Array(size);
    const lengths = new Int32Array(msgs.length);
    const seqs = new Float64Array(msgs.length);
    let at = 0;
    msgs.forEach((m, i) => {
      bodies.set(m.data, at);
      at += m.data.byteLength;
      lengths[i] = m.data.byteLength;
      seqs[i] = m.seq;
    });
    const req: DecodeRequest = { id: this.next++, bodies, lengths, seqs };
    return new Promise<DecodeResult>((resolve, reject) => {
      this.waiting.set(req.id, { resolve, reject });
      this.worker.postMessage(req, [bodies.buffer, lengths.buffer, seqs.buffer]);
    });
  }

  /** Ends the thread (requests still waiting fail). */
  async close(): Promise<void> {
    this.failure ??= new SluiceError('SLUICE_E_WORKER', 'decode thread closed');
    await this.worker.terminate();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.values()) w.reject(this.failure);
    this.waiting.clear();
  }
}
