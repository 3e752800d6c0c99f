#!/usr/bin/env node
// `npm run bench:pg`: the bridge and cowrie profiles into PostgreSQL, two parts:
//   bridge  N generated bridge events (duplicates and bad lines included) by `sluice ingest --into
//           postgres://...` into a fresh schema, vs. `psql \copy` of the same rows (the loaded rows,
//           exported with COPY TO) into another fresh schema with the same table, indexes and all
//           (`CREATE TABLE ... (LIKE events INCLUDING ALL)`). Target: Sluice >= 80 % of \copy's speed.
//   cowrie  ~1M Cowrie events made from the real synthetic logs (../shared/data/cowrie/
//           cowrieprocessor-synthetic, 150,000 events) copied with other session ids and times, by
//           `sluice ingest --profile cowrie` into PostgreSQL (session tables by trigger) vs. into SQLite.
//
//   node bench/pg-bench.mjs [--json]
//   env PG_BENCH_ONLY=bridge,cowrie  PG_BENCH_BRIDGE_ROWS=1000000  PG_BENCH_COWRIE_COPIES=7
//       PG_BENCH_URL=postgres://postgres@127.0.0.1:5432/test  PG_BENCH_DIR=$TMPDIR/sluice-pg-bench
//       SLUICE_SHARED_DATA=../shared/data  PG_BENCH_TIMEOUT_S=1800
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import pg from 'pg';
import { generateBridgeEvents } from './generate-bridge-events.mjs';
import { lastJson, measure } from './measure.mjs';
import { verdict } from './verdict.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SLUICE = join(root, 'bin', 'sluice.js');
const env = process.env;
const only = new Set((env.PG_BENCH_ONLY ?? 'bridge,cowrie').split(',').map((s) => s.trim()));
const num = (name, dflt) => Number((env[name] ?? String(dflt)).replace(/_/g, ''));
const BRIDGE_ROWS = num('PG_BENCH_BRIDGE_ROWS', 1_000_000);
const COWRIE_COPIES = num('PG_BENCH_COWRIE_COPIES', 7);
const TIMEOUT_MS = num('PG_BENCH_TIMEOUT_S', 1800) * 1000;
const PG_URL = env.PG_BENCH_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const dir = env.PG_BENCH_DIR ?? join(tmpdir(), 'sluice-pg-bench');
const SHARED = [env.SLUICE_SHARED_DATA, join(root, '..', 'shared', 'data'), '/work/shared/data'].find((d) => d && existsSync(d));
// The speed-ratio target (≥ 80 % of \copy), raised from the first PostgreSQL target of 50 %.
const TARGET_COPY_RATIO = 0.8;
const log = (msg) => console.error(`[pg-bench] ${msg}`);
const fmt = (n) => Math.round(n).toLocaleString('en');
const results = {};

function fresh(path) {
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true });
  return path;
}

async function sluice(args) {
  const r = await measure(process.execPath, [SLUICE, ...args, '--json', '--no-progress'], { timeoutMs: TIMEOUT_MS });
  const summary = lastJson(r.stdout);
  if (![0, 3].includes(r.code) || !summary) throw new Error(`sluice ${args.join(' ')} failed (exit ${r.code}, ${r.signal ?? ''}):\n${r.stderr.slice(-2000)}`);
  return { ...r, summary };
}

