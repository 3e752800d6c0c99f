#!/usr/bin/env node
// `npm run bench`: every benchmark in turn, each printing its own figures, then one summary table per job
// (figure, reference, reference figure, Sluice, ratio, target, verdict) from the `##verdict` lines the
// benchmarks print (bench/verdict.mjs).
//   BENCH_ONLY=ingest,reports npm run bench     # a subset (ingest, reports, follow, spool, serve, cowrie, posts, pg, reports-pg, dashboard, nats)
//   npm run bench -- --json                     # the summary as JSON on stdout (details go to stderr)
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { VERDICT_PREFIX } from './verdict.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const all = [
  ['ingest', 'ingest-bench.mjs'],
  ['reports', 'report-bench.mjs'],
  ['follow', 'follow-bench.mjs'],
  ['spool', 'spool-bench.mjs'],
  ['serve', 'serve-bench.mjs'],
  ['cowrie', 'cowrie-bench.mjs'],
  ['posts', 'posts-bench.mjs'],
  ['pg', 'pg-bench.mjs'],
  ['reports-pg', 'report-pg-bench.mjs'],
  ['dashboard', 'dashboard-bench.mjs'],
  ['nats', 'nats-bench.mjs'],
];
const json = process.argv.includes('--json');
/** With --json, stdout carries only the summary; every benchmark's own output goes to stderr. */
const say = json ? (line) => process.stderr.write(`${line}\n`) : (line) => process.stdout.write(`${line}\n`);
const only = new Set((process.env.BENCH_ONLY ?? all.map(([name]) => name).join(',')).split(',').map((s) => s.trim()));

/** Runs one benchmark, passing its output through and keeping its verdict lines. */
async function runBench(script) {
  const child = spawn(process.execPath, [join(here, script)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const verdicts = [];
  for await (const line of createInterface({ input: child.stdout })) {
    if (line.startsWith(VERDICT_PREFIX)) verdicts.push(JSON.parse(line.slice(VERDICT_PREFIX.length)));
    else say(line);
  }
  const code = await new Promise((resolve) => child.on('close', (c, signal) => resolve(c ?? signal)));
  return { code, verdicts };
}

const num = (v, unit) => {
  if (v === null || v === undefined) return '-';
  const digits = unit === 's' ? (v < 10 ? 3 : 1) : 0;
  return `${v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })}${unit === 's' ? ' s' : ` ${unit}`}`;
};

function table(rows) {
  const head = ['figure', 'reference', 'reference run', 'sluice', 'ratio', 'target', 'verdict', 'peak RSS'];
  const cells = rows.map((v) => [
    v.figure,
    v.reference ?? '-',
    num(v.referenceValue, v.unit),
    num(v.value, v.unit),
    v.ratio === null ? '-' : `${v.ratio.toFixed(2)}×`,
    v.target,
    v.met === null ? '-' : v.met ? 'met' : 'MISSED',
    v.peakRssMB === null ? '-' : `${v.peakRssMB} MB`,
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => String(c[i]).length)));
  const line = (c) => c.map((s, i) => (i === 0 || i === 1 || i === 5 ? String(s).padEnd(w[i]) : String(s).padStart(w[i]))).join('  ');
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...cells.map(line)].join('\n');
}

const summary = [];
let failed = 0;
for (const [name, script] of all) {
  if (!only.has(name)) continue;
  say(`\n=== bench: ${name} (${script}) ===`);
  const { code, verdicts } = await runBench(script);
  summary.push(...verdicts.map((v) => ({ bench: name, ...v })));
  if (code !== 0) {
    failed += 1;
    say(`=== bench: ${name} exited with ${code} ===`);
  }
}

if (json) {
  console.log(JSON.stringify({ failedBenches: failed, verdicts: summary }, null, 2));
} else {
  console.log('\n=== summary (ratios are measured in this run; absolute figures are this machine today) ===');
  for (const job of [...new Set(summary.map((v) => v.job))]) {
    console.log(`\n${job}`);
    console.log(table(summary.filter((v) => v.job === job)));
  }
  const missed = summary.filter((v) => v.met === false).length;
  console.log(`\n${summary.length} figures, ${missed} missed${failed ? `, ${failed} benchmark(s) failed` : ''}`);
}
process.exit(failed > 0 ? 1 : 0);
