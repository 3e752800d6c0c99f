import type { EsLookup, EsOperation, EsWrite } from '../es-document-model.js';
import { accountId, olderPostsQuery, POSTS, tombstone, TOMBSTONES, type Tombstone } from './es-tombstones.js';

/**
 * What another writer (a second worker on the same cluster) may have done while this one wrote, read
 * once everything of both is acknowledged: a post indexed here after its tombstone was checked, but
 * before that tombstone (its own, or its author's account deletion) was written there, is tombstoned
 * and deleted now; an account deleted here may have got posts indexed there after its search, which
 * are searched again. Each side checks after its own writes are acknowledged and deletes only after
 * its tombstones are (`afterAcknowledged`), so whichever write lands last, one side sees the other.
 */
export async function settlePosts(written: readonly EsWrite[], lookup: EsLookup): Promise<EsOperation[]> {
  const ops: EsOperation[] = [];
  const now = new Date().toISOString();
  const removePost = (id: string, did: string): void => {
    ops.push({ action: 'delete', index: POSTS, id, routing: did, afterAcknowledged: true });
  };
  // Tombstones written here since the last commit: their posts' deletes are on their way already.
  const ownTombstones = new Set<string>();
  const accounts = new Map<string, Tombstone>();
  for (const w of written) {
    if (w.index !== TOMBSTONES || !w.source) continue;
    const t = w.source as unknown as Tombstone;
    if (t.kind === 'account') {
      const had = accounts.get(t.author_did);
      if (!had || t.deleted_time_us > had.deleted_time_us) accounts.set(t.author_did, t);
    } else ownTombstones.add(t.at_uri);
  }

  // Posts are routed by their author: the routing is the author's DID.
  const posts = written.filter((w) => w.index === POSTS && w.routing !== undefined && !ownTombstones.has(w.id));
  const refs = new Map<string, string>();
  for (const p of posts) {
    refs.set(p.id, p.routing as string);
    refs.set(accountId(p.routing as string), p.routing as string);
  }
  const known = (await lookup.get(TOMBSTONES, [...refs].map(([id, routing]) => ({ id, routing })))) as unknown as Map<string, Tombstone>;
  for (const p of posts) {
    const did = p.routing as string;
    if (known.has(p.id)) {
      removePost(p.id, did);
      continue;
    }
    const account = known.get(accountId(did));
    if (account && p.version !== undefined && account.deleted_time_us > p.version) {
      const t = tombstone(p.id, did, 'post', 'account_deleted', account.deleted_at, account.deleted_time_us, now);
      ops.push({ action: 'index', index: TOMBSTONES, id: p.id, routing: did, source: { ...t } });
      removePost(p.id, did);
    }
  }

  for (const [did, account] of accounts) {
    const older = await lookup.search(POSTS, olderPostsQuery(did, account.deleted_time_us), did);
    if (older.length === 0) continue;
    const already = await lookup.get(TOMBSTONES, older.map((o) => ({ id: o.id, routing: did })));
    for (const o of older) {
      if (!already.has(o.id)) {
        const t = tombstone(o.id, did, 'post', 'account_deleted', account.deleted_at, account.deleted_time_us, now);
        ops.push({ action: 'index', index: TOMBSTONES, id: o.id, routing: did, source: { ...t } });
      }
      removePost(o.id, did);
    }
  }
  return ops;
}
