#!/usr/bin/env node
// `npm run bench:posts`: the targets of the posts preset. For N = 100,000 generated Megastream posts
// (two 384-float vectors each, no mpnet), in C .db.zip chunks:
//   es       `sluice spool --profile posts` into the local `_bulk` contract server (forked
//            test/helpers/es-server/es-server-child.mjs): >= 5,000 posts/s end to end, RSS <= 300 MB
//   sqlite   the same chunks `--into sqlite:posts.db`: >= 10,000 posts/s, RSS <= 300 MB
//   similar  `sluice report similar --profile posts` on that database: <= 1 s (best of BENCH_REPEAT)
//   pg       (only when asked: POSTS_BENCH_ONLY=sqlite,pg) the same chunks `--into postgres://...` in a
//            schema of its own (dropped afterwards), printed beside SQLite's figure (no target)
// posts/s = posts created in the generated data / wall time of the sluice process (node startup
// included); rows read/s (the summary's `read`) and the documents/rows that landed are printed too.
// A MISS is printed, never an exit status: the box may be shared (load averages are printed).
//
//   npm run build && node bench/posts-bench.mjs [--json]
//   env POSTS_BENCH_ONLY=es,sqlite,similar[,pg]  POSTS_BENCH_N=100000  POSTS_BENCH_CHUNKS=20
//       POSTS_BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/test
//       POSTS_BENCH_SEED=42  BENCH_DIR=$TMPDIR/sluice-bench  BENCH_REPEAT=3  POSTS_BENCH_TIMEOUT_S=1800
//       POSTS_BENCH_KEEP=1 (keep the work folder: sluice-posts-state.db, posts.db)
//
// Generated chunks are cached in BENCH_DIR/posts-chunks-v2-n<N>-c<C>-s<SEED> (with a .json of counts
// beside it), so reruns skip generation. v2: vectors of float16 precision, as in the real chunks.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { lastJson, measure } from './measure.mjs';
import { generatePostsChunks } from './generate-posts-chunks.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SLUICE = join(root, 'bin', 'sluice.js');
const ES_CHILD = join(root, 'test', 'helpers', 'es-server', 'es-server-child.mjs');
const env = process.env;
const num = (name, dflt) => Number((env[name] ?? String(dflt)).replace(/_/g, ''));
const only = new Set((env.POSTS_BENCH_ONLY ?? 'es,sqlite,similar').split(',').map((s) => s.trim()));
const N = num('POSTS_BENCH_N', 100_000);
const CHUNKS = num('POSTS_BENCH_CHUNKS', 20);
const SEED = num('POSTS_BENCH_SEED', 42);
const REPEAT = Math.max(1, num('BENCH_REPEAT', 3));
const TIMEOUT_MS = num('POSTS_BENCH_TIMEOUT_S', 1800) * 1000;
const KEEP = env.POSTS_BENCH_KEEP === '1';
const dir = env.BENCH_DIR ?? join(tmpdir(), 'sluice-bench');
const PG_URL = env.POSTS_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const TARGET = { esRate: 5_000, sqliteRate: 10_000, rssMB: 300, similarS: 1 };

const log = (msg) => console.error(`[posts-bench] ${msg}`);
const fmt = (n) => Math.round(n).toLocaleString('en');
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const results = { n: N, chunks: CHUNKS, seed: SEED, loadavg: {} };

function noteLoad(what) {
  const l = loadavg();
  results.loadavg[what] = l.map((x) => +x.toFixed(2));
  log(`load average before ${what}: ${load()} (1/5/15 min)`);
}

/**
 * CPU seconds (user + system) of this process's reaped children: /proc/self/stat cutime + cstime,
 * which count a grandchild (sluice under /usr/bin/time) once its parent waited for it. null off Linux.
 */
function childCpuSeconds() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
    return (Number(f[13]) + Number(f[14])) / 100; // cutime, cstime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

/** Runs bin/sluice.js with `args`, timed, peak RSS and CPU measured; the last stdout line is the JSON summary. */
async function sluice(args, opts = {}) {
  const cpu0 = childCpuSeconds();
  const r = await measure(process.execPath, [SLUICE, ...args], { timeoutMs: TIMEOUT_MS, ...opts });
  const cpu1 = childCpuSeconds();
  const summary = lastJson(r.stdout);
  if (r.code !== 0 || !summary) throw new Error(`sluice ${args.join(' ')} failed (exit ${r.code}, ${r.signal ?? ''}${r.timedOut ? ', timed out' : ''}):\n${r.stderr.slice(-2000)}`);
  return { ...r, summary, cpuSeconds: cpu0 === null || cpu1 === null ? null : +(cpu1 - cpu0).toFixed(2) };
}

