#!/usr/bin/env node
/**
 * Run by `npm run build` after tsc: bundles the compiled CLI (dist/cli/main.js) and every worker
 * thread's script into dist/bundle/, which bin/sluice.js runs.
 *
 * Why: a command used to load about 170 of our modules and 95 of zod's one by one, and each worker
 * thread loaded its share again. That loading was most of the CPU of a short command (an `ingest` of
 * one line: about 0.7 s of CPU, two thirds of it resolving, reading and compiling modules). Bundled,
 * the same command takes about a third less. Code split into chunks keeps what a command loads
 * lazily (the S3, PostgreSQL, NATS and Elasticsearch paths) out of the start of every other command.
 *
 * The bundle sits two folders below the package root, as every compiled module does, so the paths a
 * module finds beside itself (`../../package.json`, `../../assets/`, `../../bin/sluice.js`) stay
 * right. Chunks and worker scripts share one flat folder, so a worker script that a module names as
 * `workerScript('./NAME.js', import.meta.url)` is found beside whichever chunk holds that module.
 *
 * Packages are left out of the bundle (loaded from node_modules as before) except the small pure-JS
 * ones every command loads; the native SQLite driver cannot be bundled, and the others load only on
 * the paths that need them.
 */
import { readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { build } from 'esbuild';
import { typescriptSources } from './typescript-sources.mjs';

const OUT_DIR = join('dist', 'bundle');
/** Dependencies bundled in: pure JS, loaded by every command. The rest stay in node_modules. */
const BUNDLED_PACKAGES = new Set(['commander', 'zod', 'tinyglobby']);
/** How a module names a worker thread's script beside itself (src/core/worker-script.ts). */
const WORKER_SCRIPT_CALL = /workerScript\(\s*'\.\/([\w.-]+\.js)'/g;
/** Any call of it: one this script cannot read would be missing from the bundle until it ran. */
const ANY_WORKER_SCRIPT_CALL = /(?<!function )workerScript\(/g;

/** The compiled worker scripts the sources start, found where the sources name them. */
function workerEntries() {
  const entries = new Map();
  for (const src of typescriptSources('src')) {
    const text = readFileSync(src, 'utf8');
    const named = [...text.matchAll(WORKER_SCRIPT_CALL)];
    if (named.length !== [...text.matchAll(ANY_WORKER_SCRIPT_CALL)].length) {
      throw new Error(`${src} calls workerScript( with something other than a './NAME.js' literal; the bundle could not include that script`);
    }
    for (const [, file] of named) {
      const compiled = join('dist', relative('src', dirname(src)), file);
      const earlier = entries.get(file);
      if (earlier !== undefined && earlier !== compiled) {
        throw new Error(`two worker scripts are both named ${file} (${earlier}, ${compiled}); the bundle folder is flat, rename one`);
      }
      entries.set(file, compiled);
    }
  }
  return [...entries.values()];
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const external = Object.keys(pkg.dependencies).filter((name) => !BUNDLED_PACKAGES.has(name));
const entryPoints = [join('dist', 'cli', 'main.js'), ...workerEntries()];

rmSync(OUT_DIR, { recursive: true, force: true });
await build({
  entryPoints,
  outdir: OUT_DIR,
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: external.flatMap((name) => [name, `${name}/*`]),
  sourcemap: true,
  logLevel: 'warning',
  // commander is CommonJS: its require() of Node's own modules needs a real require in an ES module.
  banner: { js: "import { createRequire as sluiceCreateRequire } from 'node:module';\nconst require = sluiceCreateRequire(import.meta.url);" },
});
console.log(`bundled ${entryPoints.map((p) => basename(p)).join(', ')} into ${OUT_DIR}/`);
