/**
 * Typed access to the seeded Megastream chunk generator in `bench/` (plain `.mjs`, no declarations).
 * It is loaded with a dynamic import of a computed URL, so TypeScript does not try to type the file
 * itself; the shapes below are the contract tests and benchmarks of the `posts` profile rely on.
 */

/** Options of `generatePostsChunks` (see bench/generate-posts-chunks.mjs). */
export interface PostsChunksOptions {
  /** Folder the `mega_jetstream_YYYYMMDD_HHMMSS.db.zip` files are written to (created if missing). */
  dir: string;
  /** PRNG seed; the same seed and options give the same rows. Default 1. */
  seed?: number;
  /** Distinct posts created over all chunks. Default 1000. */
  posts?: number;
  /** Chunk files; chunk i covers event time [startTimeUs + i·300 s, + 300 s). Default 5. */
  chunks?: number;
  /** Chance, per new post, of re-writing a recent create row (1 or 3 identical rows). Default 0.05. */
  repeatRate?: number;
  /** Chance, per new post, of a post delete event (same chunk, earlier chunk or never-created post). Default 0.05. */
  deleteRate?: number;
  /** Authors whose account is deleted mid-stream (the first of them twice). Default 2. */
  accountDeletions?: number;
  /** Chance, per new post, of an identity or active-account event (no effect on the end state). Default 0.01. */
  identityRate?: number;
  /** Chance, per vector, that it is bad: 100 floats, characters outside base85, or not zlib. Default 0. */
  badVectorRate?: number;
  /** Rows whose raw_post is truncated JSON; their chunk's table has no json_valid CHECKs. Default 0. */
  badJsonRows?: number;
  /** Chunk indexes written as raw SQLite bytes under the `.db.zip` name. Default []. */
  notZipped?: number[];
  /** `enriched_posts` (the real schema) or `posts` (the older 4-column table). Default 'enriched_posts'. */
  schema?: 'enriched_posts' | 'posts';
  /** Also write the 768-float `all-mpnet-base-v2` vector. Default true. */
  mpnet?: boolean;
  /** Put the l12/l6 float values into the expected posts. Default true (the bench passes false). */
  expectVectors?: boolean;
  /** Start of the first chunk's window, µs since the epoch. Default 2025-09-25T00:00:00Z. */
  startTimeUs?: number;
  /** Deflate level of the zip entries, 0 = stored. Default 1 (Python zipfile uses 6: slower, barely smaller). */
  zipLevel?: number;
}

/** One media item of an expected post, in record order (images of an embed, or its video). */
export interface ExpectedMedia {
  kind: 'image' | 'video';
  /** The blob CID, `ref.$link`. */
  id: string;
  mime_type: string;
  size: number;
  /** `width:height` from the embed's aspectRatio, or null when the embed has none. */
  aspect_ratio: string | null;
}

/** A post that is live in the end state. */
export interface ExpectedPost {
  at_uri: string;
  author_did: string;
  /** record.text; '' for most image posts. */
  content: string;
  /** record.createdAt normalised with `new Date(x).toISOString()`. */
  created_at: string;
  /** message.time_us of the create event. */
  time_us: number;
  /** hydrated_metadata.reply_post.uri (the thread root), or null. */
  thread_root_post: string | null;
  /** hydrated_metadata.parent_post.uri, or null. */
  thread_parent_post: string | null;
  /** hydrated_metadata.quote_post.uri, or null. */
  quote_post: string | null;
  media: ExpectedMedia[];
  /** Topic cluster the text and vectors were drawn from. */
  cluster: string;
  /** Names of the models whose vector in this post is bad; absent when all are good. */
  bad_vectors?: string[];
  /** all-MiniLM-L12-v2 float32 values; only with expectVectors and a good vector. */
  l12?: number[];
  /** all-MiniLM-L6-v2 float32 values; only with expectVectors and a good vector. */
  l6?: number[];
}

export interface ExpectedPostTombstone {
  at_uri: string;
  author_did: string;
  /** ISO time: earliest own delete, else earliest account deletion after the post's time_us. */
  deleted_at: string;
  reason: 'delete' | 'account_deleted';
}

export interface ExpectedAccountTombstone {
  did: string;
  /** ISO time of the latest account deletion event. */
  deleted_at: string;
}

export interface PostsChunkFile {
  /** `mega_jetstream_YYYYMMDD_HHMMSS.db.zip`; the stamp is the window start (UTC). */
  name: string;
  path: string;
  rows: number;
  /** Min / max message.time_us over the file's rows (repeats can predate the window); null if none. */
  firstTimeUs: number | null;
  lastTimeUs: number | null;
  windowStartUs: number;
  windowEndUs: number;
  /** False for a chunk listed in notZipped (raw SQLite under the .zip name). */
  zipped: boolean;
  schema: 'enriched_posts' | 'posts';
  /** Whether the table has the json_valid CHECKs (false with bad JSON rows, and for `posts`). */
  jsonChecks: boolean;
}

export interface PostsChunksCounts {
  rows: {
    create: number; repeat: number; delete: number; accountDeleted: number; accountActive: number;
    identity: number; badJson: number; total: number;
  };
  /** Distinct posts created (= keys of posts + created posts among postTombstones). */
  postsCreated: number;
  repeats: number;
  /** Bad vectors over all models, in the posts that count (not in bad-JSON rows). */
  badVectors: number;
  badJsonRows: number;
  files: number;
}

export interface PostsChunksManifest {
  files: PostsChunkFile[];
  expected: {
    posts: Record<string, ExpectedPost>;
    postTombstones: Record<string, ExpectedPostTombstone>;
    accountTombstones: Record<string, ExpectedAccountTombstone>;
  };
  counts: PostsChunksCounts;
}

/** The parts of the generator module tests use. */
export interface PostsChunksGenerator {
  generatePostsChunks(options: PostsChunksOptions): Promise<PostsChunksManifest>;
  /** Python's `base64.b85encode` (RFC 1924 alphabet, no padding). */
  b85encode(bytes: Uint8Array): string;
  /** base85(zlib(little-endian float32)); `compress: false` uses deflate stored blocks. */
  encodeEmbedding(floats: Float32Array, compress?: boolean): string;
  /** `YYYYMMDD_HHMMSS` (UTC) of a time in µs, as in chunk file names. */
  chunkStamp(timeUs: number): string;
  /** The ISO form of event times in the expected state: `new Date(floor(us / 1000)).toISOString()`. */
  isoOfUs(timeUs: number): string;
  /** The seeded PRNG: uniform numbers in [0, 1). */
  mulberry32(seed: number): () => number;
  MODEL_L12: 'all-MiniLM-L12-v2';
  MODEL_L6: 'all-MiniLM-L6-v2';
  MODEL_MPNET: 'all-mpnet-base-v2';
  /** Event time each chunk covers, µs. */
  WINDOW_US: number;
}

const GENERATOR_URL = new URL('../../bench/generate-posts-chunks.mjs', import.meta.url).href;

/** Loads bench/generate-posts-chunks.mjs. */
export async function loadPostsChunksGenerator(): Promise<PostsChunksGenerator> {
  return (await import(GENERATOR_URL)) as PostsChunksGenerator;
}
