import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSluice, SHARED_DATA, tempDir } from '../../helpers/cli.js';
import { bridgeLine } from '../../helpers/bridge-lines.js';
import { natsAdmin, natsReachable } from '../../helpers/nats.js';
import { countRows, spawnSluice, waitUntil, type Child } from '../../helpers/nats-cli.js';
import { postgresReachable, testSchema, type TestSchema } from '../../helpers/pg-test-db.js';
import { mulberry32 } from '../../helpers/prng.js';

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

/** A table as the sqlite3 shell prints it (every column but the row id, quoted), sorted: the oracle. */
function sqlite3Dump(db: string, table: string): string[] {
  const cols = sh('sqlite3', ['-readonly', db, `SELECT name FROM pragma_table_info('${table}') WHERE name <> 'id' ORDER BY cid`]);
  return sh('sqlite3', ['-readonly', '-cmd', '.mode quote', db, `SELECT ${cols.map((c) => `"${c}"`).join(',')} FROM "${table}"`]).sort();
}

/** A table as psql's COPY prints it (every column but the row id), sorted: the oracle. */
function psqlDump(schema: TestSchema, table: string): string[] {
  const base = schema.url.replace(/\?.*$/, '');
  const cols = sh('psql', [base, '-XAt', '-c', `SELECT column_name FROM information_schema.columns WHERE table_schema = '${schema.name}' AND table_name = '${table}' AND column_name <> 'id' ORDER BY ordinal_position`]);
  return sh('psql', [base, '-XAt', '-c', `COPY (SELECT ${cols.map((c) => `"${c}"`).join(',')} FROM "${schema.name}"."${table}") TO STDOUT`]).sort();
}

function psqlCount(schema: TestSchema, table: string): number {
  const r = spawnSync('psql', [schema.url.replace(/\?.*$/, ''), '-XAt', '-c', `SELECT count(*) FROM "${schema.name}"."${table}"`], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.trim()) : 0;
}

function sh(cmd: string, args: string[]): string[] {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '');
}

const pgUp = await postgresReachable();
const missing = !existsSync(NATS_BIN)
  ? `no ${NATS_BIN}`
  : !existsSync(join(COWRIE, 'cowrie.json.2018-05-17'))
    ? `no Cowrie sample logs in ${COWRIE}`
    : !pgUp
      ? 'no PostgreSQL'
      : undefined;
if (missing && process.env.CI === 'true') throw new Error(`required in CI: ${missing}`);
if (missing) process.stderr.write(`skipping the NATS edge test: ${missing}\n`);

