import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSluice, SHARED_DATA, tempDir } from '../helpers/cli.js';
import { startEsContractServer, type EsContractServer } from '../helpers/es-server/es-contract-server.js';
import { hasOpenssl, makeSelfSignedCert, type SelfSignedCert } from '../helpers/es-server/make-cert.js';
import { loadPostsChunksGenerator, type PostsChunksManifest } from '../helpers/posts-chunks.js';
import { esPostsState, expectedPostsState, sqlitePostsState, type PostsState } from '../helpers/posts-state.js';
import { startLocalS3, type LocalS3 } from '../helpers/s3-server.js';
import { startSluiceWith, summaryOf } from '../helpers/spool-cli.js';
import { localS3Client, putAll } from '../helpers/spool-s3.js';
import { sqliteLedger } from '../helpers/spool-samples.js';

const CI = process.env.CI === 'true';
const REAL_CHUNKS = join(SHARED_DATA, 'bluesky', 'ingex-megastream');
const REAL_ROWS = join(SHARED_DATA, 'bluesky', 'derived', 'megastream_enriched_posts_rows.ndjson');
const realPresent = existsSync(REAL_CHUNKS) && existsSync(REAL_ROWS);
if (!realPresent && CI) throw new Error(`CI: the shared Megastream samples are missing (${REAL_CHUNKS})`);
const openssl = hasOpenssl();
if (!openssl && CI) throw new Error('CI: the openssl CLI is needed to make the self-signed certificate of the HTTPS tests');

/** Environment that keeps the caller's megastream_ingest variables out of a child run. */
const CLEAN_ENV: Record<string, string | undefined> = {
  ELASTICSEARCH_URL: undefined,
  ELASTICSEARCH_API_KEY: undefined,
  SPOOL_STATE_FILE: undefined,
  MEGASTREAM_STATE_FILE: undefined,
  LOCAL_SQLITE_DB_PATH: undefined,
  S3_SQLITE_DB_BUCKET: undefined,
  S3_SQLITE_DB_PREFIX: undefined,
  SPOOL_INTERVAL_SEC: undefined,
  LOGGING_ENABLED: undefined,
};

/**
 * For the async runner, which takes strings only: the variables sluice reads with `||`, where empty
 * means unset. (An empty SPOOL_INTERVAL_SEC or SPOOL_STATE_FILE is taken as a value, so those stay out.)
 */
const cleanEnvStrings = (extra: Record<string, string>): Record<string, string> => ({
  ELASTICSEARCH_URL: '',
  ELASTICSEARCH_API_KEY: '',
  LOCAL_SQLITE_DB_PATH: '',
  ...extra,
});

/** Distinct at_uris of the real chunks, from the derived rows file. */
function realUris(): string[] {
  const uris = new Set<string>();
  for (const line of readFileSync(REAL_ROWS, 'utf8').split('\n')) {
    if (line.trim()) uris.add((JSON.parse(line) as { at_uri: string }).at_uri);
  }
  return [...uris].sort();
}

/** The part of a state whose posts are (or are not) among `uris`. */
function postsSplit(state: PostsState, uris: ReadonlySet<string>): { inside: PostsState; outside: PostsState } {
  const pick = (keep: boolean): PostsState => ({
    ...state,
    posts: Object.fromEntries(Object.entries(state.posts).filter(([k]) => uris.has(k) === keep)),
  });
  return { inside: pick(true), outside: pick(false) };
}

let generator: Awaited<ReturnType<typeof loadPostsChunksGenerator>>;
beforeAll(async () => {
  generator = await loadPostsChunksGenerator();
});

async function generate(seed: number, chunks: number, notZipped: number[] = []): Promise<PostsChunksManifest> {
  return generator.generatePostsChunks({ dir: tempDir('posts-chunks-'), seed, posts: 80, chunks, deleteRate: 0.1, accountDeletions: 1, notZipped });
}

