#!/usr/bin/env node
// `npm run bench:cowrie`: seeded Cowrie events → `sluice ingest --profile cowrie` (events/s, peak RSS) next to
// the reference: the sqlite3 shell loading the same events into the same schema, then the same session
// metrics from them with INSERT … SELECT … ON CONFLICT (bench/cowrie-shell-load.mjs), target ≤ 0.75× its
// time, every session table equal; then every cowrie report on that database (each ≤ 1 s).
//   COWRIE_BENCH_EVENTS=200000 node bench/cowrie-bench.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { cowrieCounts, cowrieSchemaOf, cowrieSessionDigests, loadCowrieWithSqliteShell } from './cowrie-shell-load.mjs';
import { measure } from './measure.mjs';
import { verdict } from './verdict.mjs';
import { generateCowrieEvents as generate } from './generate-cowrie-events.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = join(here, '..', 'bin', 'sluice.js');
const N = Number(process.env.COWRIE_BENCH_EVENTS ?? 1_000_000);
const TARGET_RSS_MB = 250;
const TARGET_REPORT_S = 1;

const dir = mkdtempSync(join(tmpdir(), 'sluice-cowrie-bench-'));
const input = join(dir, 'cowrie.json');
const db = join(dir, 'cowrie.db');
let failed = false;
try {
  const [events, sessions] = await generate(input, N);
  console.log(`generated ${events.toLocaleString('en')} events in ${sessions.toLocaleString('en')} sessions`);
  // The reference first: the schema comes from a database Sluice made (not timed), the load is timed.
  const template = join(dir, 'template.db');
  spawnSync(process.execPath, [BIN, 'ingest', '-', '--profile', 'cowrie', '--db', template, '--no-progress'], { input: '' });
  const shellDb = join(dir, 'shell.db');
  const shell = await loadCowrieWithSqliteShell(input, shellDb, cowrieSchemaOf(template));
  console.log(
    `reference: sqlite3 shell ${shell.seconds.toFixed(2)} s (events INSERT … SELECT ${shell.eventsSeconds.toFixed(2)} s, ` +
      `session tables INSERT … SELECT … ON CONFLICT ${shell.metricsSeconds.toFixed(2)} s; ${shell.events} events, ${shell.sessions} sessions)`,
  );
  const ingest = await measure(process.execPath, [BIN, 'ingest', input, '--profile', 'cowrie', '--db', db, '--no-progress']);
  if (ingest.code !== 0) throw new Error(`ingest failed (${ingest.code}): ${ingest.stderr}`);
  const rate = events / ingest.seconds;
  const rssOk = ingest.peakRssMB !== null && ingest.peakRssMB <= TARGET_RSS_MB;
  console.log(
    `ingest: ${ingest.seconds.toFixed(2)} s, ${Math.round(rate).toLocaleString('en')} events/s on this machine today; ` +
      `peak RSS ${ingest.peakRssMB ?? '?'} MB (target ≤ ${TARGET_RSS_MB}) ${rssOk ? 'ok' : 'MISSED'}`,
  );
  failed ||= !rssOk;
  const mine = cowrieCounts(db);
  const [myDigests, shellDigests] = [cowrieSessionDigests(db), cowrieSessionDigests(shellDb)];
  const same = ['events', 'sessions', 'commands', 'downloads'].every((k) => mine[k] === shell[k]) &&
    JSON.stringify(myDigests) === JSON.stringify(shellDigests);
  if (!same) console.log(`ROWS DIFFER: sluice ${JSON.stringify({ ...mine, ...myDigests })} vs shell ${JSON.stringify({ ...shell, ...shellDigests })}`);
  const ratio = ingest.seconds / shell.seconds;
  console.log(`sluice / shell = ${ratio.toFixed(2)}× (target ≤ 0.75×) ${ratio <= 0.75 ? 'ok' : 'MISSED'}`);
  verdict({
    job: 'cowrie', figure: `ingest ${events.toLocaleString('en')} events into SQLite${same ? '' : ' (ROWS DIFFER)'}`, reference: 'sqlite3 shell, same schema, session tables by INSERT … SELECT … ON CONFLICT',
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
