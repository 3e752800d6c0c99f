import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSluice, tempDir } from '../../helpers/cli.js';
import { bridgeFile, bridgeLine } from '../../helpers/bridge-lines.js';
import { NATS_SERVER, natsReachable, natsTestStreams } from '../../helpers/nats.js';
import { countRows, spawnSluice, tableDump, waitUntil } from '../../helpers/nats-cli.js';

const available = await natsReachable();

describe.skipIf(!available)('sluice consume (real JetStream)', () => {
  const nats = natsTestStreams();

  it('bridge file → ingest --into nats:// → consume into SQLite equals a direct ingest; re-runs add nothing', { timeout: 150_000 }, async () => {
    const stream = nats.stream('e2e');
    const dir = tempDir('sluice-consume-');
    const file = join(dir, 'bridge_20250101.ndjson');
    // Two sessions, a repeated record (same unique key) and a bad line, as real logs have.
    writeFileSync(file, `${bridgeFile(1800, 's1')}${bridgeFile(1200, 's2')}${bridgeLine(5, 's1')}\nnot json\n`);
    const url = `nats://${NATS_SERVER}/${stream}.bridge`;
    const direct = join(dir, 'direct.db');
    expect(runSluice(['ingest', file, '--db', direct, '--no-progress']).code).toBe(3);
    const published = runSluice(['ingest', file, '--into', url, '--no-progress', '--json']);
    expect(JSON.parse(published.stdout)).toMatchObject({ inserted: 3001, bad: 1 });

    const central = join(dir, 'central.db');
    const consumeArgs = ['consume', `nats://${NATS_SERVER}/${stream}`, '--durable', 'central', '--db', central, '--no-progress', '--ack-wait-sec', '3'];
    // Killed mid-way (SIGKILL: no final commit, no acks), then started again: nothing lost or doubled.
    const first = spawnSluice(consumeArgs);
    await waitUntil(() => countRows(central, 'events') > 200, 20_000, 'the first rows');
    first.proc.kill('SIGKILL');
    await first.ended;
    const second = spawnSluice([...consumeArgs, '--status-file', join(dir, 'status.json')]);
    await waitUntil(() => countRows(central, 'events') === 3000 && existsSync(join(dir, 'status.json')), 20_000, 'every row');
    await new Promise((r) => setTimeout(r, 500));
    second.proc.kill('SIGTERM');
    const secondEnd = await second.ended;
    expect(secondEnd, second.out()).toEqual({ code: 0, signal: null });
    expect(tableDump(central, 'events')).toEqual(tableDump(direct, 'events'));

    // Again: the edge's cursor says the file is done; a lost state republishes with the same ids.
    expect(JSON.parse(runSluice(['ingest', file, '--into', url, '--no-progress', '--json']).stdout)).toMatchObject({ read: 0 });
    const redo = runSluice(['ingest', file, '--into', url, '--state', join(dir, 'lost.db'), '--no-progress', '--json']);
    expect(JSON.parse(redo.stdout)).toMatchObject({ inserted: 0, duplicates: 3001 });
    const messages = (await nats.jsm().streams.info(stream)).state.messages;
    expect(messages).toBeLessThan(100); // each message holds the rows of up to 500 records
    // The durable has nothing left; a new durable replays the stream and adds nothing either.
    for (const durable of ['central', 'replay']) {
      const status = join(dir, `${durable}.status.json`);
      const again = spawnSluice(['consume', `nats://${NATS_SERVER}/${stream}`, '--durable', durable, '--db', central, '--no-progress', '--status-file', status]);
      await waitUntil(() => existsSync(status), 20_000, `consume ${durable} running`);
      // Stopped once the durable has every message delivered and acknowledged (acks follow commits).
      await waitUntil(
        async () => {
          const info = await nats.jsm().consumers.info(stream, durable).catch(() => undefined);
          return info !== undefined && info.num_pending === 0 && info.num_ack_pending === 0 && info.delivered.stream_seq >= messages;
        },
        60_000,
        `durable ${durable} to have acknowledged every message`,
      );
      again.proc.kill('SIGTERM');
      expect((await again.ended).code, again.out()).toBe(0);
      expect(again.out(), durable).toMatch(durable === 'central' ? /0 inserted/ : /0 inserted, 3001 duplicates/);
    }
    expect(tableDump(central, 'events')).toEqual(tableDump(direct, 'events'));
  });

  it('skips messages of another profile and dead-letters a message that is not a row', async () => {
    const stream = nats.stream('mixed');
    const dir = tempDir('sluice-consume-mixed-');
    writeFileSync(join(dir, 'b.ndjson'), bridgeFile(10));
    expect(runSluice(['ingest', join(dir, 'b.ndjson'), '--into', `nats://${NATS_SERVER}/${stream}.bridge`, '--no-progress']).code).toBe(0);
    const { jetstream } = await import('@nats-io/jetstream');
    const { headers } = await import('@nats-io/transport-node');
    const js = jetstream(nats.nc());
    const h = headers();
    h.set('Sluice-Profile', 'cowrie');
    await js.publish(`${stream}.bridge`, '{"table":"cowrie_events"}', { headers: h });
    await js.publish(`${stream}.bridge`, 'not json');
    const db = join(dir, 'c.db');
    const c = spawnSluice(['consume', `nats://${NATS_SERVER}/${stream}`, '--durable', 'x', '--db', db, '--no-progress']);
    await waitUntil(() => countRows(db, 'events') === 10, 15_000, 'the rows');
    await new Promise((r) => setTimeout(r, 500));
    c.proc.kill('SIGTERM');
    expect((await c.ended).code).toBe(0);
    expect(c.out()).toMatch(/10 inserted, 0 duplicates, 1 bad, 1 skipped/);
  });
});
