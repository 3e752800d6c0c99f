/** The posts profile's Elasticsearch names and tombstones, shared by planning and settling. */

export const POSTS = 'posts';
export const TOMBSTONES = 'post_tombstones';

/** A tombstone as kept in `post_tombstones` (posts and, with `kind: account`, accounts). */
export interface Tombstone {
  at_uri: string;
  author_did: string;
  kind: 'post' | 'account';
  reason: 'delete' | 'account_deleted';
  deleted_at: string;
  deleted_time_us: number;
  indexed_at: string;
}

/** An account's tombstone id: its repository's AT URI, which no post URI can equal. */
export const accountId = (did: string): string => `at://${did}`;

export function tombstone(
  atUri: string,
  did: string,
  kind: Tombstone['kind'],
  reason: Tombstone['reason'],
  deletedAt: string,
  deletedTimeUs: number,
  indexedAt: string,
): Tombstone {
  return { at_uri: atUri, author_did: did, kind, reason, deleted_at: deletedAt, deleted_time_us: deletedTimeUs, indexed_at: indexedAt };
}

/**
 * An author's posts older than `timeUs`: by event time, or for posts without one (indexed by
 * megastream_ingest, whose documents have no `time_us`) by `created_at`.
 */
export function olderPostsQuery(did: string, timeUs: number): Record<string, unknown> {
  const byTime: Array<Record<string, unknown>> = [{ range: { time_us: { lt: timeUs } } }];
  const createdBefore = new Date(Math.floor(timeUs / 1000));
  if (Number.isFinite(createdBefore.getTime())) {
    byTime.push({ bool: { must_not: [{ exists: { field: 'time_us' } }], filter: [{ range: { created_at: { lt: createdBefore.toISOString() } } }] } });
  }
  return { bool: { filter: [{ term: { author_did: did } }, { bool: { should: byTime, minimum_should_match: 1 } }] } };
}
