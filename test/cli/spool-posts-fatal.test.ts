import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { startEsContractServer, type EsContractServer } from '../helpers/es-server/es-contract-server.js';
import { loadPostsChunksGenerator, type PostsChunksManifest } from '../helpers/posts-chunks.js';
import { esPostsState, expectedPostsState, type PostsState } from '../helpers/posts-state.js';
import { startSluiceWith, type SluiceRun } from '../helpers/spool-cli.js';

const API_KEY = 'sluice-fatal-key';
let es: EsContractServer;
let manifest: PostsChunksManifest;
let chunks: string;
let expected: PostsState;

beforeAll(async () => {
  es = await startEsContractServer({ apiKey: API_KEY, keepSources: true });
  const gen = await loadPostsChunksGenerator();
  chunks = tempDir('sluice-posts-fatal-chunks-');
  manifest = await gen.generatePostsChunks({ dir: chunks, seed: 41, posts: 300, chunks: 3, deleteRate: 0.1, accountDeletions: 2, mpnet: false });
  expected = expectedPostsState(manifest);
});
afterAll(async () => {
  await es?.stop();
});
beforeEach(async () => {
  await es.clear();
});

/** `sluice spool --profile posts --mode once` into the contract server; SIGKILLed (signal set) if it runs over `limitMs`. */
async function spoolOnce(limitMs = 60_000): Promise<SluiceRun> {
  const run = startSluiceWith(['spool', '--profile', 'posts', '--from', chunks, '--mode', 'once', '--no-progress', '--batch-size', '40'], {
    cwd: tempDir(),
    env: { ELASTICSEARCH_URL: es.url, ELASTICSEARCH_API_KEY: API_KEY, SLUICE_ES_RETRY_MIN_MS: '20' },
  });
  const timer = setTimeout(() => run.child.kill('SIGKILL'), limitMs);
  const end = await run.done;
  clearTimeout(timer);
  return end;
}

describe('sluice spool --profile posts: answers parsed defensively, fatal errors end the run', () => {
  it('a _search answer without _shards (the hits whole) is taken as it is', async () => {
    await es.setFaults({ searchWithoutShards: { times: 100_000 } });
    const run = await spoolOnce();
    expect(run.signal, run.stderr).toBeNull();
    expect(run.code, run.stderr).toBe(0);
    expect((await es.stats()).faultsFired.searchWithoutShards ?? 0).toBeGreaterThan(0);
    expect(await esPostsState(es)).toEqual(expected);
  }, 90_000);

  it('a _search that fails for good (400) while settling ends the run: exit 1, SLUICE_E_SINK, no hang', async () => {
    await es.setFaults({ failSearches: { status: 400, times: 100_000 } });
    const run = await spoolOnce();
    expect(run.signal, `still running after 60 s:\n${run.stderr}`).toBeNull();
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/SLUICE_E_SINK/);
    expect(manifest.files.length).toBeGreaterThan(0);
  }, 90_000);

  it('a _search that answers 500 every time while settling ends the run: exit 1, coded, no hang', async () => {
    await es.setFaults({ failSearches: { status: 500, times: 100_000 } });
    const run = await spoolOnce();
    expect(run.signal, `still running after 60 s:\n${run.stderr}`).toBeNull();
    expect(run.code, run.stderr).toBe(1);
    expect((await es.stats()).faultsFired.failSearches ?? 0).toBeGreaterThan(0);
    expect(run.stderr).toMatch(/_search on .* failed: HTTP 500/);
    expect(run.stderr).toMatch(/\[SLUICE_E_SINK\]/);
    expect(run.stderr).not.toMatch(/unexpected failure/);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  }, 90_000);
});
