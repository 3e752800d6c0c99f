#!/usr/bin/env node
// `npm run bench`: sluice `ingest` vs. a plain sqlite3-shell load of the same
// bridge NDJSON, plus a re-ingest of the same file into the same db.
//
//   node bench/ingest-bench.mjs [--only-shell] [--json]
//   env BENCH_SIZES=1000000,5000000  BENCH_DIR=$TMPDIR/sluice-bench  BENCH_SEED=42
//       BENCH_TIMEOUT_S=1800  BENCH_SLUICE_ARGS="--extra --flags"  BENCH_SLUICE_BIN=bin/sluice.js
//
// rows/s is always input lines / wall seconds, so re-ingest (0 inserts) is comparable.
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateBridgeEvents } from './generate-bridge-events.mjs';
import { countRows, loadWithSqliteShell, removeDb } from './sqlite-shell-load.mjs';
import { flushDirtyPages, measure } from './measure.mjs';
import { verdict } from './verdict.mjs';

const GEN_VERSION = 1; // bump when the generator's output changes, to invalidate cached files
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const flags = new Set(process.argv.slice(2));
const sizes = (process.env.BENCH_SIZES ?? '1000000,5000000').split(',').map((s) => Number(s.trim().replace(/_/g, '')));
const dir = process.env.BENCH_DIR ?? join(tmpdir(), 'sluice-bench');
const seed = Number(process.env.BENCH_SEED ?? 42);
const timeoutMs = Number(process.env.BENCH_TIMEOUT_S ?? 1800) * 1000;
const extraArgs = (process.env.BENCH_SLUICE_ARGS ?? '').split(/\s+/).filter(Boolean);
const log = (msg) => console.error(`[bench] ${msg}`); // progress on stderr keeps stdout clean

async function dataFile(n) {
  const file = join(dir, `bridge-v${GEN_VERSION}-n${n}-s${seed}.ndjson`);
  const meta = `${file}.summary.json`;
  if (existsSync(file) && existsSync(meta)) return { file, gen: JSON.parse(readFileSync(meta, 'utf8')) };
  log(`generating ${n} lines -> ${file}`);
  // Write under a temp name so an interrupted run never leaves a "cached" partial file.
  const gen = await generateBridgeEvents({ count: n, seed, out: `${file}.part` });
  renameSync(`${file}.part`, file);
  writeFileSync(meta, JSON.stringify(gen));
  log(`generated in ${gen.seconds}s: ${JSON.stringify(gen)}`);
  return { file, gen };
}

function lastJsonLine(text) {
  for (const line of text.trim().split('\n').reverse()) {
    try {
      const v = JSON.parse(line);
      if (v && typeof v === 'object') return v;
    } catch { /* not JSON, keep looking */ }
  }
  return null;
}

async function runSluice(file, db) {
  flushDirtyPages();
  const bin = process.env.BENCH_SLUICE_BIN ?? join(root, 'bin', 'sluice.js');
  const m = await measure(process.execPath, [bin, 'ingest', file, '--db', db, '--json', ...extraArgs], { cwd: root, timeoutMs });
  // 3 = finished with dead letters: the bench file has bad lines on purpose.
  if (m.code !== 0 && m.code !== 3) {
    const why = m.timedOut ? `timed out after ${timeoutMs / 1000}s` : `exit ${m.code ?? m.signal}`;
    // Stack frames say little in a one-line report; the messages around them do.
    const tail = m.stderr.split('\n').filter((l) => l.trim() && !/^\s+at /.test(l)).slice(-4).join(' | ');
    return { failed: `${why}; stderr tail: ${tail.slice(-600) || '(empty)'}`, ...m };
  }
  return { ...m, summary: lastJsonLine(m.stdout) };
}

function safeCount(db) {
  try {
    return countRows(db);
  } catch {
    return null;
  }
}

async function benchSize(n) {
  const { file, gen } = await dataFile(n);
  const r = { n, expectedRows: gen.good, gen };

  const shellDb = join(dir, `shell-${n}.db`);
  log(`sqlite3 shell load (${n})`);
  flushDirtyPages();
  r.shell = await loadWithSqliteShell(file, shellDb);
  r.shellRows = r.shell.rows;

  if (flags.has('--only-shell')) return r;
  const sluiceDb = join(dir, `sluice-${n}.db`);
  removeDb(sluiceDb);
  log(`sluice ingest (${n})`);
  r.sluice = await runSluice(file, sluiceDb);
  if (!r.sluice.failed) {
    r.sluiceRows = safeCount(sluiceDb);
    log(`sluice re-ingest (${n})`);
    r.reingest = await runSluice(file, sluiceDb);
    r.sluiceRowsAfterReingest = safeCount(sluiceDb);
    // The same bytes under another inode: no cursor applies, so every row is a counted duplicate.
    const copy = join(dir, `copy-${n}.ndjson`);
    copyFileSync(file, copy);
    log(`sluice ingest of a copy: all duplicates (${n})`);
    r.duplicates = await runSluice(copy, sluiceDb);
    rmSync(copy, { force: true });
  }
  return r;
}

