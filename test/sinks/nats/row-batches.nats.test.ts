import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSluice, tempDir } from '../../helpers/cli.js';
import { bridgeFile } from '../../helpers/bridge-lines.js';
import { NATS_SERVER, natsReachable, natsTestStreams, streamMessages } from '../../helpers/nats.js';
import { spawnSluice, waitUntil } from '../../helpers/nats-cli.js';

const available = await natsReachable();

/** What the sqlite3 shell prints for `sql` (the oracle). */
function sqlite3(db: string, sql: string): string {
  const r = spawnSync('sqlite3', ['-readonly', db, sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3 ${sql}: ${r.stderr}`);
  return r.stdout.trim();
}

describe.skipIf(!available)('NATS sink: several records per message (real JetStream)', () => {
  const nats = natsTestStreams();

  it('a message holds the rows of consecutive records; a redo cut another way stores each row once at the centre', { timeout: 60_000 }, async () => {
    const stream = nats.stream('batch');
    const dir = tempDir('sluice-nats-batch-');
    const file = join(dir, 'bridge_20250101.ndjson');
    const url = `nats://${NATS_SERVER}/${stream}.bridge?recordsPerMessage=200`;

    // The edge publishes 300 records: records 1–200 and 201–300, two messages.
    writeFileSync(file, bridgeFile(300));
    const first = runSluice(['ingest', file, '--into', url, '--no-progress', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ inserted: 300, duplicates: 0 });
    const msgs = await streamMessages(nats.jsm(), stream);
    expect(msgs.map((m) => (m.body.rows as unknown[]).length)).toEqual([200, 100]);
    const one = msgs[0]?.body as { table: string; columns: string[]; rows: unknown[][] };
    expect(one.table).toBe('events');
    const row7 = Object.fromEntries(one.columns.map((c, i) => [c, one.rows[7]?.[i]]));
    expect(row7).toMatchObject({ seq: 7, session_id: 's1', type: 'event', plate: 'P0', pid: 42 });

    // The file grows and the edge's state is lost (a crash before the cursor was saved): everything
    // goes out again from the start. Records 1–200 make the same message (same id: dropped); 201–400
    // is cut otherwise than 201–300 was, so it is a new message holding 100 rows the stream has.
    writeFileSync(file, bridgeFile(500));
    const redo = runSluice(['ingest', file, '--into', url, '--state', join(dir, 'lost.state.db'), '--no-progress', '--json']);
    expect(redo.code, redo.stderr).toBe(0);
    expect(JSON.parse(redo.stdout)).toMatchObject({ inserted: 300, duplicates: 200 });
    const after = await streamMessages(nats.jsm(), stream);
    expect(after.map((m) => (m.body.rows as unknown[]).length)).toEqual([200, 100, 200, 100]);
    expect(new Set(after.map((m) => m.id)).size).toBe(4);

    // The centre: 600 rows arrive for 500 records; the table's unique key keeps each once.
    const central = join(dir, 'central.db');
    const status = join(dir, 'status.json');
    const consume = spawnSluice(['consume', `nats://${NATS_SERVER}/${stream}`, '--durable', 'centre', '--db', central, '--no-progress', '--status-file', status]);
    await waitUntil(
      async () => {
        const info = await nats.jsm().consumers.info(stream, 'centre').catch(() => undefined);
        return existsSync(status) && info !== undefined && info.num_pending === 0 && info.num_ack_pending === 0 && info.delivered.stream_seq >= 4;
      },
      30_000,
      'every message consumed and acknowledged',
    );
    consume.proc.kill('SIGTERM');
    expect((await consume.ended).code, consume.out()).toBe(0);
    expect(consume.out()).toMatch(/500 inserted, 100 duplicates/);
    expect(sqlite3(central, 'SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM events')).toBe('500|500|0|499');

    const direct = join(dir, 'direct.db');
    expect(runSluice(['ingest', file, '--db', direct, '--no-progress']).code).toBe(0);
    const dump = (db: string): string => sqlite3(db, 'SELECT seq, ts_ms, type, msg, plate, t_rel_ms, session_id, pid, schema, data_json FROM events ORDER BY session_id, seq');
    expect(dump(central)).toBe(dump(direct));
  });
});
