import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './test/helpers/longest-first-sequencer.js';

/**
 * Test files run in parallel processes. Most of their time is spent waiting on what they start (the
 * CLI, PostgreSQL, NATS, Chromium), so as many files as cores run well: vitest's default of one
 * process fewer than the cores would run one file at a time on a 2-core machine. Three at a time ran
 * the whole suite in 10 minutes there, but once starved vitest's own messages (an RPC timeout), and
 * on 2026-12-07, on a machine at load 19-26, lost a test process ("Terminating worker thread", 20
 * files: the run failed), so the default stays at the number of cores. `SLUICE_TEST_FORKS=N`
 * overrides it.
 */
const forks = Number(process.env.SLUICE_TEST_FORKS ?? Math.max(2, availableParallelism() - 1));

/**
 * Each test process runs file after file, keeping the modules it has loaded: a fresh process per
 * file (vitest's default) started Node and vitest and loaded the same sources again 175 times, about
 * 0.75 s of CPU per file (18 small files, runs in turn: 22 s of CPU and 39-51 s wall isolated, 8.7 s
 * and 16-20 s not). The tests hold no state between files (no mocks of modules, no changed
 * environment or working folder, each its own folders, databases and ports; the helpers' module
 * state is a set of running children each file kills). `SLUICE_TEST_ISOLATE=1` gives each file its
 * own process again.
 */
const isolate = process.env.SLUICE_TEST_ISOLATE === '1';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Longest files first (by test/helpers/file-durations.json), so the processes finish together.
    sequence: { sequencer: LongestFirstSequencer },
    poolOptions: { forks: { maxForks: forks, minForks: 1, isolate } },
  },
});
