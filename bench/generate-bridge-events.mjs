#!/usr/bin/env node
// Deterministic generator of `bridge` profile NDJSON for benchmarks and tests.
//
//   node bench/generate-bridge-events.mjs --count N --out PATH [--seed S]
//        [--bad-every K] [--dup-every K] [--sessions N] [--plates N]
//
// Total lines == count, split into good (unique session_id+seq), dups (exact
// copies of an earlier good line) and bad (truncated JSON, or seq as a string).
// Prints {lines, good, dups, bad, bytes, ...} as one JSON line.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';

export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STATUS_MSGS = ['Sensor connected', 'Sensor disconnected', 'Calibrating', 'Ready'];
const INFO_MSGS = ['Session started', 'Plate loaded', 'Config applied', 'Firmware 1.4.2'];
const ERROR_MSGS = ['timeout', 'checksum mismatch', 'sensor fault', 'buffer overrun'];
const DEBUG_MSGS = ['buffer flush', 'tick', 'queue depth'];
const ERROR_CODES = ['E_TIMEOUT', 'E_CRC', 'E_FAULT', 'E_OVERRUN'];
const DUP_RING = 4096; // dups copy a *recent* line, as a retrying writer would

/**
 * Yields NDJSON lines (without trailing newline). Counters are accumulated
 * into `stats` so callers can stream without materialising the file.
 */
export function* bridgeLines(
  { count, seed = 1, badEvery = 20000, dupEvery = 10000, sessions = 200, plates = 5000 },
  stats = { good: 0, dups: 0, bad: 0, sessions: 0 },
) {
  const rnd = mulberry32(seed);
  const int = (n) => Math.floor(rnd() * n);
  const pick = (arr) => arr[int(arr.length)];
  const sensor = () => `${1 + int(32)}:${'ABCDEFGH'[int(8)]}${1 + int(9)}`;
  const plateName = () => `P${String(int(plates)).padStart(4, '0')}`;

  let clock = Date.UTC(2025, 7, 29, 8, 0, 0); // global wall clock, ms
  const meanLen = Math.max(1, count / sessions);
  const active = []; // a few sessions write concurrently -> light interleaving
  let cur = null;
  const ring = [];

  const openSession = () => {
    const day = new Date(clock).toISOString().slice(0, 10).replace(/-/g, '');
    const s = {
      id: `s-${day}-${int(36 ** 6).toString(36).padStart(6, '0')}`,
      pid: 1000 + int(60000),
      start: clock - int(5000),
      seq: 0,
      left: Math.max(1, Math.round(meanLen * (0.5 + rnd()))),
      plate: plateName(),
    };
    stats.sessions++;
    active.push(s);
    return s;
  };

  for (let i = 0; i < count; i++) {
    if (dupEvery > 0 && ring.length > 0 && rnd() < 1 / dupEvery) {
      stats.dups++;
      yield ring[int(ring.length)];
      continue;
    }
    while (active.length < 3) openSession();
    if (cur === null || !active.includes(cur) || rnd() < 0.02) cur = pick(active);
    if (rnd() < 0.02) cur.plate = plateName();
    clock += 1 + int(20);

    const r = rnd();
    let type, msg, data, plate = cur.plate;
    if (r < 0.9) {
      type = 'event';
      if (rnd() < 0.05) {
        msg = 'T0';
        data = `{"sensor": "${sensor()}", "t0_us": ${int(1e6)}${rnd() < 0.5 ? `, "ref": "${rnd() < 0.5 ? 'ext' : 'int'}"` : ''}}`;
      } else {
        msg = 'HIT';
        data = `{"amp": ${(20 + rnd() * 400).toFixed(1)}, "sensor": "${sensor()}"` +
          `${rnd() < 0.6 ? `, "ch": ${int(8)}` : ''}${rnd() < 0.3 ? `, "dur_us": ${50 + int(5000)}` : ''}}`;
      }
    } else if (r < 0.94) {
      type = 'status'; msg = pick(STATUS_MSGS); plate = null;
      data = `{"sensor": "${sensor()}", "rssi": ${-30 - int(60)}${rnd() < 0.5 ? `, "battery": ${(rnd() * 100).toFixed(1)}` : ''}}`;
    } else if (r < 0.97) {
      type = 'info'; msg = pick(INFO_MSGS); plate = null;
      data = `{"host": "bridge-${String(1 + int(4)).padStart(2, '0')}", "version": "1.4.2"${rnd() < 0.5 ? `, "uptime_s": ${int(86400)}` : ''}}`;
    } else if (r < 0.99) {
      type = 'debug'; msg = pick(DEBUG_MSGS); plate = null;
      data = `{"buf": ${int(65536)}, "lag_ms": ${(rnd() * 50).toFixed(2)}${rnd() < 0.5 ? `, "q": ${int(100)}` : ''}}`;
    } else {
      type = 'error'; msg = pick(ERROR_MSGS);
      data = `{"code": "${pick(ERROR_CODES)}", "sensor": "${sensor()}"${rnd() < 0.5 ? `, "retry": ${int(5)}` : ''}}`;
    }

    const bad = badEvery > 0 && rnd() < 1 / badEvery;
    const seqText = bad && rnd() < 0.5 ? `"x${cur.seq}"` : String(cur.seq);
    const line = `{"seq": ${seqText}, "type": "${type}", "ts_ms": ${clock}, ` +
      `"t_rel_ms": ${(clock - cur.start + int(10) / 10).toFixed(1)}, ` +
      `${plate === null ? '' : `"plate": "${plate}", `}"msg": "${msg}", "data": ${data}, ` +
      `"session_id": "${cur.id}", "pid": ${cur.pid}, "schema": "v1"}`;

    if (bad) {
      // A bad line does not consume the seq: the writer "retries" it next.
      stats.bad++;
      yield seqText.startsWith('"') ? line : line.slice(0, 1 + int(line.length - 2));
      continue;
    }
    stats.good++;
    cur.seq++;
    if (--cur.left === 0) active.splice(active.indexOf(cur), 1);
    if (ring.length < DUP_RING) ring.push(line);
    else ring[int(DUP_RING)] = line;
    yield line;
  }
}

