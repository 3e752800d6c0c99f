import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSluice, startSluice, tempDir } from '../helpers/cli.js';
import { startEsContractServer, type EsContractServer } from '../helpers/es-server/es-contract-server.js';
import { loadPostsChunksGenerator, type PostsChunksManifest } from '../helpers/posts-chunks.js';
import { esPostsState, expectedPostsState, type PostsState } from '../helpers/posts-state.js';
import { mulberry32 } from '../helpers/prng.js';

/** Override with SLUICE_CRASH_SEED=N to explore other chunks and kill schedules. */
const SEED = Number(process.env.SLUICE_CRASH_SEED ?? 20_251_125);
const CHUNKS = 10;
/**
 * What is tested is where the kills land between bulk requests, not the volume: 2,000 posts still
 * give about 60 requests of 50 to aim a dozen kills between, at half the cost of 4,000 per run.
 */
const POSTS = 2_000;
const KILLS = 12;
/** Kills that must land while the process is writing (a few may find the run already ended). */
const MID_RUN_AT_LEAST = 10;
const API_KEY = 'sluice-crash-key';
const STATE_FILE = 'sluice-posts-state.db';
/**
 * A killed run leaves the units it had claimed PROCESSING until their lease lapses: a short lease
 * lets the next run take them back within seconds. Every claim counts as an attempt (a run claims a
 * few units ahead), so a dozen kills need more than the default 5 attempts. Small bulk requests give
 * many moments to land a kill between.
 */
const SPOOL_FLAGS = ['--no-progress', '--batch-size', '50', '--lease-sec', '2', '--max-attempts', '100'];

/** Where to kill a run: after its `afterBulk`-th bulk request reached the server, then `extraMs` more. */
interface KillAim {
  afterBulk: number;
  extraMs: number;
}

interface RunEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
  stderr: string;
  /** Bulk requests the server received during the run. */
  bulkRequests: number;
}

interface LedgerRow {
  key: string;
  status: string;
  attempts: number;
}

let es: EsContractServer;
let manifest: PostsChunksManifest;
let chunks: string;

beforeAll(async () => {
  es = await startEsContractServer({ apiKey: API_KEY, keepSources: true });
  const gen = await loadPostsChunksGenerator();
  chunks = tempDir('sluice-posts-crash-chunks-');
  manifest = await gen.generatePostsChunks({ dir: chunks, seed: SEED, posts: POSTS, chunks: CHUNKS, deleteRate: 0.1, accountDeletions: 4, mpnet: false });
});
afterAll(async () => {
  await es?.stop();
});

const esEnv = (): Record<string, string> => ({ ELASTICSEARCH_URL: es.url, ELASTICSEARCH_API_KEY: API_KEY });

const bulkRequests = async (): Promise<number> => (await es.stats()).bulkRequests;

/**
 * `sluice spool --profile posts` in `cwd`; with `kill`, SIGKILLed at that moment unless it has exited.
 * Kills are aimed in progress (bulk requests seen) rather than wall-clock time from start, so they
 * land mid-run however loaded the machine is; the random extra delay spreads them between requests.
 */
async function spool(cwd: string, kill?: KillAim): Promise<RunEnd> {
  const before = await bulkRequests();
  const started = performance.now();
  const child = startSluice(['spool', '--profile', 'posts', '--from', chunks, ...SPOOL_FLAGS], { cwd, env: esEnv() });
  let stderr = '';
  let exited = false;
  child.stdout.resume();
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>((resolve, reject) => {
    let ms = 0;
    child.on('error', reject);
    child.on('exit', () => {
      exited = true;
      ms = performance.now() - started;
    });
    child.on('close', (code, signal) => resolve({ code, signal, ms }));
  });
  if (kill) {
    while (!exited && (await bulkRequests()) - before < kill.afterBulk) await new Promise((r) => setTimeout(r, 5));
    if (!exited) await new Promise((r) => setTimeout(r, kill.extraMs));
    if (!exited) child.kill('SIGKILL');
  }
  const end = await closed;
  return { ...end, stderr, bulkRequests: (await bulkRequests()) - before };
}

/** The ledger rows of the state file in `cwd` (read-only, between runs). */
function ledgerRows(cwd: string): LedgerRow[] {
  const path = join(cwd, STATE_FILE);
  if (!existsSync(path)) return [];
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sluice_ledger'").get();
    return table ? (db.prepare('SELECT key, status, attempts FROM sluice_ledger ORDER BY key').all() as LedgerRow[]) : [];
  } finally {
    db.close();
  }
}

const completed = (rows: readonly LedgerRow[]): number => rows.filter((u) => u.status === 'COMPLETED').length;

