#!/usr/bin/env node
// `npm run bench:pg`: the bridge, app-log and Cowrie profiles into PostgreSQL, each against `psql \copy`
// of the same rows into the same schema (issue targets: Sluice >= 80 % of \copy's rate):
//   bridge  N generated bridge events (duplicates and bad lines included) by `sluice ingest --into
//           postgres://...` into a fresh schema;
//   applog  N generated pino entries in a few JSON-array files, `sluice ingest --profile applog`;
//   cowrie  ~1M Cowrie events made from the real synthetic logs (../shared/data/cowrie/
//           cowrieprocessor-synthetic, 150,000 events) copied with other session ids and times, by
//           `sluice ingest --profile cowrie` (session tables by trigger); also vs. Sluice into SQLite.
// The reference: the rows Sluice stored, exported with COPY TO (CSV, in id order, columns without a
// default), then `psql \copy` into another fresh schema made by the same migrations (tables, indexes,
// triggers: Sluice ingests an empty file into it first, not timed). \copy's rate is per stored row,
// Sluice's too (it also reads the duplicates and bad lines).
// With PG_BENCH_ROUNDS=R, Sluice and \copy run in turn R times (each into fresh schemas), and the
// median of the R pair ratios is the figure: a shared machine's load changes between runs.
// With PG_BENCH_BASELINE=DIR (another checkout, built: e.g. the main branch), each round also runs
// that build's `sluice ingest` into a fresh schema, in turn with this one (first in odd rounds, second
// in even ones), and checks that both stored the same rows (an md5 over the rows, computed by
// PostgreSQL) and wrote the same dead letters; both ratios are printed, and their medians.
//
//   node bench/pg-bench.mjs [--json]
//   env PG_BENCH_ONLY=bridge,applog,cowrie  PG_BENCH_BRIDGE_ROWS=1000000  PG_BENCH_APPLOG_ROWS=300000
//       PG_BENCH_COWRIE_COPIES=7  PG_BENCH_ROUNDS=1
//       PG_BENCH_URL=postgres://postgres@127.0.0.1:5432/test  PG_BENCH_DIR=$TMPDIR/sluice-pg-bench
//       SLUICE_SHARED_DATA=../shared/data  PG_BENCH_TIMEOUT_S=1800  PG_BENCH_BASELINE=../main
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import pg from 'pg';
import { applogEntries } from './generate-applog-entries.mjs';
import { generateBridgeEvents } from './generate-bridge-events.mjs';
import { lastJson, measure } from './measure.mjs';
import { verdict } from './verdict.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SLUICE = join(root, 'bin', 'sluice.js');
const env = process.env;
const only = new Set((env.PG_BENCH_ONLY ?? 'bridge,applog,cowrie').split(',').map((s) => s.trim()));
const num = (name, dflt) => Number((env[name] ?? String(dflt)).replace(/_/g, ''));
const BRIDGE_ROWS = num('PG_BENCH_BRIDGE_ROWS', 1_000_000);
const APPLOG_ROWS = num('PG_BENCH_APPLOG_ROWS', 300_000);
const COWRIE_COPIES = num('PG_BENCH_COWRIE_COPIES', 7);
const ROUNDS = Math.max(1, num('PG_BENCH_ROUNDS', 1));
const TIMEOUT_MS = num('PG_BENCH_TIMEOUT_S', 1800) * 1000;
const PG_URL = env.PG_BENCH_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const dir = env.PG_BENCH_DIR ?? join(tmpdir(), 'sluice-pg-bench');
const BASELINE = env.PG_BENCH_BASELINE ? join(resolve(env.PG_BENCH_BASELINE), 'bin', 'sluice.js') : undefined;
if (BASELINE && !existsSync(BASELINE)) throw new Error(`PG_BENCH_BASELINE: no ${BASELINE}`);
const SHARED = [env.SLUICE_SHARED_DATA, join(root, '..', 'shared', 'data'), '/work/shared/data'].find((d) => d && existsSync(d));
// The speed-ratio target (≥ 80 % of \copy), raised from the first PostgreSQL target of 50 %.
const TARGET_COPY_RATIO = 0.8;
const log = (msg) => console.error(`[pg-bench] ${msg}`);
const fmt = (n) => Math.round(n).toLocaleString('en');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const results = {};
let tagCount = 0;
const schemaName = (what) => `bench_pg_${what}_${process.pid}_${Date.now().toString(36)}_${tagCount++}`;

function fresh(path) {
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true });
  return path;
}

async function sluice(args, bin = SLUICE) {
  const r = await measure(process.execPath, [bin, ...args, '--json', '--no-progress'], { timeoutMs: TIMEOUT_MS });
  const summary = lastJson(r.stdout);
  if (![0, 3].includes(r.code) || !summary) throw new Error(`sluice ${args.join(' ')} failed (exit ${r.code}, ${r.signal ?? ''}):\n${r.stderr.slice(-2000)}`);
  return { ...r, summary };
}

