import { SluiceError } from '../core/errors.js';
import type { Profile } from '../profiles/profile.js';
import { DryRunSink } from './dry-run-sink.js';
import type { RetryPolicy } from './elasticsearch/es-retry-policy.js';
import type { Sink } from '../core/sink.js';
import { SqliteSink } from './sqlite/sqlite-sink.js';

/** Settings of an Elasticsearch sink that do not fit in its URL. */
export interface ElasticsearchSinkSettings {
  statePath: string;
  batchSize: number;
  apiKey?: string | undefined;
  skipTlsVerify: boolean;
  caCert?: string | undefined;
  createIndexes: boolean;
  requestTimeoutMs?: number | undefined;
  retry?: RetryPolicy | undefined;
}

/** Builds the sink a `--into` URL names. `--db PATH` is `sqlite:PATH`. */
export async function sinkFromUrl(
  url: string,
  profile: Profile,
  options: { dryRun: boolean; elasticsearch?: ElasticsearchSinkSettings | undefined },
): Promise<Sink> {
  if (options.dryRun) return new DryRunSink(profile);
  if (/^https?:\/\//.test(url)) {
    if (!options.elasticsearch) throw new SluiceError('SLUICE_E_UNKNOWN_SINK', `--into ${url}: Elasticsearch is a sink of sluice spool only`);
    // The client is loaded only for Elasticsearch runs.
    const { ElasticsearchSink } = await import('./elasticsearch/elasticsearch-sink.js');
    return new ElasticsearchSink({ url, ...options.elasticsearch }, profile);
  }
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') throw new SluiceError('SLUICE_E_UNKNOWN_SINK', '--into: sqlite: needs a path, e.g. sqlite:logs/bridge.db');
    return new SqliteSink(path, profile);
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    // Loaded only for PostgreSQL runs: the driver costs start-up time and memory.
    const { PostgresSink } = await import('./postgres/postgres-sink.js');
    return new PostgresSink(url, profile);
  }
  throw new SluiceError(
    'SLUICE_E_UNKNOWN_SINK',
    `--into: unsupported sink "${url}"; expected sqlite:PATH (or --db PATH), postgres://user@host/db or https://elasticsearch:9200`,
  );
}
