import { newId, viewOf } from './documents.mjs';
import { faults } from './faults.mjs';
import { EsError } from './protocol.mjs';
import { fired } from './stats.mjs';
import { compareTuples, filterSource, matching, parseSort, sortFailure, sortValue } from './queries.mjs';

// ---------------------------------------------------------------------------------------------
// Search and scroll

/** Open scroll contexts: id → the remaining ranked hits and how to render them. */
export const scrolls = new Map();

function searchResponse(t0, targets, total, page, render, failures = []) {
  const shards = { total: targets.length, successful: targets.length - failures.length, skipped: 0, failed: failures.length };
  return {
    took: Date.now() - t0,
    timed_out: false,
    _shards: failures.length > 0 ? { ...shards, failures } : shards,
    hits: { total: { value: total, relation: 'eq' }, max_score: render.sorted || total === 0 ? null : 1, hits: page.map(render.hit) },
  };
}

/**
 * Shard failures of a search: one index (one shard here) that cannot run it fails alone. When every
 * shard fails ES answers 400 search_phase_execution_exception "all shards failed", whose root and
 * direct causes are the shards' own errors; otherwise 200 with the others' hits and the failures
 * listed in `_shards` (a partial result).
 */
function shardFailures(targets, keys) {
  const failures = [];
  for (const index of targets) {
    const reason = sortFailure(index, keys);
    if (reason) failures.push({ shard: 0, index: index.name, node: 'contract-node', reason });
  }
  if (failures.length > 0 && failures.length === targets.length) {
    const cause = failures[0].reason;
    throw new EsError(400, 'search_phase_execution_exception', 'all shards failed', {
      root_cause: failures.map((f) => f.reason),
      phase: 'query',
      grouped: true,
      failed_shards: failures,
      caused_by: { ...cause, caused_by: cause },
    });
  }
  return failures;
}

export function handleSearch(targets, body, query) {
  const t0 = Date.now();
  const keys = parseSort(body.sort ?? query.get('sort')?.split(','));
  const failures = shardFailures(targets, keys);
  const failed = new Set(failures.map((f) => f.index));
  const hits = matching(targets.filter((i) => !failed.has(i.name)), body.query);
  const tuples = new Map(hits.map((h) => [h, keys.map((k) => sortValue(h, k.field))]));
  if (keys.length > 0) hits.sort((a, b) => compareTuples(tuples.get(a), tuples.get(b), keys) || a.doc.seqNo - b.doc.seqNo);
  let ranked = hits;
  if (body.search_after !== undefined) {
    if (keys.length === 0) throw new EsError(400, 'illegal_argument_exception', 'Sort must contain at least one field when search_after is used.');
    ranked = ranked.filter((h) => compareTuples(tuples.get(h), body.search_after, keys) > 0);
  }
  const from = Number(body.from ?? query.get('from') ?? 0);
  const size = Number(body.size ?? query.get('size') ?? 10);
  const sourceSpec = body._source ?? (query.get('_source') === 'false' ? false : undefined);
  const render = {
    sorted: keys.length > 0,
    hit: (h) => {
      const hit = { _index: h.index.name, _id: h.id, _score: keys.length > 0 ? null : 1 };
      if (h.doc.routing !== undefined) hit._routing = h.doc.routing;
      const src = filterSource(viewOf(h.doc), sourceSpec);
      if (src !== undefined) hit._source = src;
      if (keys.length > 0) hit.sort = tuples.get(h);
      return hit;
    },
  };
  if (faults.failSearches && faults.failSearches.times > 0) {
    faults.failSearches.times--;
    fired('failSearches');
    throw new EsError(faults.failSearches.status, 'exception', `search failed (contract fault failSearches, status ${faults.failSearches.status})`);
  }
  const response = searchResponse(t0, targets, hits.length, ranked.slice(from, from + size), render, failures);
  if (faults.searchWithoutShards && faults.searchWithoutShards.times > 0) {
    // What a proxy or an incompatible server might answer: hits, but no _shards.
    faults.searchWithoutShards.times--;
    fired('searchWithoutShards');
    delete response._shards;
  }
  if (query.get('scroll')) {
    const id = newId();
    scrolls.set(id, { targets, total: hits.length, rest: ranked.slice(from + size), size, render, failures });
    response._scroll_id = id;
  }
  return response;
}

/** Next page of a scroll (a snapshot taken when the scroll started, like ES). */
export function handleScroll(scrollId) {
  const ctx = scrolls.get(scrollId);
  if (!ctx) throw new EsError(404, 'search_context_missing_exception', `No search context found for id [${scrollId}]`);
  const page = ctx.rest.slice(0, ctx.size);
  ctx.rest = ctx.rest.slice(ctx.size);
  return { _scroll_id: scrollId, ...searchResponse(Date.now(), ctx.targets, ctx.total, page, ctx.render, ctx.failures) };
}
