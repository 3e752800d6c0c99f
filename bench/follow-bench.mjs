#!/usr/bin/env node
// `npm run bench:follow`: the targets of `sluice follow` (issue 4), measured against a real writer.
//
//   1. latency  append-to-committed latency at 1,000 lines/s (p50 ≤ 50 ms, p99 ≤ 150 ms)
//   2. sustain  ≥ 50,000 lines/s appended for 60 s with lag that stays bounded; drain time after
//   3. idle     CPU of the follower with no appends (< 1 % of one core)
//
//   node bench/follow-bench.mjs
//   env FOLLOW_BENCH_SCENARIOS=latency,sustain,idle   which scenarios to run (default all three)
//       FOLLOW_BENCH_LATENCY_SEC=15  FOLLOW_BENCH_LATENCY_RATE=1000  FOLLOW_BENCH_GROUP_MS=5
//       FOLLOW_BENCH_SUSTAIN_SEC=60  FOLLOW_BENCH_SUSTAIN_RATE=51000 (a hair above the 50,000 target)
//       FOLLOW_BENCH_IDLE_SEC=10     FOLLOW_BENCH_IDLE_SETTLE_SEC=30
//       FOLLOW_BENCH_POLL_MS=2       (how often the latency poller looks at the database)
//       FOLLOW_BENCH_ARGS="--poll-ms 200"  extra `sluice follow` flags
//       FOLLOW_BENCH_STATUS_IN_LOGS=1  status file in the watched logs/ folder (default: run/)
//       FOLLOW_BENCH_CWD=/some/dir   the follower's working directory (default: the temp folder)
//       FOLLOW_BENCH_KEEP=1          keep the temp folders;  BENCH_SLUICE_BIN=bin/sluice.js
//
// Every scenario gets a fresh temp folder laid out as the README's example: logs/ holds the dated
// bridge file and the database, run/ the status file; the follower runs in the folder above. The
// writer is a separate process (so the poller's timing is not disturbed) appending with writeSync
// on an open fd; both processes stamp times with process.hrtime (CLOCK_MONOTONIC, shared by all
// processes on Linux). The follower serves --metrics-port during scenarios 1 and 2, for its own
// commit-latency histogram. Progress goes to stderr, figures to stdout, and the last stdout line is
// one JSON object with all of them. Exit status 1 only when a scenario could not run; a missed
// target is reported (MISSED) but does not fail the run.
import { execFileSync, fork, spawn } from 'node:child_process';
import {
  closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, writeSync,
} from 'node:fs';
import { get as httpGet } from 'node:http';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const SELF = fileURLToPath(import.meta.url);
const root = resolve(dirname(SELF), '..');
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const env = (name, dflt) => (process.env[name] === undefined || process.env[name] === '' ? dflt : Number(process.env[name]));

/** One NDJSON line of the bridge profile, seq `s`, session `s`. ~170 bytes. */
function line(s, tsMs) {
  const x = (s * 7919) % 1000;
  const y = (s * 104729) % 1000;
  return `{"seq":${s},"session_id":"s","type":"event","ts_ms":${tsMs},"msg":"HIT","plate":"P${(s % 8) + 1}",`
    + `"data":{"x":${x},"y":${y},"score":${(x + y) % 10},"shooter":"lane-${s % 4}","t_rel_ms":${tsMs % 100000}}}\n`;
}

// ---------------------------------------------------------------------------------------------
// Writer child: `follow-bench.mjs --writer '{json}'`, forked with an IPC channel.
// ---------------------------------------------------------------------------------------------

