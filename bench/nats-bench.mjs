#!/usr/bin/env node
// `npm run bench:nats`: NATS JetStream between the edge and the centre (issue 17), every figure with
// its reference measured in the same run, on the same machine:
//
//   publish  `sluice ingest FILE --into nats://…` (the whole CLI: read, parse, map, publish, state
//            file) vs. the official client publishing the very same messages (bodies and headers read
//            back from the stream, in memory) into a fresh stream, asynchronously with the same
//            window: (a) `js.publish` promises, (b) plain publishes with a reply inbox (the client's
//            fastest way). Target: the sink within 1.2x of (a).
//   consume  `sluice consume … --db central.db` until every row is in vs. the official client
//            draining the same stream (pull consumer, each message acked). Ratio.
//            Also the CPU seconds of its main thread (the inserts) and of its busiest other thread (the
//            consume thread: NATS client, decoding, acks), from /proc, on Linux.
//   e2e      publish + consume (one after the other: the issue's "then") vs. a direct `sluice ingest
//            FILE --db`. Target: ≤ 2x the direct time.
//   overlap  the same end to end as a deployment runs it: `consume --db` already running (on a fresh,
//            empty stream) when `ingest --into nats://` starts; from the start of both until the last
//            row is in the central database. Figure beside the sequential one (same target).
//   latency  a writer appends bridge lines at 1,000/s to a followed file; `follow --into nats://`
//            and `consume --db` run; commit time − append time per line. Target: p99 ≤ 500 ms.
//
//   node bench/nats-bench.mjs [--rows N] [--records-per-message N]   (default 1,000,000 as the issue asks; --rows 200000 for a quick run;
//                                    --records-per-message 1: one message per row, as before; default: the sink's)
//   env NATS_BENCH_ROWS=1000000  NATS_BENCH_RECORDS_PER_MESSAGE=N  NATS_BENCH_SERVER=127.0.0.1:4222  NATS_BENCH_ONLY=publish,consume,e2e,overlap,latency
//       NATS_BENCH_LATENCY_SEC=20  NATS_BENCH_LATENCY_RATE=1000  NATS_BENCH_WINDOW=4096  NATS_BENCH_KEEP=1
//
// Streams are named `bench_<hex>` and deleted at the end. Progress goes to stderr, figures to stdout,
// and the last stdout line is one JSON object with all of them.
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir, cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { connect, createInbox } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { generateBridgeEvents } from './generate-bridge-events.mjs';
import { lastJson, measure } from './measure.mjs';
import { verdict } from './verdict.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SLUICE = join(root, 'bin', 'sluice.js');
const env = process.env;
const argv = process.argv.slice(2);
const flag = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const ROWS = Number((flag('--rows') ?? env.NATS_BENCH_ROWS ?? '1000000').replace(/_/g, ''));
const SERVER = env.NATS_BENCH_SERVER ?? '127.0.0.1:4222';
const PER_MESSAGE = flag('--records-per-message') ?? env.NATS_BENCH_RECORDS_PER_MESSAGE;
/** The sink URL's query: the records per message asked for, else the sink's default. */
const QUERY = PER_MESSAGE ? `?recordsPerMessage=${Number(PER_MESSAGE)}` : '';
const ONLY = new Set((env.NATS_BENCH_ONLY ?? 'publish,consume,e2e,overlap,latency').split(',').map((s) => s.trim()));
const WINDOW = Number(env.NATS_BENCH_WINDOW ?? 4096);
const LAT_SEC = Number(env.NATS_BENCH_LATENCY_SEC ?? 20);
const LAT_RATE = Number(env.NATS_BENCH_LATENCY_RATE ?? 1000);
const log = (msg) => console.error(`[nats-bench] ${msg}`);
const fmt = (n) => Math.round(n).toLocaleString('en');
const r2 = (x) => Math.round(x * 100) / 100;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const load = () => loadavg().map((v) => +v.toFixed(2));
const tag = randomBytes(3).toString('hex');
const streamName = (what) => `bench_${what}_${tag}`;
const dir = mkdtempSync(join(tmpdir(), 'sluice-nats-bench-'));
const streams = [];
const out = { rows: ROWS, recordsPerMessage: PER_MESSAGE ? Number(PER_MESSAGE) : 'default', server: SERVER, node: process.version, cores: cpus().length, loadStart: load() };