/** Runs one psql command (with `schema` first on the search path: triggers name their tables without one); returns its wall seconds. */
function psql(command, schema) {
  const t0 = performance.now();
  const options = schema ? { ...env, PGOPTIONS: `${env.PGOPTIONS ?? ''} -c search_path=${schema}` } : env;
  const r = spawnSync('psql', [PG_URL, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', command], { encoding: 'utf8', env: options });
  if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
  return (performance.now() - t0) / 1000;
}

const dropSchema = (client, schema) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);

/** An md5 over a table's rows (`cols`), in the order of their text: the same rows give the same md5, whatever order they were stored in. */
async function rowsMd5(client, schema, table, cols) {
  const r = await client.query(`SELECT md5(string_agg(md5(t::text), '' ORDER BY t::text)) AS h FROM (SELECT ${cols.join(', ')} FROM "${schema}"."${table}") t`);
  return r.rows[0].h;
}

const fileMd5 = (path) => (existsSync(path) ? createHash('md5').update(readFileSync(path)).digest('hex') : 'none');

/**
 * One job: R rounds of Sluice into a fresh schema, then `psql \copy` of the rows it stored into another
 * fresh schema of the same migrations; returns each round's figures.
 * `job`: { name, table, profile, input, empty (a file with no records, to make the reference schema), expected, extraArgs }
 */
async function sluiceVsCopy(client, work, job) {
  const rounds = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const loaded = schemaName(`${job.table}_sluice`);
    const copied = schemaName(`${job.table}_copy`);
    const based = schemaName(`${job.table}_baseline`);
    try {
      const ingest = (schema, dl, bin) => sluice(['ingest', job.input, '--profile', job.profile, '--into', `${PG_URL}?schema=${schema}`, '--dead-letter', join(work, dl), ...(job.extraArgs ?? [])], bin);
      let baseline;
      const runBaseline = async () => {
        log(`${job.name}: round ${round}/${ROUNDS}: the baseline's sluice ingest (${BASELINE}) into schema ${based}`);
        baseline = await ingest(based, `dl-baseline-${round}.ndjson`, BASELINE);
      };
      if (BASELINE && round % 2 === 1) await runBaseline();
      log(`${job.name}: round ${round}/${ROUNDS}: sluice ingest into schema ${loaded}`);
      const run = await ingest(loaded, `dl-${round}.ndjson`);
      if (BASELINE && round % 2 === 0) await runBaseline();
      if (job.expected !== undefined && run.summary.inserted !== job.expected) {
        throw new Error(`${job.name}: expected ${job.expected} rows, sluice inserted ${run.summary.inserted}`);
      }
      const stored = Number((await client.query(`SELECT count(*) AS n FROM "${loaded}"."${job.table}"`)).rows[0].n);
      const cols = (
        await client.query(
          `SELECT column_name FROM information_schema.columns
           WHERE table_schema = $1 AND table_name = $2 AND column_default IS NULL AND is_generated = 'NEVER' ORDER BY ordinal_position`,
          [loaded, job.table],
        )
      ).rows.map((r) => `"${r.column_name}"`);
      const order = (await client.query(`SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name = 'id'`, [loaded, job.table])).rowCount
        ? 'ORDER BY id'
        : '';
      if (baseline) {
        const [mine, theirs] = [await rowsMd5(client, loaded, job.table, cols), await rowsMd5(client, based, job.table, cols)];
        const [dlMine, dlTheirs] = [fileMd5(join(work, `dl-${round}.ndjson`)), fileMd5(join(work, `dl-baseline-${round}.ndjson`))];
        if (mine !== theirs || dlMine !== dlTheirs) throw new Error(`${job.name}: the baseline stored other rows or dead letters (rows md5 ${theirs} vs ${mine}, dead letters ${dlTheirs} vs ${dlMine})`);
        log(`${job.name}: round ${round}/${ROUNDS}: same rows as the baseline (md5 ${mine}), same dead letters (${dlMine})`);
        await dropSchema(client, based);
      }
      const csv = join(work, `${job.table}.csv`);
      psql(`\\copy (SELECT ${cols.join(', ')} FROM "${loaded}"."${job.table}" ${order}) TO '${csv}' WITH (FORMAT csv)`);
      await dropSchema(client, loaded); // the reference runs without the other schema's pages in the way
      log(`${job.name}: round ${round}/${ROUNDS}: the same schema by migrations (not timed), then psql \\copy of the ${fmt(stored)} rows`);
      await sluice(['ingest', job.empty, '--profile', job.profile, '--into', `${PG_URL}?schema=${copied}`, '--dead-letter', join(work, 'dl-empty.ndjson')]);
      const copySeconds = psql(`\\copy "${copied}"."${job.table}" (${cols.join(', ')}) FROM '${csv}' WITH (FORMAT csv)`, copied);
      const n = Number((await client.query(`SELECT count(*) AS n FROM "${copied}"."${job.table}"`)).rows[0].n);
      if (n !== stored) throw new Error(`${job.name}: \\copy loaded ${n} rows, sluice ${stored}`);
      const check = job.check ? await job.check(client, copied) : undefined;
      rounds.push({ stored, sluice: run, copySeconds, check, ratio: copySeconds / run.seconds, baseline });
      rmSync(csv, { force: true });
    } finally {
      for (const s of [loaded, copied, based]) await dropSchema(client, s);
    }
  }
  return rounds;
}

