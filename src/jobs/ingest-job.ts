import type { Readable } from 'node:stream';
import { profileByName } from '../profiles/registry.js';
import { sinkFromUrl } from '../sinks/registry.js';
import { resolveFileUnits } from '../sources/file-source.js';
import { streamSourceFor } from '../sources/registry.js';
import { Batcher } from '../core/batcher.js';
import type { IngestConfig } from './config/ingest-config.js';
import { runJob, type JobResult } from './run-job.js';
import { sinkStateFor } from './sink-state.js';

/** Bytes read from a unit at a time: about a thousand bridge events, one chunk message. */
const READ_BYTES = 256 * 1024;

/** `sluice ingest` as a library call: the files once, each from its cursor, then exit. */
export async function runIngest(config: IngestConfig, options: { stdin?: Readable } = {}): Promise<JobResult> {
  const profile = profileByName(config.profile);
  // A typo'd path fails before the sink is opened: no empty database is left behind.
  await resolveFileUnits(config.files);
  const parse = {
    profile: profile.name,
    profileOptions: { session: config.session, timeZone: config.tz },
    maxLineBytes: config.maxLineBytes,
    readBytes: READ_BYTES,
  };
  const { descriptor, source } = await streamSourceFor(config.files, { needs: { endless: false }, flag: 'FILE' }, { profile, parse, stdin: options.stdin });
  const state = sinkStateFor(config.into, config, descriptor.folderOf?.(config.files) ?? '.');
  return runJob({
    job: 'ingest',
    source,
    sink: await sinkFromUrl(config.into, profile, { dryRun: config.dryRun, settings: state.settings }),
    scope: `${profile.name}|session=${config.session ?? '*'}`,
    batcher: new Batcher(config.batchSize, config.batchAgeMs),
    deadLetterPath: config.deadLetter ?? (config.dryRun ? undefined : state.deadLetterPath),
    statusFile: config.statusFile,
    progress: config.progress,
    onSignal: 'interrupt',
  });
}