/** Writes `count` lines to `out`; resolves to the summary object. */
export async function generateBridgeEvents({ out, ...opts }) {
  const t0 = process.hrtime.bigint();
  const stats = { good: 0, dups: 0, bad: 0, sessions: 0 };
  const ws = createWriteStream(out, { highWaterMark: 4 << 20 });
  let bytes = 0;
  let chunk = [];
  let chunkLen = 0;
  const flush = async () => {
    const s = chunk.join('\n') + '\n';
    chunk = [];
    chunkLen = 0;
    bytes += Buffer.byteLength(s);
    if (!ws.write(s)) await once(ws, 'drain');
  };
  for (const line of bridgeLines(opts, stats)) {
    chunk.push(line);
    chunkLen += line.length;
    if (chunkLen > 1 << 20) await flush();
  }
  if (chunk.length) await flush();
  ws.end();
  await once(ws, 'finish');
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    lines: stats.good + stats.dups + stats.bad, good: stats.good, dups: stats.dups, bad: stats.bad,
    bytes, sessions: stats.sessions, seed: opts.seed ?? 1, seconds: +seconds.toFixed(3),
  };
}

export function parseArgs(argv) {
  const opts = {};
  const names = { '--count': 'count', '--out': 'out', '--seed': 'seed', '--bad-every': 'badEvery',
    '--dup-every': 'dupEvery', '--sessions': 'sessions', '--plates': 'plates' };
  for (let i = 0; i < argv.length; i += 2) {
    const key = names[argv[i]];
    if (!key || argv[i + 1] === undefined) throw new Error(`bad argument: ${argv[i]}`);
    opts[key] = key === 'out' ? argv[i + 1] : Number(argv[i + 1].replace(/_/g, ''));
    if (key !== 'out' && !Number.isFinite(opts[key])) throw new Error(`not a number: ${argv[i]} ${argv[i + 1]}`);
  }
  if (!opts.count || !opts.out) throw new Error('usage: generate-bridge-events.mjs --count N --out PATH [--seed S] [--bad-every K] [--dup-every K]');
  return opts;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    console.log(JSON.stringify(await generateBridgeEvents(parseArgs(process.argv.slice(2)))));
  } catch (err) {
    console.error(String(err?.message ?? err));
    process.exit(1);
  }
}