/** Prints and keeps one job's Sluice-vs-\copy figures (the median round, by ratio). */
function reportVsCopy(name, label, rounds) {
  const ratio = median(rounds.map((r) => r.ratio));
  const mid = rounds.reduce((best, r) => (Math.abs(r.ratio - ratio) < Math.abs(best.ratio - ratio) ? r : best));
  const rows = mid.stored;
  const seconds = mid.sluice.seconds;
  results[name] = {
    rows,
    rounds: rounds.length,
    sluice: { seconds: +seconds.toFixed(2), rowsPerSec: Math.round(rows / seconds), peakRssMB: mid.sluice.peakRssMB },
    psqlCopy: { seconds: +mid.copySeconds.toFixed(2), rowsPerSec: Math.round(rows / mid.copySeconds) },
    ratioToCopy: +ratio.toFixed(3),
    roundRatios: rounds.map((r) => +r.ratio.toFixed(3)),
  };
  const baselines = rounds.filter((r) => r.baseline);
  if (baselines.length > 0) {
    const baseRatio = median(baselines.map((r) => r.copySeconds / r.baseline.seconds));
    results[name].baseline = {
      build: BASELINE,
      seconds: +median(baselines.map((r) => r.baseline.seconds)).toFixed(2),
      ratioToCopy: +baseRatio.toFixed(3),
      roundRatios: baselines.map((r) => +(r.copySeconds / r.baseline.seconds).toFixed(3)),
      sameRows: true,
    };
    console.error(
      `${name}: baseline ${BASELINE}: median ${results[name].baseline.seconds} s, ${(100 * baseRatio).toFixed(0)} % of \\copy's rate ` +
        `(pairs ${results[name].baseline.roundRatios.map((x) => (100 * x).toFixed(0)).join(', ')} %); this build ${median(rounds.map((r) => r.sluice.seconds)).toFixed(2)} s; same rows and dead letters`,
    );
  }
  verdict({
    job: name, figure: `${label} ${fmt(rows)} rows into PostgreSQL`, reference: 'psql \\copy, same schema',
    referenceValue: mid.copySeconds, value: seconds, ratio: ROUNDS > 1 ? 1 / ratio : null,
    target: `≤ ${(1 / TARGET_COPY_RATIO).toFixed(2)}× (≥ ${100 * TARGET_COPY_RATIO} % of \\copy's rate)`,
    met: ratio >= TARGET_COPY_RATIO, peakRssMB: mid.sluice.peakRssMB,
  });
  console.error(
    `${name} into PostgreSQL (${fmt(rows)} rows): sluice ingest ${seconds.toFixed(2)} s (${fmt(rows / seconds)} rows/s, ` +
      `peak RSS ${mid.sluice.peakRssMB} MB) | psql \\copy ${mid.copySeconds.toFixed(2)} s (${fmt(rows / mid.copySeconds)} rows/s)\n` +
      `  sluice / \\copy = ${(100 * ratio).toFixed(0)} %${rounds.length > 1 ? ` (median of ${rounds.length} pairs: ${rounds.map((r) => (100 * r.ratio).toFixed(0)).join(', ')} %)` : ''} ` +
      `(target >= ${100 * TARGET_COPY_RATIO} %) ${ratio >= TARGET_COPY_RATIO ? 'ok' : 'MISSED'}`,
  );
  return ratio;
}

// ---- bridge ---------------------------------------------------------------------------------------------

