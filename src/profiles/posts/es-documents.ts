import type {
  EsDocumentModel,
  EsLookup,
  EsOperation,
  RowObject,
} from '../es-document-model.js';
import { POSTS_ES_INDEXES } from './es-mappings.js';
import { settlePosts } from './es-settle.js';
import { accountId, olderPostsQuery, POSTS, tombstone, TOMBSTONES, type Tombstone } from './es-tombstones.js';
import { postDocumentJson } from './post-document.js';
import { ACCOUNT_TOMBSTONES_TABLE, POST_TOMBSTONES_TABLE, POSTS_TABLE } from './tables.js';

/**
 * Posts into Elasticsearch with the rules of the SQLite schema, so both sinks end the same whatever
 * order chunks come in: a post with a tombstone (its own, or its author's account deletion after
 * it) is never indexed; a post's own delete wins over an account deletion, the earliest time of a
 * kind is kept; an account deletion tombstones and deletes every older post of its author; of two
 * versions of a post, the later event wins (external versions: the event time). Account
 * tombstones live in `post_tombstones` too (`kind: account`): megastream_ingest's API key covers only
 * `posts` and `post_tombstones`.
 */
export const POSTS_ES_MODEL: EsDocumentModel = {
  indexes: POSTS_ES_INDEXES,
  async plan(batch, lookup) {
    const rows = (table: number): RowObject[] => batch.filter((b) => b.table === table).flatMap((b) => b.rows);
    return planPosts(rows(POSTS_TABLE), rows(POST_TOMBSTONES_TABLE), rows(ACCOUNT_TOMBSTONES_TABLE), lookup);
  },
  repeatsIn(batch) {
    const posts = batch.filter((b) => b.table === POSTS_TABLE).flatMap((b) => b.rows);
    return posts.length - new Set(posts.map((p) => p.at_uri)).size;
  },
  settle: settlePosts,
};