const fmt = (v, d = 2) => (v == null || Number.isNaN(v) ? '-' : typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: d }) : String(v));
const rate = (n, s) => (s ? Math.round(n / s) : null);

function printTable(results) {
  const head = ['N', 'shell s', 'shell rows/s', 'sluice s', 'sluice rows/s', 'sluice/shell', 'peak RSS MB',
    're-ingest s', 'all-dup s', 'all-dup rows/s', 'all-dup RSS MB', 'rows shell', 'rows sluice', 'expected'];
  const rows = results.map((r) => {
    const ok = (x) => (x && !x.failed ? x : null);
    const s = ok(r.sluice);
    const re = ok(r.reingest);
    const dup = ok(r.duplicates);
    return [r.n, r.shell.seconds, rate(r.n, r.shell.seconds), s?.seconds, s && rate(r.n, s.seconds),
      s && s.seconds / r.shell.seconds, s?.peakRssMB, re?.seconds, dup?.seconds, dup && rate(r.n, dup.seconds), dup?.peakRssMB,
      r.shellRows, r.sluiceRows, r.expectedRows].map((v) => fmt(v));
  });
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => c.padStart(w[i])).join('  ');
  console.log(line(head));
  for (const row of rows) console.log(line(row));

  for (const r of results) {
    const notes = [];
    if (r.sluice?.failed) notes.push(`sluice: failed (${r.sluice.failed})`);
    if (r.sluice?.summary) notes.push(`sluice summary: ${JSON.stringify(r.sluice.summary)}`);
    if (r.reingest?.failed) notes.push(`re-ingest: failed (${r.reingest.failed})`);
    if (r.duplicates?.summary) notes.push(`all-duplicates summary: ${JSON.stringify(r.duplicates.summary)}`);
    if (r.reingest?.summary) notes.push(`re-ingest summary: ${JSON.stringify(r.reingest.summary)}; peak RSS ${fmt(r.reingest.peakRssMB)} MB`);
    if (r.sluiceRows != null) notes.push(r.sluiceRows === r.shellRows ? 'rows match' : `ROWS DIFFER: shell ${r.shellRows} vs sluice ${r.sluiceRows}`);
    if (r.sluiceRowsAfterReingest != null && r.sluiceRowsAfterReingest !== r.sluiceRows) {
      notes.push(`RE-INGEST CHANGED ROWS: ${r.sluiceRows} -> ${r.sluiceRowsAfterReingest}`);
    }
    for (const note of notes) console.log(`N=${r.n}: ${note}`);
  }
}

mkdirSync(dir, { recursive: true });
log(`dir=${dir} sizes=${sizes.join(',')} seed=${seed}`);
const results = [];
for (const n of sizes) results.push(await benchSize(n));
printTable(results);
for (const r of results) {
  if (!r.sluice || r.sluice.failed) continue;
  const rowsOk = r.sluiceRows === r.shellRows;
  verdict({
    job: 'bridge', figure: `ingest ${fmt(r.n)} events into SQLite${rowsOk ? '' : ' (ROWS DIFFER)'}`, reference: 'sqlite3 shell, same schema',
    referenceValue: r.shell.seconds, value: r.sluice.seconds, target: '≤ 0.5× and ≤ 150 MB',
    met: rowsOk && r.sluice.seconds <= 0.5 * r.shell.seconds && (r.sluice.peakRssMB ?? Infinity) <= 150, peakRssMB: r.sluice.peakRssMB,
  });
}
if (flags.has('--json')) {
  const strip = ({ stdout: _o, stderr: _e, ...rest } = {}) => rest; // child output is noise in JSON
  console.log(JSON.stringify(results.map((r) => ({ ...r, sluice: r.sluice && strip(r.sluice), reingest: r.reingest && strip(r.reingest), duplicates: r.duplicates && strip(r.duplicates) }))));
}
