import { createHash } from 'node:crypto';
import { Client, errors } from '@elastic/elasticsearch';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEsContractServer, type EsContractServer } from './es-contract-server.js';
import { hasOpenssl, makeSelfSignedCert } from './make-cert.js';

type BulkItem = { status: number; result?: string; _index: string; _id: string | null; error?: { type: string; reason: string } };

/** The single item (whatever its action) of each bulk response entry. */
function items(response: { items: Array<Record<string, unknown>> }): BulkItem[] {
  return response.items.map((entry) => Object.values(entry)[0] as BulkItem);
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}

describe('es contract server (plain http)', () => {
  let server: EsContractServer;
  let client: Client;

  beforeAll(async () => {
    server = await startEsContractServer();
    client = new Client({ node: server.url, maxRetries: 0 });
  });
  afterAll(async () => {
    await client.close();
    await server.stop();
  });
  beforeEach(async () => {
    await server.clear();
  });

  it('answers info with the product header, so the official client accepts it', async () => {
    const info = await client.info();
    expect(info.version.number).toBe('8.15.0');
    const res = await fetch(server.url);
    expect(res.headers.get('x-elastic-product')).toBe('Elasticsearch');
    expect(res.headers.get('content-type')).toBe('application/json');
  });

  it('creates an index with mappings and aliases, writes and dumps through the alias', async () => {
    await client.indices.create({ index: 'events-v1', mappings: { properties: { ts: { type: 'date' } } }, aliases: { events: {} } });
    expect(await client.indices.exists({ index: 'events-v1' })).toBe(true);
    expect(await client.indices.exists({ index: 'events' })).toBe(true);
    expect(await client.indices.exists({ index: 'nope' })).toBe(false);
    expect(await client.indices.existsAlias({ name: 'events' })).toBe(true);
    const again = await rejection(client.indices.create({ index: 'events-v1' }));
    expect(again).toBeInstanceOf(errors.ResponseError);
    expect((again as errors.ResponseError).statusCode).toBe(400);
    expect((again as errors.ResponseError).body).toMatchObject({ error: { type: 'resource_already_exists_exception' } });

    await client.indices.putAlias({ index: 'events-v1', name: 'events-read' });
    await client.indices.updateAliases({ actions: [{ add: { index: 'events-v1', alias: 'events-all' } }] });
    expect(Object.keys((await client.indices.getAlias({ name: 'events-all' }))['events-v1']?.aliases ?? {})).toEqual(['events-all']);
    const got = await client.indices.get({ index: 'events' });
    expect(Object.keys(got['events-v1']?.aliases ?? {}).sort()).toEqual(['events', 'events-all', 'events-read']);
    expect(got['events-v1']?.mappings).toEqual({ properties: { ts: { type: 'date' } } });

    const res = await client.bulk({ operations: [{ index: { _index: 'events', _id: 'a', routing: 'r1' } }, { ts: '2024-01-01T00:00:00Z' }] });
    expect(res.errors).toBe(false);
    expect(items(res)[0]).toMatchObject({ _index: 'events-v1', _id: 'a', status: 201, result: 'created' });
    expect(await server.dump('events')).toEqual([{ _index: 'events-v1', _id: 'a', _source: { ts: '2024-01-01T00:00:00Z' }, routing: 'r1' }]);
  });

  it('answers bulk items with index/create/delete/update statuses in order', async () => {
    const res = await client.bulk({
      index: 'docs',
      operations: [
        { index: { _id: '1' } }, { n: 1 },
        { index: { _id: '1' } }, { n: 2 },
        { create: { _id: '1' } }, { n: 3 },
        { create: { _id: '2' } }, { n: 4 },
        { delete: { _id: 'missing' } },
        { delete: { _id: '2' } },
        { update: { _id: '1' } }, { doc: { extra: true } },
        { update: { _id: '3' } }, { doc: { n: 5 }, doc_as_upsert: true },
        { update: { _id: '4' } }, { doc: { n: 6 } },
      ],
    });
    expect(res.errors).toBe(true);
    expect(items(res).map((i) => [i._id, i.status, i.result ?? i.error?.type])).toEqual([
      ['1', 201, 'created'],
      ['1', 200, 'updated'],
      ['1', 409, 'version_conflict_engine_exception'],
      ['2', 201, 'created'],
      ['missing', 404, 'not_found'],
      ['2', 200, 'deleted'],
      ['1', 200, 'updated'],
      ['3', 201, 'created'],
      ['4', 404, 'document_missing_exception'],
    ]);
    expect(items(res).every((i) => i._index === 'docs')).toBe(true);
    expect((await server.dump('docs')).map((d) => [d._id, d._source])).toEqual([
      ['1', { n: 2, extra: true }],
      ['3', { n: 5 }],
    ]);
    const stats = await server.stats();
    expect(stats.bulkItems.byAction).toEqual({ index: 2, create: 2, delete: 2, update: 3 });
    expect(stats.bulkItems.byStatus).toEqual({ '200': 3, '201': 3, '404': 2, '409': 1 });
    expect(stats.requests['POST /{index}/_bulk']).toBe(1);
  });

  it('keeps external versions: an older index action is a 409 item, an equal one passes only with external_gte', async () => {
    const res = await client.bulk({
      index: 'versioned',
      operations: [
        { index: { _id: 'a', version: 100, version_type: 'external_gte' } }, { n: 1 },
        { index: { _id: 'a', version: 50, version_type: 'external_gte' } }, { n: 2 },
        { index: { _id: 'a', version: 100, version_type: 'external_gte' } }, { n: 3 },
        { index: { _id: 'a', version: 100, version_type: 'external' } }, { n: 4 },
        { index: { _id: 'a', version: 200, version_type: 'external' } }, { n: 5 },
        { index: { _id: 'b', version: -1, version_type: 'external_gte' } }, { n: 6 },
      ],
    });
    expect(items(res).map((i) => [i._id, i.status, i.result ?? i.error?.type])).toEqual([
      ['a', 201, 'created'],
      ['a', 409, 'version_conflict_engine_exception'],
      ['a', 200, 'updated'],
      ['a', 409, 'version_conflict_engine_exception'],
      ['a', 200, 'updated'],
      ['b', 400, 'action_request_validation_exception'],
    ]);
    expect(items(res)[1]?.error?.reason).toMatch(/current version \[100\] is higher than the one provided \[50\]/);
    expect((await server.dump('versioned')).map((d) => [d._id, d._source])).toEqual([['a', { n: 5 }]]);
    const got = await client.get({ index: 'versioned', id: 'a' });
    expect(got._version).toBe(200);
  });

  it('rejects a dense_vector of the wrong dims (nested mapping) with a 400 item', async () => {
    await client.indices.create({
      index: 'vec',
      mappings: { properties: { embeddings: { properties: { all_MiniLM_L12_v2: { type: 'dense_vector', dims: 3 } } } } },
    });
    const res = await client.bulk({
      index: 'vec',
      operations: [
        { index: { _id: 'ok' } }, { embeddings: { all_MiniLM_L12_v2: [0.1, 0.2, 0.3] } },
        { index: { _id: 'short' } }, { embeddings: { all_MiniLM_L12_v2: [0.1, 0.2] } },
        { index: { _id: 'text' } }, { embeddings: { all_MiniLM_L12_v2: [0.1, 'x', 0.3] } },
        { index: { _id: 'none' } }, { title: 'no vector is fine' },
      ],
    });
    expect(items(res).map((i) => [i._id, i.status, i.error?.type])).toEqual([
      ['ok', 201, undefined],
      ['short', 400, 'mapper_parsing_exception'],
      ['text', 400, 'mapper_parsing_exception'],
      ['none', 201, undefined],
    ]);
  });

  it('does not count a delete of a missing document as an error', async () => {
    const res = await client.bulk({ operations: [{ delete: { _index: 'docs', _id: 'ghost' } }] });
    expect(res.errors).toBe(false);
    expect(items(res)[0]).toMatchObject({ status: 404, result: 'not_found' });
  });

  it('answers 404 per item when auto-create is off', async () => {
    const strict = await startEsContractServer({ autoCreate: false });
    const c = new Client({ node: strict.url, maxRetries: 0 });
    try {
      const res = await c.bulk({ operations: [{ index: { _index: 'absent', _id: '1' } }, { a: 1 }] });
      expect(items(res)[0]).toMatchObject({ status: 404, error: { type: 'index_not_found_exception' } });
    } finally {
      await c.close();
      await strict.stop();
    }
  });

  it('supports get, mget, count, search (term/terms/range/bool, sort, paging, _source) and delete_by_query', async () => {
    const operations = [];
    for (let i = 0; i < 12; i++) {
      operations.push({ index: { _index: 'logs', _id: `d${String(i).padStart(2, '0')}` } });
      operations.push({ kind: i % 3 === 0 ? 'alpha' : 'beta', n: i, ts: `2024-01-${String(i + 1).padStart(2, '0')}T00:00:00Z`, big: { nested: i } });
    }
    await client.bulk({ operations, refresh: true });
    await client.indices.refresh({ index: 'logs' });

    expect((await client.get({ index: 'logs', id: 'd01' }))._source).toMatchObject({ n: 1 });
    const missing = await rejection(client.get({ index: 'logs', id: 'zz' }));
    expect((missing as errors.ResponseError).statusCode).toBe(404);

    const mget = await client.mget({ docs: [{ _index: 'logs', _id: 'd02' }, { _index: 'logs', _id: 'zz' }] });
    expect(mget.docs.map((d) => ('found' in d ? d.found : 'error'))).toEqual([true, false]);
    const mgetIds = await client.mget({ index: 'logs', ids: ['d03'] });
    expect(mgetIds.docs[0]).toMatchObject({ _id: 'd03', found: true, _source: { n: 3 } });

    expect((await client.count({ index: 'logs' })).count).toBe(12);
    expect((await client.count({ index: 'logs', query: { term: { kind: 'alpha' } } })).count).toBe(4);
    expect((await client.count({ index: 'logs', query: { terms: { n: [1, 2, 99] } } })).count).toBe(2);

    const range = await client.search({
      index: 'logs',
      query: { bool: { filter: [{ range: { ts: { gte: '2024-01-03T00:00:00Z', lt: '2024-01-07' } } }, { term: { kind: 'beta' } }] } },
      sort: [{ n: 'desc' }],
    });
    expect(range.hits.total).toEqual({ value: 3, relation: 'eq' });
    expect(range.hits.hits.map((h) => h._id)).toEqual(['d05', 'd04', 'd02']);
    expect(range.hits.hits[0]?.sort).toEqual([5]);

    const numeric = await client.search({ index: 'logs', query: { range: { n: { gt: 9 } } } });
    expect(numeric.hits.hits.map((h) => h._id).sort()).toEqual(['d10', 'd11']);

    const page1 = await client.search({ index: 'logs', size: 5, sort: [{ n: 'asc' }], _source: ['n'] });
    expect(page1.hits.hits.map((h) => h._source)).toEqual([0, 1, 2, 3, 4].map((n) => ({ n })));
    const page2 = await client.search({ index: 'logs', size: 5, sort: [{ n: 'asc' }], search_after: page1.hits.hits[4]?.sort ?? [] });
    expect(page2.hits.hits.map((h) => h._id)).toEqual(['d05', 'd06', 'd07', 'd08', 'd09']);
    const from = await client.search({ index: 'logs', from: 10, sort: ['n'], _source: false });
    expect(from.hits.hits.map((h) => [h._id, h._source])).toEqual([['d10', undefined], ['d11', undefined]]);
    expect((await client.search({ index: 'logs' })).hits.hits).toHaveLength(10);

    const filtered = await client.bulk({
      operations: [{ create: { _index: 'logs', _id: 'd00' } }, { n: 0 }, { index: { _index: 'logs', _id: 'new' } }, { n: 99 }],
      filter_path: 'errors,items.*.error.type,items.*._id',
    });
    expect(filtered).toEqual({ errors: true, items: [{ create: { _id: 'd00', error: { type: 'version_conflict_engine_exception' } } }, { index: { _id: 'new' } }] });
    const scrolled = [];
    for await (const src of client.helpers.scrollDocuments<{ n: number }>({ index: 'logs', query: { range: { n: { lt: 3 } } }, sort: ['n'] })) scrolled.push(src.n);
    expect(scrolled).toEqual([0, 1, 2]);
    await client.delete({ index: 'logs', id: 'new' });

    const dbq = await client.deleteByQuery({ index: 'logs', query: { term: { kind: 'alpha' } } });
    expect(dbq).toMatchObject({ deleted: 4, total: 4, failures: [] });
    expect((await client.count({ index: 'logs' })).count).toBe(8);
  });

  it('stores odd but valid JSON lines faithfully and answers 400 items for malformed ones', async () => {
    await client.indices.create({ index: 'odd', mappings: { properties: { e: { properties: { v: { type: 'dense_vector', dims: 2 } } } } } });
    const lines = [
      '{"index":{"_index":"odd","_id":"esc"}}',
      '  { "k\\"ey" : "a\\\\\\"b]}" , "ü": [1, {"x": "]"}], "e": {"v": [ 1e-3 , -2.5E+2 ]}, "n": null }  ',
      '{"index":{"_index":"odd","_id":"dotted"}}',
      '{"e.v":[1,2,3]}',
      '{"index":{"_index":"odd","_id":"broken"}}',
      '{"a": [1, 2}',
      '{"index":{"_index":"odd","_id":"notobj"}}',
      '[1,2]',
    ];
    const res = await fetch(`${server.url}/_bulk`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: `${lines.join('\r\n')}\n` });
    const body = (await res.json()) as { items: Array<Record<string, unknown>> };
    expect(items(body).map((i) => [i._id, i.status, i.error?.type])).toEqual([
      ['esc', 201, undefined],
      ['dotted', 400, 'mapper_parsing_exception'],
      ['broken', 400, 'document_parsing_exception'],
      ['notobj', 400, 'mapper_parsing_exception'],
    ]);
    expect((await server.dump('odd'))[0]?._source).toEqual({ 'k"ey': 'a\\"b]}', ü: [1, { x: ']' }], e: { v: [0.001, -250] }, n: null });
    expect((await client.count({ index: 'odd', query: { term: { 'k"ey': 'a\\"b]}' } } })).count).toBe(1);
  });

  describe('field types from the mappings (dynamic-style text + keyword multi-fields)', () => {
    const textWithKeyword = { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } } as const;
    const long = 'z'.repeat(300);
    const uri = (who: string, rkey: string) => `at://did:plc:${who}/app.bsky.feed.post/${rkey}`;
    const ids = (res: { hits: { hits: Array<{ _id?: string | null }> } }) => res.hits.hits.map((h) => h._id);

    beforeEach(async () => {
      await client.indices.create({
        index: 'dyn-posts',
        mappings: { properties: { author_did: textWithKeyword, at_uri: textWithKeyword, time_us: { type: 'long' }, content: { type: 'text' } } },
      });
      const docs = [
        { at_uri: uri('abc', '3kb'), author_did: 'did:plc:abc', time_us: 2, content: 'Hello brave new World' },
        { at_uri: uri('xyz', '3ka'), author_did: 'did:plc:xyz', time_us: 1, content: 'new world order' },
        // Both strings are longer than ignore_above: their keyword sub-fields index nothing.
        { at_uri: uri(long, '3kc'), author_did: `did:plc:${long}`, time_us: 3, content: 'world' },
      ];
      await client.bulk({ refresh: true, operations: docs.flatMap((d, i) => [{ index: { _index: 'dyn-posts', _id: `p${i + 1}` } }, d]) });
    });

    it('term on a text field compares with its tokens; on the keyword sub-field with the whole value', async () => {
      const count = async (query: Record<string, unknown>) => (await client.count({ index: 'dyn-posts', query })).count;
      expect(await count({ term: { author_did: 'did:plc:abc' } })).toBe(0);
      expect(await count({ terms: { author_did: ['did:plc:abc', 'did:plc:xyz'] } })).toBe(0);
      expect(await count({ term: { at_uri: uri('abc', '3kb') } })).toBe(0);
      expect(await count({ term: { author_did: 'abc' } })).toBe(1);
      expect(await count({ term: { content: 'World' } })).toBe(0); // term queries are not analyzed; tokens are lowercase
      expect(await count({ term: { content: 'world' } })).toBe(3);

      expect(ids(await client.search({ index: 'dyn-posts', query: { term: { 'author_did.keyword': 'did:plc:abc' } } }))).toEqual(['p1']);
      expect(await count({ terms: { 'author_did.keyword': ['did:plc:abc', 'did:plc:xyz'] } })).toBe(2);
      expect(await count({ term: { 'at_uri.keyword': uri('xyz', '3ka') } })).toBe(1);
      expect(await count({ prefix: { 'author_did.keyword': 'did:plc:a' } })).toBe(1);
      expect(await count({ bool: { filter: [{ term: { 'author_did.keyword': 'did:plc:xyz' } }, { range: { time_us: { lt: 2 } } }] } })).toBe(1);
    });

    it('match analyzes the query on text fields (any token; all with operator and); match_phrase wants them in a row', async () => {
      const search = async (query: Record<string, unknown>) => ids(await client.search({ index: 'dyn-posts', query, sort: ['time_us'] })).join(',');
      expect(await search({ match: { content: 'BRAVE' } })).toBe('p1');
      expect(await search({ match: { content: 'brave order' } })).toBe('p2,p1');
      expect(await search({ match: { content: { query: 'new world', operator: 'and' } } })).toBe('p2,p1');
      expect(await search({ match_phrase: { content: 'new world' } })).toBe('p2,p1');
      expect(await search({ match_phrase: { content: 'world new' } })).toBe('');
      expect(await search({ match: { content: '!!!' } })).toBe('');
      expect(await search({ match: { 'author_did.keyword': 'did:plc:abc' } })).toBe('p1');
    });

    it('ignore_above: a longer value is not indexed in the keyword sub-field (no match, no exists, sorts as missing)', async () => {
      const count = async (query: Record<string, unknown>) => (await client.count({ index: 'dyn-posts', query })).count;
      expect(await count({ term: { 'author_did.keyword': `did:plc:${long}` } })).toBe(0);
      expect(await count({ exists: { field: 'author_did.keyword' } })).toBe(2);
      expect(await count({ exists: { field: 'author_did' } })).toBe(3);
      expect(await count({ term: { author_did: long } })).toBe(1); // the text field still indexes it

      const desc = await client.search({ index: 'dyn-posts', sort: [{ 'at_uri.keyword': 'desc' }] });
      expect(desc.hits.hits.map((h) => [h._id, h.sort])).toEqual([['p2', [uri('xyz', '3ka')]], ['p1', [uri('abc', '3kb')]], ['p3', [null]]]);
    });

    it('sorting on a text field is a 400 as in ES 8; its keyword sub-field sorts', async () => {
      const err = await rejection(client.search({ index: 'dyn-posts', sort: [{ at_uri: 'asc' }] }));
      expect(err).toBeInstanceOf(errors.ResponseError);
      const { statusCode, body } = err as errors.ResponseError;
      expect(statusCode).toBe(400);
      const error = (body as { error: { type: string; root_cause: Array<{ type: string; reason: string }>; caused_by: { type: string; reason: string } } }).error;
      // ES wraps the shard's illegal_argument_exception: "all shards failed".
      expect(error.type).toBe('search_phase_execution_exception');
      expect(error.root_cause[0]?.type).toBe('illegal_argument_exception');
      expect(error.caused_by.type).toBe('illegal_argument_exception');
      const reason = 'Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default.';
      expect(error.root_cause[0]?.reason.startsWith(reason)).toBe(true);
      expect(error.caused_by.reason).toContain('set fielddata=true on [at_uri]');
      expect((await rejection(client.search({ index: 'dyn-posts', sort: ['time_us', 'author_did'] })) as errors.ResponseError).statusCode).toBe(400);

      const asc = await client.search({ index: 'dyn-posts', sort: [{ 'at_uri.keyword': 'asc' }], size: 2 });
      expect(ids(asc)).toEqual(['p1', 'p2']);
      const next = await client.search({ index: 'dyn-posts', sort: [{ 'at_uri.keyword': 'asc' }], search_after: asc.hits.hits[1]?.sort ?? [] });
      expect(ids(next)).toEqual(['p3']);
      expect(ids(await client.search({ index: 'dyn-posts', sort: [{ time_us: 'desc' }] }))).toEqual(['p3', 'p1', 'p2']);
    });

    it('an alias over several indices uses each index\'s own mappings (a text sort fails only there)', async () => {
      await client.indices.create({ index: 'kw-posts', mappings: { properties: { author_did: { type: 'keyword' }, at_uri: { type: 'keyword' } } } });
      await client.index({ index: 'kw-posts', id: 'k1', document: { at_uri: uri('abc', '3kd'), author_did: 'did:plc:abc' }, refresh: true });
      await client.indices.updateAliases({ actions: [{ add: { index: 'dyn-posts', alias: 'all-posts' } }, { add: { index: 'kw-posts', alias: 'all-posts' } }] });

      expect(ids(await client.search({ index: 'all-posts', query: { term: { author_did: 'did:plc:abc' } } }))).toEqual(['k1']);
      const partial = await client.search({ index: 'all-posts', sort: [{ at_uri: 'asc' }] });
      expect(ids(partial)).toEqual(['k1']);
      expect(partial._shards).toMatchObject({ total: 2, successful: 1, failed: 1, failures: [{ index: 'dyn-posts', reason: { type: 'illegal_argument_exception' } }] });
    });
  });

  it('accepts gzip-compressed request bodies', async () => {
    const gz = new Client({ node: server.url, compression: true, maxRetries: 0 });
    try {
      const res = await gz.bulk({ operations: [{ index: { _index: 'gz', _id: '1' } }, { text: 'x'.repeat(5000) }] });
      expect(res.errors).toBe(false);
      expect((await server.dump('gz'))[0]?._source).toEqual({ text: 'x'.repeat(5000) });
      expect((await server.requests()).some((r) => r.endpoint === 'POST /_bulk')).toBe(true);
    } finally {
      await gz.close();
    }
  });

  describe('faults', () => {
    const ops = (...ids: string[]): Array<Record<string, unknown>> => ids.flatMap((id) => [{ index: { _index: 'f', _id: id } }, { id }]);

    it('rejectIds: items answer 429 the first `times` times, then succeed', async () => {
      await server.setFaults({ rejectIds: { b: { status: 429, times: 2 } } });
      const first = items(await client.bulk({ operations: ops('a', 'b', 'c') }));
      expect(first.map((i) => [i._id, i.status, i.error?.type])).toEqual([
        ['a', 201, undefined],
        ['b', 429, 'es_rejected_execution_exception'],
        ['c', 201, undefined],
      ]);
      expect(items(await client.bulk({ operations: ops('b') }))[0]?.status).toBe(429);
      expect(items(await client.bulk({ operations: ops('b') }))[0]?.status).toBe(201);
      expect((await server.dump('f')).map((d) => d._id)).toEqual(['a', 'b', 'c']);
      expect((await server.stats()).faultsFired).toEqual({ rejectIds: 2 });
    });

    it('rejectEveryNth counts items across requests until `times`', async () => {
      await server.setFaults({ rejectEveryNth: { n: 3, status: 503, times: 2 } });
      const a = items(await client.bulk({ operations: ops('1', '2', '3', '4') }));
      const b = items(await client.bulk({ operations: ops('5', '6', '7', '8', '9') }));
      expect([...a, ...b].map((i) => i.status)).toEqual([201, 201, 503, 201, 201, 503, 201, 201, 201]);
    });

    it('reject4xxIds is permanent', async () => {
      await server.setFaults({ reject4xxIds: { bad: 400 } });
      for (let i = 0; i < 2; i++) {
        expect(items(await client.bulk({ operations: ops('bad') }))[0]).toMatchObject({ status: 400, error: { type: 'mapper_parsing_exception' } });
      }
    });

    it('failRequests fails whole _bulk requests with an ES error body; nothing applied', async () => {
      await server.setFaults({ failRequests: { status: 503, times: 1 } });
      const err = await rejection(client.bulk({ operations: ops('x') }));
      expect(err).toBeInstanceOf(errors.ResponseError);
      expect((err as errors.ResponseError).statusCode).toBe(503);
      expect(await server.dump('f')).toEqual([]);
      // The client itself retries 503s when allowed to: two failures, then success.
      await server.setFaults({ failRequests: { status: 503, times: 2 } });
      const retrying = new Client({ node: server.url, maxRetries: 3 });
      try {
        expect((await retrying.bulk({ operations: ops('x') })).errors).toBe(false);
      } finally {
        await retrying.close();
      }
      expect((await server.stats()).faultsFired).toEqual({ failRequests: 3 });
    });

    it('dropConnections destroys the socket: ConnectionError, no item applied', async () => {
      await server.setFaults({ dropConnections: { times: 1 } });
      const err = await rejection(client.bulk({ operations: ops('y') }));
      expect(err).toBeInstanceOf(errors.ConnectionError);
      expect(await server.dump('f')).toEqual([]);
      expect((await client.bulk({ operations: ops('y') })).errors).toBe(false);
    });

    it('slowMs delays the answer; items are applied before it', async () => {
      await server.setFaults({ slowMs: { ms: 600, times: 2 } });
      const err = await rejection(client.bulk({ operations: ops('s1') }, { requestTimeout: 150 }));
      expect(err).toBeInstanceOf(errors.TimeoutError);
      expect((await server.dump('f')).map((d) => d._id)).toEqual(['s1']);
      const t0 = Date.now();
      expect((await client.bulk({ operations: ops('s2') })).errors).toBe(false);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(550);
    });

    it('holdMs holds a bulk request until released, then applies it; nothing is held after', async () => {
      await server.setFaults({ holdMs: { ms: 60_000, times: 1 } });
      const t0 = Date.now();
      const pending = client.bulk({ operations: ops('h1') });
      while ((await server.faults()).holdMs?.times !== 0) await new Promise((r) => setTimeout(r, 10));
      expect(await server.dump('f')).toEqual([]);
      expect(await server.releaseHeld()).toBe(1);
      expect((await pending).errors).toBe(false);
      expect(Date.now() - t0).toBeLessThan(30_000);
      expect((await server.dump('f')).map((d) => d._id)).toEqual(['h1']);
      expect(await server.releaseHeld()).toBe(0);
    });

    it('refuses unknown or malformed faults, listing every problem', async () => {
      const err = await rejection(server.setFaults({ nope: true, rejectEveryNth: { n: 0 } } as never));
      expect(String(err)).toMatch(/unknown fault \[nope\].*rejectEveryNth needs/);
      expect(await server.faults()).toMatchObject({ rejectIds: {}, reject4xxIds: {} });
    });
  });
});