async function planPosts(posts: RowObject[], deletes: RowObject[], accounts: RowObject[], lookup: EsLookup): Promise<EsOperation[]> {
  const ops: EsOperation[] = [];
  // Creates: the latest event of each post (a repeat or an update of the same post collapses).
  const latest = new Map<string, RowObject>();
  for (const p of posts) {
    const prev = latest.get(p.at_uri as string);
    if (!prev || (p.time_us as number) >= (prev.time_us as number)) latest.set(p.at_uri as string, p);
  }
  // Every tombstone that decides something in this batch, read once (real-time GET).
  const refs = new Map<string, string>();
  for (const p of latest.values()) {
    refs.set(p.at_uri as string, p.author_did as string);
    refs.set(accountId(p.author_did as string), p.author_did as string);
  }
  for (const d of deletes) refs.set(d.at_uri as string, d.author_did as string);
  for (const a of accounts) refs.set(accountId(a.did as string), a.did as string);
  const known = (await lookup.get(TOMBSTONES, [...refs].map(([id, routing]) => ({ id, routing })))) as unknown as Map<string, Tombstone>;
  const write = (t: Tombstone): void => {
    known.set(t.at_uri, t);
    ops.push({ action: 'index', index: TOMBSTONES, id: t.at_uri, routing: t.author_did, source: { ...t } });
  };
  // A post goes once its tombstone is acknowledged (held until the commit): a run killed in between,
  // or another writer indexing the post meanwhile, finds the tombstone and the post and mends it.
  const removePost = (atUri: string, did: string): void => {
    ops.push({ action: 'delete', index: POSTS, id: atUri, routing: did, afterAcknowledged: true });
  };

  for (const d of deletes) {
    const atUri = d.at_uri as string;
    const did = d.author_did as string;
    const time = d.deleted_time_us as number;
    const have = known.get(atUri);
    if (!have || have.reason !== 'delete' || time < have.deleted_time_us) {
      write(tombstone(atUri, did, 'post', 'delete', d.deleted_at as string, time, d.indexed_at as string));
    }
    removePost(atUri, did);
    latest.delete(atUri);
  }

  for (const a of accounts) {
    const did = a.did as string;
    const time = a.deleted_time_us as number;
    const have = known.get(accountId(did));
    const newer = !have || time > have.deleted_time_us;
    // The account's latest deletion: every tombstone it makes carries that time (as in SQLite).
    const newest = have && !newer ? { at: have.deleted_at, time: have.deleted_time_us } : { at: a.deleted_at as string, time };
    if (newer) write(tombstone(accountId(did), did, 'account', 'account_deleted', newest.at, time, a.indexed_at as string));
    // Every step below is redone also when the account's tombstone is there already: a run killed
    // after that tombstone was applied, but before the writes below were, is mended this way.
    // Tombstones this account's earlier deletion made get its latest time.
    if (have) {
      const earlier = await lookup.search(
        TOMBSTONES,
        { bool: { filter: [{ term: { author_did: did } }, { term: { reason: 'account_deleted' } }, { term: { kind: 'post' } }] } },
        did,
      );
      const inBatch = [...known.values()].filter((t) => t.author_did === did && t.kind === 'post' && t.reason === 'account_deleted');
      for (const s of [...earlier.map((t) => t.source as unknown as Tombstone), ...inBatch]) {
        if (known.get(s.at_uri)?.reason === 'delete') continue;
        if (s.deleted_time_us !== newest.time) write({ ...s, deleted_at: newest.at, deleted_time_us: newest.time });
      }
    }
    // Posts of this author already indexed (by earlier batches), older than the deletion.
    const older = await lookup.search(POSTS, olderPostsQuery(did, newest.time), did);
    const already = await lookup.get(TOMBSTONES, older.map((o) => ({ id: o.id, routing: did })));
    for (const o of older) {
      if (!already.has(o.id) && !known.has(o.id)) {
        write(tombstone(o.id, did, 'post', 'account_deleted', newest.at, newest.time, a.indexed_at as string));
      }
    }
    for (const o of older) removePost(o.id, did);
  }

  for (const p of latest.values()) {
    const atUri = p.at_uri as string;
    const did = p.author_did as string;
    if (known.has(atUri)) continue;
    const account = known.get(accountId(did));
    if (account && account.deleted_time_us > (p.time_us as number)) {
      write(tombstone(atUri, did, 'post', 'account_deleted', account.deleted_at, account.deleted_time_us, p.indexed_at as string));
      continue;
    }
    // Versioned by event time, as SQLite keeps the latest event: an older create or update processed
    // after a newer one (chunks out of order, a late chunk) is stale instead of overwriting it.
    const time = p.time_us as number;
    const version = Number.isFinite(time) && time >= 0 && time <= Number.MAX_SAFE_INTEGER ? Math.floor(time) : undefined;
    ops.push({ action: 'index', index: POSTS, id: atUri, routing: did, sourceBytes: postDocument(p), version });
  }
  return lastWriteOfEach(ops);
}

/**
 * One `index` per document: a tombstone rewritten within a batch (an account deletion after a post
 * delete) keeps only its last version, so a per-item retry cannot reorder two writes of one id.
 */
function lastWriteOfEach(ops: EsOperation[]): EsOperation[] {
  const last = new Map<string, number>();
  ops.forEach((op, i) => {
    if (op.action === 'index') last.set(`${op.index}\u0000${op.id}`, i);
  });
  return ops.filter((op, i) => op.action !== 'index' || last.get(`${op.index}\u0000${op.id}`) === i);
}

/**
 * The `posts` document of a row as UTF-8 JSON: made in the parser thread (ProfileOptions.documents),
 * or here from the row's columns and vector blobs when rows came otherwise.
 */
function postDocument(p: RowObject): Uint8Array {
  if (p.document_json instanceof Uint8Array) return p.document_json;
  const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  const blob = (v: unknown): Uint8Array | null => (v instanceof Uint8Array ? v : null);
  const made = postDocumentJson(
    {
      at_uri: p.at_uri as string,
      author_did: p.author_did as string,
      content: text(p.content) ?? '',
      created_at: text(p.created_at),
      time_us: p.time_us as number,
      thread_root_post: text(p.thread_root_post),
      thread_parent_post: text(p.thread_parent_post),
      quote_post: text(p.quote_post),
      media: typeof p.media === 'string' ? (JSON.parse(p.media) as unknown[]) : null,
      indexed_at: p.indexed_at as string,
    },
    [blob(p.embedding_l12), blob(p.embedding_l6)],
  );
  return new Uint8Array(made); // its own copy: the next document reuses the buffer
}
