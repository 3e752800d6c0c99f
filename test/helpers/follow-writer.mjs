#!/usr/bin/env node
// A real log writer for the `sluice follow` tests: a separate process that appends bridge NDJSON
// lines to dated files the way a logger does (a handle kept open in append mode, lines at a rate,
// a line now and then written in two halves), rolls over to the next file, truncates, deletes and
// re-creates. It runs a plan of steps (see follow-writer-plan.ts) given as a JSON file path.
//
// stdout: `mark NAME` when a `mark` step is reached, `written N` (complete lines) at the end.
// stdin: an `await` step waits for a line `NAME`.
import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import { closeSync, mkdirSync, openSync, readFileSync, truncateSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';

/** Same text as bridgeLine() in test/helpers/bridge-lines.ts (the tests compare against it). */
function bridgeLine(seq, session) {
  return JSON.stringify({
    seq,
    type: 'event',
    ts_ms: 1000 + seq * 10,
    t_rel_ms: seq * 10.5,
    plate: `P${seq % 7}`,
    msg: seq % 5 === 0 ? 'T0' : 'HIT',
    data: { amp: seq * 1.5 },
    session_id: session,
    pid: 42,
  });
}

const planPath = process.argv[2];
if (!planPath) {
  process.stderr.write('usage: follow-writer.mjs PLAN.json\n');
  process.exit(2);
}
const plan = JSON.parse(readFileSync(planPath, 'utf8'));

/** Open append handles, as a logger keeps them. */
const handles = new Map();
function handle(file) {
  let fd = handles.get(file);
  if (fd === undefined) {
    fd = openSync(file, 'a');
    handles.set(file, fd);
  }
  return fd;
}
function closeHandle(file) {
  const fd = handles.get(file);
  if (fd !== undefined) closeSync(fd);
  handles.delete(file);
}
function append(file, text) {
  const bytes = Buffer.from(text);
  const fd = handle(file);
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

// Lines from stdin, for `await` steps.
const received = [];
let onReceived;
createInterface({ input: process.stdin }).on('line', (line) => {
  received.push(line.trim());
  onReceived?.();
});
async function awaitLine(name) {
  while (!received.includes(name)) await new Promise((resolve) => (onReceived = resolve));
  received.splice(received.indexOf(name), 1);
}

let written = 0;

/** `count` lines from `from`, at `rate` lines/s (all in one write when no rate), in 10 ms ticks. */
async function writeLines(step) {
  const text = (seq) => `${bridgeLine(seq, step.session)}\n`;
  if (!step.rate) {
    let chunk = '';
    for (let i = 0; i < step.count; i++) chunk += text(step.from + i);
    append(step.file, chunk);
    written += step.count;
    return;
  }
  const started = performance.now();
  let done = 0;
  while (done < step.count) {
    const due = Math.min(step.count, Math.max(done + 1, Math.floor(((performance.now() - started) / 1000) * step.rate)));
    let chunk = '';
    for (let i = done; i < due; i++) chunk += text(step.from + i);
    append(step.file, chunk);
    written += due - done;
    done = due;
    if (done < step.count) await sleep(10);
  }
}

for (const step of plan) {
  switch (step.op) {
    case 'lines':
      await writeLines(step);
      break;
    case 'half': {
      // One line in two writes, `pauseMs` apart: a reader in between sees a line without its newline.
      const line = `${bridgeLine(step.seq, step.session)}\n`;
      const cut = Math.max(1, Math.min(line.length - 2, Math.floor(line.length * (step.at ?? 0.5))));
      append(step.file, line.slice(0, cut));
      if (step.mark) process.stdout.write(`mark ${step.mark}\n`);
      await sleep(step.pauseMs);
      append(step.file, line.slice(cut));
      written += 1;
      break;
    }
    case 'raw':
      append(step.file, step.text);
      break;
    case 'sleep':
      await sleep(step.ms);
      break;
    case 'mkdir':
      mkdirSync(step.dir, { recursive: true });
      break;
    case 'create':
      // An empty file, as a logger's open() makes it before its first line.
      handle(step.file);
      break;
    case 'truncate':
      // In place, like logrotate's copytruncate; the append handle carries on at the new end.
      truncateSync(step.file, 0);
      break;
    case 'rewrite': {
      // Truncated and rewritten in one go (open with O_TRUNC, one write).
      closeHandle(step.file);
      const fd = openSync(step.file, 'w');
      let chunk = '';
      for (let i = 0; i < step.count; i++) chunk += `${bridgeLine(step.from + i, step.session)}\n`;
      writeSync(fd, chunk);
      closeSync(fd);
      written += step.count;
      break;
    }
    case 'delete':
      closeHandle(step.file);
      unlinkSync(step.file);
      break;
    case 'churn': {
      // A matching file that appears and is deleted again at once, over and over for `ms`
      // (temp files, a retention job): it may vanish between any two looks of the follower.
      const until = performance.now() + step.ms;
      let i = 0;
      while (performance.now() < until) {
        writeFileSync(step.file, `${bridgeLine(i, step.session)}\n`);
        unlinkSync(step.file);
        i += 1;
        if (i % 50 === 0) await sleep(1);
      }
      break;
    }
    case 'mark':
      process.stdout.write(`mark ${step.name}\n`);
      break;
    case 'await':
      await awaitLine(step.name);
      break;
    default:
      throw new Error(`unknown step ${JSON.stringify(step)}`);
  }
}
for (const file of [...handles.keys()]) closeHandle(file);
process.stdout.write(`written ${written}\n`);
process.exit(0);