async function writerMain(cfg) {
  const fd = openSync(cfg.file, 'a');
  const total = Math.round(cfg.rate * cfg.seconds);
  const times = cfg.recordTimes ? new Float64Array(total) : null;
  const ticks = Math.ceil((cfg.seconds * 1000) / cfg.tickMs);
  const perTick = (cfg.rate * cfg.tickMs) / 1000;
  let seq = 0;
  let blocks = 0;
  let lastWrite = 0;
  const t0 = nowMs();
  let nextTick = t0;
  while (seq < total) {
    const now = nowMs();
    // Block k (due at k × tick) holds the lines of [k × tick, (k + 1) × tick). Every wake-up writes
    // at least the next block (timers have millisecond granularity and may fire a hair early), and a
    // late one catches up on all blocks due by now.
    blocks = Math.min(ticks, Math.max(blocks + 1, Math.floor((now - t0 + 1) / cfg.tickMs) + 1));
    const due = Math.min(total, Math.round(blocks * perTick));
    if (due > seq) {
      const ts = Math.round(now - t0);
      let block = '';
      for (let s = seq + 1; s <= due; s++) block += line(s, ts);
      // Stamped just before the write: stamped after it, a writer preempted between the write and
      // the stamp would make lines look appended later than they were, hiding latency (it did, on a
      // loaded machine: negative latencies). The write itself takes microseconds.
      const t = nowMs();
      writeSync(fd, block);
      if (times) times.fill(t, seq, due);
      seq = due;
      lastWrite = t;
      if (cfg.progress) process.send({ kind: 'progress', written: seq, t });
    }
    // Pace by a fixed schedule, so a late tick is made up by a bigger block, not a lower rate.
    nextTick += cfg.tickMs;
    const wait = nextTick - nowMs();
    if (wait > 0) await sleep(wait);
    else nextTick = nowMs();
  }
  // The last block stands for one tick of appends: N blocks cover N ticks.
  const t1 = lastWrite + cfg.tickMs;
  closeSync(fd);
  const done = { kind: 'done', written: seq, t0, t1, lastWrite, bytes: statSync(cfg.file).size };
  if (times) done.times = Array.from(times);
  process.send(done, () => process.disconnect());
}

// ---------------------------------------------------------------------------------------------
// Helpers of the orchestrator.
// ---------------------------------------------------------------------------------------------

const log = (msg) => console.error(`[follow-bench] ${msg}`);
const children = new Set();
const dirs = [];

function today() {
  const d = new Date();
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * The README's layout: `logs/bridge_{YYYYMMDD}.ndjson` and `logs/bridge.db` side by side, the status
 * file in `run/` (FOLLOW_BENCH_STATUS_IN_LOGS=1 puts it in `logs/`, the watched folder), and the
 * follower's working directory the folder above (as a service's WorkingDirectory would be).
 */
function freshDir(name) {
  const dir = mkdtempSync(join(tmpdir(), `sluice-follow-bench-${name}-`));
  dirs.push(dir);
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  const file = join(logs, `bridge_${today()}.ndjson`);
  writeFileSync(file, ''); // the day's file exists before the follower starts: discovery is not timed
  const status = process.env.FOLLOW_BENCH_STATUS_IN_LOGS === '1' ? join(logs, 'follow.json') : join(dir, 'run', 'follow.json');
  return { dir, file, db: join(logs, 'bridge.db'), status, pattern: join(logs, 'bridge_{YYYYMMDD}.ndjson') };
}

function load() {
  return loadavg().map((v) => +v.toFixed(2));
}

function startFollower(s, opts = {}) {
  const bin = resolve(root, process.env.BENCH_SLUICE_BIN ?? join('bin', 'sluice.js'));
  const extra = (process.env.FOLLOW_BENCH_ARGS ?? '').split(/\s+/).filter(Boolean);
  const metrics = opts.metricsPort ? ['--metrics-port', String(opts.metricsPort)] : [];
  const args = [bin, 'follow', s.pattern, '--db', s.db, '--status-file', s.status, '--no-progress', ...metrics, ...extra];
  const child = spawn(process.execPath, args, { cwd: process.env.FOLLOW_BENCH_CWD || s.dir, stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  const info = { child, stderr: '', exit: null };
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => (info.stderr = (info.stderr + d).slice(-8192)));
  info.exited = new Promise((r) => child.on('exit', (code, signal) => {
    children.delete(child);
    info.exit = { code, signal };
    r(info.exit);
  }));
  return info;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended and how long the stop took. */
async function stopProcess(info, graceMs = 10_000) {
  if (info.exit) return { ...info.exit, stopMs: 0, killed: false };
  const t = nowMs();
  info.child.kill('SIGTERM');
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    info.child.kill('SIGKILL');
  }, graceMs);
  const exit = await info.exited;
  clearTimeout(timer);
  return { ...exit, stopMs: Math.round(nowMs() - t), killed };
}

