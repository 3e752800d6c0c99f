import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { tempDir } from '../helpers/cli.js';
import { startEsContractServer, type EsContractServer, type EsFaults } from '../helpers/es-server/es-contract-server.js';
import { loadPostsChunksGenerator, type PostsChunksManifest } from '../helpers/posts-chunks.js';
import { esPostsState, expectedPostsState, type PostsState } from '../helpers/posts-state.js';
import { mulberry32 } from '../helpers/prng.js';
import { deadLetters, runSluiceWith, type JobsList, type SluiceRun } from '../helpers/spool-cli.js';

const API_KEY = 'sluice-faults-key';
const STATE_FILE = 'sluice-posts-state.db';
/** Where a run into Elasticsearch puts refused items when no --dead-letter is given: beside its state file. */
const DEFAULT_DEAD_LETTER = 'sluice-posts-state.dead-letter.ndjson';

let es: EsContractServer;
let manifest: PostsChunksManifest;
let chunks: string;
let expected: PostsState;
/** Bulk items a fault-free run sends (the reference for "re-sent, nothing more"). */
let cleanItems: number;

beforeAll(async () => {
  es = await startEsContractServer({ apiKey: API_KEY, keepSources: true });
  const gen = await loadPostsChunksGenerator();
  chunks = tempDir('sluice-posts-faults-chunks-');
  manifest = await gen.generatePostsChunks({ dir: chunks, seed: 31, posts: 300, chunks: 3, deleteRate: 0.1, accountDeletions: 2, mpnet: false });
  expected = expectedPostsState(manifest);
});
afterAll(async () => {
  await es?.stop();
});
beforeEach(async () => {
  await es.clear();
});

/** Retries start at 20 ms instead of 1 s (SLUICE_ES_RETRY_MIN_MS), so faults cost little time. */
const esEnv = (): Record<string, string> => ({ ELASTICSEARCH_URL: es.url, ELASTICSEARCH_API_KEY: API_KEY, SLUICE_ES_RETRY_MIN_MS: '20' });

/** `sluice spool --profile posts --from FROM` into the contract server, in a fresh working folder. */
async function spool(from: string, extra: readonly string[] = []): Promise<SluiceRun & { cwd: string }> {
  const cwd = tempDir();
  const run = await runSluiceWith(['spool', '--profile', 'posts', '--from', from, '--no-progress', '--batch-size', '40', ...extra], { cwd, env: esEnv() });
  return { ...run, cwd };
}

