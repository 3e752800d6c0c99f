#!/usr/bin/env node
// `npm run bench`: every benchmark in turn, each printing its own figures.
//   BENCH_ONLY=ingest,reports npm run bench     # a subset (ingest, reports, follow, spool, serve, cowrie, posts, pg)
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
];
const only = new Set((process.env.BENCH_ONLY ?? all.map(([name]) => name).join(',')).split(',').map((s) => s.trim()));
let failed = 0;
for (const [name, script] of all) {
  if (!only.has(name)) continue;
  console.log(`\n=== bench: ${name} (${script}) ===`);
  const r = spawnSync(process.execPath, [join(here, script)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed += 1;
    console.log(`=== bench: ${name} exited with ${r.status ?? r.signal} ===`);
  }
}
process.exit(failed > 0 ? 1 : 0);
