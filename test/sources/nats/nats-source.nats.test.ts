import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ParseMessage } from '../../../src/core/parse-message.js';
import { TelemetryBus } from '../../../src/core/telemetry-bus.js';
import { profileByName } from '../../../src/profiles/registry.js';
import { parseNatsUrl } from '../../../src/sinks/nats/nats-url.js';
import { sinkFromUrl } from '../../../src/sinks/registry.js';
import { NatsSource } from '../../../src/sources/nats/nats-source.js';
import { bridgeFile } from '../../helpers/bridge-lines.js';
import { runSluice, tempDir } from '../../helpers/cli.js';
import { NATS_SERVER, natsReachable, natsTestStreams } from '../../helpers/nats.js';
import { waitUntil } from '../../helpers/nats-cli.js';

const available = await natsReachable();

type Chunk = Extract<ParseMessage, { kind: 'chunk' }>;

/** The next chunk (idle notes passed over). */
async function nextChunk(it: AsyncIterator<ParseMessage>): Promise<Chunk> {
  for (;;) {
    const r = await it.next();
    if (r.done) throw new Error('the source ended');
    if (r.value.kind === 'chunk') return r.value;
  }
}

describe.skipIf(!available)('NatsSource (real JetStream, the consume thread)', () => {
  const nats = natsTestStreams();

  it('acknowledges a chunk only when asked after its commit, also after a stop, and hands the cursor of each chunk', { timeout: 60_000 }, async () => {
    const stream = nats.stream('src');
    const dir = tempDir('sluice-nats-source-');
    const file = join(dir, 'bridge_20250101.ndjson');
    writeFileSync(file, bridgeFile(4000, 's1'));
    const published = runSluice(['ingest', file, '--into', `nats://${NATS_SERVER}/${stream}.bridge`, '--no-progress', '--json']);
    expect(JSON.parse(published.stdout)).toMatchObject({ inserted: 4000 });
    expect((await nats.jsm().streams.info(stream)).state.messages).toBeGreaterThan(5); // 500 records (or 1 MB) a message at most

    const profile = profileByName('bridge');
    const sink = await sinkFromUrl(`sqlite:${join(dir, 'central.db')}`, profile, { dryRun: false });
    await sink.open();
    const stop = new AbortController();
    const source = new NatsSource({ address: parseNatsUrl(`nats://${NATS_SERVER}/${stream}`, 'STREAM'), durable: 'd', profile, fetchMax: 2, ackWaitSec: 30 });
    const ackFloor = async (): Promise<number> => (await nats.jsm().consumers.info(stream, 'd')).ack_floor.stream_seq;
    try {
      const it = (await source.open({ sink, scope: 'bridge', stop: stop.signal, bus: new TelemetryBus('consume') }))[Symbol.asyncIterator]();
      const start = (await it.next()).value as ParseMessage;
      if (start.kind !== 'unit-start') throw new Error(`first came ${start.kind}`);
      expect(start.plan).toMatchObject({ cursorKey: `nats|${stream}|d`, identity: '', startOffset: 0 });

      const first = await nextChunk(it);
      expect(first).toMatchObject({ endOffset: 2, endLine: 2, skipped: 0 });
      expect(first.records).toBeGreaterThan(0);
      expect(start.plan.identity).toBe('1-2'); // the cursor written with this chunk's rows
      // Handed, not committed: not acknowledged, however long it waits.
      await new Promise((r) => setTimeout(r, 500));
      expect(await ackFloor()).toBe(0);
      source.ackHanded();
      await waitUntil(async () => (await ackFloor()) === 2, 10_000, 'the first chunk acknowledged');

      const second = await nextChunk(it);
      expect(second).toMatchObject({ endOffset: 4, endLine: 4 });
      expect(start.plan.identity).toBe('1-4');
      // A stop: the source ends; the batch in hand commits, is acknowledged, then the source closes.
      stop.abort();
      expect((await it.next()).done).toBe(true);
      source.ackHanded();
      await source.close();
      // The second chunk's acks went out before the connection closed; what the thread read ahead did not.
      const info = await nats.jsm().consumers.info(stream, 'd');
      expect(info.ack_floor.stream_seq).toBe(4);
    } finally {
      await source.close();
      await sink.close();
    }
  });
  it('waits for a stream that does not exist yet, saying so once, and a stop ends the wait as a clean stop', { timeout: 60_000 }, async () => {
    const stream = nats.stream('late'); // never made
    const dir = tempDir('sluice-nats-source-late-');
    const profile = profileByName('bridge');
    const sink = await sinkFromUrl(`sqlite:${join(dir, 'central.db')}`, profile, { dryRun: false });
    await sink.open();
    const stop = new AbortController();
    const source = new NatsSource({ address: parseNatsUrl(`nats://${NATS_SERVER}/${stream}`, 'STREAM'), durable: 'd', profile, fetchMax: 2, ackWaitSec: 30 });
    const said: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((text: string | Uint8Array) => said.push(String(text)) > 0) as typeof process.stderr.write;
    try {
      const opened = source.open({ sink, scope: 'bridge', stop: stop.signal, bus: new TelemetryBus('consume') });
      await waitUntil(() => said.length > 0, 20_000, 'the notice');
      await new Promise((r) => setTimeout(r, 1500)); // a second try or two
      expect(said).toEqual([`sluice consume: stream ${stream} does not exist yet; waiting for an edge to create it\n`]);
      stop.abort();
      const it = (await opened)[Symbol.asyncIterator]();
      expect((await it.next()).value).toMatchObject({ kind: 'unit-start' });
      expect((await it.next()).done).toBe(true);
    } finally {
      process.stderr.write = write;
      await source.close();
      await sink.close();
    }
  });
});
