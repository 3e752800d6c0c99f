#!/usr/bin/env node
// `npm run bench:reports-pg`: every report on PostgreSQL beside the same report on SQLite, same data,
// same run. The data goes into both through the CLI (`sluice ingest|spool --into`), once: a database
// or schema that already holds it is reused (its ledger skips the units already done).
//
//   bridge  1,000,000 events (bench/generate-bridge-events.mjs, the data of bench:reports)
//   cowrie  1,000,000 events (bench/generate-cowrie-events.mjs, the data of bench:cowrie)
//   posts     100,000 posts  (bench/generate-posts-chunks.mjs, the data of bench:posts)
//
//   node bench/report-pg-bench.mjs [--json]
//   env BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/test  BENCH_DIR=$TMPDIR/sluice-bench
//       BENCH_ONLY=bridge,cowrie,posts  BENCH_REPEAT=3 (in-process runs; the best is kept)
//       BENCH_BRIDGE_N=1000000  BENCH_COWRIE_N=1000000  BENCH_POSTS_N=100000
//
// PostgreSQL tables are vacuumed and analyzed after the load, as autovacuum would do.
// `sqlite s` / `pg s`: the report in-process (dist/jobs/report/run-report.js, output discarded): SQL,
// formatting and streaming, without node startup; `pg cli s`: `sluice report ... --db postgres://…`
// as a user runs it. Target: each report ≤ 1 s on PostgreSQL (`pg s`).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { generateBridgeEvents } from './generate-bridge-events.mjs';
import { generateCowrieEvents } from './generate-cowrie-events.mjs';
import { generatePostsChunks } from './generate-posts-chunks.mjs';
import { measure } from './measure.mjs';
import { verdict } from './verdict.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'sluice.js');
const dir = process.env.BENCH_DIR ?? join(tmpdir(), 'sluice-bench');
const pgBase = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const only = (process.env.BENCH_ONLY ?? 'bridge,cowrie,posts').split(',');
const repeat = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));
const num = (name, d) => Number((process.env[name] ?? String(d)).replace(/_/g, ''));
const log = (msg) => console.error(`[report-pg-bench] ${msg}`);

const dist = (path) => import(pathToFileURL(join(root, 'dist', path)).href);
const { runReport } = await dist('jobs/report/run-report.js');
const { ReportConfigSchema } = await dist('reports/report-config.js');
const { validateConfig } = await dist('core/config/validate.js');

