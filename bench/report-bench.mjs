#!/usr/bin/env node
// `npm run bench:reports`: the targets of `sluice report` (issue 3) on the 1M-event bench database.
//
//   1. every report, whole table and --session of the largest session: ≤ 1 s each
//   2. export of the largest session, and of one big session (5M rows by default): ≥ 200,000 rows/s,
//      peak RSS < 150 MB
//
//   node bench/report-bench.mjs [--json]
//   env BENCH_DIR=$TMPDIR/sluice-bench  BENCH_SEED=42  BENCH_REPORT_N=1000000
//       BENCH_EXPORT_ROWS=5000000  (rows of the one-session export database; 0 skips it)
//       BENCH_REPEAT=3  (runs per report; the best is kept, the machine may be shared)
//       BENCH_SLUICE_BIN=bin/sluice.js
//
// Each report is timed twice: `cli s` is the wall time of `sluice report ...` as a user runs it (node
// startup and module loading included: see the `--version` line), `query s` runs the same report
// in-process (dist/jobs/report/run-report.js) with output discarded: SQL, formatting and streaming only.
// Progress goes to stderr; the figures table to stdout, and with --json one JSON line after it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { generateBridgeEvents } from './generate-bridge-events.mjs';
import { measure } from './measure.mjs';
import { verdict } from './verdict.mjs';

const GEN_VERSION = 1; // the naming of bench/ingest-bench.mjs, so both share the generated files
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = process.env.BENCH_SLUICE_BIN ?? join(root, 'bin', 'sluice.js');
const dir = process.env.BENCH_DIR ?? join(tmpdir(), 'sluice-bench');
const seed = Number(process.env.BENCH_SEED ?? 42);
const n = Number((process.env.BENCH_REPORT_N ?? '1000000').replace(/_/g, ''));
const exportRows = Number((process.env.BENCH_EXPORT_ROWS ?? '5000000').replace(/_/g, ''));
const repeat = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));
const log = (msg) => console.error(`[report-bench] ${msg}`);

async function dataFile() {
  const file = join(dir, `bridge-v${GEN_VERSION}-n${n}-s${seed}.ndjson`);
  const meta = `${file}.summary.json`;
  if (existsSync(file) && existsSync(meta)) return file;
  log(`generating ${n} lines -> ${file}`);
  const gen = await generateBridgeEvents({ count: n, seed, out: `${file}.part` });
  renameSync(`${file}.part`, file);
  writeFileSync(meta, JSON.stringify(gen));
  return file;
}

function sluiceSync(args, input) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', input, maxBuffer: 64 << 20 });
  // 3: done, with the generator's few bad lines dead-lettered.
  if (r.status !== 0 && r.status !== 3) throw new Error(`sluice ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

/** The bench database; an existing one is passed through `sluice ingest` again, which only migrates it. */
function benchDb(file) {
  const db = join(dir, `report-n${n}-s${seed}.db`);
  log(`sluice ingest ${file} --db ${db} (skipped by its cursor when already done)`);
  const t0 = Date.now();
  sluiceSync(['ingest', file, '--db', db, '--json', '--no-progress']);
  log(`  ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return db;
}

/** A database holding one session of `rows` rows, copied from the bench database (cached). */
function exportDb(source) {
  const path = join(dir, `report-export-${exportRows}-s${seed}.db`);
  if (existsSync(path)) return path;
  const part = `${path}.part`;
  for (const s of ['', '-wal', '-shm']) rmSync(part + s, { force: true });
  log(`building ${path}: one session of ${exportRows} rows`);
  sluiceSync(['ingest', '-', '--db', part, '--no-progress'], ''); // the schema, by its migrations
  const db = new Database(part);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.prepare('ATTACH DATABASE ? AS src').run(source);
  const stride = db.prepare('SELECT max(id) FROM src.events').pluck().get() + 1;
  const copy = db.prepare(`INSERT INTO events (seq, ts_ms, type, msg, plate, t_rel_ms, session_id, pid, schema, data_json)
    SELECT ? + id, ts_ms, type, msg, plate, t_rel_ms, 'bench-export', pid, schema, data_json
    FROM src.events ORDER BY id LIMIT ?`);
  for (let done = 0, k = 0; done < exportRows; k++) {
    done += db.transaction(() => copy.run(k * stride, exportRows - done).changes)();
    log(`  ${done} rows`);
  }
  db.exec('DETACH DATABASE src');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  renameSync(part, path);
  for (const s of ['-wal', '-shm']) rmSync(part + s, { force: true });
  return path;
}

const discard = () => new Writable({ write: (_chunk, _enc, cb) => cb() });

/** Best wall time of `sluice ARGS` over `times` runs, and the largest peak RSS. */
async function cli(args, times = repeat) {
  let best = Infinity;
  let peak = 0;
  for (let i = 0; i < times; i++) {
    const m = await measure(process.execPath, [bin, ...args], { cwd: root, timeoutMs: 600_000 });
    if (m.code !== 0) throw new Error(`sluice ${args.join(' ')} exited ${m.code}: ${m.stderr.slice(-2000)}`);
    best = Math.min(best, m.seconds);
    peak = Math.max(peak, m.peakRssMB ?? 0);
  }
  return { seconds: best, peakRssMB: peak || null };
}

/** Best in-process time of the same report, output discarded. */
async function inProcess(runReport, parse, args) {
  let best = Infinity;
  let rows = 0;
  for (let i = 0; i < repeat; i++) {
    const t0 = process.hrtime.bigint();
    const outcome = await runReport(parse(args), { stdout: discard(), stdoutIsTty: false, notice: () => undefined });
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
    rows = outcome.rows;
  }
  return { seconds: best, rows };
}

