import { afterAll, beforeAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';

/** The test NATS server (JetStream on); `NATS_TEST_URL` overrides (`HOST:PORT`). */
export const NATS_SERVER = process.env.NATS_TEST_SERVER ?? '127.0.0.1:4222';

/**
 * Whether NATS with JetStream answers. Outside CI a missing server skips with a one-line reason on
 * stderr; in CI (`CI=true`) it throws, which fails the test file.
 */
export async function natsReachable(server = NATS_SERVER): Promise<boolean> {
  let nc: NatsConnection | undefined;
  try {
    nc = await connect({ servers: server, timeout: 2000, reconnect: false });
    await (await jetstreamManager(nc)).getAccountInfo();
    return true;
  } catch (err) {
    const reason = `no NATS JetStream at ${server} (${(err as Error).message})`;
    if (process.env.CI === 'true') throw new Error(`NATS is required in CI: ${reason}`);
    process.stderr.write(`skipping NATS tests: ${reason}\n`);
    return false;
  } finally {
    await nc?.close().catch(() => undefined);
  }
}

/** A unique stream name (and subject prefix) for one test: `t_<prefix>_<hex>`. */
export function uniqueStream(prefix: string): string {
  return `t_${prefix}_${randomBytes(4).toString('hex')}`;
}

/** A connection and its JetStream manager for checking and cleaning up. */
export async function natsAdmin(server = NATS_SERVER): Promise<{ nc: NatsConnection; jsm: JetStreamManager; close(): Promise<void> }> {
  const nc = await connect({ servers: server });
  const jsm = await jetstreamManager(nc);
  return { nc, jsm, close: () => nc.close() };
}

/** Every message of a stream, as parsed JSON bodies with their headers, in stream order. */
export async function streamMessages(jsm: JetStreamManager, stream: string): Promise<Array<{ seq: number; id: string; body: Record<string, unknown> }>> {
  const info = await jsm.streams.info(stream);
  const out: Array<{ seq: number; id: string; body: Record<string, unknown> }> = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (!m) continue;
    out.push({ seq, id: m.header.get('Nats-Msg-Id'), body: m.json<Record<string, unknown>>() });
  }
  return out;
}

/** Deletes a stream if it exists. */
export async function deleteStream(jsm: JetStreamManager, stream: string): Promise<void> {
  await jsm.streams.delete(stream).catch(() => undefined);
}

/**
 * For a describe block: a JetStream admin connection opened before its tests, and every stream named
 * by `stream(prefix)` deleted after them.
 */
export function natsTestStreams(): { jsm(): JetStreamManager; nc(): NatsConnection; stream(prefix: string): string } {
  let admin: Awaited<ReturnType<typeof natsAdmin>> | undefined;
  const streams: string[] = [];
  beforeAll(async () => {
    admin = await natsAdmin();
  });
  afterAll(async () => {
    if (admin) for (const s of streams) await deleteStream(admin.jsm, s);
    await admin?.close();
  });
  const opened = (): Awaited<ReturnType<typeof natsAdmin>> => {
    if (!admin) throw new Error('natsTestStreams: the admin connection opens before the tests');
    return admin;
  };
  return {
    jsm: () => opened().jsm,
    nc: () => opened().nc,
    stream(prefix) {
      const name = uniqueStream(prefix);
      streams.push(name);
      return name;
    },
  };
}
