import { FLOAT32_JSON_MAX_BYTES, writeFloat32Json } from './float32-json.js';

/** The embeddings Sluice keeps: Megastream's key → the field's name in documents and reports. */
export const EMBEDDING_MODELS = [
  { key: 'all-MiniLM-L12-v2', field: 'all_MiniLM_L12_v2' },
  { key: 'all-MiniLM-L6-v2', field: 'all_MiniLM_L6_v2' },
] as const;

/** The fields of a `posts` document (megastream_ingest's shape, plus `time_us` and `media`). */
export interface PostFields {
  at_uri: string;
  author_did: string;
  content: string;
  created_at: string | null;
  time_us: number;
  thread_root_post: string | null;
  thread_parent_post: string | null;
  quote_post: string | null;
  media: unknown[] | null;
  indexed_at: string;
}

/** `"embeddings":{`, `"all_MiniLM_L12_v2":[` and `"all_MiniLM_L6_v2":[` as bytes. */
const EMBEDDINGS_OPENER = Buffer.from(',"embeddings":{', 'latin1');
const FIELD_OPENERS = EMBEDDING_MODELS.map(({ field }) => Buffer.from(`${JSON.stringify(field)}:[`, 'latin1'));

/** Room for one document; reused, so building a document allocates no bytes of its own. */
let scratch = Buffer.allocUnsafeSlow(64 * 1024);

/**
 * A `posts` document as UTF-8 JSON bytes, `embeddings` (float32 vectors in `EMBEDDING_MODELS`
 * order, null where left out) included when any is kept. Serializing 768 floats is the costliest
 * part of a document: the parser threads do it, so the writer only frames the bytes into requests.
 *
 * The bytes are a view of a buffer that the next call overwrites: use them at once (a row chunk
 * copies blob values in), or copy them.
 */
export function postDocumentJson(post: PostFields, vectors: ReadonlyArray<Uint8Array | null>): Uint8Array {
  const doc: Record<string, unknown> = {
    at_uri: post.at_uri,
    author_did: post.author_did,
    content: post.content,
    created_at: post.created_at,
    time_us: post.time_us,
  };
  if (post.thread_root_post) doc.thread_root_post = post.thread_root_post;
  if (post.thread_parent_post) doc.thread_parent_post = post.thread_parent_post;
  if (post.quote_post) doc.quote_post = post.quote_post;
  if (post.media) doc.media = post.media;
  doc.indexed_at = post.indexed_at;
  const head = JSON.stringify(doc);
  if (!vectors.some((v) => v)) return Buffer.from(head, 'utf8');

  let need = Buffer.byteLength(head, 'utf8') + EMBEDDINGS_OPENER.length + 2;
  vectors.forEach((bytes, i) => {
    if (bytes) need += (FIELD_OPENERS[i]?.length ?? 0) + 2 + (bytes.byteLength / 4) * (FLOAT32_JSON_MAX_BYTES + 1);
  });
  if (scratch.length < need) scratch = Buffer.allocUnsafeSlow(need * 2);
  const out = scratch;
  let p = out.write(head, 0, 'utf8') - 1; // drops the closing brace
  out.set(EMBEDDINGS_OPENER, p);
  p += EMBEDDINGS_OPENER.length;
  let first = true;
  vectors.forEach((bytes, i) => {
    const opener = FIELD_OPENERS[i];
    if (!bytes || !opener) return;
    if (!first) out[p++] = 0x2c; // ,
    first = false;
    out.set(opener, p);
    p += opener.length;
    p = writeFloat32Json(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4), out, p);
    out[p++] = 0x5d; // ]
  });
  out[p++] = 0x7d; // } of embeddings
  out[p++] = 0x7d; // } of the document
  return out.subarray(0, p);
}
