import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b85decode, b85encode, decodeEmbedding } from './base85-reference.js';
import { SHARED_DATA } from './cli.js';
import { loadPostsChunksGenerator } from './posts-chunks.js';
import type { ExpectedMedia, PostsChunkFile, PostsChunksGenerator, PostsChunksManifest } from './posts-chunks.js';

const gen: PostsChunksGenerator = await loadPostsChunksGenerator();

const REAL_DIR = [join(SHARED_DATA, 'bluesky', 'ingex-megastream')].find((dir) => existsSync(dir));
if (!REAL_DIR && process.env.CI === 'true') throw new Error(`CI: the shared Megastream chunks are missing (${join(SHARED_DATA, 'bluesky', 'ingex-megastream')})`);

/** Known values from CPython: `base64.b85encode(b)` for these inputs. */
const PYTHON_B85: Array<[number[], string]> = [
  [[...Buffer.from('hello world')], 'Xk~0{Zy<MXa%^M'],
  [[], ''],
  [[...Buffer.from('a')], 'VE'],
  [[...Buffer.from('ab')], 'VPX'],
  [[...Buffer.from('abc')], 'VPaz'],
  [[...Buffer.from('abcd')], 'VPa!s'],
  [[...Buffer.from('abcde')], 'VPa!sWd'],
  [[0, 0, 0, 0], '00000'],
  [[255, 255, 255, 255, 255], '|NsC0{{'],
  [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], '009C61O)~M2nh-c3;'],
  [[...Buffer.from('naïve ☃')], 'Zehc(c4Z*qn1c'],
];

// ------------------------------------------------------------------ helpers

interface ZipEntryContent { fileName: string; compressionMethod: number; data: Buffer }