/** `report NAME --flag value ...` → the validated config `sluice report` would build. */
function configParser(validateConfig, schema) {
  return (args) => {
    const raw = { name: args[0] };
    for (let i = 1; i < args.length; i += 2) {
      raw[args[i].slice(2).replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = args[i + 1];
    }
    return validateConfig(schema, raw);
  };
}

const fmt = (v, d = 3) => (v == null ? '-' : typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: d }) : String(v));

function printTable(head, rows) {
  const cells = rows.map((r) => r.map((v) => fmt(v)));
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const line = (cs) => cs.map((c, i) => (i < 2 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  console.log(line(head));
  for (const r of cells) console.log(line(r));
}

mkdirSync(dir, { recursive: true });
const db = benchDb(await dataFile());
const { runReport } = await import(pathToFileURL(join(root, 'dist/jobs/report/run-report.js')).href);
const { ReportConfigSchema } = await import(pathToFileURL(join(root, 'dist/reports/report-config.js')).href);
const { validateConfig } = await import(pathToFileURL(join(root, 'dist/core/config/validate.js')).href);
const parse = configParser(validateConfig, ReportConfigSchema);

const probe = new Database(db, { readonly: true });
const total = probe.prepare('SELECT count(*) FROM events').pluck().get();
const [largest, largestRows] = probe
  .prepare('SELECT session_id, count(*) FROM events GROUP BY session_id ORDER BY 2 DESC LIMIT 1')
  .raw(true)
  .get();
const plate = probe.prepare("SELECT plate FROM events WHERE plate IS NOT NULL LIMIT 1 OFFSET 1000").pluck().get();
probe.close();
log(`${db}: ${total} events; largest session ${largest} (${largestRows} rows)`);

const startup = await cli(['--version']);
const S = ['--session', largest];
const cases = [
  ['sessions'], ['sessions', ...S],
  ['types'], ['types', ...S],
  ['hits'], ['hits', ...S], ['hits', '--plate', plate],
  ['gaps'], ['gaps', ...S],
  ['gap_list'], ['gap_list', ...S],
  ['last_seen'], ['last_seen', ...S],
  ['cadence'], ['cadence', ...S, '--by', 'plate'],
  ['errors_recent'], ['errors_recent', ...S],
  ['recent'], ['recent', ...S],
];
const results = [];
for (const args of cases) {
  const label = args[0];
  log(`report ${args.join(' ')}`);
  const c = await cli(['report', ...args, '--db', db, '--format', 'csv', '--out', '/dev/null']);
  const q = await inProcess(runReport, parse, [...args, '--db', db, '--format', 'csv']);
  results.push({ report: label, args: args.slice(1).join(' ').replace(largest, 'LARGEST') || '(whole table)', cli_s: c.seconds, query_s: q.seconds, rows: q.rows, peak_rss_mb: c.peakRssMB, ok: q.seconds <= 1 && c.seconds <= 1 });
}

const exports = [];
async function benchExport(label, file, session, rows) {
  const out = join(dir, `report-bench-export-${process.pid}.csv`);
  log(`export ${label}: ${rows} rows -> ${out}`);
  const big = rows > 1e6;
  const c = await cli(['report', 'export', '--db', file, '--session', session, '--out', out], big ? 1 : repeat);
  const bytes = statSync(out).size;
  // In-process too: on a small session the CLI's wall time is mostly node startup.
  const q = big ? null : await inProcess(runReport, parse, ['export', '--db', file, '--session', session, '--out', out]);
  rmSync(out, { force: true });
  exports.push({
    export: label, rows, cli_s: c.seconds, rows_per_s: Math.round(rows / c.seconds),
    query_s: q?.seconds ?? null, query_rows_per_s: q ? Math.round(rows / q.seconds) : null,
    peak_rss_mb: c.peakRssMB, csv_mb: +(bytes / 1048576).toFixed(1),
  });
}
await benchExport('largest session of the bench db', db, largest, largestRows);
if (exportRows > 0) await benchExport(`one session of ${exportRows} rows`, exportDb(db), 'bench-export', exportRows);

console.log(`sluice report on ${total.toLocaleString('en-US')} events (${db}); best of ${repeat}; node + CLI startup alone (sluice --version): ${fmt(startup.seconds)} s`);
printTable(['report', 'flags', 'cli s', 'query s', 'rows', 'peak RSS MB', '≤ 1 s'],
  results.map((r) => [r.report, r.args, r.cli_s, r.query_s, r.rows, r.peak_rss_mb, r.ok ? 'yes' : 'NO']));
for (const r of results) {
  verdict({
    job: 'reports', figure: `bridge ${r.report} ${r.args}`, reference: 'sluice --version (startup)', referenceValue: startup.seconds,
    value: r.cli_s, target: '≤ 1 s', met: r.ok, peakRssMB: r.peak_rss_mb,
  });
}
console.log('');
printTable(['export', '', 'rows', 'cli s', 'cli rows/s', 'query s', 'query rows/s', 'peak RSS MB', 'CSV MB'],
  exports.map((e) => [e.export, '', e.rows, e.cli_s, e.rows_per_s, e.query_s, e.query_rows_per_s, e.peak_rss_mb, e.csv_mb]));
if (process.argv.includes('--json')) console.log(JSON.stringify({ events: total, startup_s: startup.seconds, reports: results, exports }));