describe.skipIf(missing !== undefined)('three edges → NATS → the centre (two PostgreSQL consumers, one SQLite), with crashes and a NATS restart', () => {
  const children: Child[] = [];
  const schemas: TestSchema[] = [];
  afterAll(async () => {
    for (const c of children) c.proc.kill('SIGKILL');
    await stopServer();
    for (const s of schemas) await s.drop().catch(() => undefined);
  });

  it('ends with every table equal to a single-process ingest of the same files into that sink', { timeout: 150_000 }, async () => {
    await startServer();
    const t0 = Date.now();
    const phase = (what: string): void => void process.stderr.write(`edges-chaos: ${what} at ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    const random = mulberry32(Number(process.env.SLUICE_CHAOS_SEED ?? Date.now() % 1e9));
    const dir = tempDir('sluice-nats-edges-');
    const edges = ['e1', 'e2', 'e3'].map((e) => join(dir, e));
    for (const e of edges) mkdirSync(e);
    const [e1, e2, e3] = edges as [string, string, string];
    const cowrieLines = [
      ...readFileSync(join(COWRIE, 'cowrie.json.2018-05-17'), 'utf8').split('\n').filter((l) => l !== '').slice(0, 900).map((l) => ['cowrie.json.2018-05-17', l] as const),
      ...readFileSync(join(COWRIE, 'cowrie.json.2018-05-18'), 'utf8').split('\n').filter((l) => l !== '').slice(0, 900).map((l) => ['cowrie.json', l] as const),
    ];
    const central = testSchema('t_nats_central');
    const directPg = testSchema('t_nats_direct');
    schemas.push(central, directPg);
    const centralCowrie = join(dir, 'central-cowrie.db');
    const url = (subject: string): string => `nats://${SERVER}/${subject}`;

    // Every process by role, so a killed one is started again with the same arguments.
    const roles: Record<string, string[]> = {
      f1: ['follow', join(e1, 'bridge_{YYYYMMDD}.ndjson'), '--profile', 'bridge', '--into', url('sluice.bridge.e1'), '--idle-close-sec', '1'],
      f2: ['follow', join(e2, 'bridge_{YYYYMMDD}.ndjson'), '--profile', 'bridge', '--into', url('sluice.bridge.e2'), '--idle-close-sec', '1'],
      f3: ['follow', join(e3, 'cowrie.json*'), '--profile', 'cowrie', '--into', url('sluice.cowrie.e3'), '--idle-close-sec', '1'],
      pg1: ['consume', url('sluice'), '--durable', 'central-pg', '--profile', 'bridge', '--into', central.url, '--ack-wait-sec', '3'],
      pg2: ['consume', url('sluice'), '--durable', 'central-pg', '--profile', 'bridge', '--into', central.url, '--ack-wait-sec', '3'],
      sq: ['consume', url('sluice'), '--durable', 'central-cowrie', '--profile', 'cowrie', '--db', centralCowrie, '--ack-wait-sec', '3'],
    };
    const running = new Map<string, Child>();
    const statusOf = (role: string): string => join(dir, `${role}.status.json`);
    const start = (role: string): Child => {
      rmSync(statusOf(role), { force: true });
      // Consumers on one host each need their own dead-letter file (one writer per file).
      const status = role.startsWith('f') ? [] : ['--status-file', statusOf(role), '--dead-letter', join(dir, `${role}.dead-letter.ndjson`)];
      const c = spawnSluice([...(roles[role] ?? []), ...status, '--no-progress']);
      children.push(c);
      running.set(role, c);
      return c;
    };
    /** Past its connect: a process that cannot reach NATS at start fails at once, by design. */
    const ready = (role: string): boolean => {
      const c = running.get(role);
      if (!c || c.proc.exitCode !== null) throw new Error(`${role} ended: ${c?.out() ?? ''}`);
      if (role.startsWith('f')) return /following /.test(c.out());
      try {
        return (JSON.parse(readFileSync(statusOf(role), 'utf8')) as { phase?: string }).phase === 'consuming';
      } catch {
        return false;
      }
    };

    let written = 0;
    const writeSome = (n: number): void => {
      for (let i = 0; i < n; i++, written++) {
        const day = written < 1100 ? '20250101' : '20250102';
        appendFileSync(join(e1, `bridge_${day}.ndjson`), `${bridgeLine(written, 'edge1')}\n`);
        appendFileSync(join(e2, `bridge_${day}.ndjson`), `${bridgeLine(written, 'edge2')}\n`);
        const c = cowrieLines[written];
        if (c) appendFileSync(join(e3, c[0]), `${c[1]}\n`);
      }
    };
    const centreRows = (): number => psqlCount(central, 'events') + countRows(centralCowrie, 'cowrie_events');

    writeSome(200);
    for (const r of ['f1', 'f2', 'f3', 'pg1', 'sq']) start(r);
    await waitUntil(() => psqlCount(central, 'events') > 0 && countRows(centralCowrie, 'cowrie_events') > 0, 30_000, 'the first rows at the centre');
    phase('first rows');
    start('pg2'); // after pg1 made the tables; both share the durable

    // Random SIGKILLs while the writers append; each victim is started again at once.
    const kills: Array<{ role: string; signal: NodeJS.Signals | null; centreBefore: number }> = [];
    const kill = async (role: string): Promise<void> => {
      const c = running.get(role);
      if (!c) return;
      const centreBefore = centreRows();
      c.proc.kill('SIGKILL');
      const end = await c.ended;
      kills.push({ role, signal: end.signal, centreBefore });
      start(role); // not waited for: starts overlap; `allRunning` waits before NATS goes away
    };
    const allRunning = async (): Promise<void> => {
      await Promise.all([...running.keys()].map((role) => waitUntil(() => ready(role), 30_000, `${role} running`)));
    };
    const round = async (): Promise<void> => {
      writeSome(60 + Math.floor(random() * 80));
      await new Promise((r) => setTimeout(r, 150 + random() * 400));
      const roles = [...running.keys()];
      await kill(roles[Math.floor(random() * roles.length)] ?? 'f1');
    };
    for (let i = 0; i < 4; i++) await round();
    await kill('f1'); // at least one edge and one consumer of each sink
    await kill('pg1');
    await kill('sq');
    phase('kills done');

    // NATS restarts under everyone (all running: see `ready`).
    writeSome(150);
    await allRunning();
    phase('all running; NATS restarts');
    await new Promise((r) => setTimeout(r, 300));
    await stopServer();
    writeSome(200);
    await new Promise((r) => setTimeout(r, 1000));
    await startServer();
    for (let i = 0; i < 3; i++) await round();

    // The centre is down; the edges go on (the stream grows), then the centre catches up.
    for (const r of ['pg1', 'pg2', 'sq']) {
      running.get(r)?.proc.kill('SIGKILL');
      await running.get(r)?.ended;
      running.delete(r);
    }
    const admin = await natsAdmin(SERVER);
    /** The highest `seq` in the last message on `subject` (a message holds the rows of several records). */
    const lastSeqOn = async (subject: string): Promise<number> => {
      const m = await admin.jsm.streams.getMessage('sluice', { last_by_subj: subject }).catch(() => null);
      if (!m) return -1;
      const body = m.json<{ columns?: string[]; rows?: unknown[][]; seq?: number }>();
      if (!body.rows || !body.columns) return Number(body.seq ?? -1);
      const at = body.columns.indexOf('seq');
      return Math.max(...body.rows.map((r) => Number(r[at])));
    };
    writeSome(400);
    const lastLine = written - 1; // each bridge edge's line `n` has seq n
    await waitUntil(async () => (await lastSeqOn('sluice.bridge.e1')) >= lastLine && (await lastSeqOn('sluice.bridge.e2')) >= lastLine, 30_000, 'the edges to publish with the centre down');
    await admin.close();
    phase('edges published with the centre down');
    for (const r of ['pg1', 'pg2', 'sq']) start(r);
    writeSome(Math.max(0, cowrieLines.length - written)); // the sensor's logs to their end

    // What a single process makes of the same files, into the same kind of sink.
    const directCowrie = join(dir, 'direct-cowrie.db');
    expect(runSluice(['ingest', join(e1, 'bridge_*.ndjson'), join(e2, 'bridge_*.ndjson'), '--into', directPg.url, '--dead-letter', join(dir, 'direct-pg.dead-letter.ndjson'), '--no-progress']).code).toBe(0);
    expect(runSluice(['ingest', join(e3, 'cowrie.json*'), '--profile', 'cowrie', '--db', directCowrie, '--no-progress']).code).toBe(0);
    const wantBridge = psqlCount(directPg, 'events');
    const wantCowrie = countRows(directCowrie, 'cowrie_events');
    expect(wantBridge).toBe(2 * written);
    await waitUntil(() => psqlCount(central, 'events') >= wantBridge && countRows(centralCowrie, 'cowrie_events') >= wantCowrie, 60_000, 'the centre to catch up');

    phase('caught up');
    expect(psqlDump(central, 'events')).toEqual(psqlDump(directPg, 'events'));
    expect(sqlite3Dump(centralCowrie, 'cowrie_events')).toEqual(sqlite3Dump(directCowrie, 'cowrie_events'));
    expect(sqlite3Dump(centralCowrie, 'session_metrics')).toEqual(sqlite3Dump(directCowrie, 'session_metrics'));
    // The kills landed mid-run: each on a live process, with rows at the centre and more still to come.
    expect(kills.length).toBeGreaterThanOrEqual(7);
    for (const k of kills) expect(k.signal, k.role).toBe('SIGKILL');
    expect(kills.filter((k) => k.centreBefore > 0 && k.centreBefore < wantBridge + wantCowrie).length).toBe(kills.length);
    expect(new Set(kills.map((k) => k.role.replace(/\d$/, ''))).size).toBe(3); // edges, PostgreSQL and SQLite consumers
  });
});
