#!/usr/bin/env node
// `npm run bench:cowrie`: seeded Cowrie events → `sluice ingest --profile cowrie` (events/s, peak RSS),
// then every cowrie report on that database (each ≤ 1 s).
//   COWRIE_BENCH_EVENTS=200000 node bench/cowrie-bench.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure } from './measure.mjs';
import { verdict } from './verdict.mjs';
import { generateCowrieEvents as generate } from './generate-cowrie-events.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = join(here, '..', 'bin', 'sluice.js');
const N = Number(process.env.COWRIE_BENCH_EVENTS ?? 1_000_000);
const TARGET_RATE = 50_000;
const TARGET_RSS_MB = 250;
const TARGET_REPORT_S = 1;

const dir = mkdtempSync(join(tmpdir(), 'sluice-cowrie-bench-'));
const input = join(dir, 'cowrie.json');
const db = join(dir, 'cowrie.db');
let failed = false;
try {
  const [events, sessions] = await generate(input, N);
  console.log(`generated ${events.toLocaleString('en')} events in ${sessions.toLocaleString('en')} sessions`);
  const ingest = await measure(process.execPath, [BIN, 'ingest', input, '--profile', 'cowrie', '--db', db, '--no-progress']);
  if (ingest.code !== 0) throw new Error(`ingest failed (${ingest.code}): ${ingest.stderr}`);
  const rate = events / ingest.seconds;
  const rateOk = rate >= TARGET_RATE;
  const rssOk = ingest.peakRssMB !== null && ingest.peakRssMB <= TARGET_RSS_MB;
  console.log(
    `ingest: ${ingest.seconds.toFixed(2)} s, ${Math.round(rate).toLocaleString('en')} events/s (target ≥ ${TARGET_RATE.toLocaleString('en')}) ${rateOk ? 'ok' : 'MISSED'}; ` +
      `peak RSS ${ingest.peakRssMB ?? '?'} MB (target ≤ ${TARGET_RSS_MB}) ${rssOk ? 'ok' : 'MISSED'}`,
  );
  failed ||= !rateOk || !rssOk;
  verdict({
    job: 'cowrie', figure: `ingest ${events.toLocaleString('en')} events into SQLite`, reference: null, referenceValue: null, value: ingest.seconds,
    target: `≥ ${TARGET_RATE.toLocaleString('en')} events/s, ≤ ${TARGET_RSS_MB} MB`, met: rateOk && rssOk, peakRssMB: ingest.peakRssMB,
  });
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
