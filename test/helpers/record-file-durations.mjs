#!/usr/bin/env node
/**
 * Writes test/helpers/file-durations.json, the seconds each test file took, from a vitest JSON
 * report: `npx vitest run --reporter=json --outputFile=/tmp/vitest.json`, then
 * `node test/helpers/record-file-durations.mjs /tmp/vitest.json`. Only the order of the figures
 * matters (test/helpers/longest-first-sequencer.ts), so a run on a busy machine will do.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const report = process.argv[2];
if (!report) {
  console.error('usage: record-file-durations.mjs VITEST_JSON_REPORT');
  process.exit(2);
}
const root = fileURLToPath(new URL('../..', import.meta.url));
const out = fileURLToPath(new URL('./file-durations.json', import.meta.url));
const { testResults } = JSON.parse(readFileSync(report, 'utf8'));
const seconds = Object.fromEntries(
  testResults
    .map((t) => [relative(root, t.name).replace(/^.*?(?=test\/)/, ''), Math.round((t.endTime - t.startTime) / 100) / 10])
    .sort(([a], [b]) => (a < b ? -1 : 1)),
);
writeFileSync(out, `${JSON.stringify(seconds, null, 1)}\n`);
console.log(`${Object.keys(seconds).length} files written to ${relative(root, out)}`);
