#!/usr/bin/env node
// `npm run bench:dashboard`: how long a dashboard page takes to load in Chromium over the 1M-event
// bridge and Cowrie bench databases (target: ≤ 1 s from navigation to every chart drawn).
//
//   node bench/dashboard-bench.mjs [--json]
//   env BENCH_DIR=$TMPDIR/sluice-bench  BENCH_N=1000000  BENCH_REPEAT=3  BENCH_PG=1 (also PostgreSQL)
//       BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/test  SLUICE_CHROMIUM=/usr/bin/chromium
//       BENCH_COLD=0 (more cold loads per page, each on a dashboard started afresh; the best is kept)
//       BENCH_COMPARE_BIN=/path/to/other/bin/sluice.js (also time another build's dashboard, its cold
//         loads interleaved with this one's, so both see the same load; `vs other` = this / other)
//
// The data and databases are those of bench:reports-pg (same files, same schemas: made once, shared).
// Reference, in the same run: the same reports with their default flags run one after another
// in-process (dist/jobs/report/run-report.js): the work of a page. The server runs a SQLite page's
// reports side by side in threads (one per core) and a PostgreSQL page's on the server's backends, so
// a page can beat it on a machine with cores to spare. `ratio` = first page load / that reference.
// Per report: its own time as the server measured it for the page (the `ms` of its answer), so a slow
// one is named. The load average is printed with the figures: on a busy machine they are not its own.
// The dashboard runs with --no-warm: the first load runs every report (cold); the next loads of a
// SQLite page are answered from the cache (the database is unchanged), a PostgreSQL page runs its
// reports again each time.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { generateBridgeEvents } from './generate-bridge-events.mjs';
import { generateCowrieEvents } from './generate-cowrie-events.mjs';
import { verdict } from './verdict.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'sluice.js');
const dir = process.env.BENCH_DIR ?? join(tmpdir(), 'sluice-bench');
const n = Number((process.env.BENCH_N ?? '1000000').replace(/_/g, ''));
const repeat = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));
const withPg = process.env.BENCH_PG === '1';
const pgBase = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const chromiumPath = process.env.SLUICE_CHROMIUM ?? '/usr/bin/chromium';
const coldRounds = Math.max(0, Number(process.env.BENCH_COLD ?? 0));
const compareBin = process.env.BENCH_COMPARE_BIN;
const log = (msg) => console.error(`[dashboard-bench] ${msg}`);

const dist = (path) => import(pathToFileURL(join(root, 'dist', path)).href);
const { runReport } = await dist('jobs/report/run-report.js');
const { ReportConfigSchema } = await dist('reports/report-config.js');
const { validateConfig } = await dist('core/config/validate.js');
const { profileByName } = await dist('profiles/registry.js');