/** Runs one psql command; returns its wall seconds. */
function psql(command) {
  const t0 = performance.now();
  const r = spawnSync('psql', [PG_URL, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', command], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
  return (performance.now() - t0) / 1000;
}

// ---- (a) bridge: sluice ingest vs. psql \copy -----------------------------------------------------------

async function benchBridge(client) {
  const tag = `${process.pid}_${Date.now().toString(36)}`;
  const loaded = `bench_pg_bridge_${tag}`;
  const copied = `bench_pg_copy_${tag}`;
  const work = fresh(join(dir, 'bridge'));
  try {
    const file = join(work, 'bridge.ndjson');
    log(`bridge: generating ${fmt(BRIDGE_ROWS)} lines`);
    const gen = await generateBridgeEvents({ count: BRIDGE_ROWS, seed: 42, out: file });
    log(`bridge: sluice ingest into schema ${loaded}`);
    const run = await sluice(['ingest', file, '--into', `${PG_URL}?schema=${loaded}`, '--dead-letter', join(work, 'dl.ndjson')]);
    if (run.summary.inserted !== gen.good) throw new Error(`bridge: expected ${gen.good} rows, sluice inserted ${run.summary.inserted}`);

    const cols = (
      await client.query(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'events' AND column_name <> 'id'
         ORDER BY ordinal_position`,
        [loaded],
      )
    ).rows.map((r) => `"${r.column_name}"`);
    const csv = join(work, 'events.csv');
    log('bridge: COPY TO csv, then \\copy the same rows into a fresh schema with the same table and indexes');
    psql(`\\copy (SELECT ${cols.join(', ')} FROM "${loaded}".events ORDER BY id) TO '${csv}' WITH (FORMAT csv)`);
    await client.query(`CREATE SCHEMA "${copied}"`);
    await client.query(`CREATE TABLE "${copied}".events (LIKE "${loaded}".events INCLUDING ALL)`);
    const copySeconds = psql(`\\copy "${copied}".events (${cols.join(', ')}) FROM '${csv}' WITH (FORMAT csv)`);
    const n = Number((await client.query(`SELECT count(*) AS n FROM "${copied}".events`)).rows[0].n);
    if (n !== gen.good) throw new Error(`bridge: \\copy loaded ${n} rows, expected ${gen.good}`);

    // Rates per stored row for both: Sluice also reads the duplicates and bad lines (about 0.01 %).
    const sluiceRate = gen.good / run.seconds;
    const copyRate = gen.good / copySeconds;
    results.bridge = {
      lines: gen.lines,
      rows: gen.good,
      bytes: gen.bytes,
      sluice: { seconds: +run.seconds.toFixed(2), rowsPerSec: Math.round(sluiceRate), peakRssMB: run.peakRssMB },
      psqlCopy: { seconds: +copySeconds.toFixed(2), rowsPerSec: Math.round(copyRate) },
      ratioToCopy: +(sluiceRate / copyRate).toFixed(3),
    };
    verdict({
      job: 'bridge', figure: `ingest ${fmt(gen.good)} rows into PostgreSQL`, reference: 'psql \\copy, same table',
      referenceValue: copySeconds, value: run.seconds, target: `≤ ${(1 / TARGET_COPY_RATIO).toFixed(2)}× (≥ ${100 * TARGET_COPY_RATIO} % of \\copy's rate)`,
      met: results.bridge.ratioToCopy >= TARGET_COPY_RATIO, peakRssMB: run.peakRssMB,
    });
    console.error(
      `bridge into PostgreSQL (${fmt(gen.good)} rows): sluice ingest ${run.seconds.toFixed(2)} s (${fmt(sluiceRate)} rows/s, ` +
        `peak RSS ${run.peakRssMB} MB) | psql \\copy ${copySeconds.toFixed(2)} s (${fmt(copyRate)} rows/s)\n` +
        `  sluice / \\copy = ${(100 * results.bridge.ratioToCopy).toFixed(0)} % (target >= ${100 * TARGET_COPY_RATIO} %) ` +
        `${results.bridge.ratioToCopy >= TARGET_COPY_RATIO ? 'ok' : 'MISSED'}`,
    );
  } finally {
    for (const s of [loaded, copied]) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

// ---- (b) cowrie: into PostgreSQL vs. into SQLite ----------------------------------------------------------

/** The real synthetic events, `copies` times: copy k has its own session ids and is k × 3 days later. */
async function writeCowrieEvents(path, copies) {
  const folder = SHARED && join(SHARED, 'cowrie', 'cowrieprocessor-synthetic');
  if (!folder || !existsSync(folder)) throw new Error('cowrie: needs the shared sample data (../shared/data/cowrie/cowrieprocessor-synthetic or SLUICE_SHARED_DATA)');
  const events = readdirSync(folder)
    .filter((f) => f.endsWith('.json.gz'))
    .sort()
    .flatMap((f) => gunzipSync(readFileSync(join(folder, f))).toString('utf8').split('\n'))
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  let buf = '';
  let n = 0;
  for (let k = 0; k < copies; k++) {
    const shiftMs = k * 3 * 86_400_000;
    for (const e of events) {
      const c = { ...e };
      if (k > 0 && typeof c.session === 'string') c.session = `${k.toString(16).padStart(2, '0')}${c.session.slice(2)}`;
      if (typeof c.timestamp === 'string' && c.timestamp.length > 23) {
        // Keep the microseconds: shift the millisecond part, append the rest as it was.
        c.timestamp = new Date(Date.parse(c.timestamp) + shiftMs).toISOString().slice(0, 23) + c.timestamp.slice(23);
      }
      buf += `${JSON.stringify(c)}\n`;
      n++;
      if (buf.length > 1 << 20) {
        if (!out.write(buf)) await once(out, 'drain');
        buf = '';
      }
    }
  }
  out.end(buf);
  await once(out, 'finish');
  return n;
}

async function benchCowrie(client) {
  const schema = `bench_pg_cowrie_${process.pid}_${Date.now().toString(36)}`;
  const work = fresh(join(dir, 'cowrie'));
  try {
    const file = join(work, 'cowrie.json');
    log(`cowrie: writing ${COWRIE_COPIES} copies of the synthetic logs`);
    const events = await writeCowrieEvents(file, COWRIE_COPIES);
    log(`cowrie: ${fmt(events)} events; sluice ingest into SQLite`);
    const lite = await sluice(['ingest', file, '--profile', 'cowrie', '--db', join(work, 'cowrie.db')]);
    log(`cowrie: sluice ingest into PostgreSQL schema ${schema}`);
    const post = await sluice(['ingest', file, '--profile', 'cowrie', '--into', `${PG_URL}?schema=${schema}`, '--dead-letter', join(work, 'pg.dl.ndjson')]);
    if (post.summary.inserted !== lite.summary.inserted) {
      throw new Error(`cowrie: PostgreSQL inserted ${post.summary.inserted}, SQLite ${lite.summary.inserted}`);
    }
    const sessions = Number((await client.query(`SELECT count(*) AS n FROM "${schema}".session_metrics`)).rows[0].n);
    const liteRate = events / lite.seconds;
    const postRate = events / post.seconds;
    results.cowrie = {
      events,
      inserted: post.summary.inserted,
      sessions,
      sqlite: { seconds: +lite.seconds.toFixed(2), eventsPerSec: Math.round(liteRate), peakRssMB: lite.peakRssMB },
      postgres: { seconds: +post.seconds.toFixed(2), eventsPerSec: Math.round(postRate), peakRssMB: post.peakRssMB },
      ratioToSqlite: +(postRate / liteRate).toFixed(3),
    };
    verdict({
      job: 'cowrie', figure: `ingest ${fmt(events)} events into PostgreSQL`, reference: 'sluice into SQLite', referenceValue: lite.seconds,
      value: post.seconds, target: 'figure only', met: null, peakRssMB: post.peakRssMB,
    });
    console.error(
      `cowrie (${fmt(events)} events, ${fmt(sessions)} sessions): into SQLite ${lite.seconds.toFixed(2)} s (${fmt(liteRate)} events/s, ` +
        `peak RSS ${lite.peakRssMB} MB) | into PostgreSQL ${post.seconds.toFixed(2)} s (${fmt(postRate)} events/s, peak RSS ${post.peakRssMB} MB)\n` +
        `  PostgreSQL / SQLite = ${(100 * results.cowrie.ratioToSqlite).toFixed(0)} %`,
    );
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

const client = new pg.Client({ connectionString: PG_URL });
await client.connect();
let failed = false;
try {
  if (only.has('bridge')) {
    await benchBridge(client);
    failed ||= results.bridge.ratioToCopy < TARGET_COPY_RATIO;
  }
  if (only.has('cowrie')) await benchCowrie(client);
} finally {
  await client.end();
  rmSync(dir, { recursive: true, force: true });
}
if (process.argv.includes('--json')) console.log(JSON.stringify(results));
process.exit(failed ? 1 : 0);
