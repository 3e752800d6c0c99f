#!/usr/bin/env node
// Deterministic generator of BlueSky "Megastream" chunks for the `posts` profile: one SQLite file
// per chunk, in the real `enriched_posts` schema, zipped as `mega_jetstream_YYYYMMDD_HHMMSS.db.zip`
// (a single deflated entry named like the .db), plus the exact expected end state.
//
//   node bench/generate-posts-chunks.mjs --out DIR [--posts 1000] [--chunks 5] [--seed 1]
//        [--repeat-rate R] [--delete-rate R] [--account-deletions N] [--identity-rate R]
//        [--bad-vector-rate R] [--bad-json-rows N] [--not-zipped 0,3] [--schema enriched_posts|posts]
//        [--no-mpnet] [--expect-vectors] [--start-time-us US] [--zip-level 0-9] [--manifest FILE]
//
// Prints one JSON line: {files, rows, posts, livePosts, postTombstones, accountTombstones, bytes,
// seconds, seed}. The library default is expectVectors: true; the CLI's is false (the vectors of
// 100k posts would not fit a manifest file comfortably).
//
// Same seed + same options -> the same rows (options such as mpnet change the PRNG stream). Zip
// entries use deflate level 1 by default (--zip-level 6 is what Python's zipfile does; it is slower
// and barely smaller here). Vectors are deflated zlib streams of float16 values stored as float32, as
// in every real chunk (their low 13 mantissa bits are zero, so they deflate to about 70 %, as the
// real ones do). Zipping runs in a worker thread, overlapping the next chunk's writes.
//
// Expected state rules (computed from the generated events, not from the order they are written):
// a created post with an own delete event is tombstoned ('delete', earliest delete); otherwise a
// created post whose author has an account deletion after the post's time_us is tombstoned
// ('account_deleted', at the account's LATEST deletion: one time per account, whatever order the
// deletions arrive in); every other created post is live. A delete of a
// never-created post still yields a 'delete' tombstone. Identity and active-account events, repeats
// and rows with bad JSON change nothing.
import { createWriteStream, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { deflateSync } from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import yazl from 'yazl';
import { mulberry32 } from './generate-bridge-events.mjs';

export { mulberry32 };

export const MODEL_L12 = 'all-MiniLM-L12-v2';
export const MODEL_L6 = 'all-MiniLM-L6-v2';
export const MODEL_MPNET = 'all-mpnet-base-v2';
/** Each chunk covers this much event time; its file name carries the window start. */
export const WINDOW_US = 300_000_000;

export const DEFAULTS = Object.freeze({
  seed: 1, posts: 1000, chunks: 5, repeatRate: 0.05, deleteRate: 0.05, accountDeletions: 2,
  identityRate: 0.01, badVectorRate: 0, badJsonRows: 0, notZipped: [], schema: 'enriched_posts',
  mpnet: true, expectVectors: true, startTimeUs: Date.UTC(2025, 8, 25) * 1000, zipLevel: 1,
});

const ENRICHED_POSTS_DDL = (check) => `CREATE TABLE enriched_posts (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at_uri TEXT CHECK(LENGTH(at_uri) <= 300),
                did TEXT CHECK(LENGTH(did) <= 100),
                time_us INTEGER,
                raw_post TEXT${check ? ' CHECK(json_valid(raw_post))' : ''},
                inferences TEXT${check ? ' CHECK(json_valid(inferences))' : ''},
                enriched_metadata TEXT${check ? ' CHECK(json_valid(enriched_metadata))' : ''},
                created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
            );
CREATE INDEX idx_enriched_posts_at_uri ON enriched_posts(at_uri);
CREATE INDEX idx_enriched_posts_did ON enriched_posts(did);
CREATE INDEX idx_enriched_posts_time_us ON enriched_posts(time_us);
CREATE INDEX idx_enriched_posts_created_at ON enriched_posts(created_at);`;
const POSTS_DDL = 'CREATE TABLE posts (at_uri TEXT, did TEXT, raw_post TEXT, inferences TEXT);';

// ---------------------------------------------------------------- base85 (RFC 1924, as Python's)

export const B85_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~';
const B85 = Buffer.from(B85_ALPHABET, 'latin1');

/** Python's `base64.b85encode(bytes)` (no padding) as a string. */
export function b85encode(bytes) {
  const n = bytes.length;
  const words = Math.ceil(n / 4);
  const out = Buffer.allocUnsafe(words * 5);
  for (let w = 0; w < words; w++) {
    const i = w * 4;
    const word = ((bytes[i] << 24) | ((i + 1 < n ? bytes[i + 1] : 0) << 16) |
      ((i + 2 < n ? bytes[i + 2] : 0) << 8) | (i + 3 < n ? bytes[i + 3] : 0)) >>> 0;
    const d0 = Math.floor(word / 52200625); // 85^4; the remainder fits small-integer arithmetic
    let r = word - d0 * 52200625;
    const d1 = (r / 614125) | 0;
    r -= d1 * 614125;
    const d2 = (r / 7225) | 0;
    r -= d2 * 7225;
    const d3 = (r / 85) | 0;
    const o = w * 5;
    out[o] = B85[d0];
    out[o + 1] = B85[d1];
    out[o + 2] = B85[d2];
    out[o + 3] = B85[d3];
    out[o + 4] = B85[r - d3 * 85];
  }
  return out.toString('latin1', 0, words * 5 - ((4 - (n % 4)) % 4));
}

/** Adler-32 of bytes (the zlib trailer). */
function adler32(bytes) {
  let a = 1, b = 0;
  for (let i = 0; i < bytes.length; ) {
    const end = Math.min(bytes.length, i + 3800); // keeps b below 2^31 between reductions
    for (; i < end; i++) {
      a += bytes[i];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/**
 * A zlib stream (RFC 1950) holding `bytes` in deflate "stored" blocks: valid input for any
 * inflater, and ten times cheaper to make than deflateSync, whose per-call set-up dominates for
 * 1.5 KB of nearly incompressible floats.
 */
export function zlibStored(bytes) {
  const blocks = Math.max(1, Math.ceil(bytes.length / 65535));
  const out = Buffer.allocUnsafe(2 + bytes.length + blocks * 5 + 4);
  out[0] = 0x78;
  out[1] = 0x01;
  let o = 2;
  for (let blk = 0; blk < blocks; blk++) {
    const start = blk * 65535;
    const len = Math.min(65535, bytes.length - start);
    out[o] = blk === blocks - 1 ? 1 : 0;
    out.writeUInt16LE(len, o + 1);
    out.writeUInt16LE(~len & 0xffff, o + 3);
    out.set(bytes.subarray(start, start + len), o + 5);
    o += 5 + len;
  }
  out.writeUInt32BE(adler32(bytes), o);
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * base85(zlib(little-endian float32)) — the Megastream embedding encoding. `compress: true` runs
 * real deflate (zlib level 6, as Python's zlib.compress); otherwise stored blocks are used.
 */
export function encodeEmbedding(floats, compress = true) {
  let bytes;
  if (LITTLE_ENDIAN) {
    bytes = new Uint8Array(floats.buffer, floats.byteOffset, floats.byteLength);
  } else {
    bytes = Buffer.allocUnsafe(floats.length * 4);
    for (let i = 0; i < floats.length; i++) bytes.writeFloatLE(floats[i], i * 4);
  }
  return b85encode(compress ? deflateSync(bytes) : zlibStored(bytes));
}

/**
 * `x` rounded to float16 precision (10 mantissa bits), kept as a float32: what Megastream's vectors
 * hold (every value of the real chunks has its 13 low mantissa bits zero).
 */
const halfBits = new Uint32Array(1);
const halfFloat = new Float32Array(halfBits.buffer);
export function toHalfPrecision(x) {
  halfFloat[0] = x;
  halfBits[0] = (halfBits[0] + 0x1000) & ~0x1fff; // round to nearest; a carry moves into the exponent
  return halfFloat[0];
}

// ---------------------------------------------------------------- vocabulary

const CLUSTERS = [
  { name: 'cats', words: ['cat', 'kitten', 'purr', 'whiskers', 'litter', 'nap', 'tabby', 'meow', 'catnip', 'paws'] },
  { name: 'space', words: ['rocket', 'orbit', 'launch', 'nasa', 'telescope', 'galaxy', 'mars', 'booster', 'moon', 'starship'] },
  { name: 'cooking', words: ['recipe', 'bread', 'garlic', 'oven', 'soup', 'sourdough', 'pasta', 'spice', 'dinner', 'butter'] },
  { name: 'football', words: ['goal', 'match', 'league', 'striker', 'keeper', 'derby', 'penalty', 'transfer', 'pitch', 'fans'] },
  { name: 'politics', words: ['senate', 'vote', 'election', 'bill', 'policy', 'court', 'campaign', 'ballot', 'mayor', 'budget'] },
  { name: 'music', words: ['album', 'guitar', 'vinyl', 'concert', 'chorus', 'drummer', 'setlist', 'synth', 'band', 'tour'] },
];
const FILLER = ['the', 'a', 'this', 'today', 'really', 'just', 'so', 'my', 'new', 'and', 'with', 'about', 'again', 'why', 'is'];
const EXTRAS = ['🐈', '🚀', '🔥', '❤️', '“quoted”', 'naïve café', '日本語', 'line\nbreak', 'a "quote"', 'back\\slash', '#bsky'];
const FIRST = ['Alex', 'Sam', 'Riley', 'Jordan', 'Kai', 'Noor', 'Mika', 'Ines', 'Tomás', 'Yuki', 'Ola', 'Priya'];
const B32 = 'abcdefghijklmnopqrstuvwxyz234567';
const TID32 = '234567abcdefghijklmnopqrstuvwxyz';
const SENTIMENT = ['Neutral', 'Negative', 'Positive'];
const MODERATION = ['OK', 'hate', 'harassment', 'sexual', 'violence', 'self-harm'];
const TOXICITY = ['Toxic', 'Insult', 'Obscene', 'Threat', 'Identity Hate', 'Severe Toxicity'];
const TOPICS = ['Diaries & Daily Life', 'Science & Technology', 'Food & Dining', 'Sports', 'News & Social Concern', 'Music'];
const OFFSETS_MIN = [-300, 60, 120, 330, 540];
const ALGORITHMS = ['8b0f3070-b8b9-49d0-9bb9-ca30e89aa9fd'];

// ---------------------------------------------------------------- small helpers

const pad2 = (n) => String(n).padStart(2, '0');
/** 'YYYYMMDD_HHMMSS' of a UTC instant. */
export function chunkStamp(timeUs) {
  const d = new Date(Math.floor(timeUs / 1000));
  return `${d.getUTCFullYear()}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}_` +
    `${pad2(d.getUTCHours())}${pad2(d.getUTCMinutes())}${pad2(d.getUTCSeconds())}`;
}
/** The ISO form the expected state uses for event times. */
export const isoOfUs = (timeUs) => new Date(Math.floor(timeUs / 1000)).toISOString();
const sqliteStamp = (timeUs) => isoOfUs(timeUs).slice(0, 19).replace('T', ' ');
const pythonIso = (timeUs) => `${isoOfUs(timeUs).slice(0, 19)}.${String(timeUs % 1_000_000).padStart(6, '0')}+00:00`;

/** An atproto TID (13 chars, base32-sortable) from microseconds and a 10-bit clock id. */
function tid(timeUs, clockId) {
  let v = (BigInt(timeUs) << 10n) | BigInt(clockId & 1023);
  const out = new Array(13);
  for (let i = 12; i >= 0; i--) {
    out[i] = TID32[Number(v & 31n)];
    v >>= 5n;
  }
  return out.join('');
}

function makeRandom(seed) {
  const rnd = mulberry32(seed);
  const int = (n) => Math.floor(rnd() * n);
  const pick = (arr) => arr[int(arr.length)];
  const b32 = (len) => {
    let s = '';
    for (let i = 0; i < len; i++) s += B32[int(32)];
    return s;
  };
  const score = () => Math.fround(rnd());
  return { rnd, int, pick, b32, score };
}

// ---------------------------------------------------------------- the generator

/**
 * Writes `chunks` chunk files to `dir` and returns {files, expected, counts}. Memory stays flat
 * in the number of rows (each chunk is one transaction; only the expected state and a small ring
 * of recent rows for repeats are kept); with expectVectors: false the expected state holds no
 * vectors.
 */
export async function generatePostsChunks(options) {
  const opts = { ...DEFAULTS, ...options };
  const problems = [];
  for (const key of Object.keys(options ?? {})) {
    if (key !== 'dir' && !(key in DEFAULTS)) problems.push(`unknown option \`${key}\` (known: dir, ${Object.keys(DEFAULTS).join(', ')})`);
  }
  if (typeof opts.dir !== 'string' || opts.dir === '') problems.push('option `dir` (output folder) is required');
  for (const [key, value] of Object.entries(DEFAULTS)) {
    if (typeof value === 'number' && !Number.isFinite(opts[key])) problems.push(`option \`${key}\` must be a finite number, not ${opts[key]}`);
  }
  if (!Array.isArray(opts.notZipped)) problems.push('option `notZipped` must be an array of chunk indexes');
  if (problems.length > 0) throw new Error(`generatePostsChunks: ${problems.join('; ')}`);
  if (opts.schema !== 'enriched_posts' && opts.schema !== 'posts') {
    throw new Error(`generatePostsChunks: schema must be 'enriched_posts' or 'posts', not ${opts.schema}`);
  }
  const chunks = Math.max(1, Math.floor(opts.chunks));
  const totalPosts = Math.max(0, Math.floor(opts.posts));
  mkdirSync(opts.dir, { recursive: true });
  const { rnd, int, pick, b32, score } = makeRandom(opts.seed);

  // --- vectors: a centroid per cluster and model; a post's vector is its centroid plus noise.
  const models = [[MODEL_L12, 384], [MODEL_L6, 384]];
  if (opts.mpnet) models.push([MODEL_MPNET, 768]);
  const centroids = models.map(([, dims]) => CLUSTERS.map(() => {
    const c = new Float64Array(dims);
    for (let i = 0; i < dims; i++) c[i] = rnd() + rnd() - 1;
    return c;
  }));
  const scratch = new Float64Array(768);
  const makeVector = (centroid) => {
    const dims = centroid.length;
    let norm = 0;
    for (let i = 0; i < dims; i++) {
      const x = centroid[i] + (rnd() + rnd() - 1) * 0.7;
      scratch[i] = x;
      norm += x * x;
    }
    norm = Math.sqrt(norm);
    const v = new Float32Array(dims);
    for (let i = 0; i < dims; i++) v[i] = toHalfPrecision(scratch[i] / norm);
    return v;
  };
  const badVector = () => {
    const mode = int(3);
    if (mode === 0) return encodeEmbedding(makeVector(new Float64Array(100).fill(0.1))); // wrong length
    if (mode === 1) { // characters outside the alphabet
      const good = encodeEmbedding(new Float32Array(384).fill(0.05));
      return `${good.slice(0, 20)}.,:[]${good.slice(25)}`;
    }
    const junk = new Uint8Array(200); // valid base85, but not a zlib stream
    for (let i = 1; i < junk.length; i++) junk[i] = int(256);
    return b85encode(junk);
  };

  // --- authors
  const authorCount = Math.max(5, Math.round(totalPosts / 15));
  const authors = [];
  for (let i = 0; i < authorCount; i++) {
    const did = `did:plc:${b32(24)}`;
    const name = `${pick(FIRST)} ${String.fromCharCode(65 + int(26))}.`;
    const handle = `${name.split(' ')[0].toLowerCase()}${i}.bsky.social`;
    authors.push({
      did, handle, name,
      user: {
        did, handle,
        associated: { chat: null, feedgens: 0, labeler: false, lists: 0, starter_packs: 0, py_type: 'app.bsky.actor.defs#profileAssociated' },
        avatar: `https://cdn.bsky.app/img/avatar/plain/${did}/bafkrei${b32(52)}@jpeg`,
        banner: rnd() < 0.5 ? null : `https://cdn.bsky.app/img/banner/plain/${did}/bafkrei${b32(52)}@jpeg`,
        created_at: new Date(Date.UTC(2023, int(24), 1 + int(28))).toISOString(),
        description: `${pick(CLUSTERS).name} fan. ${pick(FILLER)} ${pick(FILLER)} posts.`,
        display_name: name,
        followers_count: int(5000), follows_count: int(800), posts_count: int(9000),
        indexed_at: new Date(Date.UTC(2024, int(12), 1 + int(28))).toISOString(),
        labels: [], pinned_post: null, verification: null,
        viewer: { blocked_by: false, blocking: null, followed_by: null, following: null, muted: false, py_type: 'app.bsky.actor.defs#viewerState' },
        py_type: 'app.bsky.actor.defs#profileViewDetailed',
      },
    });
  }
  const deletedAuthors = [];
  for (let i = 0; i < Math.min(opts.accountDeletions, authorCount); i++) deletedAuthors.push(i);
  const pickAuthor = () => (deletedAuthors.length > 0 && rnd() < 0.04 ? pick(deletedAuthors) : int(authorCount));

  // Account deletions happen before given post ordinals, spread over the middle of the timeline so
  // the author has posts on both sides; the first deleted author is deleted a second time later.
  const accountEvents = deletedAuthors.map((a, j) => ({
    before: Math.floor(totalPosts * (0.25 + (0.5 * (j + 0.5)) / deletedAuthors.length)), author: a,
  }));
  if (deletedAuthors.length > 0) accountEvents.push({ before: Math.floor(totalPosts * 0.85), author: deletedAuthors[0] });
  accountEvents.sort((x, y) => x.before - y.before);

  // Bad-JSON rows: chunk and position (ordinal of the chunk's new post they follow).
  const postsInChunk = (c) => Math.floor(totalPosts / chunks) + (c < totalPosts % chunks ? 1 : 0);
  const badJsonAt = Array.from({ length: chunks }, () => []);
  for (let n = 0; n < opts.badJsonRows; n++) {
    const c = int(chunks);
    badJsonAt[c].push(int(Math.max(1, postsInChunk(c))));
  }
  badJsonAt.forEach((list) => list.sort((x, y) => x - y));
  const notZipped = new Set(opts.notZipped);

  // --- state
  const created = []; // {uri, cid, author, root} per distinct created post, in creation order
  const creates = new Map(); // at_uri -> expected post (without tombstone logic applied)
  const ghostUris = new Set();
  const ownDeletes = new Map(); // at_uri -> {author_did, min time}
  const accountDeletes = new Map(); // did -> [time_us...]
  const ring = []; // recent create rows, for repeats
  const RING = 64; // small: long-lived row strings would bloat the old generation
  const olderRows = []; // a few rows of earlier chunks, repeated later like the real backfills
  const counts = {
    rows: { create: 0, repeat: 0, delete: 0, accountDeleted: 0, accountActive: 0, identity: 0, badJson: 0, total: 0 },
    postsCreated: 0, repeats: 0, badVectors: 0, badJsonRows: 0, files: 0,
  };
  let seq = 13_609_125_943;
  let postOrdinal = 0;
  let accountIdx = 0;
  const files = [];
  const zipJobs = [];
  let zipper = null;

  const postView = (target) => {
    const a = target.author >= 0 ? authors[target.author] : target.external;
    return {
      uri: target.uri, cid: target.cid,
      author: { did: a.did, handle: a.handle, display_name: a.name, labels: [], py_type: 'app.bsky.actor.defs#profileViewBasic' },
      record: { $type: 'app.bsky.feed.post', createdAt: isoOfUs(target.timeUs), text: target.author >= 0 ? creates.get(target.uri).content.slice(0, 60) : 'an older post' },
      indexed_at: isoOfUs(target.timeUs), like_count: int(50), reply_count: int(10), repost_count: int(10), quote_count: int(3),
      labels: [], py_type: 'app.bsky.feed.defs#postView',
    };
  };
  const externalTarget = () => {
    const us = opts.startTimeUs - 86_400_000_000 - int(30 * 86_400) * 1_000_000;
    const did = `did:plc:${b32(24)}`;
    return {
      uri: `at://${did}/app.bsky.feed.post/${tid(us, int(1024))}`, cid: `bafyrei${b32(52)}`, author: -1,
      external: { did, handle: `${b32(8)}.example.com`, name: 'Someone Else' }, root: null, timeUs: us,
    };
  };
  const blob = (mimeType, size) => ({ $type: 'blob', ref: { $link: `bafkrei${b32(52)}` }, mimeType, size });
  const aspect = () => (rnd() < 0.15 ? null : { height: 200 + int(1800), width: 200 + int(1800) });
  const imagesEmbed = (media) => {
    const images = [];
    for (let n = 1 + int(4); n > 0; n--) {
      const image = blob(rnd() < 0.85 ? 'image/jpeg' : 'image/png', 20_000 + int(900_000));
      const ar = aspect();
      images.push(ar ? { alt: rnd() < 0.5 ? '' : 'a picture', aspectRatio: ar, image } : { alt: '', image });
      media.push({ kind: 'image', id: image.ref.$link, mime_type: image.mimeType, size: image.size, aspect_ratio: ar ? `${ar.width}:${ar.height}` : null });
    }
    return { $type: 'app.bsky.embed.images', images };
  };
  const videoEmbed = (media) => {
    const video = blob('video/mp4', 200_000 + int(20_000_000));
    const ar = aspect();
    media.push({ kind: 'video', id: video.ref.$link, mime_type: video.mimeType, size: video.size, aspect_ratio: ar ? `${ar.width}:${ar.height}` : null });
    return ar ? { $type: 'app.bsky.embed.video', video, aspectRatio: ar } : { $type: 'app.bsky.embed.video', video };
  };
  const makeText = (cluster) => {
    const words = [];
    for (let n = 6 + int(30); n > 0; n--) words.push(rnd() < 0.45 ? pick(cluster.words) : pick(FILLER));
    if (rnd() < 0.2) words.push(pick(EXTRAS));
    return words.join(' ');
  };
  const createdAtText = (ms) => {
    const r = rnd();
    if (r < 0.85) return new Date(ms).toISOString();
    if (r < 0.92) return `${new Date(ms).toISOString().slice(0, 19)}Z`;
    const off = pick(OFFSETS_MIN);
    const sign = off < 0 ? '-' : '+';
    const abs = Math.abs(off);
    return `${new Date(ms + off * 60_000).toISOString().slice(0, 23)}${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
  };
  const textScores = () => ({
    'message.commit.record.text': {
      sentiment: Object.fromEntries(SENTIMENT.map((k) => [k, score()])),
      moderation: Object.fromEntries(MODERATION.map((k) => [k, score()])),
      toxicity: Object.fromEntries(TOXICITY.map((k) => [k, score()])),
      topic: Object.fromEntries(TOPICS.map((k) => [k, score()])),
    },
  });
  const metadata = (timeUs, images, video) => JSON.stringify({
    enriched_at: pythonIso(timeUs), models_used: { text: images < 0 ? [] : ['message.commit.record.text'], images: Math.max(0, images), video: video ? ['audio_transcription'] : [] },
  });

  /** Builds one new post; returns its row and records it in the expected state unless `ghost`. */
  const newPost = (timeUs, ghost) => {
    const authorIdx = pickAuthor();
    const a = authors[authorIdx];
    const clusterIdx = int(CLUSTERS.length);
    const lagUs = int(3_000_000);
    let rkey, uri;
    do {
      rkey = tid(timeUs - lagUs, int(1024));
      uri = `at://${a.did}/app.bsky.feed.post/${rkey}`;
    } while (creates.has(uri) || ghostUris.has(uri));
    const cid = `bafyrei${b32(52)}`;
    const createdAt = createdAtText(Math.floor((timeUs - lagUs) / 1000));
    const media = [];
    let text = makeText(CLUSTERS[clusterIdx]);
    const record = { $type: 'app.bsky.feed.post', createdAt, text, langs: ['en'] };
    if (rnd() < 0.3) { // a link at the end, with its facet (byte offsets, as atproto counts them)
      const link = `https://example.com/${CLUSTERS[clusterIdx].name}/${b32(8)}`;
      const byteStart = Buffer.byteLength(text) + 1;
      text = record.text = `${text} ${link}`;
      record.facets = [{
        features: [{ uri: link, $type: 'app.bsky.richtext.facet#link' }],
        index: { byteEnd: byteStart + link.length, byteStart, $type: 'app.bsky.richtext.facet#byteSlice' },
        $type: 'app.bsky.richtext.facet',
      }];
    }
    let replyRoot = null, replyParent = null, quote = null;
    if (created.length > 0 && rnd() < 0.25) {
      const parent = rnd() < 0.1 ? externalTarget() : created[int(created.length)];
      const rootPost = parent.root ?? parent;
      record.reply = { root: { uri: rootPost.uri, cid: rootPost.cid }, parent: { uri: parent.uri, cid: parent.cid } };
      replyRoot = rootPost;
      replyParent = parent;
    }
    const quoteTarget = () => (created.length === 0 || rnd() < 0.2 ? externalTarget() : created[int(created.length)]);
    const e = rnd();
    let images = 0, video = false;
    if (e < 0.08) {
      quote = quoteTarget();
      record.embed = { $type: 'app.bsky.embed.record', record: { cid: quote.cid, uri: quote.uri } };
    } else if (e < 0.2) {
      record.embed = imagesEmbed(media);
      images = media.length;
      if (rnd() < 0.6) {
        text = record.text = '';
        delete record.facets;
      }
    } else if (e < 0.24) {
      record.embed = videoEmbed(media);
      video = true;
    } else if (e < 0.27) {
      quote = quoteTarget();
      const mediaEmbed = rnd() < 0.7 ? imagesEmbed(media) : videoEmbed(media);
      images = media.filter((m) => m.kind === 'image').length;
      video = images === 0;
      record.embed = { $type: 'app.bsky.embed.recordWithMedia', media: mediaEmbed, record: { $type: 'app.bsky.embed.record', record: { cid: quote.cid, uri: quote.uri } } };
    } else if (e < 0.3) {
      record.embed = { $type: 'app.bsky.embed.external', external: { uri: `https://example.com/${b32(10)}`, title: 'A link', description: 'Something worth reading' } };
    }
    const raw = JSON.stringify({
      at_uri: uri, did: a.did, time_us: null,
      message: { did: a.did, kind: 'commit', time_us: timeUs, commit: { rev: tid(timeUs, int(1024)), operation: 'create', collection: 'app.bsky.feed.post', rkey, cid, record }, override_algorithms: ALGORITHMS },
      hydrated_metadata: {
        user: a.user, mentions: {},
        reply_post: replyRoot ? postView(replyRoot) : null,
        parent_post: replyParent ? postView(replyParent) : null,
        quote_post: quote ? postView(quote) : null,
      },
      override_algorithms: ALGORITHMS,
    });
    const embeddings = {};
    const vectors = {};
    const bad = [];
    models.forEach(([name], m) => {
      if (opts.badVectorRate > 0 && rnd() < opts.badVectorRate) {
        embeddings[name] = badVector();
        bad.push(name);
      } else {
        const v = makeVector(centroids[m][clusterIdx]);
        embeddings[name] = encodeEmbedding(v);
        vectors[name] = v;
      }
    });
    const inferences = JSON.stringify({ text_embeddings: embeddings, text: textScores(), images: [] });
    const row = { atUri: uri, did: a.did, timeUs, raw, inferences, images, video };
    if (ghost) {
      ghostUris.add(uri);
      return row;
    }
    counts.badVectors += bad.length;
    const expected = {
      at_uri: uri, author_did: a.did, content: text, created_at: new Date(createdAt).toISOString(), time_us: timeUs,
      thread_root_post: replyRoot ? replyRoot.uri : null, thread_parent_post: replyParent ? replyParent.uri : null,
      quote_post: quote ? quote.uri : null, media, cluster: CLUSTERS[clusterIdx].name,
    };
    if (bad.length > 0) expected.bad_vectors = bad;
    if (opts.expectVectors) {
      if (vectors[MODEL_L12]) expected.l12 = Array.from(vectors[MODEL_L12]);
      if (vectors[MODEL_L6]) expected.l6 = Array.from(vectors[MODEL_L6]);
    }
    creates.set(uri, expected);
    created.push({ uri, cid, author: authorIdx, root: replyRoot, timeUs: timeUs - lagUs });
    counts.postsCreated++;
    return row;
  };

  try {
    for (let c = 0; c < chunks; c++) {
      const windowStartUs = opts.startTimeUs + c * WINDOW_US;
      const name = `mega_jetstream_${chunkStamp(windowStartUs)}.db`;
      const tmpPath = join(opts.dir, `.${name}.tmp`);
      const zipPath = join(opts.dir, `${name}.zip`);
      rmSync(tmpPath, { force: true });
      const nPosts = postsInChunk(c);
      const expectedEvents = Math.max(1, nPosts * (1 + opts.repeatRate * 1.5 + opts.deleteRate + opts.identityRate) + 4);
      const meanStep = WINDOW_US / (expectedEvents * 1.5);
      let clock = windowStartUs;
      const tick = () => {
        clock += 1 + Math.floor(rnd() * 2 * meanStep);
        return clock;
      };
      const file = { name: `${name}.zip`, path: zipPath, rows: 0, firstTimeUs: null, lastTimeUs: null, windowStartUs, windowEndUs: windowStartUs + WINDOW_US, zipped: !notZipped.has(c), schema: opts.schema, jsonChecks: true };

      const db = new Database(tmpPath);
      db.pragma('journal_mode = OFF');
      db.pragma('synchronous = OFF');
      db.pragma('cache_size = -65536');
      db.pragma('locking_mode = EXCLUSIVE');
      const withChecks = badJsonAt[c].length === 0;
      file.jsonChecks = opts.schema === 'enriched_posts' && withChecks;
      db.exec(opts.schema === 'posts' ? POSTS_DDL : ENRICHED_POSTS_DDL(withChecks));
      const insert = opts.schema === 'posts'
        ? db.prepare('INSERT INTO posts (at_uri, did, raw_post, inferences) VALUES (?, ?, ?, ?)')
        : db.prepare('INSERT INTO enriched_posts (at_uri, did, time_us, raw_post, inferences, enriched_metadata, created_at) VALUES (?, ?, NULL, ?, ?, ?, ?)');
      const write = (kind, atUri, did, eventUs, raw, inferences, meta) => {
        if (opts.schema === 'posts') insert.run(atUri, did, raw, inferences);
        else insert.run(atUri, did, raw, inferences, meta, sqliteStamp(clock + 1_000_000));
        counts.rows[kind]++;
        counts.rows.total++;
        file.rows++;
        if (eventUs !== null) {
          if (file.firstTimeUs === null || eventUs < file.firstTimeUs) file.firstTimeUs = eventUs;
          if (file.lastTimeUs === null || eventUs > file.lastTimeUs) file.lastTimeUs = eventUs;
        }
      };
      const writeCreate = (row, kind) => write(kind, row.atUri, row.did, row.timeUs, row.raw, row.inferences, metadata(clock, row.images, row.video));
      const accountDeletion = (authorIdx) => {
        const did = authors[authorIdx].did;
        const t = tick();
        seq += 1 + int(50);
        const raw = JSON.stringify({ at_uri: '', did, time_us: null, message: { did, time_us: t, kind: 'account', account: { active: false, did, seq, status: 'deleted', time: isoOfUs(t) } } });
        write('accountDeleted', '', did, t, raw, '{}', metadata(t, -1, false));
        const list = accountDeletes.get(did) ?? [];
        list.push(t);
        accountDeletes.set(did, list);
      };
      const chunkFirstCreated = created.length;
      let badIdx = 0;

      db.transaction(() => {
        for (let k = 0; k < nPosts; k++) {
          while (accountIdx < accountEvents.length && accountEvents[accountIdx].before <= postOrdinal) accountDeletion(accountEvents[accountIdx++].author);
          const row = newPost(tick(), false);
          writeCreate(row, 'create');
          postOrdinal++;
          if (ring.length < RING) ring.push(row);
          else ring[int(RING)] = row;

          if (opts.repeatRate > 0 && rnd() < opts.repeatRate) {
            const again = olderRows.length > 0 && rnd() < 0.2 ? pick(olderRows) : pick(ring);
            tick();
            for (let n = rnd() < 0.2 ? 3 : 1; n > 0; n--) {
              writeCreate(again, 'repeat');
              counts.repeats++;
            }
          }
          if (opts.deleteRate > 0 && rnd() < opts.deleteRate) {
            const r = rnd();
            let uri, did;
            if (r < 0.45 && created.length > chunkFirstCreated) {
              const target = created[chunkFirstCreated + int(created.length - chunkFirstCreated)];
              uri = target.uri;
              did = authors[target.author].did;
            } else if (r < 0.85 && chunkFirstCreated > 0) {
              const target = created[int(chunkFirstCreated)];
              uri = target.uri;
              did = authors[target.author].did;
            } else {
              const ext = externalTarget();
              uri = ext.uri;
              did = uri.slice(5, uri.indexOf('/', 5));
            }
            const t = tick();
            const rkey = uri.slice(uri.lastIndexOf('/') + 1);
            const raw = JSON.stringify({ at_uri: uri, did, time_us: null, message: { did, kind: 'commit', time_us: t, commit: { rev: tid(t, int(1024)), operation: 'delete', collection: 'app.bsky.feed.post', rkey } } });
            write('delete', uri, did, t, raw, '{}', metadata(t, -1, false));
            const prev = ownDeletes.get(uri);
            if (!prev || t < prev.time) ownDeletes.set(uri, { did, time: t });
          }
          if (opts.identityRate > 0 && rnd() < opts.identityRate) {
            const a = authors[int(authorCount)];
            const t = tick();
            seq += 1 + int(50);
            const identity = rnd() < 0.5;
            const message = identity
              ? { did: a.did, time_us: t, kind: 'identity', identity: { did: a.did, handle: a.handle, seq, time: isoOfUs(t) } }
              : { did: a.did, time_us: t, kind: 'account', account: { active: true, did: a.did, seq, time: isoOfUs(t) } };
            const raw = JSON.stringify({ at_uri: '', did: a.did, time_us: null, message, hydrated_metadata: { user: a.user } });
            write(identity ? 'identity' : 'accountActive', '', a.did, t, raw, '{}', metadata(t, -1, false));
          }
          while (badIdx < badJsonAt[c].length && badJsonAt[c][badIdx] <= k) {
            badIdx++;
            const ghost = newPost(tick(), true);
            const cut = Math.floor(ghost.raw.length * (0.3 + rnd() * 0.6));
            write('badJson', ghost.atUri, ghost.did, null, ghost.raw.slice(0, cut), '{}', metadata(clock, 0, false));
            counts.badJsonRows++;
          }
        }
        if (c === chunks - 1) {
          while (accountIdx < accountEvents.length) accountDeletion(accountEvents[accountIdx++].author);
        }
      })();
      db.close();
      for (let n = 0; n < 2 && ring.length > 0; n++) {
        if (olderRows.length < 8) olderRows.push(pick(ring));
        else olderRows[int(8)] = pick(ring);
      }

      if (notZipped.has(c)) {
        renameSync(tmpPath, zipPath); // real chunks exist like this: raw SQLite under a .db.zip name
      } else {
        zipper ??= startZipper();
        zipJobs.push(zipper.zip({ tmpPath, zipPath, entryName: name, mtimeMs: windowStartUs / 1000, level: opts.zipLevel }));
      }
      files.push(file);
      counts.files++;
    }
    await Promise.all(zipJobs);
  } finally {
    await zipper?.close(); // after a failure too, or the worker would keep the process alive
  }

  // --- expected end state, from the accumulated events
  const posts = {};
  const postTombstones = {};
  const accountTombstones = {};
  for (const [did, times] of accountDeletes) {
    times.sort((x, y) => x - y);
    accountTombstones[did] = { did, deleted_at: isoOfUs(times[times.length - 1]) };
  }
  for (const [uri, d] of ownDeletes) {
    postTombstones[uri] = { at_uri: uri, author_did: d.did, deleted_at: isoOfUs(d.time), reason: 'delete' };
  }
  for (const [uri, post] of creates) {
    if (postTombstones[uri]) continue;
    const times = accountDeletes.get(post.author_did) ?? [];
    const latest = times[times.length - 1];
    if (latest !== undefined && latest > post.time_us) {
      postTombstones[uri] = { at_uri: uri, author_did: post.author_did, deleted_at: isoOfUs(latest), reason: 'account_deleted' };
    } else {
      posts[uri] = post;
    }
  }
  return { files, expected: { posts, postTombstones, accountTombstones }, counts };
}

// ---------------------------------------------------------------- zipping, in a worker thread

/** Zips one SQLite file as a single deflated entry, then removes the SQLite file. */
export async function zipChunkFile({ tmpPath, zipPath, entryName, mtimeMs, level }) {
  const zip = new yazl.ZipFile();
  zip.addFile(tmpPath, entryName, { compress: level > 0, compressionLevel: level, mtime: new Date(mtimeMs) });
  zip.end();
  const ws = createWriteStream(zipPath);
  zip.outputStream.pipe(ws);
  await once(ws, 'close');
  rmSync(tmpPath, { force: true });
}

/**
 * A worker running zipChunkFile jobs in order, so zipping chunk i overlaps writing chunk i + 1
 * (the SQLite writes are synchronous and would otherwise stall an in-thread zip stream).
 */
function startZipper() {
  const worker = new Worker(new URL(import.meta.url), { workerData: { role: 'zipper' } });
  const waiting = new Map();
  let next = 0;
  let failure = null;
  const failAll = (err) => {
    failure = err;
    for (const { reject } of waiting.values()) reject(err);
    waiting.clear();
  };
  worker.on('message', ({ id, error }) => {
    const job = waiting.get(id);
    waiting.delete(id);
    if (error) job?.reject(new Error(`zipping failed: ${error}`));
    else job?.resolve();
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => { if (waiting.size > 0) failAll(new Error(`zip worker exited with code ${code}`)); });
  return {
    zip(job) {
      if (failure) return Promise.reject(failure);
      const id = next++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, job });
      });
    },
    close: () => worker.terminate(),
  };
}

if (!isMainThread && workerData?.role === 'zipper') {
  let queue = Promise.resolve();
  parentPort.on('message', ({ id, job }) => {
    queue = queue.then(() => zipChunkFile(job)).then(
      () => parentPort.postMessage({ id }),
      (err) => parentPort.postMessage({ id, error: String(err?.message ?? err) }),
    );
  });
}

// ---------------------------------------------------------------- CLI

const FLAGS = {
  '--out': ['dir', 'string'], '--posts': ['posts', 'number'], '--chunks': ['chunks', 'number'], '--seed': ['seed', 'number'],
  '--repeat-rate': ['repeatRate', 'number'], '--delete-rate': ['deleteRate', 'number'],
  '--account-deletions': ['accountDeletions', 'number'], '--identity-rate': ['identityRate', 'number'],
  '--bad-vector-rate': ['badVectorRate', 'number'], '--bad-json-rows': ['badJsonRows', 'number'],
  '--not-zipped': ['notZipped', 'list'], '--schema': ['schema', 'string'], '--start-time-us': ['startTimeUs', 'number'],
  '--zip-level': ['zipLevel', 'number'], '--manifest': ['manifest', 'string'],
  '--no-mpnet': ['mpnet', false], '--expect-vectors': ['expectVectors', true],
};
const USAGE = 'usage: generate-posts-chunks.mjs --out DIR [--posts N] [--chunks N] [--seed S] [--repeat-rate R] [--delete-rate R] ' +
  '[--account-deletions N] [--identity-rate R] [--bad-vector-rate R] [--bad-json-rows N] [--not-zipped 0,3] ' +
  '[--schema enriched_posts|posts] [--no-mpnet] [--expect-vectors] [--start-time-us US] [--zip-level 0-9] [--manifest FILE]';

export function parseArgs(argv) {
  const opts = { expectVectors: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = FLAGS[argv[i]];
    if (!flag) throw new Error(`unknown argument: ${argv[i]}\n${USAGE}`);
    const [key, type] = flag;
    if (typeof type === 'boolean') {
      opts[key] = type;
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new Error(`missing value after ${argv[i - 1]}\n${USAGE}`);
    if (type === 'string') opts[key] = value;
    else if (type === 'list') opts[key] = value.split(',').filter(Boolean).map(Number);
    else {
      opts[key] = Number(value.replace(/_/g, ''));
      if (!Number.isFinite(opts[key])) throw new Error(`not a number: ${argv[i - 1]} ${value}`);
    }
  }
  if (!opts.dir) throw new Error(USAGE);
  return opts;
}

if (isMainThread && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const { manifest, ...opts } = parseArgs(process.argv.slice(2));
    const t0 = process.hrtime.bigint();
    const result = await generatePostsChunks(opts);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (manifest) writeFileSync(manifest, JSON.stringify(result));
    const bytes = result.files.reduce((sum, f) => sum + statSync(f.path).size, 0);
    console.log(JSON.stringify({
      files: result.counts.files, rows: result.counts.rows.total, posts: result.counts.postsCreated,
      livePosts: Object.keys(result.expected.posts).length, postTombstones: Object.keys(result.expected.postTombstones).length,
      accountTombstones: Object.keys(result.expected.accountTombstones).length, bytes, seconds: +seconds.toFixed(3), seed: opts.seed ?? DEFAULTS.seed,
    }));
  } catch (err) {
    console.error(String(err?.message ?? err));
    process.exit(1);
  }
}