// ---- data --------------------------------------------------------------------------------------------

/** The cached chunk folder and its counts ({files, rows, posts, livePosts, postTombstones, ...}). */
async function chunks() {
  const folder = join(dir, `posts-chunks-v2-n${N}-c${CHUNKS}-s${SEED}`);
  const countsFile = `${folder}.json`;
  if (existsSync(folder) && existsSync(countsFile)) {
    const counts = JSON.parse(readFileSync(countsFile, 'utf8'));
    log(`chunks: cached ${folder} (${counts.files} files, ${fmt(counts.rows)} rows, ${(counts.bytes / 2 ** 20).toFixed(0)} MB)`);
    return { folder, counts };
  }
  const part = `${folder}.part`;
  rmSync(part, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  log(`chunks: generating ${fmt(N)} posts in ${CHUNKS} chunks (seed ${SEED}, no mpnet) -> ${folder}`);
  const t0 = process.hrtime.bigint();
  const result = await generatePostsChunks({ dir: part, seed: SEED, posts: N, chunks: CHUNKS, mpnet: false, expectVectors: false });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const bytes = readdirSync(part).reduce((sum, f) => sum + statSync(join(part, f)).size, 0);
  const counts = {
    files: result.counts.files, rows: result.counts.rows.total, posts: result.counts.postsCreated,
    livePosts: Object.keys(result.expected.posts).length, postTombstones: Object.keys(result.expected.postTombstones).length,
    accountTombstones: Object.keys(result.expected.accountTombstones).length, bytes, seconds: +seconds.toFixed(3), seed: SEED,
  };
  rmSync(folder, { recursive: true, force: true });
  renameSync(part, folder);
  writeFileSync(countsFile, `${JSON.stringify(counts)}\n`);
  log(`  ${seconds.toFixed(1)} s, ${(bytes / 2 ** 20).toFixed(0)} MB`);
  return { folder, counts };
}

// ---- Elasticsearch (the local _bulk contract server) --------------------------------------------------

async function startEs() {
  const child = fork(ES_CHILD, [JSON.stringify({ keepSources: false, version: '8.15.0' })], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const url = await new Promise((resolveUrl, reject) => {
    child.on('message', (m) => m?.type === 'listening' && resolveUrl(m.url));
    child.once('exit', (code) => reject(new Error(`es-server-child exited with ${code}`)));
  });
  const admin = async (method, path) => {
    const res = await globalThis.fetch(`${url}/_contract/${path}`, { method });
    if (!res.ok) throw new Error(`${method} /_contract/${path}: ${res.status}`);
    return res.json();
  };
  return {
    url,
    pid: child.pid,
    admin,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.send('stop');
      await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 5000).unref())]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

async function benchEs(data) {
  const es = await startEs();
  const serverCpu = () => {
    try {
      const stat = readFileSync(`/proc/${es.pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(f[11]) + Number(f[12])) / 100; // utime, stime
    } catch {
      return null;
    }
  };
  const work = mkdtempSync(join(tmpdir(), 'sluice-posts-bench-es-'));
  try {
    await es.admin('POST', 'clear');
    noteLoad('es');
    log(`es: sluice spool --profile posts into ${es.url} (cwd ${work})`);
    const serverCpu0 = serverCpu();
    const run = await sluice(['spool', '--profile', 'posts', '--from', data.folder, '--mode', 'once', '--no-progress', '--json'], {
      cwd: work,
      env: { ...process.env, ELASTICSEARCH_URL: es.url },
    });
    const stats = await es.admin('GET', 'stats');
    const serverCpu1 = serverCpu();
    const serverCpuSeconds = serverCpu0 === null || serverCpu1 === null ? null : +(serverCpu1 - serverCpu0).toFixed(2);
    const docs = stats.docs ?? {};
    const postDocs = Object.entries(docs).filter(([name]) => /^posts/.test(name)).reduce((s, [, n]) => s + n, 0);
    const tombDocs = Object.entries(docs).filter(([name]) => /tombstone/.test(name)).reduce((s, [, n]) => s + n, 0);
    const s = run.summary;
    results.es = {
      seconds: +run.seconds.toFixed(3),
      cpuSeconds: run.cpuSeconds,
      postsPerSec: Math.round(data.counts.posts / run.seconds),
      readPerSec: Math.round(s.read / run.seconds),
      docsPerSec: Math.round((postDocs + tombDocs) / run.seconds),
      peakRssMB: run.peakRssMB,
      summary: s,
      docs,
      serverCpuSeconds,
      bulkRequests: stats.bulkRequests,
      bulkMB: +(stats.bulkBytes / 2 ** 20).toFixed(1),
      bulkItems: stats.bulkItems,
      requests: stats.requests,
    };
    const expectLive = data.counts.livePosts;
    console.error(
      `es: ${fmt(data.counts.posts)} posts (${fmt(s.read)} rows read) in ${run.seconds.toFixed(2)} s: ${fmt(results.es.postsPerSec)} posts/s, ` +
        `${fmt(results.es.readPerSec)} rows read/s; peak RSS ${run.peakRssMB ?? '?'} MB; sluice CPU ${run.cpuSeconds ?? '?'} s (user+sys)\n` +
        `  server: ${fmt(postDocs)} post docs (expected live ${fmt(expectLive)})${postDocs === expectLive ? '' : ' MISMATCH'}, ${fmt(tombDocs)} tombstone docs ` +
        `(expected ${fmt(data.counts.postTombstones + data.counts.accountTombstones)}); ` +
        `${fmt(stats.bulkRequests)} _bulk requests, ${results.es.bulkMB} MB (${(stats.bulkBytes / Math.max(1, stats.bulkRequests) / 1024).toFixed(0)} KB each), ` +
        `server CPU ${serverCpuSeconds ?? '?'} s; items ${JSON.stringify(stats.bulkItems.byAction)} status ${JSON.stringify(stats.bulkItems.byStatus)}; summary inserted ${fmt(s.inserted)}, skipped ${fmt(s.skipped)}, bad ${fmt(s.bad)}`,
    );
  } finally {
    await es.stop();
    if (KEEP) log(`es: kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

// ---- SQLite, then `report similar` on it --------------------------------------------------------------

async function benchSqlite(data) {
  const work = mkdtempSync(join(tmpdir(), 'sluice-posts-bench-sqlite-'));
  const db = join(work, 'posts.db');
  try {
    noteLoad('sqlite');
    log(`sqlite: sluice spool --profile posts --into sqlite:${db}`);
    const run = await sluice(['spool', '--profile', 'posts', '--from', data.folder, '--into', `sqlite:${db}`, '--mode', 'once', '--no-progress', '--json'], { cwd: work });
    const s = run.summary;
    const conn = new Database(db, { readonly: true });
    const { posts, vectors } = conn.prepare('SELECT count(*) AS posts, count(embedding_l12) AS vectors FROM posts').get();
    const tombs = conn.prepare('SELECT count(*) AS n FROM post_tombstones').get().n;
    // A live post with a vector, from the middle of the table.
    const uri = conn.prepare('SELECT at_uri FROM posts WHERE embedding_l12 IS NOT NULL ORDER BY id LIMIT 1 OFFSET ?').get(Math.floor(vectors / 2))?.at_uri;
    conn.close();
    results.sqlite = {
      seconds: +run.seconds.toFixed(3),
      cpuSeconds: run.cpuSeconds,
      postsPerSec: Math.round(data.counts.posts / run.seconds),
      readPerSec: Math.round(s.read / run.seconds),
      peakRssMB: run.peakRssMB,
      dbMB: +(statSync(db).size / 2 ** 20).toFixed(1),
      rows: { posts, vectors, postTombstones: tombs },
      summary: s,
    };
    console.error(
      `sqlite: ${fmt(data.counts.posts)} posts (${fmt(s.read)} rows read) in ${run.seconds.toFixed(2)} s: ${fmt(results.sqlite.postsPerSec)} posts/s, ` +
        `${fmt(results.sqlite.readPerSec)} rows read/s; peak RSS ${run.peakRssMB ?? '?'} MB; sluice CPU ${run.cpuSeconds ?? '?'} s (user+sys)\n` +
        `  database: ${fmt(posts)} posts (expected live ${fmt(data.counts.livePosts)})${posts === data.counts.livePosts ? '' : ' MISMATCH'}, ` +
        `${fmt(vectors)} with vectors, ${fmt(tombs)} post tombstones, ${results.sqlite.dbMB} MB`,
    );

    if (only.has('similar')) {
      if (!uri) throw new Error('similar: no post with a vector in the database');
      const args = ['report', 'similar', '--profile', 'posts', '--db', db, '--uri', uri, '--limit', '10', '--format', 'json'];
      noteLoad('similar');
      log(`similar: sluice report similar --uri ${uri} over ${fmt(vectors)} vectors, best of ${REPEAT}`);
      const times = [];
      let rows = 0;
      let peakRssMB = null;
      for (let i = 0; i < REPEAT; i++) {
        const r = await measure(process.execPath, [SLUICE, ...args], { cwd: work, timeoutMs: 120_000 });
        if (r.code !== 0) throw new Error(`sluice ${args.join(' ')} exited ${r.code}: ${r.stderr.slice(-2000)}`);
        times.push(r.seconds);
        rows = JSON.parse(r.stdout).length;
        peakRssMB = Math.max(peakRssMB ?? 0, r.peakRssMB ?? 0) || null;
      }
      const version = [];
      for (let i = 0; i < REPEAT; i++) version.push((await measure(process.execPath, [SLUICE, '--version'], { cwd: work })).seconds);
      results.similar = { seconds: +Math.min(...times).toFixed(3), runs: times.map((t) => +t.toFixed(3)), rows, over: vectors, peakRssMB, nodeStartupS: +Math.min(...version).toFixed(3) };
      console.error(
        `similar: best ${Math.min(...times).toFixed(3)} s of [${times.map((t) => t.toFixed(3)).join(', ')}] over ${fmt(vectors)} posts, ${rows} rows, ` +
          `peak RSS ${peakRssMB ?? '?'} MB (sluice --version alone: ${Math.min(...version).toFixed(3)} s)`,
      );
    }
  } finally {
    if (KEEP) log(`sqlite: kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

// ---- PostgreSQL ---------------------------------------------------------------------------------------

/**
 * CPU seconds (user + system) of the PostgreSQL backends serving `application_name = app` (same
 * host only: /proc), polled while `work` runs; the last reading of each backend counts. null if none seen.
 */
async function backendCpuWhile(client, app, work) {
  const seen = new Map();
  let polling = true;
  const poll = async () => {
    while (polling) {
      const { rows } = await client.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [app]).catch(() => ({ rows: [] }));
      for (const { pid } of rows) {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          seen.set(pid, (Number(f[11]) + Number(f[12])) / 100);
        } catch {
          // gone, or another host
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const poller = poll();
  try {
    return { result: await work(), cpuSeconds: seen.size > 0 ? +[...seen.values()].reduce((a, b) => a + b, 0).toFixed(2) : null };
  } finally {
    polling = false;
    await poller;
  }
}

async function benchPg(data) {
  const schema = `posts_bench_${process.pid}`;
  const work = mkdtempSync(join(tmpdir(), 'sluice-posts-bench-pg-'));
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`;
    noteLoad('pg');
    log(`pg: sluice spool --profile posts --into ${url}`);
    const app = `sluice-posts-bench-${process.pid}`;
    const { result: run, cpuSeconds: serverCpuSeconds } = await backendCpuWhile(client, app, () =>
      sluice(['spool', '--profile', 'posts', '--from', data.folder, '--into', url, '--mode', 'once', '--no-progress', '--json'], {
        cwd: work,
        env: { ...process.env, PGAPPNAME: app },
      }),
    );
    const s = run.summary;
    const count = async (sql) => Number((await client.query(sql)).rows[0].n);
    const posts = await count(`SELECT count(*) AS n FROM "${schema}".posts`);
    const vectors = await count(`SELECT count(embedding_l12) AS n FROM "${schema}".posts`);
    const tombs = await count(`SELECT count(*) AS n FROM "${schema}".post_tombstones`);
    const dbMB = +(Number((await client.query(`SELECT sum(pg_total_relation_size(c.oid)) AS b FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`, [schema])).rows[0].b) / 2 ** 20).toFixed(1);
    results.pg = {
      seconds: +run.seconds.toFixed(3),
      cpuSeconds: run.cpuSeconds,
      postsPerSec: Math.round(data.counts.posts / run.seconds),
      readPerSec: Math.round(s.read / run.seconds),
      peakRssMB: run.peakRssMB,
      dbMB,
      serverCpuSeconds,
      rows: { posts, vectors, postTombstones: tombs },
      summary: s,
    };
    console.error(
      `pg: ${fmt(data.counts.posts)} posts (${fmt(s.read)} rows read) in ${run.seconds.toFixed(2)} s: ${fmt(results.pg.postsPerSec)} posts/s, ` +
        `${fmt(results.pg.readPerSec)} rows read/s; peak RSS ${run.peakRssMB ?? '?'} MB; sluice CPU ${run.cpuSeconds ?? '?'} s (user+sys), its PostgreSQL backends ${serverCpuSeconds ?? '?'} s\n` +
        `  database: ${fmt(posts)} posts (expected live ${fmt(data.counts.livePosts)})${posts === data.counts.livePosts ? '' : ' MISMATCH'}, ` +
        `${fmt(vectors)} with vectors, ${fmt(tombs)} post tombstones, ${dbMB} MB with indexes`,
    );
  } finally {
    if (KEEP) log(`pg: kept schema ${schema}`);
    else await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
    rmSync(work, { recursive: true, force: true });
  }
}

// ---- main ---------------------------------------------------------------------------------------------

if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) throw new Error('build first: npm run build');
noteLoad('start');
const data = await chunks();
results.data = data.counts;
if (only.has('es')) await benchEs(data);
if (only.has('sqlite') || only.has('similar')) await benchSqlite(data);
if (only.has('pg')) await benchPg(data);

const rows = [];
const add = (what, target, measured, ok, unit) => rows.push([what, target, measured === null || measured === undefined ? 'n/a' : `${measured}${unit}`, measured === null || measured === undefined || ok === null ? '-' : ok ? 'PASS' : 'MISS']);
if (results.es) {
  add('es posts/s (end to end)', `≥ ${fmt(TARGET.esRate)}`, fmt(results.es.postsPerSec), results.es.postsPerSec >= TARGET.esRate, '');
  add('es peak RSS', `≤ ${TARGET.rssMB} MB`, results.es.peakRssMB, results.es.peakRssMB !== null && results.es.peakRssMB <= TARGET.rssMB, ' MB');
}
if (results.sqlite) {
  add('sqlite posts/s', `≥ ${fmt(TARGET.sqliteRate)}`, fmt(results.sqlite.postsPerSec), results.sqlite.postsPerSec >= TARGET.sqliteRate, '');
  add('sqlite peak RSS', `≤ ${TARGET.rssMB} MB`, results.sqlite.peakRssMB, results.sqlite.peakRssMB !== null && results.sqlite.peakRssMB <= TARGET.rssMB, ' MB');
}
if (results.pg) {
  const vs = results.sqlite ? ` (${(results.pg.postsPerSec / results.sqlite.postsPerSec).toFixed(2)}x SQLite)` : '';
  add('pg posts/s', '-', `${fmt(results.pg.postsPerSec)}${vs}`, null, '');
  add('pg peak RSS', '-', results.pg.peakRssMB, null, ' MB');
}
if (results.similar) add(`similar over ${fmt(results.similar.over)} (best of ${REPEAT})`, `≤ ${TARGET.similarS} s`, results.similar.seconds.toFixed(3), results.similar.seconds <= TARGET.similarS, ' s');

const w = [0, 1, 2, 3].map((i) => Math.max(...[['figure', 'target', 'measured', ''], ...rows].map((r) => String(r[i]).length)));
const line = (r) => r.map((c, i) => String(c).padEnd(w[i])).join('  ');
console.log(`\nposts preset: ${fmt(results.data.posts)} posts, ${results.data.files} chunks, ${fmt(results.data.rows)} rows (seed ${SEED})`);
console.log(line(['figure', 'target', 'measured', '']));
for (const r of rows) console.log(line(r));
const cpu = [];
if (results.es?.cpuSeconds) cpu.push(`es: sluice ${results.es.cpuSeconds} s CPU for ${results.es.seconds.toFixed(1)} s wall (${fmt(results.data.posts / results.es.cpuSeconds)} posts per CPU-second), server ${results.es.serverCpuSeconds ?? '?'} s`);
if (results.sqlite?.cpuSeconds) cpu.push(`sqlite: sluice ${results.sqlite.cpuSeconds} s CPU for ${results.sqlite.seconds.toFixed(1)} s wall (${fmt(results.data.posts / results.sqlite.cpuSeconds)} posts per CPU-second)`);
if (results.pg?.cpuSeconds) cpu.push(`pg: sluice ${results.pg.cpuSeconds} s CPU for ${results.pg.seconds.toFixed(1)} s wall, its PostgreSQL backends ${results.pg.serverCpuSeconds ?? '?'} s`);
if (cpu.length > 0) console.log(`CPU (user+sys, all threads) ${cpu.join(' | ')}`);
console.log(`load averages (1/5/15 min) before: ${Object.entries(results.loadavg).map(([k, v]) => `${k} ${v.join(' ')}`).join(' | ')}`);
if (process.argv.includes('--json')) console.log(JSON.stringify(results));
