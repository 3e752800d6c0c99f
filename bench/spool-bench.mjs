#!/usr/bin/env node
// `sluice spool` bench (issue 5 targets), three parts:
//   pg   PostgreSQL sink throughput: `sluice spool` of N applog entries (a few big .json.gz files) into a
//        fresh schema, vs. `psql \copy` of the same rows from a CSV (made with COPY TO from the loaded
//        table), vs. a row-at-a-time INSERT loop (node `pg`, autocommit, extrapolated). Targets: >= 50 %
//        of \copy, >= 10x the row loop.
//   s3   10,000 small gzipped files in a local S3-compatible server (s3rver; upload not timed), then
//        `sluice spool --from s3://... --db DB`. Target: >= 300 files/s.
//   rss  peak RSS of `sluice spool` on one ~1 GB JSON-array file into SQLite. Target: <= 200 MB.
//
//   node bench/spool-bench.mjs [--json]
//   env SPOOL_BENCH_ONLY=pg,s3,rss   SPOOL_BENCH_PG_ROWS=200000  SPOOL_BENCH_PG_FILES=4
//       SPOOL_BENCH_ROW_LOOP=20000   SPOOL_BENCH_S3_FILES=10000  SPOOL_BENCH_S3_CONCURRENCY=32
//       SPOOL_BENCH_RSS_MB=1024      SPOOL_BENCH_DIR=$TMPDIR/sluice-spool-bench
//       PG_BENCH_URL=postgres://postgres@127.0.0.1:5432/test  SPOOL_BENCH_TIMEOUT_S=1800
import { fork, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import { lastJson, measure } from './measure.mjs';
import { verdict } from './verdict.mjs';
import { applogEntries as entries } from './generate-applog-entries.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SLUICE = join(root, 'bin', 'sluice.js');
const env = process.env;
const only = new Set((env.SPOOL_BENCH_ONLY ?? 'pg,s3,rss').split(',').map((s) => s.trim()));
const num = (name, dflt) => Number((env[name] ?? String(dflt)).replace(/_/g, ''));
const PG_ROWS = num('SPOOL_BENCH_PG_ROWS', 200_000);
const PG_FILES = num('SPOOL_BENCH_PG_FILES', 4);
const ROW_LOOP = num('SPOOL_BENCH_ROW_LOOP', 20_000);
const S3_FILES = num('SPOOL_BENCH_S3_FILES', 10_000);
const S3_CONCURRENCY = num('SPOOL_BENCH_S3_CONCURRENCY', 32);
const RSS_MB = num('SPOOL_BENCH_RSS_MB', 1024);
const TIMEOUT_MS = num('SPOOL_BENCH_TIMEOUT_S', 1800) * 1000;
const PG_URL = env.PG_BENCH_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const dir = env.SPOOL_BENCH_DIR ?? join(tmpdir(), 'sluice-spool-bench');
const log = (msg) => console.error(`[spool-bench] ${msg}`);
const results = {};

/** `2025-04-01T18-28-18.671Z-<hex>.json(.gz)`: the seed's unit names. */
function unitName(atMs, n, ext) {
  return `${new Date(atMs).toISOString().replace(/:/g, '-')}-${n.toString(16).padStart(8, '0')}-bench${ext}`;
}

/** Streams a JSON array of entries to `path` (one entry per line); returns its size in bytes. */
async function writeJsonArray(path, count, seed, startMs) {
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  let first = true;
  let buf = '[\n';
  for (const e of entries(count, seed, startMs)) {
    buf += (first ? '' : ',\n') + JSON.stringify(e);
    first = false;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(`${buf}\n]\n`);
  await once(out, 'finish');
  return statSync(path).size;
}

function fresh(path) {
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true });
  return path;
}

async function sluice(args, opts = {}) {
  const r = await measure(process.execPath, [SLUICE, ...args], { timeoutMs: TIMEOUT_MS, ...opts });
  const summary = lastJson(r.stdout);
  if (r.code !== 0 || !summary) throw new Error(`sluice ${args.join(' ')} failed (exit ${r.code}, ${r.signal ?? ''}):\n${r.stderr.slice(-2000)}`);
  return { ...r, summary };
}

const fmt = (n) => Math.round(n).toLocaleString('en');

// ---- (a) PostgreSQL sink throughput ---------------------------------------------------------------------

