#!/usr/bin/env node
// `npm run bench:cowrie`: seeded Cowrie events → `sluice ingest --profile cowrie` (events/s, peak RSS) next to
// the reference: the sqlite3 shell loading the same events into the same schema, then the same session
// metrics from them with INSERT … SELECT … ON CONFLICT (bench/cowrie-shell-load.mjs), target ≤ 0.75× its
// time, every session table equal; then every cowrie report on that database (each ≤ 1 s).
// Reference and Sluice run in turn, 5 rounds (COWRIE_BENCH_ROUNDS); the figures are the medians.
//   COWRIE_BENCH_EVENTS=200000 COWRIE_BENCH_ROUNDS=1 node bench/cowrie-bench.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { cowrieCounts, cowrieSchemaOf, cowrieSessionDigests, loadCowrieWithSqliteShell } from './cowrie-shell-load.mjs';
import { flushDirtyPages, measure, median } from './measure.mjs';
import { removeDb } from './sqlite-shell-load.mjs';
import { verdict } from './verdict.mjs';
import { generateCowrieEvents as generate } from './generate-cowrie-events.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = join(here, '..', 'bin', 'sluice.js');
const N = Number(process.env.COWRIE_BENCH_EVENTS ?? 1_000_000);
const ROUNDS = Number(process.env.COWRIE_BENCH_ROUNDS ?? 5);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) {
  console.error(`COWRIE_BENCH_ROUNDS must be a whole number ≥ 1, not ${JSON.stringify(process.env.COWRIE_BENCH_ROUNDS)}`);
  process.exit(2);
}
const TARGET_RSS_MB = 250;
const TARGET_REPORT_S = 1;