describe.skipIf(!openssl)('sluice spool --profile posts into Elasticsearch over HTTPS with a self-signed certificate', () => {
  const API_KEY = 'sluice-tls-secret-key-8f3a1c';
  let cert: SelfSignedCert;
  let es: EsContractServer;
  let manifest: PostsChunksManifest;
  let chunks: string;

  beforeAll(async () => {
    cert = makeSelfSignedCert();
    es = await startEsContractServer({ tls: { cert: cert.cert, key: cert.key }, apiKey: API_KEY });
    manifest = await generate(31, 2);
    chunks = join(manifest.files[0]?.path ?? '', '..');
  }, 30_000);
  afterAll(async () => {
    await es?.stop();
  });

  const run = (flags: string[], apiKey = API_KEY) =>
    runSluice(['spool', '--profile', 'posts', '--from', chunks, '--no-progress', '--max-attempts', '1', ...flags], {
      cwd: tempDir(),
      env: { ...CLEAN_ENV, ELASTICSEARCH_URL: es.url, ELASTICSEARCH_API_KEY: apiKey },
    });

  it('serves HTTPS', () => {
    expect(es.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('without --ca-cert or --skip-tls-verify: fails, saying the certificate of Elasticsearch is not trusted; the key is never printed', async () => {
    await es.clear();
    const r = run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot trust the certificate of Elasticsearch at ${es.url}`);
    expect(r.stderr).toMatch(/self[- ]signed certificate/i);
    expect(r.stderr).toContain('--ca-cert');
    expect(r.stdout + r.stderr).not.toContain(API_KEY);
    expect((await es.stats()).bulkRequests).toBe(0);
  });

  it('--ca-cert <pem>: succeeds, the documents are there', async () => {
    await es.clear();
    const r = run(['--ca-cert', cert.certPath]);
    expect(r.code, r.stderr).toBe(0);
    expect(await esPostsState(es)).toEqual(expectedPostsState(manifest));
    expect(r.stdout + r.stderr).not.toContain(API_KEY);
  });

  it('--skip-tls-verify: succeeds, the documents are there', async () => {
    await es.clear();
    const r = run(['--skip-tls-verify']);
    expect(r.code, r.stderr).toBe(0);
    expect(await esPostsState(es)).toEqual(expectedPostsState(manifest));
    expect(r.stdout + r.stderr).not.toContain(API_KEY);
  });

  it('a wrong API key: fails clearly (401), the key is not printed', async () => {
    await es.clear();
    const wrong = 'wrong-key-5d9e0b77';
    const r = run(['--ca-cert', cert.certPath], wrong);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refused the credentials');
    expect(r.stderr).toContain('ELASTICSEARCH_API_KEY');
    expect(r.stderr).toMatch(/401|security_exception|unauthori[sz]ed|authentication/i);
    expect(r.stdout + r.stderr).not.toContain(wrong);
    expect(r.stdout + r.stderr).not.toContain(API_KEY);
    expect(await es.dump('posts').catch(() => [])).toEqual([]);
  });
});

describe.skipIf(!realPresent)('sluice spool --profile posts --source s3 (local S3-compatible server)', () => {
  const BUCKET = 'megastream';
  const PREFIX = 'chunks/jetstream/';
  let s3: LocalS3;
  let manifest: PostsChunksManifest;
  const keys: string[] = [];

  beforeAll(async () => {
    s3 = await startLocalS3([BUCKET]);
    manifest = await generate(41, 3, [1]);
    expect(manifest.files.filter((f) => !f.zipped)).toHaveLength(1);
    const objects: { key: string; body: Buffer | string }[] = [];
    for (const f of readdirSync(REAL_CHUNKS).filter((n) => n.endsWith('.db.zip'))) objects.push({ key: `${PREFIX}${f}`, body: readFileSync(join(REAL_CHUNKS, f)) });
    for (const f of manifest.files) objects.push({ key: `${PREFIX}${f.name}`, body: readFileSync(f.path) });
    keys.push(...objects.map((o) => o.key));
    // Beside the chunks: objects that are not units, and a chunk outside the prefix.
    objects.push({ key: `${PREFIX}README.md`, body: 'not a chunk' });
    objects.push({ key: `${PREFIX}mega_jetstream_20250925_010950.db.zip.part`, body: 'half an upload' });
    objects.push({ key: `elsewhere/${manifest.files[0]?.name ?? 'x.db.zip'}`, body: readFileSync(manifest.files[0]?.path ?? '') });
    await putAll(localS3Client(s3), BUCKET, objects);
  }, 60_000);
  afterAll(async () => s3?.stop());

  const s3Env = (): Record<string, string> => cleanEnvStrings({ ...s3.env, S3_SQLITE_DB_BUCKET: BUCKET, S3_SQLITE_DB_PREFIX: PREFIX });

  it('ingests the real and generated chunks of the prefix into SQLite, every unit COMPLETED, no temp files left; a re-uploaded chunk is observed', async () => {
    const work = tempDir();
    const db = join(work, 'posts.db');
    const args = ['spool', '--profile', 'posts', '--source', 's3', '--into', `sqlite:${db}`, '--mode', 'once', '--json', '--no-progress'];
    const started = startSluiceWith(args, { cwd: work, env: s3Env() });
    const pid = started.child.pid;
    const r = await started.done;
    expect(r.code, r.stderr).toBe(0);
    expect(summaryOf(r)).toMatchObject({ units_done: keys.length, bad: 0 });

    const real = new Set(realUris());
    expect(real.size).toBe(10);
    const { inside, outside } = postsSplit(sqlitePostsState(db), real);
    expect(Object.keys(inside.posts).sort()).toEqual([...real].sort());
    // The real chunks hold no deletes: every tombstone is the generator's.
    expect(outside).toEqual(expectedPostsState(manifest));

    const ledger = sqliteLedger(db);
    expect(ledger.map((l) => l.key).sort()).toEqual([...keys].sort());
    expect(ledger.every((l) => l.bucket === BUCKET && l.status === 'COMPLETED' && l.attempts === 1)).toBe(true);

    // Downloads and unzipped databases of this run (unit-<pid>-*) are gone.
    const unitDir = join(tmpdir(), `sluice-units-${process.getuid?.() ?? 'user'}`);
    expect(existsSync(unitDir)).toBe(true);
    expect(readdirSync(unitDir).filter((n) => n.startsWith(`unit-${pid}-`))).toEqual([]);

    // The same key re-uploaded with other content (another seed's first chunk, same window and name).
    const other = await generate(42, 1);
    const changed = other.files[0];
    const first = manifest.files[0];
    if (!changed || !first) throw new Error('generator made no chunks');
    expect(changed.name).toBe(first.name);
    await putAll(localS3Client(s3), BUCKET, [{ key: `${PREFIX}${first.name}`, body: readFileSync(changed.path) }]);
    const again = await startSluiceWith(args, { cwd: work, env: s3Env() }).done;
    expect(again.code, again.stderr).toBe(0);
    const rerun = summaryOf(again);
    const row = sqliteLedger(db).find((l) => l.key === `${PREFIX}${first.name}`);
    const after = sqlitePostsState(db);
    const has = (u: string): boolean => after.posts[u] !== undefined || after.postTombstones[u] !== undefined;
    const newUris = Object.keys(other.expected.posts);
    // Observed (S3 lister passing the ETag as the unit's version): the changed object runs again,
    // attempts start over, and its posts are added; the old content's posts are not taken back.
    // Asserted only as far as holds either way: a re-run is one unit, no re-run adds nothing.
    expect(row?.status).toBe('COMPLETED');
    if (rerun.units_done === 0) {
      expect(newUris.filter(has)).toEqual([]);
    } else {
      expect(rerun.units_done).toBe(1);
      expect(newUris.filter(has)).toEqual(newUris);
      expect(Object.keys(outside.posts).filter((u) => after.posts[u] === undefined)).toEqual([]);
    }
  }, 60_000);
});

describe('sluice spool --profile posts --after on a local folder', () => {
  let manifest: PostsChunksManifest;
  /** Sorts before the generated chunks; neither a zip nor a SQLite database. */
  const DAMAGED = 'mega_jetstream_20250924_235500.db.zip';

  beforeAll(async () => {
    manifest = await generate(51, 2);
  });

  function spoolFolder(): string {
    const dir = tempDir('posts-spool-');
    for (const f of manifest.files) copyFileSync(f.path, join(dir, f.name));
    writeFileSync(join(dir, DAMAGED), Buffer.from('this is not a zip nor a database, just damaged bytes'));
    writeFileSync(join(dir, 'notes.txt'), 'not a unit');
    return dir;
  }

  it('--after delete: deletes chunks only once COMPLETED; a chunk that FAILED stays', () => {
    const spool = spoolFolder();
    const work = tempDir();
    const db = join(work, 'posts.db');
    const r = runSluice(['spool', '--profile', 'posts', '--from', spool, '--into', `sqlite:${db}`, '--after', 'delete', '--max-attempts', '1', '--no-progress'], {
      cwd: work,
      env: CLEAN_ENV,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${DAMAGED}: neither a zip nor a SQLite database`);
    expect(readdirSync(spool).sort()).toEqual([DAMAGED, 'notes.txt']);
    expect(sqlitePostsState(db)).toEqual(expectedPostsState(manifest));
    const ledger = new Map(sqliteLedger(db).map((l) => [l.key, l.status]));
    expect(ledger.get(DAMAGED)).toBe('FAILED');
    for (const f of manifest.files) expect(ledger.get(f.name)).toBe('COMPLETED');
  });

  it('--after move:DIR: moves COMPLETED chunks into DIR under their names; the FAILED one stays', () => {
    const spool = spoolFolder();
    const work = tempDir();
    const done = join(work, 'done', 'chunks');
    const db = join(work, 'posts.db');
    const r = runSluice(['spool', '--profile', 'posts', '--from', spool, '--into', `sqlite:${db}`, '--after', `move:${done}`, '--max-attempts', '1', '--no-progress'], {
      cwd: work,
      env: CLEAN_ENV,
    });
    expect(r.code).toBe(1);
    expect(readdirSync(spool).sort()).toEqual([DAMAGED, 'notes.txt']);
    expect(readdirSync(done).sort()).toEqual(manifest.files.map((f) => f.name).sort());
    for (const f of manifest.files) expect(readFileSync(join(done, f.name))).toEqual(readFileSync(f.path));
    expect(sqlitePostsState(db)).toEqual(expectedPostsState(manifest));
  });
});

describe('sluice spool --profile posts with no --into and no ELASTICSEARCH_URL', () => {
  it('says it writes to sqlite:posts.db first, and posts.db appears in the working folder with the posts', async () => {
    const manifest = await generate(61, 2, [0]);
    const chunks = join(manifest.files[0]?.path ?? '', '..');
    const work = tempDir();
    mkdirSync(join(work, 'sub'));
    const r = runSluice(['spool', '--profile', 'posts', '--from', chunks, '--no-progress'], { cwd: work, env: CLEAN_ENV });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split('\n')[0]).toBe('sluice spool: no --into and no ELASTICSEARCH_URL: writing to sqlite:posts.db');
    expect(existsSync(join(work, 'posts.db'))).toBe(true);
    expect(sqlitePostsState(join(work, 'posts.db'))).toEqual(expectedPostsState(manifest));
    // No Elasticsearch state file was made.
    expect(existsSync(join(work, 'sluice-posts-state.db'))).toBe(false);
  });

  it('treats an empty ELASTICSEARCH_URL as unset', () => {
    const work = tempDir();
    const empty = tempDir('posts-empty-');
    const r = runSluice(['spool', '--profile', 'posts', '--from', empty, '--no-progress'], { cwd: work, env: { ...CLEAN_ENV, ELASTICSEARCH_URL: '' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split('\n')[0]).toBe('sluice spool: no --into and no ELASTICSEARCH_URL: writing to sqlite:posts.db');
    expect(existsSync(join(work, 'posts.db'))).toBe(true);
  });
});
