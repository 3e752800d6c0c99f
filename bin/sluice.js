#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by `npm ci` through `prepare`).
// Signals that arrive while the modules load are held, not lost: the command that starts takes them
// over (a job then stops cleanly at once), or they get their default meaning back.
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Node >= 22.1 can keep the compiled code of the modules on disk between runs: later starts skip
// most of the compiling. Absent on Node 20, where nothing changes. A cache that cannot be written
// only costs the compiling it would have saved.
module.enableCompileCache?.(join(tmpdir(), 'sluice-compile-cache'));

const early = [];
const hold = (signal) => early.push(signal);
process.on('SIGINT', hold);
process.on('SIGTERM', hold);
const release = () => {
  process.off('SIGINT', hold);
  process.off('SIGTERM', hold);
};
// The CLI and its worker threads bundled (scripts/bundle-cli.mjs): one file and a few chunks load
// far faster than the hundreds of modules tsc writes to dist/.
const bundled = new URL('../dist/bundle/main.js', import.meta.url);
import(bundled.href)
  .then((m) => m.main(process.argv, { early, release }))
  .catch((err) => {
    const missing = err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes(fileURLToPath(bundled));
    console.error(missing ? `sluice: ${fileURLToPath(bundled)} is missing: run \`npm run build\` (npm ci runs it)` : err instanceof Error ? err.stack : String(err));
    process.exit(1);
  });
