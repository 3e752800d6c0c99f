import type { ColumnSpec, TableSpec } from '../../core/rows/table-spec.js';

const text = (name: string, description: string): ColumnSpec => ({ name, kind: 'text', sqlType: 'TEXT', description });
const integer = (name: string, description: string): ColumnSpec => ({ name, kind: 'number', sqlType: 'INTEGER', description });
const blob = (name: string, description: string): ColumnSpec => ({ name, kind: 'blob', sqlType: 'BLOB', description });

/** Index of each table in `POSTS_TABLES` (what `map` emits to). */
export const POSTS_TABLE = 0;
export const POST_TOMBSTONES_TABLE = 1;
export const ACCOUNT_TOMBSTONES_TABLE = 2;

/** One row per live post (`_id = at_uri` in Elasticsearch). A post with a tombstone never enters. */
export const POSTS: TableSpec = {
  name: 'posts',
  uniqueKey: ['at_uri'],
  columns: [
    text('at_uri', 'AT URI of the post (at://did/app.bsky.feed.post/rkey).'),
    text('author_did', 'DID of the author.'),
    text('content', 'record.text; empty on image-only posts.'),
    text('created_at', 'record.createdAt normalised to UTC ISO 8601 (NULL when missing or not a date).'),
    integer('time_us', 'Event time of the create (message.time_us, µs since the epoch).'),
    text('thread_root_post', 'hydrated_metadata.reply_post.uri: root of the thread a reply belongs to.'),
    text('thread_parent_post', 'hydrated_metadata.parent_post.uri: the post replied to.'),
    text('quote_post', 'hydrated_metadata.quote_post.uri: the post quoted.'),
    text('media', 'JSON array of images/videos: {kind, id, mime_type, size, aspect_ratio}.'),
    blob('embedding_l12', 'all-MiniLM-L12-v2 sentence embedding: 384 little-endian float32 (NULL when absent or bad).'),
    blob('embedding_l6', 'all-MiniLM-L6-v2 sentence embedding: 384 little-endian float32 (NULL when absent or bad).'),
    text('indexed_at', 'When Sluice stored it (UTC ISO 8601).'),
    {
      name: 'document_json',
      // Bytes, not text: they are transferred (not copied) from the parser thread and never become
      // a string on the writer's heap.
      kind: 'blob',
      sqlType: 'BLOB',
      stored: false,
      description: 'Elasticsearch only: the whole posts document as UTF-8 JSON, built in the parser thread.',
    },
  ],
  // An update (a later event of the same post) replaces it; a repeat of the same event is a duplicate.
  sqliteOnConflict: `DO UPDATE SET content = excluded.content, created_at = excluded.created_at, time_us = excluded.time_us,
    thread_root_post = excluded.thread_root_post, thread_parent_post = excluded.thread_parent_post,
    quote_post = excluded.quote_post, media = excluded.media, embedding_l12 = excluded.embedding_l12,
    embedding_l6 = excluded.embedding_l6, indexed_at = excluded.indexed_at
    WHERE excluded.time_us > time_us`,
  postgresOnConflict: `DO UPDATE SET content = excluded.content, created_at = excluded.created_at, time_us = excluded.time_us,
    thread_root_post = excluded.thread_root_post, thread_parent_post = excluded.thread_parent_post,
    quote_post = excluded.quote_post, media = excluded.media, embedding_l12 = excluded.embedding_l12,
    embedding_l6 = excluded.embedding_l6, indexed_at = excluded.indexed_at
    WHERE excluded.time_us > posts.time_us`,
};

/**
 * A deleted post. Upserted so the result does not depend on the order chunks are processed in: the
 * post's own delete wins over its author's account deletion, the earliest time of either kind is kept.
 */
export const POST_TOMBSTONES: TableSpec = {
  name: 'post_tombstones',
  uniqueKey: ['at_uri'],
  columns: [
    text('at_uri', 'AT URI of the deleted post.'),
    text('author_did', 'DID of the author.'),
    text('deleted_at', 'Time of the delete event (UTC ISO 8601).'),
    integer('deleted_time_us', 'Time of the delete event, µs since the epoch.'),
    text('reason', '`delete` (the post was deleted) or `account_deleted` (its author account was).'),
    text('indexed_at', 'When Sluice stored it (UTC ISO 8601).'),
  ],
  sqliteOnConflict: `DO UPDATE SET
    deleted_time_us = CASE WHEN reason = 'delete' THEN min(deleted_time_us, excluded.deleted_time_us) ELSE excluded.deleted_time_us END,
    deleted_at = CASE WHEN reason = 'delete' AND deleted_time_us <= excluded.deleted_time_us THEN deleted_at ELSE excluded.deleted_at END,
    reason = 'delete'`,
  // The same, except that a delete that changes nothing (a repeat, or a later one) is a duplicate.
  postgresOnConflict: `DO UPDATE SET
    deleted_time_us = CASE WHEN post_tombstones.reason = 'delete'
      THEN LEAST(post_tombstones.deleted_time_us, excluded.deleted_time_us) ELSE excluded.deleted_time_us END,
    deleted_at = CASE WHEN post_tombstones.reason = 'delete' AND post_tombstones.deleted_time_us <= excluded.deleted_time_us
      THEN post_tombstones.deleted_at ELSE excluded.deleted_at END,
    reason = 'delete'
    WHERE post_tombstones.reason <> 'delete' OR excluded.deleted_time_us < post_tombstones.deleted_time_us`,
};

/** A deleted account (`kind: account`, `active: false`, `status: deleted`); the latest time is kept. */
export const ACCOUNT_TOMBSTONES: TableSpec = {
  name: 'account_tombstones',
  uniqueKey: ['did'],
  columns: [
    text('did', 'DID of the deleted account.'),
    text('deleted_at', 'Time of the account event (UTC ISO 8601).'),
    integer('deleted_time_us', 'Time of the account event, µs since the epoch.'),
    text('indexed_at', 'When Sluice stored it (UTC ISO 8601).'),
  ],
  sqliteOnConflict: `DO UPDATE SET deleted_time_us = excluded.deleted_time_us, deleted_at = excluded.deleted_at
    WHERE excluded.deleted_time_us > deleted_time_us`,
  postgresOnConflict: `DO UPDATE SET deleted_time_us = excluded.deleted_time_us, deleted_at = excluded.deleted_at
    WHERE excluded.deleted_time_us > account_tombstones.deleted_time_us`,
};

/** The tables of the posts profile, in `map`'s index order. */
export const POSTS_TABLES: readonly TableSpec[] = [POSTS, POST_TOMBSTONES, ACCOUNT_TOMBSTONES];