/** The ledger of a run's state file, through `sluice jobs list --json`. */
async function jobs(cwd: string, status?: string): Promise<JobsList> {
  const r = await runSluiceWith(['jobs', 'list', '--ledger', `sqlite:${join(cwd, STATE_FILE)}`, '--json', '--limit', '1000', ...(status ? ['--status', status] : [])]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as JobsList;
}

const itemsSent = (byStatus: Record<string, number>): number => Object.values(byStatus).reduce((n, c) => n + c, 0);

/** Runs the generated chunks under `faults`; expects exit 0, every fault fired, the expected end state. */
async function recovers(faults: EsFaults, extra: readonly string[] = []): Promise<{ run: SluiceRun; fired: Record<string, number>; byStatus: Record<string, number>; bulkRequests: number }> {
  await es.setFaults(faults);
  const run = await spool(chunks, extra);
  expect(run.code, run.stderr).toBe(0);
  expect(await esPostsState(es)).toEqual(expected);
  expect((await jobs(run.cwd)).units.map((u) => u.status)).toEqual(manifest.files.map(() => 'COMPLETED'));
  const stats = await es.stats();
  return { run, fired: stats.faultsFired, byStatus: stats.bulkItems.byStatus, bulkRequests: stats.bulkRequests };
}

describe('sluice spool --profile posts into Elasticsearch, under faults of the cluster', () => {
  it('a fault-free run gives the expected state (the reference)', async () => {
    const run = await spool(chunks);
    expect(run.code, run.stderr).toBe(0);
    expect(await esPostsState(es)).toEqual(expected);
    const stats = await es.stats();
    cleanItems = itemsSent(stats.bulkItems.byStatus);
    expect(cleanItems).toBeGreaterThan(Object.keys(expected.posts).length);
    expect(stats.bulkItems.byStatus['429'] ?? 0).toBe(0);
  });

  it('(a) 429 for chosen items (twice each) and for every 7th item: all re-sent, nothing lost', async () => {
    const ids = Object.keys(expected.posts).slice(0, 3).concat(Object.keys(expected.postTombstones).slice(0, 1));
    const rejectIds = Object.fromEntries(ids.map((id) => [id, { status: 429, times: 2 }]));
    const { fired, byStatus } = await recovers({ rejectIds, rejectEveryNth: { n: 7, status: 429, times: 20 } });
    // Each chosen id was refused twice, so it was sent a third time (and is in the state above).
    expect(fired.rejectIds).toBe(ids.length * 2);
    expect(fired.rejectEveryNth).toBe(20);
    const rejected = ids.length * 2 + 20;
    expect(byStatus['429']).toBe(rejected);
    // Every refused item was sent again, and nothing else was: the clean run's items plus the 429s.
    expect(itemsSent(byStatus)).toBe(cleanItems + rejected);
  });

  it('(b) 503 for whole requests (twice): the requests are sent again', async () => {
    const { fired, bulkRequests } = await recovers({ failRequests: { status: 503, times: 2 } });
    expect(fired.failRequests).toBe(2);
    expect(bulkRequests).toBeGreaterThanOrEqual(3);
  });

  it('(c) a dropped connection (no answer at all): the request is sent again', async () => {
    const { fired } = await recovers({ dropConnections: { times: 1 } });
    expect(fired.dropConnections).toBe(1);
  });

  it('(d) an answer slower than --request-timeout-sec: the request times out and is sent again', async () => {
    const { run, fired, byStatus } = await recovers({ slowMs: { ms: 2_500, times: 1 } }, ['--request-timeout-sec', '1']);
    expect(fired.slowMs).toBe(1);
    // The slow request's items were applied and answered late; the same items were sent again.
    expect(itemsSent(byStatus)).toBeGreaterThan(cleanItems);
    expect(run.ms).toBeGreaterThanOrEqual(1_000);
  });

  it('(e) a permanent 4xx item: exit 3, its id in the dead-letter file (es_rejected), every other document present', async () => {
    const victim = Object.keys(expected.posts)[5];
    if (!victim) throw new Error('too few posts generated');
    await es.setFaults({ reject4xxIds: { [victim]: 400 } });
    const run = await spool(chunks);
    expect(run.code, run.stderr).toBe(3);
    const dead = deadLetters(join(run.cwd, DEFAULT_DEAD_LETTER));
    expect(dead.length).toBeGreaterThanOrEqual(1);
    for (const d of dead) {
      expect(d.reason).toMatch(/^es_rejected/);
      expect(d.reason).toContain(victim);
      expect(d.raw).toContain(victim);
    }
    const { [victim]: lost, ...others } = expected.posts;
    expect(lost).toBeDefined();
    expect(await esPostsState(es)).toEqual({ ...expected, posts: others });
    // A refused record is bad data, not a failed unit: every chunk is COMPLETED.
    expect((await jobs(run.cwd)).units.map((u) => u.status)).toEqual(manifest.files.map(() => 'COMPLETED'));
  });
});

describe('sluice spool --profile posts into Elasticsearch, with damaged chunks', () => {
  let work: string;
  let files: PostsChunksManifest['files'];
  /** Chunk 1: random bytes under the .db.zip name. Chunk 2: a valid zip whose .db entry is cut short. */
  let damaged: string[];

  beforeAll(async () => {
    work = tempDir('sluice-posts-damaged-');
    const gen = await loadPostsChunksGenerator();
    const generated = join(work, 'generated');
    const m = await gen.generatePostsChunks({ dir: generated, seed: 47, posts: 300, chunks: 4, deleteRate: 0.1, accountDeletions: 2, mpnet: false, notZipped: [2] });
    files = m.files;
    const [c0, c1, c2, c3] = files;
    if (!c0 || !c1 || !c2 || !c3) throw new Error('expected 4 chunks');
    damaged = [c1.name, c2.name];
    // Good chunks only: the reference for what the damaged run must still deliver.
    mkdirSync(join(work, 'good'));
    mkdirSync(join(work, 'all'));
    for (const f of [c0, c3]) {
      copyFileSync(f.path, join(work, 'good', f.name));
      copyFileSync(f.path, join(work, 'all', f.name));
    }
    const random = mulberry32(47);
    writeFileSync(join(work, 'all', c1.name), Buffer.from(Array.from({ length: 64 * 1024 }, () => Math.floor(random() * 256))));
    // notZipped: chunk 2 is raw SQLite; zip the first third of it as the entry.
    const db = readFileSync(c2.path);
    await zipEntry(join(work, 'all', c2.name), c2.name.replace(/\.zip$/, ''), db.subarray(0, Math.floor(db.length / 3)));
  });

  it('(f) each damaged chunk is retried, then FAILED (exit 1); the chunks around it are COMPLETED with their documents', async () => {
    const reference = await spool(join(work, 'good'));
    expect(reference.code, reference.stderr).toBe(0);
    const referenceState = await esPostsState(es);
    expect(Object.keys(referenceState.posts).length).toBeGreaterThan(0);
    await es.clear();

    const run = await spool(join(work, 'all'), ['--max-attempts', '2', '--retry-base-sec', '0']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/will retry/);
    const failed = await jobs(run.cwd, 'FAILED');
    expect(failed.units.map((u) => u.s3Key).sort()).toEqual([...damaged].sort());
    for (const u of failed.units) {
      expect(u.metadata.attempts).toBe(2);
      expect(u.metadata.error ?? '').not.toBe('');
    }
    const all = await jobs(run.cwd);
    const status = Object.fromEntries(all.units.map((u) => [u.s3Key, u.status]));
    expect(status).toEqual(Object.fromEntries(files.map((f) => [f.name, damaged.includes(f.name) ? 'FAILED' : 'COMPLETED'])));
    expect(await esPostsState(es)).toEqual(referenceState);

    // Later chunks never hide it: a second run still reports it FAILED and sends nothing again.
    const before = (await es.stats()).bulkRequests;
    const again = await runSluiceWith(['spool', '--profile', 'posts', '--from', join(work, 'all'), '--no-progress', '--max-attempts', '2'], { cwd: run.cwd, env: esEnv() });
    expect((await jobs(run.cwd, 'FAILED')).units.map((u) => u.s3Key).sort()).toEqual([...damaged].sort());
    expect((await es.stats()).bulkRequests).toBe(before);
    expect(again.code).not.toBe(null);
  });
});

/** Writes a zip holding one entry with `bytes` (deflated). */
async function zipEntry(zipPath: string, entryName: string, bytes: Buffer): Promise<void> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(bytes, entryName);
  zip.end();
  const parts: Buffer[] = [];
  for await (const part of zip.outputStream) parts.push(part as Buffer);
  writeFileSync(zipPath, Buffer.concat(parts));
}