describe('sluice spool --profile posts into Elasticsearch, SIGKILLed and restarted', () => {
  it(`after ${KILLS} kills at random moments (≥ ${MID_RUN_AT_LEAST} mid-run) and a last run, the server holds exactly the documents of a clean run`, async () => {
    const expected: PostsState = expectedPostsState(manifest);
    expect(Object.keys(expected.postTombstones).length).toBeGreaterThan(0);
    expect(Object.keys(expected.accountTombstones).length).toBeGreaterThan(0);

    // A clean run first: the reference state, and how many bulk requests a run sends (to aim the kills).
    const cleanDir = tempDir();
    const clean = await spool(cleanDir);
    expect(clean.code, clean.stderr).toBe(0);
    const cleanState = await esPostsState(es);
    expect(cleanState).toEqual(expected);
    expect(completed(ledgerRows(cleanDir))).toBe(CHUNKS);
    const rowsOf = new Map(manifest.files.map((f) => [f.name, f.rows]));
    const bulksPerRow = clean.bulkRequests / manifest.files.reduce((n, f) => n + f.rows, 0);
    await es.clear();

    const random = mulberry32(SEED);
    let dir = tempDir();
    const kills: Array<KillAim & { killed: boolean; ms: number; bulkRequests: number; completedAfter: number }> = [];
    let rows: LedgerRow[] = [];
    let completedRounds = 0;
    for (let i = 0; i < KILLS; i++) {
      // Somewhere in the first half or so of the writing left to do (a redone unit is sent again
      // from its start), so that the run is still writing when the kill comes.
      const done = new Set(rows.filter((r) => r.status === 'COMPLETED').map((r) => r.key));
      const rowsLeft = manifest.files.filter((f) => !done.has(f.name)).reduce((n, f) => n + (rowsOf.get(f.name) ?? 0), 0);
      const left = Math.max(1, Math.floor(rowsLeft * bulksPerRow));
      const aim = { afterBulk: 1 + Math.floor(random() * left * 0.6), extraMs: Math.floor(random() * 20) };
      const end = await spool(dir, aim);
      if (end.signal !== 'SIGKILL') expect(end.code, end.stderr).toBe(0);
      rows = ledgerRows(dir);
      kills.push({ ...aim, killed: end.signal === 'SIGKILL', ms: end.ms, bulkRequests: end.bulkRequests, completedAfter: completed(rows) });
      if (completed(rows) === CHUNKS && i < KILLS - 1) {
        // Every chunk got done before this kill (a fast moment of the machine): the server must
        // already hold the clean run's documents; the kills left start over (new state, empty
        // server), so they still land while something is being written.
        expect(await esPostsState(es), `the documents after run ${i + 1} completed every chunk`).toEqual(expected);
        completedRounds += 1;
        await es.clear();
        dir = tempDir();
        rows = [];
      }
    }

    const last = await spool(dir);
    expect(last.code, last.stderr).toBe(0);

    // The ledger, as `sluice jobs list` shows it: every chunk COMPLETED.
    const list = runSluice(['jobs', 'list', '--ledger', `sqlite:${join(dir, STATE_FILE)}`, '--json', '--limit', '1000']);
    expect(list.code, list.stderr).toBe(0);
    const units = (JSON.parse(list.stdout) as { units: Array<{ s3Key: string; status: string; metadata: { attempts: number } }> }).units;
    expect(units.map((u) => [u.s3Key, u.status]).sort()).toEqual(manifest.files.map((f) => [f.name, 'COMPLETED']).sort());

    const crashed = await esPostsState(es);
    expect(crashed).toEqual(expected);
    expect(crashed).toEqual(cleanState);
    // Nothing beside the compared shape: as many documents as the clean run left, index by index.
    const docs = (await es.stats()).docs;
    expect(Object.values(docs).reduce((n, c) => n + c, 0)).toBe(Object.keys(expected.posts).length + Object.keys(expected.postTombstones).length + Object.keys(expected.accountTombstones).length);

    // Mid-run: killed while writing, after some bulk requests and before every chunk was done.
    const midRun = kills.filter((k) => k.killed && k.bulkRequests > 0 && k.completedAfter < CHUNKS).length;
    process.stderr.write(
      `spool posts crash: clean run ${clean.ms.toFixed(0)} ms, ${clean.bulkRequests} bulk requests; ` +
        `${kills.filter((k) => k.killed).length}/${KILLS} runs killed, ${midRun} mid-run ` +
        `(after bulk+ms → ran ms / bulk requests / chunks COMPLETED after: ${kills
          .map((k) => `${k.afterBulk}+${k.extraMs}${k.killed ? '' : '(exited)'}→${k.ms.toFixed(0)}/${k.bulkRequests}/${k.completedAfter}`)
          .join(', ')}); ` +
        `last run ${last.ms.toFixed(0)} ms, ${last.bulkRequests} bulk requests; attempts per chunk ${units.map((u) => u.metadata.attempts).join(',')}; ` +
        `${completedRounds} state(s) completed under kills and begun again\n`,
    );
    expect(midRun).toBeGreaterThanOrEqual(MID_RUN_AT_LEAST);
  }, 240_000);
});
