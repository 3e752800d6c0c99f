#!/usr/bin/env node
/**
 * The checks `npm test` runs before the tests: lint, typecheck and build, at the same time (each is
 * one process on one core; one after another they took as long as a third of the test run). Each
 * one's output is printed whole when it ends; the exit code is 1 when any of them failed.
 */
import { spawn } from 'node:child_process';

const CHECKS = ['lint', 'typecheck', 'build'];
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(script) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(npm, ['run', '--silent', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (err) => resolve({ script, code: 1, output: String(err), seconds: 0 }));
    child.on('close', (code) => resolve({ script, code: code ?? 1, output, seconds: (Date.now() - started) / 1000 }));
  });
}

const results = await Promise.all(CHECKS.map(run));
for (const r of results) {
  if (r.output.trim() !== '') process.stdout.write(`${r.output.trimEnd()}\n`);
  console.log(`${r.code === 0 ? 'ok' : 'FAILED'}: npm run ${r.script} (${r.seconds.toFixed(1)} s)`);
}
process.exitCode = results.every((r) => r.code === 0) ? 0 : 1;
