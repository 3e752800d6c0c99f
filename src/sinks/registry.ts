import { SluiceError } from '../core/errors.js';
import type { Profile } from '../profiles/profile.js';
import { DryRunSink } from './dry-run-sink.js';
import type { Sink } from './sink.js';
import { SqliteSink } from './sqlite/sqlite-sink.js';

/** Builds the sink a `--into` URL names. `--db PATH` is `sqlite:PATH`. */
export async function sinkFromUrl(url: string, profile: Profile, options: { dryRun: boolean }): Promise<Sink> {
  if (options.dryRun) return new DryRunSink();
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
    `--into: unsupported sink "${url}"; expected sqlite:PATH (or --db PATH) or postgres://user@host/db`,
  );
}
