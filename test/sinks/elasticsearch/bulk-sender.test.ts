import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BulkSender } from '../../../src/sinks/elasticsearch/bulk-sender.js';
import { startEsContractServer, type EsContractServer } from '../../helpers/es-server/es-contract-server.js';

let es: EsContractServer;
let client: Client;
beforeAll(async () => {
  es = await startEsContractServer();
  client = new Client({ node: es.url });
});
afterAll(async () => {
  await client?.close();
  await es?.stop();
});
beforeEach(async () => es.clear());

const sender = (): BulkSender => new BulkSender(client, { batchSize: 10, maxBytes: 1 << 20, maxInFlight: 4, retry: { minMs: 5, maxMs: 20, budgetMs: 10_000 } });

/** Items per `_bulk` request the server received, in order. */
async function bulkItems(): Promise<number[]> {
  return (await es.requests()).filter((r) => r.endpoint.endsWith('_bulk')).map((r) => r.items ?? 0);
}

describe('BulkSender', () => {
  it('retries a 429 item alone: a delete beside it in the request is applied before it (why the sink holds deletes for after)', async () => {
    await es.setFaults({ rejectIds: { 'tomb-1': { status: 429, times: 2 } } });
    const s = sender();
    await s.add({ action: 'index', index: 'tombs', id: 'tomb-1', source: { n: 1 } });
    await s.add({ action: 'delete', index: 'posts', id: 'post-1' });
    await s.drain();
    expect(await bulkItems()).toEqual([2, 1, 1]);
  });

  it('counts an externally versioned write older than the stored one as stale, not rejected', async () => {
    const s = sender();
    await s.add({ action: 'index', index: 'posts', id: 'p', source: { v: 'new' }, version: 200 });
    await s.drain();
    await s.add({ action: 'index', index: 'posts', id: 'p', source: { v: 'old' }, version: 100 });
    await s.add({ action: 'index', index: 'posts', id: 'p2', source: { v: 'x' }, version: 0 });
    await s.drain();
    expect(s.counts).toMatchObject({ indexed: 2, stale: 1, rejected: 0 });
    expect(s.takeRejected()).toEqual([]);
    expect((await es.dump('posts')).map((d) => [d._id, d._source])).toEqual([
      ['p', { v: 'new' }],
      ['p2', { v: 'x' }],
    ]);
  });
});