function readZipEntries(path: string): Promise<ZipEntryContent[]> {
  return new Promise((resolvePromise, reject) => {
    yauzl.open(path, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('no zip'));
      const entries: ZipEntryContent[] = [];
      zip.on('error', reject);
      zip.on('end', () => resolvePromise(entries));
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamErr, stream) => {
          if (streamErr || !stream) return reject(streamErr ?? new Error('no stream'));
          const parts: Buffer[] = [];
          stream.on('data', (part: Buffer) => parts.push(part));
          stream.on('error', reject);
          stream.on('end', () => {
            entries.push({ fileName: entry.fileName, compressionMethod: entry.compressionMethod, data: Buffer.concat(parts) });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/** Opens a chunk file (zipped or raw SQLite under the .zip name) as an in-memory database. */
async function openChunk(path: string): Promise<Database.Database> {
  const bytes = readFileSync(path);
  if (bytes.subarray(0, 16).toString('latin1') === 'SQLite format 3\0') return new Database(bytes);
  const entries = await readZipEntries(path);
  expect(entries).toHaveLength(1);
  return new Database(entries[0]!.data);
}

interface ChunkRow { at_uri: string; did: string; raw_post: string; inferences: string }

async function chunkRows(file: PostsChunkFile): Promise<ChunkRow[]> {
  const db = await openChunk(file.path);
  try {
    const sql = file.schema === 'posts'
      ? 'SELECT at_uri, did, raw_post, inferences FROM posts ORDER BY rowid'
      : 'SELECT at_uri, did, raw_post, inferences, enriched_metadata, created_at, time_us FROM enriched_posts ORDER BY id';
    return db.prepare(sql).all() as ChunkRow[];
  } finally {
    db.close();
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const get = (v: unknown, ...path: string[]): unknown => path.reduce<unknown>((o, k) => (isRecord(o) ? o[k] : undefined), v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const iso = (us: number): string => new Date(Math.floor(us / 1000)).toISOString();

function mediaOf(embed: unknown): ExpectedMedia[] {
  const type = get(embed, '$type');
  if (type === 'app.bsky.embed.recordWithMedia') return mediaOf(get(embed, 'media'));
  const item = (kind: 'image' | 'video', blob: unknown, ar: unknown): ExpectedMedia => ({
    kind, id: String(get(blob, 'ref', '$link')), mime_type: String(get(blob, 'mimeType')), size: Number(get(blob, 'size')),
    aspect_ratio: isRecord(ar) ? `${String(ar.width)}:${String(ar.height)}` : null,
  });
  if (type === 'app.bsky.embed.images') {
    const images = get(embed, 'images');
    return Array.isArray(images) ? images.map((im: unknown) => item('image', get(im, 'image'), get(im, 'aspectRatio'))) : [];
  }
  if (type === 'app.bsky.embed.video') return [item('video', get(embed, 'video'), get(embed, 'aspectRatio'))];
  return [];
}

interface Derived {
  posts: Map<string, Record<string, unknown>>;
  postTombstones: Map<string, { at_uri: string; author_did: string; deleted_at: string; reason: string }>;
  accountTombstones: Map<string, { did: string; deleted_at: string }>;
  badJson: number;
}

/** A small reference processor: derives the end state from the rows alone, in any file order. */
async function deriveEndState(files: PostsChunkFile[]): Promise<Derived> {
  const creates = new Map<string, Record<string, unknown>>();
  const ownDeletes = new Map<string, { did: string; time: number }>();
  const accountDeletes = new Map<string, number[]>();
  let badJson = 0;
  for (const file of files) {
    for (const row of await chunkRows(file)) {
      let raw: unknown;
      try {
        raw = JSON.parse(row.raw_post);
      } catch {
        badJson++;
        continue;
      }
      const message = get(raw, 'message');
      const time = Number(get(message, 'time_us'));
      const op = get(message, 'commit', 'operation');
      if (get(message, 'kind') === 'commit' && op === 'create') {
        const record = get(message, 'commit', 'record');
        const hydrated = get(raw, 'hydrated_metadata');
        const inferences: unknown = JSON.parse(row.inferences);
        const post: Record<string, unknown> = {
          at_uri: row.at_uri, author_did: row.did, content: str(get(record, 'text')),
          created_at: new Date(String(get(record, 'createdAt'))).toISOString(), time_us: time,
          thread_root_post: str(get(hydrated, 'reply_post', 'uri')), thread_parent_post: str(get(hydrated, 'parent_post', 'uri')),
          quote_post: str(get(hydrated, 'quote_post', 'uri')), media: mediaOf(get(record, 'embed')),
        };
        for (const [key, model] of [['l12', gen.MODEL_L12], ['l6', gen.MODEL_L6]] as const) {
          const vector = decodeEmbedding(String(get(inferences, 'text_embeddings', model)));
          if (vector?.length === 384) post[key] = Array.from(vector);
        }
        const prev = creates.get(row.at_uri);
        if (prev) expect(prev).toEqual(post); // a repeat is identical
        creates.set(row.at_uri, post);
      } else if (get(message, 'kind') === 'commit' && op === 'delete') {
        const prev = ownDeletes.get(row.at_uri);
        if (!prev || time < prev.time) ownDeletes.set(row.at_uri, { did: row.did, time });
      } else if (get(message, 'kind') === 'account' && get(message, 'account', 'status') === 'deleted') {
        accountDeletes.set(row.did, [...(accountDeletes.get(row.did) ?? []), time]);
      }
    }
  }
  const posts = new Map<string, Record<string, unknown>>();
  const postTombstones: Derived['postTombstones'] = new Map();
  const accountTombstones: Derived['accountTombstones'] = new Map();
  for (const [did, times] of accountDeletes) accountTombstones.set(did, { did, deleted_at: iso(Math.max(...times)) });
  for (const [uri, d] of ownDeletes) postTombstones.set(uri, { at_uri: uri, author_did: d.did, deleted_at: iso(d.time), reason: 'delete' });
  for (const [uri, post] of creates) {
    if (postTombstones.has(uri)) continue;
    const after = (accountDeletes.get(String(post.author_did)) ?? []).filter((t) => t > Number(post.time_us));
    if (after.length > 0) {
      postTombstones.set(uri, { at_uri: uri, author_did: String(post.author_did), deleted_at: iso(Math.max(...after)), reason: 'account_deleted' });
    } else {
      posts.set(uri, post);
    }
  }
  return { posts, postTombstones, accountTombstones, badJson };
}

const dot = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);

// ------------------------------------------------------------------ base85

describe('base85 reference (RFC 1924, as Python base64.b85*)', () => {
  it.each(PYTHON_B85)('%j encodes to the Python value and back', (bytes, text) => {
    expect(b85encode(Uint8Array.from(bytes))).toBe(text);
    expect(gen.b85encode(Uint8Array.from(bytes))).toBe(text);
    expect([...b85decode(text)]).toEqual(bytes);
  });

  it('follows Python on padding, overflow and bad characters', () => {
    expect([...b85decode('|NsC0')]).toEqual([255, 255, 255, 255]);
    expect([...b85decode('{{{{{')]).toEqual([0xff, 0x06, 0x0e, 0x3d]);
    expect([...b85decode('hello')]).toEqual([0x87, 0x46, 0x5d, 0x07]);
    expect([...b85decode('0')]).toEqual([]); // 5k+1 characters: the lone digit yields no byte
    expect(() => b85decode('~')).toThrow(/overflow/);
    expect(() => b85decode('|NsC1')).toThrow(/overflow/);
    expect(() => b85decode('abc,d')).toThrow(/bad base85 character at position 3/);
    expect(() => b85decode('ab"')).toThrow(/bad base85 character/);
  });

  it('round-trips every length 0..64 between the generator encoder and the reference decoder', () => {
    const rnd = gen.mulberry32(3);
    for (let n = 0; n <= 64; n++) {
      const bytes = Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
      const text = gen.b85encode(bytes);
      expect(text.length).toBe(Math.ceil((n * 5) / 4));
      expect(text).toBe(b85encode(bytes));
      expect([...b85decode(text)]).toEqual([...bytes]);
    }
  });

  it('decodes an embedding made by Python: zlib.compress(struct.pack("<3f", 1, -2.5, 0.25))', () => {
    expect([...(decodeEmbedding('c${NkXs~BsP&mNA&|n7u4FLjP') ?? [])]).toEqual([1, -2.5, 0.25]);
    expect(decodeEmbedding('not,base85')).toBeUndefined();
    expect(decodeEmbedding(b85encode(Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7])))).toBeUndefined(); // not zlib
  });

  it('decodes the generator encoding, deflated and stored', () => {
    const floats = Float32Array.from({ length: 384 }, (_, i) => Math.sin(i) / 7);
    for (const compress of [true, false]) expect(decodeEmbedding(gen.encodeEmbedding(floats, compress))).toEqual(floats);
  });
});

describe.skipIf(!REAL_DIR)('real Megastream chunks (skipped when ../shared/data/bluesky/ingex-megastream is absent)', () => {
  it('the reference decoder gives 384 floats for MiniLM L12/L6 and 768 for mpnet in every row', async () => {
    const zips = readdirSync(REAL_DIR!).filter((f) => f.endsWith('.db.zip'));
    expect(zips.length).toBeGreaterThan(0);
    let vectors = 0;
    for (const name of zips) {
      const db = await openChunk(join(REAL_DIR!, name));
      const rows = db.prepare('SELECT inferences FROM enriched_posts').all() as Array<{ inferences: string }>;
      db.close();
      for (const row of rows) {
        const embeddings = get(JSON.parse(row.inferences), 'text_embeddings');
        for (const [model, dims] of [[gen.MODEL_L12, 384], [gen.MODEL_L6, 384], [gen.MODEL_MPNET, 768]] as const) {
          const vector = decodeEmbedding(String(get(embeddings, model)));
          expect(vector?.length, `${name} ${model}`).toBe(dims);
          const norm = Math.sqrt(dot(Array.from(vector!), Array.from(vector!)));
          expect(norm).toBeCloseTo(1, 3);
          vectors++;
        }
      }
    }
    expect(vectors).toBe(45); // 15 rows × 3 models in the three sample chunks
  });
});

// ------------------------------------------------------------------ the generator

describe('generatePostsChunks', () => {
  let dir: string;
  let manifest: PostsChunksManifest;
  const options = { posts: 400, chunks: 4, seed: 11, badVectorRate: 0.05, badJsonRows: 3, notZipped: [2], repeatRate: 0.1, deleteRate: 0.08 };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'posts-chunks-'));
    manifest = await gen.generatePostsChunks({ dir: join(dir, 'a'), ...options });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names chunk files by their window start and zips one deflated .db entry', async () => {
    expect(manifest.files).toHaveLength(4);
    for (const [i, file] of manifest.files.entries()) {
      expect(file.name).toBe(`mega_jetstream_${gen.chunkStamp(file.windowStartUs)}.db.zip`);
      expect(file.windowStartUs).toBe(Date.UTC(2025, 8, 25) * 1000 + i * gen.WINDOW_US);
      const head = readFileSync(file.path).subarray(0, 4);
      if (i === 2) {
        expect(file.zipped).toBe(false);
        expect(readFileSync(file.path).subarray(0, 15).toString('latin1')).toBe('SQLite format 3');
      } else {
        expect(head.readUInt32LE(0)).toBe(0x04034b50);
        const entries = await readZipEntries(file.path);
        expect(entries.map((e) => [e.fileName, e.compressionMethod])).toEqual([[file.name.replace(/\.zip$/, ''), 8]]);
      }
    }
    expect(readdirSync(join(dir, 'a')).sort()).toEqual(manifest.files.map((f) => f.name).sort());
  });

  it('writes the real enriched_posts schema, without json_valid CHECKs only where rows are bad JSON', async () => {
    let rows = 0;
    for (const file of manifest.files) {
      const db = await openChunk(file.path);
      const ddl = db.prepare("SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name").all() as Array<{ name: string; sql: string }>;
      const count = (db.prepare('SELECT count(*) AS n, count(time_us) AS t FROM enriched_posts').get() as { n: number; t: number });
      db.close();
      expect(ddl.map((d) => d.name)).toEqual(['enriched_posts', 'idx_enriched_posts_at_uri', 'idx_enriched_posts_created_at', 'idx_enriched_posts_did', 'idx_enriched_posts_time_us', 'sqlite_sequence']);
      expect(ddl[0]!.sql.includes('CHECK(json_valid(raw_post))')).toBe(file.jsonChecks);
      expect(count.n).toBe(file.rows);
      expect(count.t).toBe(0); // time_us is NULL, as in the real files
      rows += count.n;
    }
    expect(rows).toBe(manifest.counts.rows.total);
    expect(manifest.files.some((f) => !f.jsonChecks)).toBe(true);
  });

  it('has a self-consistent expected state', () => {
    const { posts, postTombstones, accountTombstones } = manifest.expected;
    for (const uri of Object.keys(posts)) expect(postTombstones[uri]).toBeUndefined();
    for (const t of Object.values(postTombstones)) {
      expect(t.at_uri.startsWith(`at://${t.author_did}/app.bsky.feed.post/`)).toBe(true);
      expect(new Date(t.deleted_at).toISOString()).toBe(t.deleted_at);
      if (t.reason === 'account_deleted') expect(accountTombstones[t.author_did]).toBeDefined();
    }
    const deletedAuthors = Object.keys(accountTombstones);
    expect(deletedAuthors).toHaveLength(2);
    // posts after an author's account deletion survive; those before are tombstoned
    expect(Object.values(posts).some((p) => deletedAuthors.includes(p.author_did))).toBe(true);
    expect(Object.values(postTombstones).some((t) => t.reason === 'account_deleted')).toBe(true);
    const tombstonedCreated = Object.values(postTombstones).filter((t) => t.reason === 'account_deleted').length;
    expect(Object.keys(posts).length + tombstonedCreated).toBeLessThanOrEqual(manifest.counts.postsCreated);
    const { rows } = manifest.counts;
    expect(rows.create).toBe(manifest.counts.postsCreated);
    expect(rows.badJson).toBe(3);
    expect(rows.repeat).toBeGreaterThan(0);
    expect(rows.total).toBe(Object.entries(rows).filter(([k]) => k !== 'total').reduce((s, [, n]) => s + n, 0));
    expect(manifest.counts.badVectors).toBeGreaterThan(0);
  });

  it('matches an end state derived from the rows alone, in either file order', async () => {
    const forward = await deriveEndState(manifest.files);
    const backward = await deriveEndState([...manifest.files].reverse());
    expect(forward.badJson).toBe(3);
    for (const derived of [forward, backward]) {
      expect(Object.fromEntries(derived.postTombstones)).toEqual(manifest.expected.postTombstones);
      expect(Object.fromEntries(derived.accountTombstones)).toEqual(manifest.expected.accountTombstones);
      const expectedPosts = Object.fromEntries(Object.entries(manifest.expected.posts).map(([uri, p]) => {
        const { cluster: _cluster, bad_vectors: _bad, ...rest } = p;
        return [uri, rest];
      }));
      expect(Object.fromEntries(derived.posts)).toEqual(expectedPosts);
    }
    // the deleted set covers posts created and deleted in one chunk, across chunks, and never created
    const createdUris = new Set([...forward.posts.keys()]);
    const neverCreated = Object.values(manifest.expected.postTombstones).filter((t) => t.reason === 'delete' && !createdUris.has(t.at_uri));
    expect(neverCreated.length).toBeGreaterThan(0);
  });

  it('repeats creates within a chunk and in later chunks, and varies the createdAt format', async () => {
    const seen = new Map<string, number[]>(); // at_uri -> chunk index of each create row
    const createdAts: string[] = [];
    for (const [i, file] of manifest.files.entries()) {
      for (const row of await chunkRows(file)) {
        if (!row.raw_post.includes('"operation":"create"')) continue;
        let raw: unknown;
        try {
          raw = JSON.parse(row.raw_post);
        } catch {
          continue;
        }
        seen.set(row.at_uri, [...(seen.get(row.at_uri) ?? []), i]);
        createdAts.push(String(get(raw, 'message', 'commit', 'record', 'createdAt')));
      }
    }
    const chunksOf = [...seen.values()].filter((c) => c.length > 1);
    expect(chunksOf.some((c) => new Set(c).size < c.length)).toBe(true); // same chunk
    expect(chunksOf.some((c) => new Set(c).size > 1)).toBe(true); // a later chunk
    expect(chunksOf.length).toBe(new Set([...seen.keys()].filter((u) => seen.get(u)!.length > 1)).size);
    expect(createdAts.some((t) => /\.\d{3}Z$/.test(t))).toBe(true);
    expect(createdAts.some((t) => /:\d\dZ$/.test(t))).toBe(true);
    expect(createdAts.some((t) => /[+-]\d\d:\d\d$/.test(t))).toBe(true);
  });

  it('covers the row shapes: replies, quotes, empty-text images, video, missing aspect ratios, bad vectors', () => {
    const posts = Object.values(manifest.expected.posts);
    expect(posts.some((p) => p.thread_root_post !== null && p.thread_parent_post !== null)).toBe(true);
    expect(posts.some((p) => p.quote_post !== null)).toBe(true);
    expect(posts.some((p) => p.content === '' && p.media.some((m) => m.kind === 'image'))).toBe(true);
    expect(posts.some((p) => p.media.some((m) => m.kind === 'video'))).toBe(true);
    expect(posts.some((p) => p.media.some((m) => m.aspect_ratio === null))).toBe(true);
    expect(posts.some((p) => p.bad_vectors !== undefined && (p.l12 === undefined || p.l6 === undefined))).toBe(true);
  });

  it('makes L2-normalised vectors of float16 precision (as the real chunks hold) that cluster by topic', () => {
    const posts = Object.values(manifest.expected.posts).filter((p) => p.l12 !== undefined);
    let within = 0, withinN = 0, between = 0, betweenN = 0;
    for (let i = 0; i < 60; i++) {
      const a = posts[i]!;
      // float16 keeps 11 significant bits: the norm is 1 to about 1e-4.
      expect(Math.sqrt(dot(a.l12!, a.l12!))).toBeCloseTo(1, 3);
      const bits = new Uint32Array(Float32Array.from(a.l12!).buffer);
      expect(bits.every((b) => (b & 0x1fff) === 0)).toBe(true);
      for (let j = i + 1; j < 60; j++) {
        const b = posts[j]!;
        const cos = dot(a.l12!, b.l12!);
        if (a.cluster === b.cluster) { within += cos; withinN++; } else { between += cos; betweenN++; }
      }
    }
    expect(within / withinN).toBeGreaterThan(0.5);
    expect(Math.abs(between / betweenN)).toBeLessThan(0.2);
  });

  it('gives identical rows for the same seed, and different rows for another seed', async () => {
    const again = await gen.generatePostsChunks({ dir: join(dir, 'b'), ...options });
    const other = await gen.generatePostsChunks({ dir: join(dir, 'c'), ...options, seed: 12 });
    expect(again.expected).toEqual(manifest.expected);
    for (const [i, file] of manifest.files.entries()) {
      expect(await chunkRows(again.files[i]!)).toEqual(await chunkRows(file));
      expect(await chunkRows(other.files[i]!)).not.toEqual(await chunkRows(file));
    }
  });

  it('writes the older posts(at_uri, did, raw_post, inferences) table on request', async () => {
    const result = await gen.generatePostsChunks({ dir: join(dir, 'p'), posts: 50, chunks: 2, seed: 3, schema: 'posts', mpnet: false, expectVectors: false });
    const db = await openChunk(result.files[0]!.path);
    const columns = (db.prepare('PRAGMA table_info(posts)').all() as Array<{ name: string }>).map((c) => c.name);
    const rows = db.prepare('SELECT raw_post, inferences FROM posts').all() as Array<{ inferences: string }>;
    db.close();
    expect(columns).toEqual(['at_uri', 'did', 'raw_post', 'inferences']);
    expect(rows).toHaveLength(result.files[0]!.rows);
    const embeddings = rows.map((r) => get(JSON.parse(r.inferences), 'text_embeddings')).filter(isRecord);
    expect(embeddings.length).toBeGreaterThan(0);
    for (const e of embeddings) expect(e[gen.MODEL_MPNET]).toBeUndefined();
    expect(Object.values(result.expected.posts).every((p) => p.l12 === undefined && p.l6 === undefined)).toBe(true);
  });
});
