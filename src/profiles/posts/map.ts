import { jsonTooDeep, tooDeepReason } from '../../core/json-depth.js';
import type { RowValue } from '../../core/rows/table-spec.js';
import type { MapVerdict, RowEmitter } from '../profile.js';
import { embeddingTexts } from './embedding-texts.js';
import { decodeEmbedding } from './embedding.js';
import { mediaOf } from './media.js';
import { EMBEDDING_MODELS, postDocumentJson } from './post-document.js';
import { ACCOUNT_TOMBSTONES_TABLE, POST_TOMBSTONES_TABLE, POSTS_TABLE } from './tables.js';

type Json = Record<string, unknown>;

const obj = (v: unknown): Json | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

const POST_COLLECTION = 'app.bsky.feed.post';

/**
 * One Megastream row (`enriched_posts` or `posts`: `at_uri`, `did`, `raw_post`, `inferences`) into a
 * post, a post tombstone or an account tombstone:
 * - `commit` create/update of a post → `posts` (vectors decoded; a bad vector is left out and noted);
 * - `commit` delete → `post_tombstones`;
 * - `account` with `active: false, status: deleted` → `account_tombstones`;
 * - everything else (identity events, active accounts, other collections) is counted as skipped.
 * A `raw_post` that is not JSON is a bad record.
 */
export function mapPostRow(record: unknown, emit: RowEmitter, now: string, documents = false): MapVerdict {
  const row = obj(record);
  if (!row) return { bad: 'not_an_object: expected a table row' };
  if (typeof row.raw_post === 'string' && jsonTooDeep(row.raw_post)) return { bad: `${tooDeepReason()}: raw_post` };
  let raw: Json | undefined;
  try {
    raw = obj(typeof row.raw_post === 'string' ? JSON.parse(row.raw_post) : row.raw_post);
  } catch (err) {
    return { bad: `invalid_json: raw_post: ${(err as Error).message}` };
  }
  if (!raw) return { bad: 'wrong_type: raw_post is not a JSON object' };
  const message = obj(raw.message);
  if (!message) return { bad: 'missing_key: raw_post.message' };
  const did = str(message.did) ?? str(row.did) ?? str(raw.did);
  const timeUs = typeof message.time_us === 'number' ? message.time_us : typeof row.time_us === 'number' ? row.time_us : null;
  if (message.kind === 'account') return mapAccount(obj(message.account), did, timeUs, emit, now);
  if (message.kind !== 'commit') return { skip: true };
  const commit = obj(message.commit);
  if (!commit) return { bad: 'missing_key: raw_post.message.commit' };
  if (commit.collection !== undefined && commit.collection !== POST_COLLECTION) return { skip: true };
  if (!did) return { bad: 'missing_key: did' };
  const atUri = str(row.at_uri) ?? str(raw.at_uri) ?? (typeof commit.rkey === 'string' ? `at://${did}/${POST_COLLECTION}/${commit.rkey}` : null);
  if (!atUri) return { bad: 'missing_key: at_uri' };
  if (timeUs === null) return { bad: 'missing_key: raw_post.message.time_us' };
  if (commit.operation === 'delete') {
    const tombstone: RowValue[] = [atUri, did, isoOfMicros(timeUs), timeUs, 'delete', now];
    emit.row(POST_TOMBSTONES_TABLE, tombstone);
    return undefined;
  }
  if (commit.operation !== 'create' && commit.operation !== 'update') return { skip: true };
  const rec = obj(commit.record) ?? {};
  const hydrated = obj(raw.hydrated_metadata) ?? {};
  const media = mediaOf(rec.embed);
  const vectors = embeddingsOf(row.inferences, atUri, emit);
  const content = typeof rec.text === 'string' ? rec.text : '';
  const createdAt = utcIso(rec.createdAt);
  const root = str(obj(hydrated.reply_post)?.uri);
  const parent = str(obj(hydrated.parent_post)?.uri);
  const quote = str(obj(hydrated.quote_post)?.uri);
  // For Elasticsearch the document carries every field: the row keeps only what the planner reads
  // (id, author, time), so the writer's thread does not hold each post's text twice.
  const values: RowValue[] = documents
    ? [
        atUri,
        did,
        null,
        null,
        timeUs,
        null,
        null,
        null,
        null,
        null,
        null,
        now,
        postDocumentJson(
          { at_uri: atUri, author_did: did, content, created_at: createdAt, time_us: timeUs, thread_root_post: root, thread_parent_post: parent, quote_post: quote, media: media.length > 0 ? media : null, indexed_at: now },
          vectors,
        ),
      ]
    : [atUri, did, content, createdAt, timeUs, root, parent, quote, media.length > 0 ? JSON.stringify(media) : null, vectors[0] ?? null, vectors[1] ?? null, now, null];
  emit.row(POSTS_TABLE, values);
  return undefined;
}

function mapAccount(account: Json | undefined, did: string | null, timeUs: number | null, emit: RowEmitter, now: string): MapVerdict {
  if (!account || account.active !== false || account.status !== 'deleted') return { skip: true };
  const who = str(account.did) ?? did;
  if (!who) return { bad: 'missing_key: account.did' };
  const at = timeUs ?? (typeof account.time === 'string' ? Date.parse(account.time) * 1000 : Number.NaN);
  if (!Number.isFinite(at)) return { bad: 'missing_key: raw_post.message.time_us' };
  emit.row(ACCOUNT_TOMBSTONES_TABLE, [who, isoOfMicros(at), at, now]);
  return undefined;
}

/** The kept embeddings of a row's `inferences`, in `EMBEDDING_MODELS` order; bad ones are noted and left out. */
function embeddingsOf(inferences: unknown, atUri: string, emit: RowEmitter): Array<Uint8Array | null> {
  // Most of an inferences text is scores and other models: only its text_embeddings are read.
  const fast = typeof inferences === 'string' ? embeddingTexts(inferences) : undefined;
  let embeddings: Json | undefined;
  if (fast) {
    embeddings = Object.fromEntries(fast);
  } else if (typeof inferences === 'string' && jsonTooDeep(inferences)) {
    emit.warn(`${atUri}: inferences nests too deep; embeddings left out`);
    return [];
  } else {
    try {
      embeddings = obj(obj(typeof inferences === 'string' ? JSON.parse(inferences) : inferences)?.text_embeddings);
    } catch {
      emit.warn(`${atUri}: inferences is not JSON; embeddings left out`);
      return [];
    }
  }
  if (!embeddings) return [];
  const found = embeddings;
  return EMBEDDING_MODELS.map(({ key }) => {
    if (found[key] === undefined || found[key] === null) return null;
    const decoded = decodeEmbedding(found[key]);
    if ('bytes' in decoded) return decoded.bytes;
    emit.warn(`${atUri}: ${key} embedding left out (${decoded.problem})`);
    return null;
  });
}

/** µs since the epoch as UTC ISO 8601 (millisecond precision, as Elasticsearch dates). */
export function isoOfMicros(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString();
}

/** A date-time string in any offset as UTC ISO 8601; null when it is not one. */
function utcIso(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}
