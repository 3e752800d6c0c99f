#!/usr/bin/env node
// A smoke run of every sluice command with the Node.js that runs this script (CI runs it with Node 22
// and 24 besides the suite on the machine's Node): each command does a small real job and must exit
// as documented. Usage: node scripts/smoke-commands.mjs   (from the repository, after the build)
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const bin = resolve('bin/sluice.js');
const work = mkdtempSync(join(tmpdir(), 'sluice-smoke-'));
let failures = 0;

function run(name, args, expected = [0]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: work, timeout: 120_000 });
  const ok = expected.includes(r.status);
  if (!ok) failures += 1;
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${name} (exit ${r.status})${ok ? '' : `\n${r.stderr}`}\n`);
  return r;
}

/** Starts a long-running command, waits for `ready` on stderr, runs `during`, then SIGTERM: exit 0. */
async function service(name, args, ready, during = async () => undefined) {
  const child = spawn(process.execPath, [bin, ...args], { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const closed = new Promise((r) => child.on('close', (code) => r(code)));
  const seen = await new Promise((r) => {
    const timer = setTimeout(() => r(undefined), 30_000);
    child.stderr.on('data', (d) => {
      stderr += d;
      const m = ready.exec(stderr);
      if (m) {
        clearTimeout(timer);
        r(m);
      }
    });
  });
  let ok = seen !== undefined;
  if (ok) ok = (await during(seen).then(() => true, () => false)) === true;
  child.kill('SIGTERM');
  const code = await closed;
  ok = ok && code === 0;
  if (!ok) failures += 1;
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${name} (exit ${code})${ok ? '' : `\n${stderr}`}\n`);
}

const bridge = Array.from({ length: 500 }, (_, i) =>
  JSON.stringify({ seq: i, type: i % 5 ? 'event' : 'status', ts_ms: 1000 + i * 250, msg: i % 5 ? 'HIT' : 'T0', plate: `P${i % 3}`, session_id: 's1', pid: 1 }),
).join('\n');
writeFileSync(join(work, 'bridge_20250829.ndjson'), `${bridge}\n`);
const cowrie = [
  { eventid: 'cowrie.session.connect', session: 'a1b2c3d4', src_ip: '203.0.113.7', timestamp: '2025-01-01T00:00:00.000Z', sensor: 'h' },
  { eventid: 'cowrie.login.success', session: 'a1b2c3d4', username: 'root', password: 'x', timestamp: '2025-01-01T00:00:01.000Z', sensor: 'h' },
  { eventid: 'cowrie.command.input', session: 'a1b2c3d4', input: 'uname -a', timestamp: '2025-01-01T00:00:02.000Z', sensor: 'h' },
];
writeFileSync(join(work, 'cowrie.json'), `${cowrie.map((e) => JSON.stringify(e)).join('\n')}\n`);
mkdirSync(join(work, 'spool'));
const pino = [{ level: 30, time: 1743532098671, msg: 'hello', req: { id: 1, method: 'GET', url: '/' } }];
writeFileSync(join(work, 'spool/2025-04-01T18-28-18.671Z-f1d05b28.json.gz'), gzipSync(JSON.stringify(pino)));

process.stdout.write(`smoke run of every command with Node ${process.version} in ${work}\n`);
run('--version', ['--version']);
run('--help', ['--help']);
run('ingest', ['ingest', 'bridge_20250829.ndjson', '--db', 'bridge.db', '--no-progress']);
run('ingest again (nothing new)', ['ingest', 'bridge_20250829.ndjson', '--db', 'bridge.db', '--no-progress']);
run('report sessions', ['report', 'sessions', '--db', 'bridge.db', '--format', 'csv']);
run('report gaps --format json', ['report', 'gaps', '--db', 'bridge.db', '--format', 'json']);
run('ingest --profile cowrie', ['ingest', 'cowrie.json', '--profile', 'cowrie', '--db', 'cowrie.db', '--no-progress']);
run('report summary --profile cowrie', ['report', 'summary', '--profile', 'cowrie', '--db', 'cowrie.db']);
run('enrich --dry-run', ['enrich', '--profile', 'cowrie', '--db', 'cowrie.db', '--dry-run']);
run('spool --mode once', ['spool', '--from', 'spool', '--into', 'sqlite:app.db', '--profile', 'applog', '--mode', 'once', '--no-progress']);
run('jobs list', ['jobs', 'list', '--ledger', 'sqlite:app.db']);
run('service install --print', ['service', 'install', 'follow', 'bridge_{YYYYMMDD}.ndjson', '--db', 'bridge.db', '--print']);
run('bad usage is exit 2', ['ingest', 'no-such-file.ndjson', '--db', 'x.db'], [2]);
await service('follow', ['follow', 'bridge_{YYYYMMDD}.ndjson', '--db', 'follow.db', '--no-progress'], /following /);
await service('serve', ['serve', '--store', `file:${join(work, 'store')}`, '--port', '0', '--log-level', 'silent'], /listening on (http:\/\/\S+)/, async (m) => {
  const r = await fetch(`${m[1]}/health`);
  if (r.status !== 200) throw new Error(`health ${r.status}`);
});
// archive reads PostgreSQL (CI has it): a dry run over a table of its own.
const pg = (await import('pg')).default;
const url = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const client = new pg.Client({ connectionString: url });
const table = `smoke_archive_${process.pid}`;
try {
  await client.connect();
  await client.query(`CREATE TABLE ${table} (id int PRIMARY KEY, created_at timestamptz NOT NULL, payload jsonb)`);
  await client.query(`INSERT INTO ${table} VALUES (1, now() - interval '100 days', '{}'), (2, now(), '{}')`);
  run('archive ldo --dry-run', ['archive', 'ldo', '--from', url, '--table', table, '--older-than', '90d', '--to', 'http://127.0.0.1:9', '--dry-run']);
} catch (err) {
  failures += 1;
  process.stdout.write(`FAIL archive ldo --dry-run: PostgreSQL at ${url}: ${err.message}\n`);
} finally {
  await client.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
  await client.end().catch(() => undefined);
}
process.stdout.write(failures === 0 ? 'smoke run passed\n' : `smoke run: ${failures} command(s) failed\n`);
process.exit(failures === 0 ? 0 : 1);