function readStatus(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null; // not written yet
  }
}

async function waitForTailing(f, s, timeoutMs = 60_000) {
  const t = nowMs();
  while (nowMs() - t < timeoutMs) {
    if (f.exit) throw new Error(`follower exited early (${JSON.stringify(f.exit)}): ${f.stderr.slice(-600)}`);
    if (readStatus(s.status)?.phase === 'tailing') return Math.round(nowMs() - t);
    await sleep(20);
  }
  throw new Error(`follower not tailing after ${timeoutMs / 1000}s; stderr: ${f.stderr.slice(-600)}`);
}

function startWriter(cfg) {
  const child = fork(SELF, ['--writer', JSON.stringify(cfg)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(child);
  const w = { child, written: 0, lastT: null, done: null };
  w.finished = new Promise((resolveDone, reject) => {
    child.on('message', (m) => {
      if (m.kind === 'progress') {
        w.written = m.written;
        w.lastT = m.t;
      } else if (m.kind === 'done') {
        w.written = m.written;
        w.done = m;
      }
    });
    child.on('exit', (code, signal) => {
      children.delete(child);
      if (w.done) resolveDone(w.done);
      else reject(new Error(`writer exited without finishing (${code ?? signal})`));
    });
  });
  return w;
}

function openReader(db) {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  conn.pragma('busy_timeout = 5000');
  // The unique index (session_id, seq) answers this in O(log n); seqs are 1..N committed in order.
  const maxSeq = conn.prepare("SELECT max(seq) FROM events WHERE session_id = 's'").pluck();
  const cursor = conn.prepare('SELECT max(offset) FROM sluice_cursors').pluck();
  return {
    conn,
    rows: () => maxSeq.get() ?? 0,
    cursorOffset: () => cursor.get() ?? 0,
    count: () => conn.prepare('SELECT count(*) FROM events').pluck().get(),
    close: () => conn.close(),
  };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

const r1 = (n) => (n === null || n === undefined ? null : Math.round(n * 10) / 10);

function fileSize(path) {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** A free TCP port on 127.0.0.1 (for the follower's --metrics-port). */
function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

/** The follower's own commit-latency histogram (`sluice_commit_seconds`), from /metrics. */
async function commitHistogram(port) {
  try {
    const text = await new Promise((resolveText, reject) => {
      httpGet(`http://127.0.0.1:${port}/metrics`, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolveText(body));
      }).on('error', reject);
    });
    const buckets = {};
    for (const m of text.matchAll(/^sluice_commit_seconds_bucket\{[^}]*le="([^"]+)"[^}]*\} (\S+)$/gm)) buckets[m[1]] = Number(m[2]);
    const count = Number(/^sluice_commit_seconds_count(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1] ?? NaN);
    const sum = Number(/^sluice_commit_seconds_sum(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1] ?? NaN);
    const over = (le) => (buckets[le] === undefined ? null : count - buckets[le]);
    return { commits: count, meanMs: r1((sum / count) * 1000), over10ms: over('0.01'), over50ms: over('0.05'), over100ms: over('0.1'), buckets };
  } catch (err) {
    return { error: String(err.message ?? err) };
  }
}

/** CPU of the follower between two procCpu() looks, in percent of one core. */
function cpuPercent(a, b, clkTck) {
  return +((((b.ticks - a.ticks) / clkTck) / ((b.t - a.t) / 1000)) * 100).toFixed(2);
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

// ---------------------------------------------------------------------------------------------
// 1. Append-to-committed latency.
// ---------------------------------------------------------------------------------------------

async function latencyScenario() {
  const seconds = env('FOLLOW_BENCH_LATENCY_SEC', 15);
  const rate = env('FOLLOW_BENCH_LATENCY_RATE', 1000);
  const tickMs = env('FOLLOW_BENCH_GROUP_MS', 5);
  const pollMs = env('FOLLOW_BENCH_POLL_MS', 2);
  const total = Math.round(rate * seconds);
  const s = freshDir('latency');
  const loadBefore = load();
  log(`latency: ${rate} lines/s for ${seconds}s in groups every ${tickMs} ms; load ${loadBefore.join(' ')}`);

  const port = await freePort();
  const f = startFollower(s, { metricsPort: port });
  const result = { rate, seconds, groupMs: tickMs, lines: total, loadBefore };
  try {
    result.startupMs = await waitForTailing(f, s);
    const reader = openReader(s.db);
    const visible = new Float64Array(total).fill(NaN);
    let seen = reader.rows();
    let polls = 0;
    let pollCostMs = 0;
    let maxGapMs = 0;
    let gapsOver10 = 0;
    let lastPoll = nowMs();
    const poll = () => {
      const t = nowMs();
      maxGapMs = Math.max(maxGapMs, t - lastPoll);
      if (t - lastPoll > 10) gapsOver10++;
      lastPoll = t;
      const m = Math.min(total, reader.rows());
      // Committed before the query started: its start is when those rows were visible at the latest.
      if (m > seen) visible.fill(t, seen, m);
      if (m > seen) seen = m;
      polls++;
      pollCostMs += nowMs() - t;
    };
    const started = nowMs();
    const cpu0 = procCpu(f.child.pid);
    const timer = setInterval(poll, pollMs);
    const w = startWriter({ file: s.file, rate, seconds, tickMs, recordTimes: true, progress: false });
    const done = await w.finished;
    const cpu1 = procCpu(f.child.pid);
    const waitStart = nowMs();
    while (seen < total && nowMs() - waitStart < 10_000) await sleep(20);
    clearInterval(timer);
    poll();
    const pollSpan = nowMs() - started;
    reader.close();
    result.commits = await commitHistogram(port);
    result.followerCpuPercent = cpuPercent(cpu0, cpu1, CLK_TCK);
    result.followerWakeupsPerSec = r1((cpu1.wakeups - cpu0.wakeups) / ((cpu1.t - cpu0.t) / 1000));

    const lat = [];
    let missing = 0;
    const worstBySecond = [];
    for (let i = 0; i < total; i++) {
      if (Number.isNaN(visible[i])) {
        missing++;
        continue;
      }
      const l = visible[i] - done.times[i];
      lat.push(l);
      const sec = Math.floor((done.times[i] - done.t0) / 1000);
      worstBySecond[sec] = Math.max(worstBySecond[sec] ?? 0, l);
    }
    lat.sort((a, b) => a - b);
    result.worstBySecondMs = Array.from(worstBySecond, (x) => Math.round(x ?? 0));
    Object.assign(result, {
      appendRate: Math.round(done.written / ((done.t1 - done.t0) / 1000)),
      missing,
      p50: r1(percentile(lat, 50)),
      p90: r1(percentile(lat, 90)),
      p99: r1(percentile(lat, 99)),
      max: r1(lat[lat.length - 1] ?? null),
      min: r1(lat[0] ?? null),
      mean: r1(lat.reduce((a, b) => a + b, 0) / (lat.length || 1)),
      // How good the measurement is: visibility is known to within one poll interval.
      poller: {
        intervalMs: pollMs,
        meanIntervalMs: r1(pollSpan / polls),
        maxGapMs: r1(maxGapMs),
        gapsOver10ms: gapsOver10,
        meanQueryMs: +(pollCostMs / polls).toFixed(3),
      },
      histogram: histogram(lat, [5, 10, 25, 50, 100, 150, 200, 300, 500, 1000]),
    });
    result.met = { p50: result.p50 !== null && result.p50 <= 50, p99: result.p99 !== null && result.p99 <= 150, noLoss: missing === 0 };
  } finally {
    result.follower = await stopProcess(f);
    result.loadAfter = load();
  }
  return result;
}

function histogram(sorted, edges) {
  const out = {};
  let i = 0;
  for (const e of edges) {
    let n = 0;
    while (i < sorted.length && sorted[i] <= e) {
      n++;
      i++;
    }
    out[`<=${e}ms`] = n;
  }
  out[`>${edges[edges.length - 1]}ms`] = sorted.length - i;
  return out;
}

// ---------------------------------------------------------------------------------------------
// 2. Sustained rate, lag over time, drain time.
// ---------------------------------------------------------------------------------------------

async function sustainScenario() {
  const seconds = env('FOLLOW_BENCH_SUSTAIN_SEC', 60);
  // A little above the 50,000 target: the writer paces on timers, and a late last tick would
  // otherwise put the achieved rate a hair under 50,000.
  const rate = env('FOLLOW_BENCH_SUSTAIN_RATE', 51_000);
  const total = Math.round(rate * seconds);
  const s = freshDir('sustain');
  const loadBefore = load();
  log(`sustain: ${rate} lines/s for ${seconds}s in blocks every 100 ms; load ${loadBefore.join(' ')}`);

  const port = await freePort();
  const f = startFollower(s, { metricsPort: port });
  const result = { targetRate: rate, seconds, lines: total, loadBefore };
  try {
    result.startupMs = await waitForTailing(f, s);
    const reader = openReader(s.db);
    const samples = [];
    const cpu0 = procCpu(f.child.pid);
    const w = startWriter({ file: s.file, rate, seconds, tickMs: 100, recordTimes: false, progress: true });
    const t0 = nowMs();
    const sample = () => {
      const st = readStatus(s.status);
      const rows = reader.rows();
      const size = fileSize(s.file);
      const smp = {
        t: r1((nowMs() - t0) / 1000),
        written: w.written,
        rows,
        rowLag: w.written - rows,
        statusLagBytes: st?.lag_bytes ?? null,
        committedLagBytes: size - reader.cursorOffset(),
        statusWritten: st?.counts?.written ?? null,
        phase: st?.phase ?? null,
        load1: r1(loadavg()[0]),
      };
      samples.push(smp);
      log(`  t=${smp.t}s written=${smp.written} rows=${smp.rows} row-lag=${smp.rowLag} `
        + `lag_bytes=${smp.statusLagBytes} committed-lag=${smp.committedLagBytes}B load=${smp.load1}`);
    };
    const timer = setInterval(sample, 1000);
    let writerError;
    const done = await w.finished.catch((e) => {
      writerError = e;
      return null;
    });
    clearInterval(timer);
    if (!done) throw writerError;
    const writeEnd = nowMs();
    const cpu1 = procCpu(f.child.pid);
    sample();
    const rowsAtWriteEnd = samples[samples.length - 1].rows;
    log(`  writing done (${done.written} lines, ${(done.bytes / 1e6).toFixed(0)} MB); draining`);
    let rows = reader.rows();
    while (rows < done.written && nowMs() - writeEnd < 600_000 && !f.exit) {
      await sleep(5);
      rows = reader.rows();
    }
    const drainDone = nowMs();
    // From the last append (shared monotonic clock) to the poll that saw every row.
    const drainMs = drainDone - done.lastWrite;
    const count = reader.count();
    reader.close();
    result.commits = await commitHistogram(port);
    result.followerCpuPercent = cpuPercent(cpu0, cpu1, CLK_TCK);

    const writeSec = (done.t1 - done.t0) / 1000;
    const half = writeSec / 2;
    const writing = samples.filter((x) => x.t <= writeSec);
    const first = writing.filter((x) => x.t <= half);
    const last = writing.filter((x) => x.t > half);
    const maxOf = (arr, k) => arr.reduce((m, x) => Math.max(m, x[k] ?? 0), 0);
    const medianOf = (arr, k) => percentile(arr.map((x) => x[k] ?? 0).sort((a, b) => a - b), 50);
    const at = (sec) => {
      const x = samples.find((y) => y.t >= sec - 0.5);
      return x ? { t: x.t, rowLag: x.rowLag, statusLagBytes: x.statusLagBytes, committedLagBytes: x.committedLagBytes } : null;
    };
    const lagFirst = maxOf(first, 'rowLag');
    const lagLast = maxOf(last, 'rowLag');
    const bytesFirst = maxOf(first, 'committedLagBytes');
    const bytesLast = maxOf(last, 'committedLagBytes');
    // "Small in absolute terms": never more than one second of appends behind.
    const bounded = lagLast <= 2 * lagFirst || lagLast <= rate;
    Object.assign(result, {
      appended: done.written,
      appendedMB: +(done.bytes / 1e6).toFixed(1),
      appendRate: Math.round(done.written / writeSec),
      ingestRateWhileWriting: Math.round(rowsAtWriteEnd / ((writeEnd - done.t0) / 1000)),
      ingestRateOverall: Math.round(rows / ((drainDone - done.t0) / 1000)),
      lagAt10s: at(10),
      lagAt30s: at(30),
      lagAtEnd: at(writeSec),
      maxRowLagFirstHalf: lagFirst,
      maxRowLagLastHalf: lagLast,
      maxCommittedLagBytesFirstHalf: bytesFirst,
      maxCommittedLagBytesLastHalf: bytesLast,
      medianRowLagFirstHalf: medianOf(first, 'rowLag'),
      medianRowLagLastHalf: medianOf(last, 'rowLag'),
      rowLagSlopePerSec: Math.round(slope(writing.map((x) => [x.t, x.rowLag]))),
      bounded,
      drainMs: Math.round(drainMs),
      rowsInDb: count,
      allRows: count === done.written,
      samples,
    });
    result.met = { rate: result.appendRate >= 50_000, bounded, allRows: result.allRows };
  } finally {
    result.follower = await stopProcess(f);
    result.loadAfter = load();
  }
  return result;
}

/** Least-squares slope of [x, y] points. */
function slope(pts) {
  const n = pts.length;
  if (n < 2) return 0;
  const mx = pts.reduce((a, p) => a + p[0], 0) / n;
  const my = pts.reduce((a, p) => a + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of pts) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

// ---------------------------------------------------------------------------------------------
// 3. Idle CPU.
// ---------------------------------------------------------------------------------------------

/** utime + stime of the whole process (all threads), in clock ticks; voluntary switches of all threads. */
function procCpu(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from #3 (state) on
  const ticks = Number(fields[11]) + Number(fields[12]); // #14 utime, #15 stime
  let wakeups = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const m = /voluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'));
      wakeups += Number(m?.[1] ?? 0);
    } catch { /* thread gone */ }
  }
  return { ticks, wakeups, t: nowMs() };
}

/**
 * Two windows of FOLLOW_BENCH_IDLE_SEC: one starting 2 s after the follower has caught up (start-up
 * transients such as V8's memory-reducer GCs may still fall in it), and one starting
 * FOLLOW_BENCH_IDLE_SETTLE_SEC after it went tailing: the steady state a service spends its nights in,
 * which the < 1 % target is checked against.
 */
async function idleScenario() {
  const seconds = env('FOLLOW_BENCH_IDLE_SEC', 10);
  const settle = env('FOLLOW_BENCH_IDLE_SETTLE_SEC', 30);
  const s = freshDir('idle');
  let block = '';
  for (let i = 1; i <= 1000; i++) block += line(i, i);
  writeFileSync(s.file, block);
  const loadBefore = load();
  log(`idle: follower with no appends, ${seconds}s just after catch-up and ${seconds}s from ${settle}s on; load ${loadBefore.join(' ')}`);
  const f = startFollower(s);
  const result = { seconds, settleSec: settle, clkTck: CLK_TCK, loadBefore };
  const windowOf = (a, b) => {
    const wall = (b.t - a.t) / 1000;
    return {
      wallSec: r1(wall),
      cpuTicks: b.ticks - a.ticks,
      cpuPercent: cpuPercent(a, b, CLK_TCK),
      wakeupsPerSec: r1((b.wakeups - a.wakeups) / wall),
      resolutionPercent: +((1 / CLK_TCK / wall) * 100).toFixed(2),
    };
  };
  try {
    result.startupMs = await waitForTailing(f, s);
    const tailingAt = nowMs();
    const reader = openReader(s.db);
    while (reader.rows() < 1000 && !f.exit) await sleep(20);
    reader.close();
    await sleep(2000); // the first commits and status writes are done
    let a = procCpu(f.child.pid);
    await sleep(seconds * 1000);
    result.afterCatchUp = windowOf(a, procCpu(f.child.pid));
    log(`  just after catch-up: ${result.afterCatchUp.cpuPercent} %`);
    await sleep(Math.max(0, settle * 1000 - (nowMs() - tailingAt)));
    a = procCpu(f.child.pid);
    await sleep(seconds * 1000);
    result.steady = windowOf(a, procCpu(f.child.pid));
    log(`  steady: ${result.steady.cpuPercent} %`);
    result.cpuPercent = result.steady.cpuPercent;
    result.met = { cpu: result.cpuPercent < 1 };
  } finally {
    result.follower = await stopProcess(f);
    result.loadAfter = load();
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Main.
// ---------------------------------------------------------------------------------------------

function cleanup() {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch { /* gone */ }
  }
  if (process.env.FOLLOW_BENCH_KEEP !== '1') for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

function yesNo(b) {
  return b ? 'met' : 'MISSED';
}

function printLatency(r) {
  console.log(`1. append-to-committed latency, ${r.rate} lines/s for ${r.seconds}s (${r.lines} lines, groups every ${r.groupMs} ms, achieved ${r.appendRate} lines/s)`);
  if (r.error) return console.log(`   FAILED: ${r.error}`);
  console.log(`   p50 ${r.p50} ms [${yesNo(r.met.p50)} ≤ 50]  p90 ${r.p90} ms  p99 ${r.p99} ms [${yesNo(r.met.p99)} ≤ 150]  max ${r.max} ms  (min ${r.min}, mean ${r.mean})`);
  console.log(`   not visible: ${r.missing}; poller every ${r.poller.meanIntervalMs} ms (max gap ${r.poller.maxGapMs} ms, ${r.poller.gapsOver10ms} gaps > 10 ms, query ${r.poller.meanQueryMs} ms)`);
  console.log(`   histogram ${JSON.stringify(r.histogram)}`);
  console.log(`   worst latency per second of appends (ms): ${r.worstBySecondMs.join(' ')}`);
  const c = r.commits ?? {};
  console.log(`   follower: ${r.followerCpuPercent} % CPU, ${r.followerWakeupsPerSec} wake-ups/s; ${c.commits} commits, mean ${c.meanMs} ms, > 10 ms: ${c.over10ms}, > 50 ms: ${c.over50ms}, > 100 ms: ${c.over100ms}`);
  console.log(`   follower stop: ${JSON.stringify(r.follower)}; load ${r.loadBefore.join(' ')} -> ${r.loadAfter.join(' ')}`);
}

function printSustain(r) {
  console.log(`2. sustained: writer aims at ${r.targetRate} lines/s for ${r.seconds}s`);
  if (r.error) return console.log(`   FAILED: ${r.error}`);
  console.log(`   appended ${r.appended} lines (${r.appendedMB} MB) at ${r.appendRate} lines/s [${yesNo(r.met.rate)} ≥ 50,000]`);
  console.log(`   ingest ${r.ingestRateWhileWriting} rows/s while writing, ${r.ingestRateOverall} rows/s including the drain; follower ${r.followerCpuPercent} % CPU`);
  const fmt = (x) => (x ? `${x.rowLag} rows / ${x.committedLagBytes} B not committed (status lag_bytes ${x.statusLagBytes}) at ${x.t}s` : 'n/a');
  console.log(`   lag at 10s: ${fmt(r.lagAt10s)}`);
  console.log(`   lag at 30s: ${fmt(r.lagAt30s)}`);
  console.log(`   lag at end: ${fmt(r.lagAtEnd)}`);
  console.log(`   row lag first half max ${r.maxRowLagFirstHalf} / median ${r.medianRowLagFirstHalf}, last half max ${r.maxRowLagLastHalf} / median ${r.medianRowLagLastHalf}; slope ${r.rowLagSlopePerSec} rows/s -> bounded: ${r.bounded ? 'yes' : 'NO'}`);
  const c = r.commits ?? {};
  console.log(`   ${c.commits} commits, mean ${c.meanMs} ms, > 50 ms: ${c.over50ms}, > 100 ms: ${c.over100ms}`);
  console.log(`   drain after the last append: ${r.drainMs} ms; rows in db ${r.rowsInDb} (${r.allRows ? 'all' : 'MISSING SOME'})`);
  console.log(`   follower stop: ${JSON.stringify(r.follower)}; load ${r.loadBefore.join(' ')} -> ${r.loadAfter.join(' ')}`);
}

function printIdle(r) {
  console.log(`3. idle CPU, no appends, ${r.seconds}s windows`);
  if (r.error) return console.log(`   FAILED: ${r.error}`);
  const w = (x) => `${x.cpuPercent} % of one core (${x.cpuTicks} ticks of 1/${r.clkTck} s in ${x.wallSec} s, resolution ${x.resolutionPercent} %), ${x.wakeupsPerSec} wake-ups/s`;
  console.log(`   steady (from ${r.settleSec}s after tailing): ${w(r.steady)} [${yesNo(r.met.cpu)} < 1 %]`);
  console.log(`   just after catch-up:              ${w(r.afterCatchUp)}`);
  console.log(`   follower stop: ${JSON.stringify(r.follower)}; load ${r.loadBefore.join(' ')} -> ${r.loadAfter.join(' ')}`);
}

async function main() {
  const wanted = (process.env.FOLLOW_BENCH_SCENARIOS ?? 'latency,sustain,idle').split(',').map((x) => x.trim());
  const out = { node: process.version, loadStart: load(), cores: (await import('node:os')).cpus().length };
  const run = async (name, fn) => {
    if (!wanted.includes(name)) return;
    try {
      out[name] = await fn();
    } catch (err) {
      log(`${name} failed: ${err.stack ?? err}`);
      out[name] = { error: String(err.message ?? err) };
    }
  };
  await run('latency', latencyScenario);
  await run('sustain', sustainScenario);
  await run('idle', idleScenario);
  out.loadEnd = load();

  console.log(`sluice follow benchmark — node ${out.node}, ${out.cores} cores, load average ${out.loadStart.join(' ')} at start, ${out.loadEnd.join(' ')} at end`);
  if (out.latency) printLatency(out.latency);
  if (out.sustain) printSustain(out.sustain);
  if (out.idle) printIdle(out.idle);
  const compact = JSON.parse(JSON.stringify(out));
  if (compact.sustain?.samples) compact.sustain.samples = compact.sustain.samples.map((x) => [x.t, x.written, x.rows, x.statusLagBytes, x.committedLagBytes]);
  console.log(JSON.stringify(compact));
  const failed = ['latency', 'sustain', 'idle'].some((k) => out[k]?.error);
  process.exitCode = failed ? 1 : 0;
}

if (process.argv[2] === '--writer') {
  writerMain(JSON.parse(process.argv[3])).catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  process.on('exit', cleanup);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      cleanup();
      process.exit(130);
    });
  }
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
