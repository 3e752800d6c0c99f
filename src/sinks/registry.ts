import type { z } from 'zod';
import { validateConfig } from '../core/config/validate.js';
import { SluiceError } from '../core/errors.js';
import type { Sink } from '../core/sink.js';
import type { Profile } from '../profiles/profile.js';
import { DryRunSink } from './dry-run/dry-run-sink.js';
import { elasticsearchSinkDescriptor } from './elasticsearch/elasticsearch-descriptor.js';
import { natsSinkDescriptor } from './nats/nats-descriptor.js';
import { postgresSinkDescriptor } from './postgres/postgres-descriptor.js';
import type { SinkDescriptor } from './sink-descriptor.js';
import { urlSettings } from './url-settings.js';
import { sqliteSinkDescriptor } from './sqlite/sqlite-descriptor.js';

/** Every sink Sluice ships, in one explicit list (no registration by import side effects). */
export const SINKS: readonly SinkDescriptor[] = [sqliteSinkDescriptor, postgresSinkDescriptor, elasticsearchSinkDescriptor, natsSinkDescriptor];

/**
 * The sink a URL names, or a usage error listing the ones there are. `sinks` is the list to choose
 * from (a test passes its own sink beside the shipped ones).
 */
export function sinkDescriptorFor(url: string, sinks: readonly SinkDescriptor[] = SINKS): SinkDescriptor {
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0]?.toLowerCase();
  const found = scheme === undefined ? undefined : sinks.find((s) => s.schemes.includes(scheme));
  if (!found) {
    throw new SluiceError(
      'SLUICE_E_UNKNOWN_SINK',
      `--into: unsupported sink "${url}"; expected one of: ${sinks.map((s) => `${s.example} (${s.name})`).join(', ')}`,
    );
  }
  return found;
}

/** The sinks `profile` can write to. */
export function sinksFor(profile: Profile, sinks: readonly SinkDescriptor[] = SINKS): SinkDescriptor[] {
  return sinks.filter((s) => s.supports(profile));
}

/** Settings a job may hand to the sinks, by sink name; each sink validates its own. */
export type SinkSettings = Partial<Record<string, unknown>>;

/**
 * Builds the sink a `--into` URL names, for a profile that declares what that sink needs; an
 * unsupported pair is a usage error naming the sinks the profile supports. `--db PATH` is `sqlite:PATH`.
 */
export async function sinkFromUrl(
  url: string,
  profile: Profile,
  options: { dryRun: boolean; settings?: SinkSettings },
  sinks: readonly SinkDescriptor[] = SINKS,
): Promise<Sink> {
  const descriptor = sinkDescriptorFor(url, sinks);
  if (!descriptor.supports(profile)) {
    throw new SluiceError(
      'SLUICE_E_UNSUPPORTED_SINK',
      `--into ${url}: profile ${profile.name} declares no ${descriptor.name} tables or documents; ` +
        `it goes into: ${sinksFor(profile, sinks).map((s) => `${s.name} (${s.example})`).join(', ')}`,
    );
  }
  if (options.dryRun) return new DryRunSink(profile);
  // Settings in the URL's query first, then those the job hands over (its flags) win.
  const given = { ...urlSettings(url, descriptor.settings), ...(options.settings?.[descriptor.name] as Record<string, unknown> | undefined) };
  const settings: z.infer<typeof descriptor.settings> = validateConfig(descriptor.settings, given);
  return descriptor.create(url, profile, settings);
}