function sluice(args) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0 && r.status !== 3) throw new Error(`sluice ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  log(`  sluice ${args[0]} ${args.at(-3) ?? ''} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

async function cached(path, make) {
  if (!existsSync(path)) {
    log(`generating ${path}`);
    await make(`${path}.part`);
    renameSync(`${path}.part`, path);
  }
  return path;
}

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

/** The databases: [{ profile, label, db }]. */
async function databases() {
  mkdirSync(dir, { recursive: true });
  const bridgeFile = await cached(join(dir, `bridge-v1-n${n}-s42.ndjson`), (part) => generateBridgeEvents({ count: n, seed: 42, out: part }));
  const cowrieFile = await cached(join(dir, `cowrie-n${n}.json`), (part) => generateCowrieEvents(part, n));
  const out = [];
  const bridgeDb = join(dir, `report-n${n}-s42.db`);
  sluice(['ingest', bridgeFile, '--db', bridgeDb, '--no-progress']);
  out.push({ profile: 'bridge', label: 'bridge SQLite', db: bridgeDb });
  const cowrieDb = join(dir, `cowrie-n${n}.db`);
  sluice(['ingest', cowrieFile, '--profile', 'cowrie', '--db', cowrieDb, '--no-progress']);
  out.push({ profile: 'cowrie', label: 'cowrie SQLite', db: cowrieDb });
  if (withPg) {
    const bridgePg = `${pgBase}?schema=bench_reports_bridge_${n}`;
    sluice(['ingest', bridgeFile, '--into', bridgePg, '--no-progress']);
    await analyze(bridgePg, ['events']);
    out.push({ profile: 'bridge', label: 'bridge PostgreSQL', db: bridgePg });
    const cowriePg = `${pgBase}?schema=bench_reports_cowrie_${n}`;
    sluice(['ingest', cowrieFile, '--profile', 'cowrie', '--into', cowriePg, '--no-progress']);
    await analyze(cowriePg, ['cowrie_events', 'session_metrics', 'session_commands', 'session_downloads']);
    out.push({ profile: 'cowrie', label: 'cowrie PostgreSQL', db: cowriePg });
  }
  return out;
}

/** The reports a page runs on load (every one with a chart and no required input), one after another. */
async function reference(profile, db) {
  const reports = profileByName(profile).reports.reports.filter(
    (r) => r.chart?.kind !== 'none' && !r.options.sessionRequired && !r.options.q && !r.options.uri,
  );
  const discard = () => new Writable({ write: (_c, _e, cb) => cb() });
  let best = Infinity;
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    for (const r of reports) {
      const config = validateConfig(ReportConfigSchema, { name: r.name, profile, db, format: 'json' });
      await runReport(config, { stdout: discard(), stdoutIsTty: false, notice: () => undefined });
    }
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

async function startDashboard(dbs, sluiceBin = bin) {
  const child = spawn(process.execPath, [sluiceBin, 'dashboard', '--port', '0', '--no-warm', ...dbs.flatMap((d) => ['--db', d.db])], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const url = await new Promise((resolveUrl, reject) => {
    child.stderr.on('data', (c) => {
      stderr += c;
      const m = /open (http:\/\/\S+?)\/?\n/.exec(stderr);
      if (m) resolveUrl(m[1]);
    });
    child.on('close', (code) => reject(new Error(`dashboard exited ${code}: ${stderr}`)));
  });
  return { child, url };
}

const dbs = await databases();
log('reference: the same reports in-process, one after another');
const refs = [];
for (const d of dbs) refs.push(await reference(d.profile, d.db));

const { chromium } = await import('playwright-core');
const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
/** Loads `/db/I` once: ms from navigation to every chart drawn, and the marks drawn. */
async function loadPage(server, i, perReport) {
  const page = await browser.newPage();
  page.on('response', async (res) => {
    const m = /\/api\/db\/\d+\/reports\/(\w+)/.exec(res.url());
    if (perReport && m && res.ok()) {
      const body = await res.json().catch(() => undefined);
      if (body && !body.cached) perReport.set(m[1], Math.min(perReport.get(m[1]) ?? Infinity, body.ms));
    }
  });
  const t0 = performance.now();
  await page.goto(`${server.url}/db/${i}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
  const ms = performance.now() - t0;
  const marks = await page.$$eval('svg .mark', (m) => m.length);
  await page.close();
  return { ms, marks };
}

/** Best load of the home page (assets and the catalog, no report): what any page costs here today. */
async function homeLoad(server) {
  let best = Infinity;
  for (let k = 0; k < repeat + 1; k++) {
    const page = await browser.newPage();
    const t0 = performance.now();
    await page.goto(`${server.url}/`);
    await page.waitForSelector('body[data-ready="true"]');
    best = Math.min(best, performance.now() - t0);
    await page.close();
  }
  return best;
}

/** Cold loads: per round, a dashboard started afresh loads each page once (its reports all run). */
async function coldLoads(sluiceBin, label, round, cold, perReport) {
  const server = await startDashboard(dbs, sluiceBin);
  try {
    for (const [i, d] of dbs.entries()) {
      const { ms, marks } = await loadPage(server, i, perReport?.[i]);
      cold[i].push(ms);
      log(`${label}${d.label}: cold load ${round + 1} ${ms.toFixed(0)} ms (${marks} marks)`);
    }
  } finally {
    server.child.kill('SIGTERM');
  }
}

const results = [];
let home = 0;
const cold = dbs.map(() => []);
const coldOther = dbs.map(() => []);
const perReports = dbs.map(() => new Map());
try {
  for (let round = 0; round < coldRounds; round++) {
    await coldLoads(bin, '', round, cold, perReports);
    if (compareBin) await coldLoads(compareBin, 'other: ', round, coldOther);
  }
  const server = await startDashboard(dbs);
  try {
    home = await homeLoad(server);
    log(`home page (no report): ${home.toFixed(0)} ms`);
    for (const [i, d] of dbs.entries()) {
      const loads = [];
      for (let k = 0; k < repeat + 1; k++) {
        const { ms, marks } = await loadPage(server, i, perReports[i]);
        loads.push(ms);
        log(`${d.label}: load ${k + 1} ${ms.toFixed(0)} ms (${marks} marks)${k === 0 ? ' (cold)' : ''}`);
      }
      const [firstHere, ...warm] = loads;
      cold[i].push(firstHere);
      const first = Math.min(...cold[i]);
      const best = Math.min(...warm);
      const other = coldOther[i].length > 0 ? Math.min(...coldOther[i]) : undefined;
      const slowest = [...perReports[i].entries()].sort((a, b) => b[1] - a[1]);
      results.push({
        database: d.label, events: n, first_load_ms: Math.round(first), cold_loads: cold[i].length, again_best_ms: Math.round(best),
        reference_ms: Math.round(refs[i]), ratio: Number((first / refs[i]).toFixed(2)), target_ms: 1000, ok_first: first <= 1000, ok_again: best <= 1000,
        other_first_load_ms: other === undefined ? undefined : Math.round(other),
        vs_other: other === undefined ? undefined : Number((first / other).toFixed(2)),
        slowest_reports: slowest.slice(0, 3).map(([name, ms]) => `${name} ${ms} ms`).join(', '),
      });
    }
  } finally {
    server.child.kill('SIGTERM');
  }
} finally {
  await browser.close();
}

console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(', ')} (1, 5, 15 min) on ${availableParallelism()} cores`);
console.log(`home page, no report (reference of a page's own cost today): ${Math.round(home)} ms`);
console.log(`database            first load (cold, best of ${coldRounds + 1})  again (best)  reference  ratio  ≤1s first/again  slowest reports (server ms)`);
for (const r of results) {
  const ok = `${r.ok_first ? 'yes' : 'NO'}/${r.ok_again ? 'yes' : 'NO'}`;
  console.log(`${r.database.padEnd(20)}${`${r.first_load_ms} ms`.padStart(17)}${`${r.again_best_ms} ms`.padStart(14)}${`${r.reference_ms} ms`.padStart(11)}${String(r.ratio).padStart(7)}  ${ok.padStart(15)}  ${r.slowest_reports}`);
}
if (compareBin) {
  console.log(`cold first load, best of ${coldRounds + 1} (other: of ${coldRounds}), beside ${compareBin}, loads interleaved:`);
  for (const r of results) console.log(`${r.database.padEnd(20)} this ${r.first_load_ms} ms, other ${r.other_first_load_ms} ms: vs other ${r.vs_other}`);
}
for (const r of results) {
  verdict({
    job: 'dashboard', figure: `${r.database} page, first load (cold), ${n.toLocaleString('en-US')} events`,
    reference: 'the same reports in-process, one after another', referenceValue: r.reference_ms / 1000,
    value: r.first_load_ms / 1000, target: '≤ 1 s', met: r.ok_first,
  });
}
if (process.argv.includes('--json')) console.log(JSON.stringify({ home_ms: Math.round(home), load_average: loadavg(), results }));