async function benchPostgres() {
  const schema = `bench_spool_${process.pid}_${Date.now().toString(36)}`;
  const url = `${PG_URL}?schema=${schema}`;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  const work = fresh(join(dir, 'pg'));
  try {
    const inDir = fresh(join(work, 'in'));
    log(`pg: generating ${fmt(PG_ROWS)} entries in ${PG_FILES} .json.gz files`);
    const per = Math.ceil(PG_ROWS / PG_FILES);
    let made = 0;
    for (let f = 0; f < PG_FILES; f++) {
      const n = Math.min(per, PG_ROWS - made);
      const at = Date.parse('2025-04-01T00:00:00Z') + f * 3_600_000;
      const arr = [...entries(n, 42 + f, at)];
      writeFileSync(join(inDir, unitName(at, f, '.json.gz')), gzipSync(JSON.stringify(arr)));
      made += n;
    }

    log('pg: sluice spool into a fresh schema');
    const run = await sluice(['spool', '--from', inDir, '--into', url, '--mode', 'once', '--json', '--no-progress', '--dead-letter', join(work, 'dl.ndjson')]);
    if (run.summary.inserted !== PG_ROWS) throw new Error(`pg: expected ${PG_ROWS} rows, sluice inserted ${run.summary.inserted}`);
    const sluiceRate = PG_ROWS / run.seconds;

    const cols = (
      await client.query(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'logs'
         AND column_name NOT IN ('created_at', 'updated_at') ORDER BY ordinal_position`,
        [schema],
      )
    ).rows.map((r) => `"${r.column_name}"`);
    const table = `"${schema}".logs`;
    const csv = join(work, 'logs.csv');
    const psql = (command) => {
      const t0 = performance.now();
      const r = spawnSync('psql', [PG_URL, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', command], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
      return (performance.now() - t0) / 1000;
    };
    log('pg: COPY TO csv, then \\copy the same rows back into the emptied table');
    psql(`\\copy (SELECT ${cols.join(', ')} FROM ${table}) TO '${csv}' WITH (FORMAT csv)`);
    const loopRows = (await client.query(`SELECT ${cols.join(', ')} FROM ${table} ORDER BY id LIMIT $1`, [ROW_LOOP])).rows;
    await client.query(`TRUNCATE ${table}`);
    const copySeconds = psql(`\\copy ${table} (${cols.join(', ')}) FROM '${csv}' WITH (FORMAT csv)`);
    const copied = Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    if (copied !== PG_ROWS) throw new Error(`pg: \\copy loaded ${copied} rows`);
    const copyRate = PG_ROWS / copySeconds;

    log(`pg: row-at-a-time INSERT loop of ${fmt(loopRows.length)} rows (autocommit)`);
    await client.query(`TRUNCATE ${table}`);
    const insert = `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`;
    const names = cols.map((c) => c.slice(1, -1));
    const t0 = performance.now();
    for (const row of loopRows) await client.query(insert, names.map((n) => (row[n] !== null && typeof row[n] === 'object' && !(row[n] instanceof Date) ? JSON.stringify(row[n]) : row[n])));
    const loopSeconds = (performance.now() - t0) / 1000;
    const loopRate = loopRows.length / loopSeconds;

    results.pg = {
      rows: PG_ROWS,
      files: PG_FILES,
      sluice: { seconds: run.seconds, rowsPerSec: Math.round(sluiceRate), peakRssMB: run.peakRssMB },
      psqlCopy: { seconds: copySeconds, rowsPerSec: Math.round(copyRate) },
      rowLoop: { rows: loopRows.length, seconds: loopSeconds, rowsPerSec: Math.round(loopRate), extrapolatedSeconds: PG_ROWS / loopRate },
      ratioToCopy: sluiceRate / copyRate,
      ratioToRowLoop: sluiceRate / loopRate,
    };
    verdict({
      job: 'app logs', figure: `spool ${fmt(PG_ROWS)} rows into PostgreSQL`, reference: 'psql \\copy, same table', referenceValue: copySeconds,
      value: run.seconds, target: '≤ 1.25× (≥ 80 % of \\copy\'s rate)', met: results.pg.ratioToCopy >= 0.8, peakRssMB: run.peakRssMB,
    });
    console.error(
      `pg sink: sluice spool ${fmt(sluiceRate)} rows/s (${run.seconds.toFixed(2)} s, peak RSS ${run.peakRssMB} MB) | ` +
        `psql \\copy ${fmt(copyRate)} rows/s (${copySeconds.toFixed(2)} s) | row loop ${fmt(loopRate)} rows/s ` +
        `(${PG_ROWS} rows would take ${(PG_ROWS / loopRate).toFixed(0)} s)\n` +
        `  sluice / \\copy = ${(100 * results.pg.ratioToCopy).toFixed(0)} % (target >= 50 %)` +
        `  sluice / row loop = ${results.pg.ratioToRowLoop.toFixed(1)}x (target >= 10x)`,
    );
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await client.end();
    rmSync(work, { recursive: true, force: true });
  }
}

// ---- (b) 10,000 small files from S3 ---------------------------------------------------------------------

async function startS3rver(directory, buckets) {
  const script = join(root, 'test', 'helpers', 's3rver-child.mjs');
  const child = fork(script, [JSON.stringify({ directory, buckets })], { execArgv: ['--openssl-legacy-provider'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise((resolvePort, reject) => {
    child.once('message', (m) => resolvePort(m.port));
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    env: { AWS_ENDPOINT: endpoint, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' },
    endpoint,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.send('stop');
      await once(child, 'exit');
    },
  };
}

async function benchS3() {
  const work = fresh(join(dir, 's3'));
  const s3 = await startS3rver(join(work, 's3rver'), ['bench']);
  try {
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    log(`s3: uploading ${fmt(S3_FILES)} small .json.gz files (${S3_CONCURRENCY} at a time, not timed)`);
    const base = Date.parse('2025-04-01T00:00:00Z');
    let next = 0;
    let entriesTotal = 0;
    const t0 = performance.now();
    const lane = async () => {
      while (next < S3_FILES) {
        const i = next++;
        const n = 3 + (i % 5);
        entriesTotal += n;
        const at = base + i * 1000;
        const body = gzipSync(JSON.stringify([...entries(n, i, at)]));
        await client.send(new PutObjectCommand({ Bucket: 'bench', Key: `logs/${unitName(at, i, '.json.gz')}`, Body: body }));
      }
    };
    await Promise.all(Array.from({ length: S3_CONCURRENCY }, lane));
    log(`s3: uploaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    client.destroy();

    const db = join(work, 'logs.db');
    log('s3: sluice spool --from s3://bench/logs/');
    const run = await sluice(['spool', '--from', 's3://bench/logs/', '--db', db, '--mode', 'once', '--json', '--no-progress'], { env: { ...process.env, ...s3.env } });
    if (run.summary.units_done !== S3_FILES || run.summary.inserted !== entriesTotal) {
      throw new Error(`s3: expected ${S3_FILES} units / ${entriesTotal} rows, got ${run.summary.units_done} / ${run.summary.inserted}`);
    }
    const filesPerSec = S3_FILES / run.seconds;
    results.s3 = { files: S3_FILES, rows: entriesTotal, seconds: run.seconds, filesPerSec: Math.round(filesPerSec), peakRssMB: run.peakRssMB };
    verdict({ job: 'app logs', figure: `spool ${fmt(S3_FILES)} small files from S3`, reference: null, referenceValue: null, value: run.seconds, target: '≥ 300 files/s', met: filesPerSec >= 300, peakRssMB: run.peakRssMB });
    console.error(`s3: ${fmt(S3_FILES)} files (${fmt(entriesTotal)} rows) listed, fetched and ingested in ${run.seconds.toFixed(1)} s: ${fmt(filesPerSec)} files/s (target >= 300)`);
  } finally {
    await s3.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

// ---- (c) RSS on a 1 GB JSON-array file ------------------------------------------------------------------

async function benchRss() {
  mkdirSync(dir, { recursive: true });
  const bytesWanted = RSS_MB * 1024 * 1024;
  const count = Math.round(bytesWanted / 700); // ~700 bytes an entry
  const at = Date.parse('2025-04-02T00:00:00Z');
  const cached = join(dir, 'rss-in', `${unitName(at, count, '.json')}`);
  if (!existsSync(cached)) {
    fresh(join(dir, 'rss-in'));
    log(`rss: generating ~${RSS_MB} MB JSON array (${fmt(count)} entries) -> ${cached}`);
    await writeJsonArray(`${cached}.part`, count, 7, at);
    renameSync(`${cached}.part`, cached);
  }
  for (const f of readdirSync(join(dir, 'rss-in'))) if (join(dir, 'rss-in', f) !== cached) rmSync(join(dir, 'rss-in', f), { force: true });
  const size = statSync(cached).size;
  const db = join(fresh(join(dir, 'rss-db')), 'logs.db');
  log(`rss: sluice spool of one ${(size / 2 ** 20).toFixed(0)} MB file into SQLite`);
  const run = await sluice(['spool', '--from', join(dir, 'rss-in'), '--db', db, '--mode', 'once', '--json', '--no-progress']);
  results.rss = { fileMB: Math.round(size / 2 ** 20), rows: run.summary.inserted, seconds: run.seconds, rowsPerSec: Math.round(run.summary.inserted / run.seconds), peakRssMB: run.peakRssMB };
  verdict({ job: 'app logs', figure: `spool one ${Math.round(size / 2 ** 20)} MB JSON array`, reference: null, referenceValue: null, value: run.seconds, target: '≤ 200 MB RSS', met: run.peakRssMB !== null && run.peakRssMB <= 200, peakRssMB: run.peakRssMB });
  console.error(
    `rss: ${(size / 2 ** 20).toFixed(0)} MB JSON array, ${fmt(run.summary.inserted)} rows in ${run.seconds.toFixed(1)} s ` +
      `(${fmt(run.summary.inserted / run.seconds)} rows/s): peak RSS ${run.peakRssMB} MB (target <= 200 MB)`,
  );
  rmSync(join(dir, 'rss-db'), { recursive: true, force: true });
}

if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) throw new Error('build first: npm run build');
if (only.has('pg')) await benchPostgres();
if (only.has('s3')) await benchS3();
if (only.has('rss')) await benchRss();
if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(results)}\n`);
