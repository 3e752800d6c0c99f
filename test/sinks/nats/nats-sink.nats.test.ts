import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSluice } from '../../helpers/cli.js';
import { bridgeFile, bridgeLine } from '../../helpers/bridge-lines.js';
import { NATS_SERVER, natsReachable, natsTestStreams, streamMessages } from '../../helpers/nats.js';

const available = await natsReachable();

describe.skipIf(!available)('NATS sink (real JetStream)', () => {
  const nats = natsTestStreams();

  it('with ?recordsPerMessage=1 publishes each row as JSON with a deterministic Nats-Msg-Id; a redo is dropped as duplicates', async () => {
    const stream = nats.stream('sink');
    const dir = mkdtempSync(join(tmpdir(), 'sluice-nats-sink-'));
    const file = join(dir, 'bridge_20250101.ndjson');
    writeFileSync(file, `${bridgeFile(300)}not json\n`);
    const url = `nats://${NATS_SERVER}/${stream}.bridge?recordsPerMessage=1`;

    const first = runSluice(['ingest', file, '--into', url, '--no-progress', '--json']);
    expect(first.stderr).not.toMatch(/Error/);
    expect(first.code).toBe(3); // one dead-lettered line
    expect(JSON.parse(first.stdout)).toMatchObject({ read: 301, inserted: 300, duplicates: 0, bad: 1 });

    const info = await nats.jsm().streams.info(stream);
    expect(info.config.subjects).toEqual([`${stream}.bridge`]);
    expect(info.config.storage).toBe('file');
    expect(info.config.duplicate_window).toBe(120 * 1e9);
    const msgs = await streamMessages(nats.jsm(), stream);
    expect(msgs).toHaveLength(300);
    const one = msgs[7];
    expect(one?.body).toMatchObject({ table: 'events', seq: 7, session_id: 's1', type: 'event', plate: 'P0', pid: 42 });
    expect(JSON.parse(String(one?.body.data_json))).toEqual({ amp: 10.5 });
    expect(new Set(msgs.map((m) => m.id)).size).toBe(300);

    // The cursor is in the state file beside the input: nothing is read again.
    const again = runSluice(['ingest', file, '--into', url, '--no-progress', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ read: 0, units_skipped: 1 });

    // Without the state (a crash before the cursor was saved) every row is published again, with the
    // same ids: JetStream drops them all.
    const redo = runSluice(['ingest', file, '--into', url, '--state', join(dir, 'other.state.db'), '--no-progress', '--json']);
    expect(JSON.parse(redo.stdout)).toMatchObject({ read: 301, inserted: 0, duplicates: 300 });
    expect((await nats.jsm().streams.info(stream)).state.messages).toBe(300);

    // The same file grown: only the new lines go out.
    writeFileSync(file, `${bridgeFile(300)}not json\n${bridgeLine(300)}\n`);
    const grown = runSluice(['ingest', file, '--into', url, '--no-progress', '--json']);
    expect(JSON.parse(grown.stdout)).toMatchObject({ read: 1, inserted: 1, duplicates: 0 });
    expect((await nats.jsm().streams.info(stream)).state.messages).toBe(301);
  });

  it('adds its subject to an existing stream and honours --stream', async () => {
    const stream = nats.stream('shared');
    const dir = mkdtempSync(join(tmpdir(), 'sluice-nats-shared-'));
    writeFileSync(join(dir, 'a.ndjson'), bridgeFile(5, 'a'));
    writeFileSync(join(dir, 'b.ndjson'), bridgeFile(4, 'b'));
    const a = runSluice(['ingest', join(dir, 'a.ndjson'), '--into', `nats://${NATS_SERVER}/edge1.bridge?stream=${stream}`, '--state', join(dir, 'a.db'), '--no-progress']);
    expect(a.code, a.stderr).toBe(0);
    const b = runSluice(['ingest', join(dir, 'b.ndjson'), '--into', `nats://${NATS_SERVER}/edge2.bridge?stream=${stream}`, '--state', join(dir, 'b.db'), '--no-progress']);
    expect(b.code, b.stderr).toBe(0);
    const info = await nats.jsm().streams.info(stream);
    expect(info.config.subjects).toEqual(['edge1.bridge', 'edge2.bridge']);
    expect(info.state.messages).toBe(2); // one message of rows per file
  });

  it('spool into NATS keeps its state in a file named for the profile and the subject', async () => {
    const stream = nats.stream('spool');
    const work = mkdtempSync(join(tmpdir(), 'sluice-nats-spool-'));
    const units = join(work, 'units');
    mkdirSync(units);
    writeFileSync(join(units, 'bridge_20250101.ndjson'), bridgeFile(7, 'a'));
    writeFileSync(join(units, 'bridge_20250102.ndjson'), bridgeFile(5, 'b'));
    const args = ['spool', '--profile', 'bridge', '--from', units, '--mode', 'once', '--into', `nats://${NATS_SERVER}/${stream}.bridge`, '--no-progress'];
    const env = { SPOOL_STATE_FILE: undefined, MEGASTREAM_STATE_FILE: undefined };
    const r = runSluice(args, { cwd: work, env });
    expect(r.code, r.stderr).toBe(0);
    const state = join(work, `sluice-spool-bridge-to-${stream}.bridge.state.db`);
    expect(existsSync(state)).toBe(true);
    expect(existsSync(join(work, 'sluice-posts-state.db'))).toBe(false);
    expect((await nats.jsm().streams.info(stream)).state.messages).toBe(2); // one message of rows per unit
    // The ledger in it says both units are done: a second run publishes nothing.
    expect(runSluice(args, { cwd: work, env }).code).toBe(0);
    expect((await nats.jsm().streams.info(stream)).state.messages).toBe(2);
    const ledger = spawnSync('sqlite3', ['-readonly', state, "SELECT count(*) FROM sqlite_master WHERE name LIKE '%ledger%' OR name LIKE '%unit%'"], { encoding: 'utf8' });
    expect(Number(ledger.stdout.trim())).toBeGreaterThan(0);
  });

  it('says what is wrong when NATS cannot be reached', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-nats-down-'));
    writeFileSync(join(dir, 'a.ndjson'), bridgeFile(2));
    const r = runSluice(['ingest', join(dir, 'a.ndjson'), '--into', 'nats://127.0.0.1:1/x.y', '--no-progress']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot reach NATS at nats:\/\/127\.0\.0\.1:1\/x\.y/);
  });
});
