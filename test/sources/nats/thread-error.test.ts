import { describe, expect, it } from 'vitest';
import { SluiceError } from '../../../src/core/errors.js';
import { isTransientNatsError } from '../../../src/sinks/nats/connection.js';
import { fromThreadError, toThreadError } from '../../../src/sources/nats/thread-error.js';

/** Through a real structured clone, as a message between threads carries it. */
const across = (err: unknown): Error => fromThreadError(structuredClone(toThreadError(err)));

describe('errors from the consume thread', () => {
  it('keep the NATS client error names, so a lost connection still reads as transient', () => {
    const lost = new Error('the server went away');
    lost.name = 'ConnectionError';
    const wrapped = new Error('consume failed', { cause: lost });
    // What a plain structured clone would have made of it: not transient, so the job would not reconnect.
    expect(isTransientNatsError(structuredClone(wrapped))).toBe(false);
    const back = across(wrapped);
    expect(isTransientNatsError(back)).toBe(true);
    expect(back.message).toBe('consume failed');
    expect((back.cause as Error).name).toBe('ConnectionError');
  });

  it('keep a SluiceError code and message; a request error stays not transient', () => {
    const back = across(new SluiceError('SLUICE_E_SOURCE', 'the NATS consumer stopped delivering'));
    expect(back).toBeInstanceOf(SluiceError);
    expect((back as SluiceError).code).toBe('SLUICE_E_SOURCE');
    expect(back.message).toBe('the NATS consumer stopped delivering');
    const wrong = new Error('stream not found');
    wrong.name = 'JetStreamApiError';
    expect(isTransientNatsError(across(wrong))).toBe(false);
    expect(across('a string').message).toBe('a string');
  });

  it('keep a SluiceError cause, so the user reads the hint the thread meant', () => {
    const back = across(new SluiceError('SLUICE_E_SOURCE', 'the server dropped the consumer', { because: 'lost_connection' }));
    expect((back as SluiceError).because).toBe('lost_connection');
    expect((back as SluiceError).hint).toMatch(/Nothing committed is lost/);
    expect((across(new SluiceError('SLUICE_E_SOURCE', 'no cause')) as SluiceError).because).toBeUndefined();
  });
});
