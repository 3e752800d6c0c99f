import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSluice, SHARED_DATA, tempDir } from '../../helpers/cli.js';
import { bridgeLine } from '../../helpers/bridge-lines.js';
import { natsReachable } from '../../helpers/nats.js';
import { countRows, spawnSluice, tableDump, waitUntil, type Child } from '../../helpers/nats-cli.js';

/** Real Cowrie logs: two days of one sensor, rotated name then the live file. */
const COWRIE = join(SHARED_DATA, 'cowrie/kareiva-2018');
const NATS_BIN = '/usr/sbin/nats-server';
const PORT = 4223 + Math.floor(Math.random() * 500);
const SERVER = `127.0.0.1:${PORT}`;
const store = tempDir('sluice-nats-store-');
let server: ChildProcess | undefined;

/** Starts (or restarts) this test's own nats-server, with its store in a temp folder. */
async function startServer(): Promise<void> {
  server = spawn(NATS_BIN, ['-a', '127.0.0.1', '-p', String(PORT), '-js', '-sd', store], { stdio: 'ignore' });
  await waitUntil(() => natsReachable(SERVER).catch(() => false), 10_000, 'nats-server');
}

async function stopServer(): Promise<void> {
  const s = server;
  server = undefined;
  if (!s || s.exitCode !== null) return;
  const ended = new Promise((r) => s.on('exit', r));
  s.kill('SIGKILL');
  await ended;
}

const missing = !existsSync(NATS_BIN) ? `no ${NATS_BIN}` : !existsSync(join(COWRIE, 'cowrie.json.2018-05-17')) ? `no Cowrie sample logs in ${COWRIE}` : undefined;
if (missing && process.env.CI === 'true') throw new Error(`required in CI: ${missing}`);
if (missing) process.stderr.write(`skipping the NATS edge test: ${missing}\n`);

