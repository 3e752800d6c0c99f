#!/usr/bin/env node
/**
 * The checks `npm test` runs before the tests: lint, typecheck and build, at the same time (each is
 * one process on one core; one after another they took as long as a third of the test run). Each
 * one's output is printed whole when it ends; the exit code is 1 when any of them failed.
 *
 * The build is left out when dist/ is already the build of the sources as they are (every
 * src/*.ts has its dist/*.js, and a build that succeeded, `dist/.built`, ended after the newest
 * source and tsconfig was changed): `npm ci` has just built it in a fresh clone, and the typecheck
 * checks the same sources anyway. A third process on two cores cost the checks about a third of
 * their time. tsc writes its output even when it fails, so only the stamp says a build succeeded.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { typescriptSources } from './typescript-sources.mjs';

/** Written by `npm run build` when tsc succeeded (scripts/build-stamp.mjs). */
const BUILD_STAMP = join('dist', '.built');
/** What bin/sluice.js runs (scripts/bundle-cli.mjs). */
const BUNDLE_MAIN = join('dist', 'bundle', 'main.js');

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Why dist/ must be built again, or undefined when it is the build of the current sources. */
function buildNeeded() {
  try {
    const inputs = [...typescriptSources('src'), 'tsconfig.json', 'tsconfig.build.json', 'package.json', join('scripts', 'bundle-cli.mjs')];
    const newestInput = Math.max(...inputs.map((f) => statSync(f).mtimeMs));
    const built = statSync(BUILD_STAMP, { throwIfNoEntry: false })?.mtimeMs;
    if (built === undefined) return `no successful build recorded (${BUILD_STAMP})`;
    if (built < newestInput) return 'the sources changed after the last successful build';
    if (statSync(BUNDLE_MAIN, { throwIfNoEntry: false }) === undefined) return `${BUNDLE_MAIN} is missing`;
    for (const src of typescriptSources('src')) {
      const out = join('dist', relative('src', src).replace(/\.ts$/, '.js'));
      if (statSync(out, { throwIfNoEntry: false }) === undefined) return `${out} is missing`;
    }
    return undefined;
  } catch (err) {
    return String(err);
  }
}

const why = buildNeeded();
const CHECKS = why === undefined ? ['lint', 'typecheck'] : ['lint', 'typecheck', 'build'];
if (why === undefined) console.log('skipped: npm run build (dist/ is the build of the current sources)');

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