const dir = mkdtempSync(join(tmpdir(), 'sluice-cowrie-bench-'));
const input = join(dir, 'cowrie.json');
const db = join(dir, 'cowrie.db');
let failed = false;
try {
  const [events, sessions] = await generate(input, N);
  console.log(`generated ${events.toLocaleString('en')} events in ${sessions.toLocaleString('en')} sessions`);
  // The schema comes from a database Sluice made (not timed).
  const template = join(dir, 'template.db');
  spawnSync(process.execPath, [BIN, 'ingest', '-', '--profile', 'cowrie', '--db', template, '--no-progress'], { input: '' });
  const schemaSql = cowrieSchemaOf(template);
  const shellDb = join(dir, 'shell.db');
  const shellRuns = [];
  const ingestRuns = [];
  const runShell = async () => {
    const r = await loadCowrieWithSqliteShell(input, shellDb, schemaSql);
    shellRuns.push(r);
    console.log(
      `  reference: sqlite3 shell ${r.seconds.toFixed(2)} s (events INSERT … SELECT ${r.eventsSeconds.toFixed(2)} s, ` +
        `session tables INSERT … SELECT … ON CONFLICT ${r.metricsSeconds.toFixed(2)} s)`,
    );
  };
  const runSluice = async () => {
    const r = await measure(process.execPath, [BIN, 'ingest', input, '--profile', 'cowrie', '--db', db, '--no-progress']);
    if (r.code !== 0) throw new Error(`ingest failed (${r.code}): ${r.stderr}`);
    ingestRuns.push(r);
    console.log(`  sluice ingest: ${r.seconds.toFixed(2)} s, peak RSS ${r.peakRssMB ?? '?'} MB`);
  };
  // Rounds in turn, the first of each pair swapped every round, and the page cache's dirty pages (the
  // generated input, the previous run's database) written out before each run, so neither side pays
  // for the other's writes: one pair on this machine varies by 10-30 %.
  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`round ${round} of ${ROUNDS}`);
    for (const run of round % 2 === 1 ? [runShell, runSluice] : [runSluice, runShell]) {
      removeDb(run === runShell ? shellDb : db);
      flushDirtyPages();
      await run();
    }
  }
  const shell = { ...shellRuns.at(-1), seconds: median(shellRuns.map((r) => r.seconds)) };
  // The most of any round, or null when a round's could not be read.
  const rss = ingestRuns.map((r) => r.peakRssMB);
  const ingest = { seconds: median(ingestRuns.map((r) => r.seconds)), peakRssMB: rss.includes(null) ? null : Math.max(...rss) };
  console.log(
    `reference: sqlite3 shell, median ${shell.seconds.toFixed(2)} s of ${ROUNDS} (${shell.events} events, ${shell.sessions} sessions)`,
  );
  const rate = events / ingest.seconds;
  const rssOk = ingest.peakRssMB !== null && ingest.peakRssMB <= TARGET_RSS_MB;
  console.log(
    `ingest: median ${ingest.seconds.toFixed(2)} s of ${ROUNDS}, ${Math.round(rate).toLocaleString('en')} events/s on this machine today; ` +
      `peak RSS ${ingest.peakRssMB ?? '?'} MB, the most of any run (target ≤ ${TARGET_RSS_MB}) ${rssOk ? 'ok' : 'MISSED'}`,
  );
  failed ||= !rssOk;
  const mine = cowrieCounts(db);
  const [myDigests, shellDigests] = [cowrieSessionDigests(db), cowrieSessionDigests(shellDb)];
  const same = ['events', 'sessions', 'commands', 'downloads'].every((k) => mine[k] === shell[k]) &&
    JSON.stringify(myDigests) === JSON.stringify(shellDigests);
  if (!same) console.log(`ROWS DIFFER: sluice ${JSON.stringify({ ...mine, ...myDigests })} vs shell ${JSON.stringify({ ...shell, ...shellDigests })}`);
  const ratio = ingest.seconds / shell.seconds;
  const pairs = ingestRuns.map((r, i) => (r.seconds / shellRuns[i].seconds).toFixed(2)).join(', ');
  console.log(`sluice / shell = ${ratio.toFixed(2)}×, medians (each round: ${pairs}) (target ≤ 0.75×) ${ratio <= 0.75 ? 'ok' : 'MISSED'}`);
  verdict({
    job: 'cowrie', figure: `ingest ${events.toLocaleString('en')} events into SQLite, median of ${ROUNDS}${same ? '' : ' (ROWS DIFFER)'}`, reference: 'sqlite3 shell, same schema, session tables by INSERT … SELECT … ON CONFLICT',
    referenceValue: shell.seconds, value: ingest.seconds, target: `≤ 0.75×, ≤ ${TARGET_RSS_MB} MB`, met: same && ratio <= 0.75 && rssOk, peakRssMB: ingest.peakRssMB,
  });
  failed ||= !same || ratio > 0.75;
  const reports = [
    ['sessions'],
    ['sessions', '--since', '2025-01-02', '--until', '2025-01-03', '--limit', '0'],
    ['sessions', '--ip', '198.51.7.7', '--limit', '0'],
    ['summary', '--period', 'daily'],
    ['summary', '--period', 'weekly'],
    ['summary', '--period', 'monthly'],
    ['top-commands'],
    ['top-ips'],
    ['credentials'],
    ['downloads'],
  ];
  for (const args of reports) {
    const r = await measure(process.execPath, [BIN, 'report', ...args, '--profile', 'cowrie', '--db', db, '--format', 'csv']);
    if (r.code !== 0) throw new Error(`report ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    const rows = Math.max(0, r.stdout.trim().split('\n').length - 1);
    const ok = r.seconds <= TARGET_REPORT_S;
    failed ||= !ok;
    verdict({ job: 'cowrie', figure: `report ${args.join(' ')}`, reference: null, referenceValue: null, value: r.seconds, target: `≤ ${TARGET_REPORT_S} s`, met: ok, peakRssMB: r.peakRssMB });
    console.log(
      `report ${args.join(' ').padEnd(60)} ${r.seconds.toFixed(3)} s, ${rows} rows, RSS ${r.peakRssMB ?? '?'} MB ${ok ? 'ok' : 'MISSED'}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
