import { describe, expect, it } from 'vitest';
import { SluiceError } from '../../../src/core/errors.js';
import { parseNatsUrl } from '../../../src/sinks/nats/nats-url.js';
import { ConsumeThread } from '../../../src/sources/nats/consume-thread.js';

describe('ConsumeThread', () => {
  it('a thread that dies fails the next read with SLUICE_E_WORKER, naming the consume thread and why', async () => {
    // An unknown profile throws as the thread starts, before it connects anywhere.
    const thread = new ConsumeThread({ address: parseNatsUrl('nats://127.0.0.1:1/none', 'STREAM'), durable: 'd', profile: 'no-such-profile', fetchMax: 10, ackWaitSec: 30 }, () => undefined);
    try {
      const err = await thread.next().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SluiceError);
      expect(err).toMatchObject({ code: 'SLUICE_E_WORKER' });
      expect((err as Error).message).toMatch(/^the consume thread \(NATS client and message decoding\) failed: .*no-such-profile/);
    } finally {
      await thread.close();
    }
  });
});