describe.skipIf(missing !== undefined)('three edges → NATS → the centre, with crashes and a NATS restart', () => {
  const children: Child[] = [];
  afterAll(async () => {
    for (const c of children) c.proc.kill('SIGKILL');
    await stopServer();
  });

  it('ends with every table equal to a single-process ingest of the same files', { timeout: 120_000 }, async () => {
    await startServer();
    const dir = tempDir('sluice-nats-edges-');
    const edges = ['e1', 'e2', 'e3'].map((e) => join(dir, e));
    for (const e of edges) mkdirSync(e);
    const [e1, e2, e3] = edges as [string, string, string];
    const cowrieLines = [
      ...readFileSync(join(COWRIE, 'cowrie.json.2018-05-17'), 'utf8').split('\n').filter((l) => l !== '').slice(0, 800).map((l) => ['cowrie.json.2018-05-17', l] as const),
      ...readFileSync(join(COWRIE, 'cowrie.json.2018-05-18'), 'utf8').split('\n').filter((l) => l !== '').slice(0, 800).map((l) => ['cowrie.json', l] as const),
    ];
    const url = (subject: string): string => `nats://${SERVER}/${subject}`;
    const follow = (edge: string, pattern: string, profile: string): Child => {
      const c = spawnSluice(['follow', join(edge, pattern), '--profile', profile, '--into', url(`sluice.${profile}.${edge.slice(-2)}`), '--idle-close-sec', '1', '--no-progress']);
      children.push(c);
      return c;
    };
    const consume = (profile: string, db: string): Child => {
      const c = spawnSluice(['consume', url('sluice'), '--durable', `central-${profile}`, '--profile', profile, '--db', db, '--ack-wait-sec', '3', '--no-progress']);
      children.push(c);
      return c;
    };
    const centralBridge = join(dir, 'central-bridge.db');
    const centralCowrie = join(dir, 'central-cowrie.db');

    // Writers: each bridge edge rolls over to a second day half-way; the sensor rotates its log.
    let written = 0;
    const writeSome = (n: number): void => {
      for (let i = 0; i < n; i++, written++) {
        const day = written < 1000 ? '20250101' : '20250102';
        appendFileSync(join(e1, `bridge_${day}.ndjson`), `${bridgeLine(written, 'edge1')}\n`);
        appendFileSync(join(e2, `bridge_${day}.ndjson`), `${bridgeLine(written, 'edge2')}\n`);
        const c = cowrieLines[written];
        if (c) appendFileSync(join(e3, c[0]), `${c[1]}\n`);
      }
    };
    writeSome(300);
    let f1 = follow(e1, 'bridge_{YYYYMMDD}.ndjson', 'bridge');
    follow(e2, 'bridge_{YYYYMMDD}.ndjson', 'bridge');
    follow(e3, 'cowrie.json*', 'cowrie');
    let cb = consume('bridge', centralBridge);
    consume('cowrie', centralCowrie);
    await waitUntil(() => countRows(centralBridge, 'events') > 0, 20_000, 'the first rows at the centre');

    // An edge and a consumer are SIGKILLed at once, and come back.
    writeSome(300);
    f1.proc.kill('SIGKILL');
    cb.proc.kill('SIGKILL');
    await Promise.all([f1.ended, cb.ended]);
    writeSome(200);
    f1 = follow(e1, 'bridge_{YYYYMMDD}.ndjson', 'bridge');
    cb = consume('bridge', centralBridge);
    // The edge is running again (its stream opened) before NATS goes away: a service that cannot reach
    // its sink at start fails at once, by design, rather than wait on a typo'd address.
    await waitUntil(() => /following /.test(f1.out()), 20_000, 'edge 1 running again');

    // NATS restarts under everyone.
    writeSome(200);
    await new Promise((r) => setTimeout(r, 500));
    await stopServer();
    writeSome(300);
    await new Promise((r) => setTimeout(r, 1000));
    await startServer();

    // The centre is down for a while; the edges go on, then it catches up.
    const consumers = children.filter((c) => c.proc.spawnargs.includes('consume') && c.proc.exitCode === null);
    for (const c of consumers) c.proc.kill('SIGKILL');
    writeSome(400);
    await new Promise((r) => setTimeout(r, 1500));
    consume('bridge', centralBridge);
    consume('cowrie', centralCowrie);
    writeSome(300);

    // What a single process makes of the same files.
    const directBridge = join(dir, 'direct-bridge.db');
    const directCowrie = join(dir, 'direct-cowrie.db');
    await waitUntil(
      () => {
        writeFileSync(
          join(dir, 'debug.txt'),
          `${[countRows(centralBridge, 'events'), countRows(directBridge, 'events'), countRows(centralCowrie, 'cowrie_events'), countRows(directCowrie, 'cowrie_events')].join(' ')}\n` +
            children.map((c) => `--- ${c.proc.spawnargs.slice(2, 4).join(' ')} exit=${c.proc.exitCode}\n${c.out()}`).join('\n'),
        );
        runSluice(['ingest', join(e1, 'bridge_*.ndjson'), join(e2, 'bridge_*.ndjson'), '--db', directBridge, '--no-progress']);
        runSluice(['ingest', join(e3, 'cowrie.json*'), '--profile', 'cowrie', '--db', directCowrie, '--no-progress']);
        return countRows(centralBridge, 'events') === countRows(directBridge, 'events') && countRows(centralCowrie, 'cowrie_events') === countRows(directCowrie, 'cowrie_events');
      },
      60_000,
      'the centre to catch up',
    );
    expect(countRows(directBridge, 'events')).toBe(2 * written);
    expect(tableDump(centralBridge, 'events')).toEqual(tableDump(directBridge, 'events'));
    expect(tableDump(centralCowrie, 'cowrie_events')).toEqual(tableDump(directCowrie, 'cowrie_events'));
    expect(tableDump(centralCowrie, 'session_metrics')).toEqual(tableDump(directCowrie, 'session_metrics'));
  });
});