async function sluice(args) {
  const r = await measure(process.execPath, [SLUICE, ...args, '--json', '--no-progress'], { timeoutMs: 3_600_000 });
  const summary = lastJson(r.stdout);
  if (![0, 3].includes(r.code) || !summary) throw new Error(`sluice ${args.join(' ')} failed (exit ${r.code}):\n${r.stderr.slice(-2000)}`);
  return { seconds: r.seconds, peakRssMB: r.peakRssMB, summary };
}

/**
 * Rows of `events` in `db`. While a run is watched, the highest row id stands for the count: every
 * table has an INTEGER PRIMARY KEY and nothing deletes, so it is the count, read in O(log n) instead
 * of a scan that would take CPU (and hold checkpoints back) under the very run being measured.
 */
function count(db, sql = 'SELECT max(id) FROM events') {
  try {
    const d = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return d.prepare(sql).pluck().get() ?? 0;
    } finally {
      d.close();
    }
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of a running process's threads (Linux, from /proc): its main thread, and the busiest
 * other one (consume's thread, with the NATS client and the decoding); undefined elsewhere.
 */
function threadCpu(pid) {
  try {
    let main = 0;
    let other = 0;
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const sec = (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks (USER_HZ 100)
      if (Number(t) === pid) main = sec;
      else other = Math.max(other, sec);
    }
    return { mainCpuSec: r2(main), threadCpuSec: r2(other) };
  } catch {
    return undefined;
  }
}

function startSluice(args) {
  const child = spawn(process.execPath, [SLUICE, ...args, '--no-progress'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
  const ended = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  return { child, ended, err: () => err };
}

async function stop(p) {
  if (p.child.exitCode === null) p.child.kill('SIGTERM');
  const e = await p.ended;
  if (e.code !== 0) log(`${p.child.spawnargs.slice(2, 3)} ended ${JSON.stringify(e)}: ${p.err()}`);
}

/** Every message of a stream (subject, body, headers) in order, read with an ordered consumer. */
async function readStream(js, stream, n) {
  const c = await js.consumers.get(stream);
  const msgs = [];
  // Messages hold hundreds of rows: a pull of 10,000 of them overran the client's buffer and stalled.
  const it = await c.consume({ max_messages: 256 });
  for await (const m of it) {
    msgs.push({ subject: m.subject, data: m.data, headers: m.headers });
    if (msgs.length >= n) break;
  }
  return msgs;
}

async function freshStream(jsm, name, subject) {
  streams.push(name);
  await jsm.streams.add({ name, subjects: [subject], storage: 'file', duplicate_window: 120e9 });
}

/** Reference (a): `js.publish` promises, at most WINDOW in flight. */
async function rawJsPublish(js, msgs, subject) {
  const t0 = performance.now();
  let inflight = 0;
  let wake = null;
  const all = [];
  for (const m of msgs) {
    inflight++;
    all.push(
      js.publish(subject, m.data, { headers: m.headers }).finally(() => {
        inflight--;
        if (wake) wake();
      }),
    );
    while (inflight >= WINDOW) await new Promise((r) => (wake = r));
  }
  await Promise.all(all);
  return (performance.now() - t0) / 1000;
}

/** Reference (b): plain publishes with a reply inbox, PubAcks counted on one subscription. */
async function rawAsyncPublish(nc, msgs, subject) {
  const t0 = performance.now();
  const prefix = createInbox();
  let acked = 0;
  let wake = null;
  nc.subscribe(`${prefix}.*`, {
    callback: () => {
      acked++;
      if (wake) wake();
    },
  });
  for (let i = 0; i < msgs.length; i++) {
    nc.publish(subject, msgs[i].data, { headers: msgs[i].headers, reply: `${prefix}.${i}` });
    while (i + 1 - acked >= WINDOW) await new Promise((r) => (wake = r));
  }
  while (acked < msgs.length) await new Promise((r) => (wake = r));
  return (performance.now() - t0) / 1000;
}

/** Reference for consume: a durable pull consumer draining the stream, each message acked. */
async function rawConsume(nc, js, jsm, stream, n) {
  const t0 = performance.now();
  await jsm.consumers.add(stream, { durable_name: 'rawbench', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, max_ack_pending: 100_000 });
  const c = await js.consumers.get(stream, 'rawbench');
  let got = 0;
  const it = await c.consume({ max_messages: 2000 });
  for await (const m of it) {
    JSON.parse(m.string()); // the least a consumer does with a row
    m.ack();
    if (++got >= n) break;
  }
  await nc.flush();
  return (performance.now() - t0) / 1000;
}

async function main() {
  log(`${fmt(ROWS)} bridge events, NATS ${SERVER}, load ${out.loadStart.join(' ')}; folder ${dir}`);
  const nc = await connect({ servers: SERVER });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  try {
    const file = join(dir, 'bridge_20250101.ndjson');
    const gen = await generateBridgeEvents({ count: ROWS, out: file, seed: 7 });
    log(`generated ${fmt(gen.lines)} lines (${fmt(gen.good)} good, ${gen.dups} dups, ${gen.bad} bad)`);
    const good = gen.good;
    const published = gen.good + gen.dups; // a repeated line is another record: its own row in the stream

    if (ONLY.has('e2e') || ONLY.has('overlap')) {
      const direct = await sluice(['ingest', file, '--db', join(dir, 'direct.db')]);
      out.direct = { seconds: r2(direct.seconds), rowsPerSec: Math.round(good / direct.seconds), peakRssMB: direct.peakRssMB };
      log(`direct ingest into SQLite: ${direct.seconds.toFixed(2)} s`);
    }

    const pub = streamName('pub');
    streams.push(pub);
    if (ONLY.has('publish') || ONLY.has('consume') || ONLY.has('e2e')) {
      const load0 = load();
      const s = await sluice(['ingest', file, '--into', `nats://${SERVER}/${pub}.bridge${QUERY}`, '--state', join(dir, 'edge.state.db')]);
      if (s.summary.inserted !== published) throw new Error(`the sink stored ${s.summary.inserted} rows, expected ${published}`);
      const { messages, bytes } = (await jsm.streams.info(pub)).state;
      out.publish = { seconds: r2(s.seconds), rowsPerSec: Math.round(published / s.seconds), messages, streamMB: r2(bytes / 2 ** 20), peakRssMB: s.peakRssMB, load: load0 };
      log(`sluice ingest --into nats://: ${s.seconds.toFixed(2)} s, ${fmt(published / s.seconds)} rows/s, ${fmt(messages)} messages`);
    }

    if (ONLY.has('publish')) {
      const messages = out.publish.messages;
      const msgs = await readStream(js, pub, messages);
      const a = streamName('rawjs');
      await freshStream(jsm, a, `${a}.bridge`);
      const ta = await rawJsPublish(js, msgs, `${a}.bridge`);
      const b = streamName('rawasync');
      await freshStream(jsm, b, `${b}.bridge`);
      const tb = await rawAsyncPublish(nc, msgs, `${b}.bridge`);
      for (const [name, want] of [[a, messages], [b, messages]]) {
        const got = (await jsm.streams.info(name)).state.messages;
        if (got !== want) throw new Error(`${name}: ${got} messages, expected ${want}`);
      }
      Object.assign(out.publish, {
        rawJsPublish: { seconds: r2(ta), rowsPerSec: Math.round(published / ta) },
        rawAsyncPublish: { seconds: r2(tb), rowsPerSec: Math.round(published / tb) },
        ratioToJsPublish: r2(out.publish.seconds / ta),
        ratioToAsyncPublish: r2(out.publish.seconds / tb),
      });
      log(`raw js.publish: ${ta.toFixed(2)} s; raw async publish: ${tb.toFixed(2)} s`);
    }

    if (ONLY.has('consume') || ONLY.has('e2e')) {
      const db = join(dir, 'central.db');
      const t0 = performance.now();
      const c = startSluice(['consume', `nats://${SERVER}/${pub}`, '--durable', 'central', '--db', db]);
      while (count(db) < good) {
        if (c.child.exitCode !== null) throw new Error(`consume ended: ${c.err()}`);
        await sleep(50);
      }
      const t = (performance.now() - t0) / 1000;
      const cpu = threadCpu(c.child.pid);
      await stop(c);
      const direct = join(dir, 'direct.db');
      if (ONLY.has('e2e') && count(db, 'SELECT count(*) FROM events') !== count(direct, 'SELECT count(*) FROM events')) throw new Error(`central ${count(db)} rows, direct ${count(direct)}`);
      out.consume = { seconds: r2(t), rowsPerSec: Math.round(good / t), ...cpu };
      log(`sluice consume into SQLite: ${t.toFixed(2)} s${cpu ? ` (CPU: main thread ${cpu.mainCpuSec} s, busiest other ${cpu.threadCpuSec} s)` : ''}`);
      if (ONLY.has('consume')) {
        const tr = await rawConsume(nc, js, jsm, pub, out.publish.messages);
        Object.assign(out.consume, { rawConsume: { seconds: r2(tr), rowsPerSec: Math.round(published / tr) }, ratioToRaw: r2(t / tr) });
        log(`raw consume: ${tr.toFixed(2)} s`);
      }
    }

    if (ONLY.has('e2e') && out.publish && out.consume && out.direct) {
      const e2e = out.publish.seconds + out.consume.seconds;
      out.e2e = { seconds: r2(e2e), directSeconds: out.direct.seconds, ratio: r2(e2e / out.direct.seconds), met: e2e / out.direct.seconds <= 2 };
    }

    if (ONLY.has('overlap') && out.direct) {
      out.overlap = await overlapped(file, good);
      log(`ingest --into nats:// with consume --db running: ${out.overlap.seconds} s (${out.overlap.ratio}x direct)`);
    }

    if (ONLY.has('latency')) out.latency = await latency();
  } finally {
    for (const s of streams) await jsm.streams.delete(s).catch(() => undefined);
    await nc.close();
    if (env.NATS_BENCH_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
  }
  out.loadEnd = load();
  print();
}

/**
 * End to end with both running at once: `consume --db` started on a fresh stream (made here, as the
 * sink would make it, so the consumer does not wait for an edge to create it), then `ingest --into
 * nats://`; timed from the start of both until every row is in the central database.
 */
async function overlapped(file, good) {
  const nc = await connect({ servers: SERVER });
  const jsm = await jetstreamManager(nc);
  const stream = streamName('overlap');
  const db = join(dir, 'overlap.db');
  try {
    await freshStream(jsm, stream, `${stream}.bridge`);
    const load0 = load();
    const t0 = performance.now();
    const c = startSluice(['consume', `nats://${SERVER}/${stream}`, '--durable', 'central', '--db', db]);
    const edge = sluice(['ingest', file, '--into', `nats://${SERVER}/${stream}.bridge${QUERY}`, '--state', join(dir, 'overlap.state.db')]);
    edge.catch(() => undefined);
    while (count(db) < good) {
      if (c.child.exitCode !== null) throw new Error(`consume ended: ${c.err()}`);
      await sleep(50);
    }
    const t = (performance.now() - t0) / 1000;
    const pub = await edge;
    await stop(c);
    if (count(db, 'SELECT count(*) FROM events') !== count(join(dir, 'direct.db'), 'SELECT count(*) FROM events')) throw new Error('overlap: central and direct row counts differ');
    return { seconds: r2(t), publishSeconds: r2(pub.seconds), directSeconds: out.direct.seconds, ratio: r2(t / out.direct.seconds), met: t / out.direct.seconds <= 2, load: load0 };
  } finally {
    await nc.close();
  }
}

/** Append-to-commit latency through NATS: writer → follow --into nats:// → consume --db. */
async function latency() {
  const ldir = join(dir, 'latency');
  mkdirSync(ldir);
  const d = new Date();
  const file = join(ldir, `bridge_${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}.ndjson`);
  writeFileSync(file, '');
  const stream = streamName('lat');
  streams.push(stream);
  const db = join(ldir, 'central.db');
  const total = LAT_RATE * LAT_SEC;
  log(`latency: ${LAT_RATE} lines/s for ${LAT_SEC} s; load ${load().join(' ')}`);
  const phaseOf = (path) => {
    try {
      return JSON.parse(readFileSync(path, 'utf8')).phase;
    } catch {
      return undefined;
    }
  };
  const fStatus = join(ldir, 'follow.status.json');
  const cStatus = join(ldir, 'consume.status.json');
  const f = startSluice(['follow', join(ldir, 'bridge_{YYYYMMDD}.ndjson'), '--into', `nats://${SERVER}/${stream}.bridge${QUERY}`, '--state', join(ldir, 'edge.state.db'), '--status-file', fStatus]);
  const c = startSluice(['consume', `nats://${SERVER}/${stream}`, '--durable', 'central', '--db', db, '--status-file', cStatus]);
  const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
  try {
    // Both started and waiting (tailing, consuming): start-up is not part of the latency.
    const ready = Date.now();
    while (phaseOf(fStatus) !== 'tailing' || phaseOf(cStatus) !== 'consuming') {
      if (f.child.exitCode !== null || c.child.exitCode !== null) throw new Error(`follow/consume ended: ${f.err()} ${c.err()}`);
      if (Date.now() - ready > 60_000) throw new Error('follow/consume not running after 60 s');
      await sleep(100);
    }
    await sleep(1000);
    const visible = new Float64Array(total).fill(NaN);
    let seen = 0;
    let reader;
    const poll = () => {
      try {
        reader ??= new Database(db, { readonly: true, fileMustExist: true }).prepare("SELECT max(seq) FROM events WHERE session_id = 's'").pluck();
      } catch {
        return;
      }
      const t = nowMs();
      const m = Math.min(total, reader.get() ?? 0);
      if (m > seen) visible.fill(t, seen, m);
      seen = Math.max(seen, m);
    };
    const timer = setInterval(poll, 5);
    const w = fork(join(root, 'bench', 'follow-bench.mjs'), ['--writer', JSON.stringify({ file, rate: LAT_RATE, seconds: LAT_SEC, tickMs: 5, recordTimes: true, progress: false })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const done = await new Promise((res, rej) => {
      w.on('message', (m) => m.kind === 'done' && res(m));
      w.on('exit', (code) => code !== 0 && rej(new Error(`writer exited ${code}`)));
    });
    const until = nowMs() + 15_000;
    while (seen < total && nowMs() < until) await sleep(20);
    clearInterval(timer);
    poll();
    const lat = [];
    for (let i = 0; i < total; i++) if (!Number.isNaN(visible[i])) lat.push(visible[i] - done.times[i]);
    lat.sort((a, b) => a - b);
    const pct = (p) => r2(lat[Math.min(lat.length - 1, Math.max(0, Math.ceil((p / 100) * lat.length) - 1))] ?? NaN);
    const r = { rate: LAT_RATE, seconds: LAT_SEC, lines: total, missing: total - lat.length, p50: pct(50), p90: pct(90), p99: pct(99), max: pct(100), pollMs: 5 };
    r.met = r.p99 <= 500 && r.missing === 0;
    return r;
  } finally {
    await stop(f);
    await stop(c);
  }
}

function print() {
  const yes = (b) => (b ? 'met' : 'MISSED');
  console.log(`sluice NATS benchmark — on this machine today: node ${out.node}, ${out.cores} cores, load ${out.loadStart.join(' ')} at start, ${out.loadEnd.join(' ')} at end; ${fmt(ROWS)} bridge events, records per message: ${out.recordsPerMessage}`);
  const p = out.publish;
  if (p) console.log(`stream    ${fmt(p.messages)} messages, ${p.streamMB} MB`);
  if (p?.rawJsPublish) {
    console.log(`publish   sluice ingest --into nats://  ${p.seconds} s  ${fmt(p.rowsPerSec)} rows/s (peak RSS ${p.peakRssMB} MB)`);
    console.log(`          client js.publish, window ${WINDOW}  ${p.rawJsPublish.seconds} s  ${fmt(p.rawJsPublish.rowsPerSec)} rows/s   ratio ${p.ratioToJsPublish}x [${yes(p.ratioToJsPublish <= 1.2)} ≤ 1.2x]`);
    console.log(`          client publish + reply inbox      ${p.rawAsyncPublish.seconds} s  ${fmt(p.rawAsyncPublish.rowsPerSec)} rows/s   ratio ${p.ratioToAsyncPublish}x`);
  }
  const c = out.consume;
  if (c) {
    console.log(`consume   sluice consume --db              ${c.seconds} s  ${fmt(c.rowsPerSec)} rows/s${c.mainCpuSec === undefined ? '' : `  (CPU s: main thread ${c.mainCpuSec}, busiest other thread ${c.threadCpuSec})`}`);
    if (c.rawConsume) console.log(`          client pull consumer, acks        ${c.rawConsume.seconds} s  ${fmt(c.rawConsume.rowsPerSec)} rows/s   ratio ${c.ratioToRaw}x`);
  }
  if (out.e2e) console.log(`e2e       publish then consume ${out.e2e.seconds} s vs direct ingest --db ${out.e2e.directSeconds} s   ratio ${out.e2e.ratio}x [${yes(out.e2e.met)} ≤ 2x]`);
  const o = out.overlap;
  if (o) console.log(`overlap   consume running while publishing ${o.seconds} s (publish ${o.publishSeconds} s) vs direct ${o.directSeconds} s   ratio ${o.ratio}x [${yes(o.met)} ≤ 2x]`);
  const l = out.latency;
  if (l) console.log(`latency   ${l.rate} lines/s for ${l.seconds} s through NATS: p50 ${l.p50} ms  p90 ${l.p90} ms  p99 ${l.p99} ms  max ${l.max} ms  missing ${l.missing} [${yes(l.met)} p99 ≤ 500 ms]`);
  console.log(JSON.stringify(out));
  printVerdicts();
}

/** The issue's two targets as `##verdict` lines for `npm run bench`; the publish ratio is a figure only. */
function printVerdicts() {
  const rows = `${fmt(ROWS)} bridge events`;
  if (out.publish?.rawJsPublish) {
    verdict({ job: 'nats', figure: `publish ${rows} (ingest --into nats://)`, reference: `client js.publish, window ${WINDOW}`, referenceValue: out.publish.rawJsPublish.seconds, value: out.publish.seconds, target: 'figure only', met: null, peakRssMB: out.publish.peakRssMB });
  }
  if (out.e2e) {
    verdict({ job: 'nats', figure: `${rows}: ingest --into nats:// then consume --db`, reference: 'direct ingest --db', referenceValue: out.e2e.directSeconds, value: out.e2e.seconds, target: '≤ 2× direct', met: out.e2e.met });
  }
  if (out.overlap) {
    verdict({ job: 'nats', figure: `${rows}: ingest --into nats:// with consume --db running`, reference: 'direct ingest --db', referenceValue: out.overlap.directSeconds, value: out.overlap.seconds, target: 'figure only (≤ 2× direct)', met: null });
  }
  const l = out.latency;
  if (l) {
    verdict({ job: 'nats', figure: `append-to-commit p99 at ${l.rate} lines/s (p50 ${l.p50} ms, ${l.missing} missing)`, reference: null, referenceValue: null, value: l.p99, unit: 'ms', target: 'p99 ≤ 500 ms', met: l.met });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