describe('es contract server options', () => {
  it('enforces the API key', async () => {
    const server = await startEsContractServer({ apiKey: 'abc' });
    const good = new Client({ node: server.url, auth: { apiKey: 'abc' }, maxRetries: 0 });
    const bad = new Client({ node: server.url, auth: { apiKey: 'wrong' }, maxRetries: 0 });
    const none = new Client({ node: server.url, maxRetries: 0 });
    try {
      expect((await good.info()).version.number).toBe('8.15.0');
      for (const c of [bad, none]) {
        const err = await rejection(c.bulk({ operations: [{ index: { _index: 'k', _id: '1' } }, {}] }));
        expect(err).toBeInstanceOf(errors.ResponseError);
        expect((err as errors.ResponseError).statusCode).toBe(401);
        expect((err as errors.ResponseError).body).toMatchObject({ error: { type: 'security_exception' }, status: 401 });
      }
      expect(await server.dump('k')).toEqual([]);
    } finally {
      await Promise.all([good.close(), bad.close(), none.close()]);
      await server.stop();
    }
  });

  it('keepSources:false keeps a sha256 of the raw source line and top-level scalars only', async () => {
    const server = await startEsContractServer({ keepSources: false });
    const client = new Client({ node: server.url, maxRetries: 0 });
    try {
      const doc = { kind: 'k', n: 1, tags: ['a', 'b'], vector: Array.from({ length: 64 }, (_, i) => i / 64), obj: { x: 1 } };
      await client.bulk({ operations: [{ index: { _index: 'lean', _id: '1' } }, doc] });
      const [dumped] = await server.dump('lean');
      expect(dumped?._source).toEqual({ kind: 'k', n: 1, tags: ['a', 'b'] });
      expect(dumped?.sha256).toBe(createHash('sha256').update(JSON.stringify(doc)).digest('hex'));
      expect((await client.count({ index: 'lean', query: { term: { kind: 'k' } } })).count).toBe(1);
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('strictCompat: an 8.x server refuses the 9.x client default compat headers, like a real cluster', async () => {
    const server = await startEsContractServer({ strictCompat: true, version: '8.15.0' });
    const v9 = new Client({ node: server.url, maxRetries: 0 });
    const compat8 = 'application/vnd.elasticsearch+json; compatible-with=8';
    const v8 = new Client({ node: server.url, maxRetries: 0, headers: { accept: compat8, 'content-type': compat8 } });
    try {
      const err = await rejection(v9.info());
      expect((err as errors.ResponseError).body).toMatchObject({ error: { type: 'media_type_header_exception' } });
      expect((await v8.info()).version.number).toBe('8.15.0');
      expect((await v8.bulk({ operations: [{ index: { _index: 'c', _id: '1' } }, { a: 1 }] })).errors).toBe(false);
    } finally {
      await Promise.all([v9.close(), v8.close()]);
      await server.stop();
    }
  });

  it('stop() ends the child process', async () => {
    const server = await startEsContractServer();
    await server.stop();
    expect(() => process.kill(server.pid, 0)).toThrow();
  });
});

const openssl = hasOpenssl();
if (!openssl && process.env.CI === 'true') throw new Error('openssl is required in CI for the HTTPS contract tests');

describe.skipIf(!openssl)('es contract server over HTTPS (self-signed; skipped without openssl)', () => {
  let server: EsContractServer;
  let cert: ReturnType<typeof makeSelfSignedCert>;

  beforeAll(async () => {
    cert = makeSelfSignedCert();
    server = await startEsContractServer({ tls: { cert: cert.cert, key: cert.key }, apiKey: 'abc' });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('serves https; the client trusts it with tls.ca or rejectUnauthorized:false, and refuses it otherwise', async () => {
    expect(server.url.startsWith('https://127.0.0.1:')).toBe(true);
    const withCa = new Client({ node: server.url, auth: { apiKey: 'abc' }, tls: { ca: cert.cert }, maxRetries: 0 });
    const insecure = new Client({ node: server.url, auth: { apiKey: 'abc' }, tls: { rejectUnauthorized: false }, maxRetries: 0 });
    const strict = new Client({ node: server.url, auth: { apiKey: 'abc' }, maxRetries: 0 });
    try {
      expect((await withCa.bulk({ operations: [{ index: { _index: 't', _id: '1' } }, { a: 1 }] })).errors).toBe(false);
      expect((await insecure.info()).version.number).toBe('8.15.0');
      const err = await rejection(strict.info());
      expect(err).toBeInstanceOf(errors.ConnectionError);
      expect(await server.dump('t')).toEqual([{ _index: 't', _id: '1', _source: { a: 1 } }]);
    } finally {
      await Promise.all([withCa.close(), insecure.close(), strict.close()]);
    }
  });
});
