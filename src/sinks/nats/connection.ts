import type { NatsConnection } from '@nats-io/transport-node';
import { SluiceError } from '../../core/errors.js';
import type { NatsAddress } from './nats-url.js';

/** How long a connection attempt may take before it counts as failed, in ms. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * Connects to the server of `address`, reconnecting for ever once connected (a restarting server or
 * a dropped link is waited out by the client; requests made meanwhile fail and are retried by the
 * caller). The client is loaded only for NATS runs.
 */
export async function connectNats(address: NatsAddress, name: string): Promise<NatsConnection> {
  const { connect } = await import('@nats-io/transport-node');
  try {
    return await connect({
      servers: address.server,
      name,
      user: address.user,
      pass: address.pass,
      timeout: CONNECT_TIMEOUT_MS,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      reconnectJitter: 100,
      pingInterval: 10_000,
    });
  } catch (err) {
    throw new SluiceError('SLUICE_E_SINK', `cannot reach NATS at ${address.display}: ${messageOf(err)} (is nats-server running with -js?)`, { cause: err });
  }
}

/** Error names of the client that mean "the link or the server is away", not "the request is wrong". */
const TRANSIENT_NAMES = new Set([
  'ConnectionError',
  'ClosedConnectionError',
  'DrainingConnectionError',
  'TimeoutError',
  'NoRespondersError',
  'RequestError',
  'JetStreamNotEnabled',
]);

const TRANSIENT_TEXT = /heartbeats missed|consumer deleted|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|timeout|disconnect|connection (closed|draining)|no responders|cannot reach NATS|503/i;

/**
 * Whether `err` (or an error it wraps) means NATS was unreachable or restarting. Such a failure is
 * retried: every publish carries its `Nats-Msg-Id`, every ack follows a commit, so a redo is safe.
 */
export function isTransientNatsError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (TRANSIENT_NAMES.has(e.name) || TRANSIENT_NAMES.has(e.constructor.name)) return true;
    if (TRANSIENT_TEXT.test(e.message)) return true;
  }
  return false;
}

/** The first line of an error's message. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
}
