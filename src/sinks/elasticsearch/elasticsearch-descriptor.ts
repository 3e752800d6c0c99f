import { z } from 'zod';
import type { SinkDescriptor } from '../sink-descriptor.js';
import { retryPolicyFromEnv } from './es-retry-policy.js';

const ElasticsearchSettings = z
  .object({
    statePath: z
      .string()
      .min(1)
      .describe('SQLite file for cursors and the ledger (--state); a megastream_ingest JSON state is imported beside it')
      .meta({ example: 'sluice-posts-state.db' }),
    batchSize: z.number().int().min(1).max(10_000).default(100).describe('operations per bulk request (--batch-size)').meta({ example: 500 }),
    apiKey: z.string().min(1).optional().describe('API key (ELASTICSEARCH_API_KEY)').meta({ example: 'VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==' }),
    skipTlsVerify: z.boolean().default(false).describe('accept any TLS certificate (--skip-tls-verify; local development only)').meta({ example: false }),
    caCert: z.string().min(1).optional().describe('PEM file of the CA that signed the cluster certificate (--ca-cert)').meta({ example: 'certs/ca.pem' }),
    createIndexes: z.boolean().default(true).describe('create missing indexes and aliases with their mappings (--no-create-indexes turns it off)').meta({ example: true }),
    requestTimeoutMs: z.number().int().min(1).optional().describe('longest wait for one request before it is retried, in ms (--request-timeout-sec × 1000)').meta({ example: 60_000 }),
  })
  .strict();

/** `https://host:9200`: Elasticsearch; idempotent `_bulk` writes, cursors saved once acknowledged. */
export const elasticsearchSinkDescriptor: SinkDescriptor<typeof ElasticsearchSettings> = {
  name: 'elasticsearch',
  schemes: ['http:', 'https:'],
  summary: 'an Elasticsearch cluster (profiles with documents: posts)',
  example: 'https://es.example:9200',
  spoolStateName: 'sluice-posts-state.db',
  settings: ElasticsearchSettings,
  capabilities: { transactionalCursor: false, acknowledgedCursor: true, ledgerInDatabase: false, documents: true },
  supports: (profile) => profile.elasticsearch !== undefined,
  async create(url, profile, settings) {
    // The client is loaded only for Elasticsearch runs.
    const { ElasticsearchSink } = await import('./elasticsearch-sink.js');
    return new ElasticsearchSink({ url, ...settings, retry: retryPolicyFromEnv() }, profile);
  },
};