async function benchBridge(client) {
  const work = fresh(join(dir, 'bridge'));
  try {
    const file = join(work, 'bridge.ndjson');
    log(`bridge: generating ${fmt(BRIDGE_ROWS)} lines`);
    const gen = await generateBridgeEvents({ count: BRIDGE_ROWS, seed: 42, out: file });
    writeFileSync(join(work, 'empty.ndjson'), '');
    const rounds = await sluiceVsCopy(client, work, {
      name: 'bridge', table: 'events', profile: 'bridge', input: file, empty: join(work, 'empty.ndjson'), expected: gen.good,
    });
    return reportVsCopy('bridge', 'ingest', rounds);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// ---- app logs -------------------------------------------------------------------------------------------

async function benchApplog(client) {
  const work = fresh(join(dir, 'applog'));
  try {
    const files = 4;
    const per = Math.ceil(APPLOG_ROWS / files);
    log(`applog: generating ${fmt(APPLOG_ROWS)} entries in ${files} JSON-array files`);
    const inDir = fresh(join(work, 'in'));
    let made = 0;
    for (let f = 0; f < files; f++) {
      const n = Math.min(per, APPLOG_ROWS - made);
      const at = Date.parse('2025-04-01T00:00:00Z') + f * 3_600_000;
      const out = createWriteStream(join(inDir, `app-${f}.json`), { highWaterMark: 1 << 20 });
      let first = true;
      out.write('[');
      for (const e of applogEntries(n, 42 + f, at)) {
        if (!out.write(`${first ? '' : ',\n'}${JSON.stringify(e)}`)) await once(out, 'drain');
        first = false;
      }
      out.end(']\n');
      await once(out, 'finish');
      made += n;
    }
    writeFileSync(join(work, 'empty.json'), '[]');
    const rounds = await sluiceVsCopy(client, work, {
      name: 'app logs', table: 'logs', profile: 'applog', input: join(inDir, '*.json'), empty: join(work, 'empty.json'), expected: APPLOG_ROWS,
    });
    return reportVsCopy('app logs', 'ingest', rounds);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// ---- cowrie: vs. \copy, and into PostgreSQL vs. into SQLite ----------------------------------------------

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
  const work = fresh(join(dir, 'cowrie'));
  try {
    const file = join(work, 'cowrie.json');
    log(`cowrie: writing ${COWRIE_COPIES} copies of the synthetic logs`);
    const events = await writeCowrieEvents(file, COWRIE_COPIES);
    writeFileSync(join(work, 'empty.json'), '');
    const sessionsOf = async (c, schema) => Number((await c.query(`SELECT count(*) AS n FROM "${schema}".session_metrics`)).rows[0].n);
    const rounds = await sluiceVsCopy(client, work, {
      name: 'cowrie', table: 'cowrie_events', profile: 'cowrie', input: file, empty: join(work, 'empty.json'), check: sessionsOf,
    });
    const ratio = reportVsCopy('cowrie', 'ingest', rounds);

    log(`cowrie: ${fmt(events)} events; sluice ingest into SQLite`);
    const lite = await sluice(['ingest', file, '--profile', 'cowrie', '--db', join(work, 'cowrie.db')]);
    const post = rounds[rounds.length - 1].sluice;
    if (post.summary.inserted !== lite.summary.inserted) {
      throw new Error(`cowrie: PostgreSQL inserted ${post.summary.inserted}, SQLite ${lite.summary.inserted}`);
    }
    const sessions = rounds[0].check;
    const liteRate = events / lite.seconds;
    const postRate = events / post.seconds;
    Object.assign(results.cowrie, {
      events,
      inserted: post.summary.inserted,
      sessions,
      sqlite: { seconds: +lite.seconds.toFixed(2), eventsPerSec: Math.round(liteRate), peakRssMB: lite.peakRssMB },
      postgres: { seconds: +post.seconds.toFixed(2), eventsPerSec: Math.round(postRate), peakRssMB: post.peakRssMB },
      ratioToSqlite: +(postRate / liteRate).toFixed(3),
    });
    verdict({
      job: 'cowrie', figure: `ingest ${fmt(events)} events into PostgreSQL`, reference: 'sluice into SQLite', referenceValue: lite.seconds,
      value: post.seconds, target: 'figure only', met: null, peakRssMB: post.peakRssMB,
    });
    console.error(
      `cowrie (${fmt(events)} events, ${fmt(sessions)} sessions): into SQLite ${lite.seconds.toFixed(2)} s (${fmt(liteRate)} events/s, ` +
        `peak RSS ${lite.peakRssMB} MB) | into PostgreSQL ${post.seconds.toFixed(2)} s (${fmt(postRate)} events/s, peak RSS ${post.peakRssMB} MB)\n` +
        `  PostgreSQL / SQLite = ${(100 * results.cowrie.ratioToSqlite).toFixed(0)} %`,
    );
    return ratio;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const client = new pg.Client({ connectionString: PG_URL });
await client.connect();
let failed = false;
try {
  for (const [name, bench] of [['bridge', benchBridge], ['applog', benchApplog], ['cowrie', benchCowrie]]) {
    if (only.has(name)) failed = (await bench(client)) < TARGET_COPY_RATIO || failed;
  }
} finally {
  await client.end();
  rmSync(dir, { recursive: true, force: true });
}
if (process.argv.includes('--json')) console.log(JSON.stringify(results));
process.exit(failed ? 1 : 0);
