#!/usr/bin/env node
// Run with a Node.js whose major differs from the one the SQLite driver (better-sqlite3) was built
// for, before `npm rebuild`: every way Sluice loads the driver must stop with SLUICE_E_NATIVE_MODULE
// and the command that fixes it, never a stack trace or a unit marked bad. CI runs it from
// scripts/smoke-other-nodes.sh. Usage: node scripts/smoke-driver-mismatch.mjs   (after the build)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const bin = resolve('bin/sluice.js');
const work = mkdtempSync(join(tmpdir(), 'sluice-driver-mismatch-'));
writeFileSync(join(work, 'bridge.ndjson'), `${JSON.stringify({ seq: 1, type: 'event', ts_ms: 1, session_id: 's1' })}\n`);
// A SQLite unit made by the sqlite3 shell (the driver cannot make one here): read in a parser thread.
const unit = join(work, 'posts.db');
const made = spawnSync('sqlite3', [unit, 'CREATE TABLE posts (at_uri TEXT, did TEXT, time_us INTEGER, raw_post TEXT, inferences TEXT);'], { encoding: 'utf8' });
if (made.status !== 0) throw new Error(`sqlite3 shell: ${made.stderr}`);
const events = join(work, 'events.db');
spawnSync('sqlite3', [events, 'CREATE TABLE events (session_id TEXT, seq INTEGER, ts_ms INTEGER);'], { encoding: 'utf8' });

let failures = 0;
for (const [name, args] of [
  ['ingest into a SQLite database', ['ingest', join(work, 'bridge.ndjson'), '--db', join(work, 'out.db'), '--no-progress']],
  ['a SQLite unit read in a parser thread', ['ingest', unit, '--profile', 'posts', '--dry-run', '--no-progress']],
  ['a report on a SQLite database', ['report', 'sessions', '--db', events]],
]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: work, timeout: 60_000 });
  const ok = r.status === 1 && r.stderr.includes('SLUICE_E_NATIVE_MODULE') && r.stderr.includes('npm rebuild better-sqlite3') && !/\n\s+at /.test(r.stderr);
  if (!ok) failures += 1;
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${name} (exit ${r.status})${ok ? '' : `\n${r.stderr}`}\n`);
}
process.stdout.write(failures === 0 ? 'driver mismatch: every command says what to run\n' : `driver mismatch: ${failures} command(s) failed\n`);
process.exit(failures === 0 ? 0 : 1);
