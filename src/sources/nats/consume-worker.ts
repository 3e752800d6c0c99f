import { parentPort, workerData } from 'node:worker_threads';
import { profileByName } from '../../profiles/registry.js';
import type { ConsumeThreadSettings, FromConsumeThread, ToConsumeThread } from './consume-protocol.js';
import { JetStreamReader } from './jetstream-reader.js';
import { toThreadError } from './thread-error.js';

/**
 * The consume thread of `sluice consume`: the NATS client (protocol, messages, acks) and the decoding
 * of message bodies into rows run here, so the main thread does nothing but insert the rows it is
 * sent and commit. See `JetStreamReader` for what is read and when it is acknowledged.
 */
function serve(port: NonNullable<typeof parentPort>, settings: ConsumeThreadSettings): void {
  const send = (m: FromConsumeThread, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
  const failed = (err: unknown): void => send({ kind: 'failed', error: toThreadError(err) });
  const reader = new JetStreamReader(settings, profileByName(settings.profile), send);
  reader.open().then(() => send({ kind: 'ready' }), failed);
  port.on('message', (m: ToConsumeThread) => {
    switch (m.kind) {
      case 'begin':
        reader.run(m.identity).catch(failed);
        break;
      case 'took':
        reader.took();
        break;
      case 'ack':
        // The batch is committed whatever happens here: a message not acknowledged comes again and is skipped.
        try {
          reader.ack(m.upTo);
        } catch (err) {
          failed(err);
        }
        break;
      case 'halt':
        reader.halt();
        break;
      case 'close':
        void reader.close().then(() => send({ kind: 'closed' }));
        break;
    }
  });
}

if (parentPort) serve(parentPort, workerData as ConsumeThreadSettings);