/** Runs `sluice ARGS`; exit 3 (some bad lines dead-lettered) is fine for a bench load. */
function sluice(args) {
  const t0 = Date.now();
  // In the bench folder: a load's default dead-letter file lands there, not in the checkout.
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0 && r.status !== 3) throw new Error(`sluice ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  log(`  sluice ${args[0]} ... ${args.includes('--into') ? args[args.indexOf('--into') + 1].replace(/\/\/.*@/, '//…@') : ''} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** A file made once by `make(partPath)` and kept under `path`. */
async function cached(path, make) {
  if (!existsSync(path)) {
    log(`generating ${path}`);
    await make(`${path}.part`);
    renameSync(`${path}.part`, path);
  }
  return path;
}

/**
 * VACUUM (ANALYZE) of the tables a load wrote, as autovacuum does shortly after a load where it is on
 * (the test server runs without it; a report, read-only, says so when a table has no statistics).
 */
async function analyze(url, tables) {
  const schema = new URL(url).searchParams.get('schema');
  const client = new pg.Client({ connectionString: pgBase });
  await client.connect();
  try {
    for (const t of tables) await client.query(`VACUUM (ANALYZE) "${schema}"."${t}"`);
  } finally {
    await client.end();
  }
}

const discard = () => new Writable({ write: (_chunk, _enc, cb) => cb() });

/** Best in-process time of one report over `repeat` runs, and its rows. */
async function inProcess(profile, db, args) {
  const raw = { name: args[0], profile, db, format: 'csv' };
  for (let i = 1; i < args.length; i += 2) raw[args[i].slice(2).replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = args[i + 1];
  const config = validateConfig(ReportConfigSchema, raw);
  let best = Infinity;
  let rows = 0;
  for (let i = 0; i < repeat; i++) {
    const t0 = process.hrtime.bigint();
    const outcome = await runReport(config, { stdout: discard(), stdoutIsTty: false, notice: () => undefined });
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
    rows = outcome.rows;
  }
  return { seconds: best, rows };
}

const results = [];
async function compare(profile, sqlite, pg, cases, targetS) {
  for (const args of cases) {
    log(`${profile}: report ${args.join(' ')}`);
    const lite = await inProcess(profile, sqlite, args);
    const post = await inProcess(profile, pg, args);
    const cli = await measure(process.execPath, [bin, 'report', ...args, '--profile', profile, '--db', pg, '--format', 'csv', '--out', '/dev/null'], { cwd: root, timeoutMs: 600_000 });
    if (cli.code !== 0) throw new Error(`report ${args.join(' ')} on PostgreSQL exited ${cli.code}: ${cli.stderr.slice(-2000)}`);
    results.push({ profile, report: args.join(' '), rows: post.rows, sqlite_s: lite.seconds, pg_s: post.seconds, pg_cli_s: cli.seconds, target_s: targetS, ok: post.seconds <= targetS });
  }
}

mkdirSync(dir, { recursive: true });

if (only.includes('bridge')) {
  const n = num('BENCH_BRIDGE_N', 1_000_000);
  const file = await cached(join(dir, `bridge-v1-n${n}-s42.ndjson`), async (part) => {
    const gen = await generateBridgeEvents({ count: n, seed: 42, out: part });
    writeFileSync(`${part.replace(/\.part$/, '')}.summary.json`, JSON.stringify(gen));
  });
  const sqlite = join(dir, `report-n${n}-s42.db`);
  const pg = `${pgBase}?schema=bench_reports_bridge_${n}`;
  log(`bridge: ${n} events into ${sqlite} and PostgreSQL (skipped by the ledger when already done)`);
  sluice(['ingest', file, '--db', sqlite, '--no-progress']);
  sluice(['ingest', file, '--into', pg, '--no-progress']);
  await analyze(pg, ['events']);
  const probe = new Database(sqlite, { readonly: true });
  const [largest] = probe.prepare('SELECT session_id, count(*) FROM events GROUP BY session_id ORDER BY 2 DESC LIMIT 1').raw(true).get();
  const plate = probe.prepare('SELECT plate FROM events WHERE plate IS NOT NULL LIMIT 1 OFFSET 1000').pluck().get();
  probe.close();
  const S = ['--session', largest];
  await compare('bridge', sqlite, pg, [
    ['sessions'], ['sessions', ...S], ['types'], ['types', ...S], ['hits'], ['hits', ...S], ['hits', '--plate', plate],
    ['gaps'], ['gaps', ...S], ['gap_list'], ['gap_list', ...S], ['last_seen'], ['last_seen', ...S],
    ['cadence'], ['cadence', ...S, '--by', 'plate'], ['errors_recent'], ['errors_recent', ...S], ['recent'], ['recent', ...S],
    ['export', ...S],
  ], 1);
}

if (only.includes('cowrie')) {
  const n = num('BENCH_COWRIE_N', 1_000_000);
  const file = await cached(join(dir, `cowrie-n${n}.json`), (part) => generateCowrieEvents(part, n));
  const sqlite = join(dir, `cowrie-n${n}.db`);
  const pg = `${pgBase}?schema=bench_reports_cowrie_${n}`;
  log(`cowrie: ${n} events into ${sqlite} and PostgreSQL`);
  sluice(['ingest', file, '--profile', 'cowrie', '--db', sqlite, '--no-progress']);
  sluice(['ingest', file, '--profile', 'cowrie', '--into', pg, '--no-progress']);
  await analyze(pg, ['cowrie_events', 'session_metrics', 'session_commands', 'session_downloads']);
  await compare('cowrie', sqlite, pg, [
    ['sessions'], ['sessions', '--since', '2025-01-02', '--until', '2025-01-03', '--limit', '0'], ['sessions', '--ip', '198.51.7.7', '--limit', '0'],
    ['summary', '--period', 'daily'], ['summary', '--period', 'weekly'], ['summary', '--period', 'monthly'],
    ['top-commands'], ['top-ips'], ['credentials'], ['downloads'],
  ], 1);
}

if (only.includes('posts')) {
  const n = num('BENCH_POSTS_N', 100_000);
  const chunks = join(dir, `report-posts-chunks-n${n}`);
  if (!existsSync(join(chunks, '.done'))) {
    log(`generating ${n} posts into ${chunks}`);
    await generatePostsChunks({ dir: chunks, posts: n, chunks: 20, seed: 1, expectVectors: false });
    writeFileSync(join(chunks, '.done'), '');
  }
  const sqlite = join(dir, `report-posts-n${n}.db`);
  const pg = `${pgBase}?schema=bench_reports_posts_${n}`;
  log(`posts: ${n} posts into ${sqlite} and PostgreSQL`);
  sluice(['spool', '--profile', 'posts', '--from', chunks, '--into', `sqlite:${sqlite}`, '--state', `${sqlite}.state`, '--mode', 'once', '--no-progress']);
  sluice(['spool', '--profile', 'posts', '--from', chunks, '--into', pg, '--mode', 'once', '--no-progress']);
  await analyze(pg, ['posts', 'post_tombstones', 'account_tombstones']);
  const probe = new Database(sqlite, { readonly: true });
  const uri = probe.prepare('SELECT at_uri FROM posts WHERE embedding_l12 IS NOT NULL ORDER BY id LIMIT 1 OFFSET 500').pluck().get();
  const author = probe.prepare('SELECT author_did FROM posts GROUP BY author_did ORDER BY count(*) DESC LIMIT 1').pluck().get();
  probe.close();
  await compare('posts', sqlite, pg, [
    ['search', '--q', 'striker'], ['search', '--q', 'sourdough bread', '--limit', '0'],
    ['similar', '--uri', uri], ['similar', '--uri', uri, '--session', author],
    ['authors'], ['tombstones'], ['tombstones', '--by', 'account'],
  ], 1);
}

const fmt = (v) => (typeof v === 'number' ? (Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(3)) : String(v));
const head = ['profile', 'report', 'rows', 'sqlite s', 'pg s', 'pg cli s', 'pg ≤ target'];
const cells = results.map((r) => [r.profile, r.report, r.rows, r.sqlite_s, r.pg_s, r.pg_cli_s, `${r.ok ? 'ok' : 'MISSED'} (${r.target_s} s)`].map(fmt));
const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
const line = (cs) => cs.map((c, i) => (i < 2 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
console.log(line(head));
for (const c of cells) console.log(line(c));
console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(', ')} (1, 5, 15 min) on ${availableParallelism()} cores`);
for (const r of results) {
  verdict({
    job: 'reports-pg', figure: `${r.profile} ${r.report} on PostgreSQL (in-process)`, reference: 'the same report on SQLite, in-process',
    referenceValue: r.sqlite_s, value: r.pg_s, target: `≤ ${r.target_s} s`, met: r.ok,
  });
}
if (process.argv.includes('--json')) console.log(JSON.stringify(results));
process.exit(results.every((r) => r.ok) ? 0 : 1);
