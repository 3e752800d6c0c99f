import type { z } from 'zod';
import { validateConfig } from '../core/config/validate.js';
import { SluiceError } from '../core/errors.js';
import { fileSourceDescriptor } from './file-descriptor.js';
import { followSourceDescriptor } from './follow/follow-descriptor.js';
import { natsSourceDescriptor } from './nats/nats-source-descriptor.js';
import type { Source } from './source.js';
import {
  listsLedgerUnits,
  type SourceCapabilities,
  type SourceDescriptor,
  type SourceParts,
  type StreamSourceDescriptor,
  type UnitListerDescriptor,
} from './source-descriptor.js';
import { spoolFolderDescriptor } from './spool/folder-descriptor.js';
import { spoolS3Descriptor } from './spool/s3-descriptor.js';
import type { UnitLister } from './spool/unit-lister.js';

/** Every source Sluice ships, in one explicit list (no registration by import side effects). */
export const SOURCES: readonly SourceDescriptor[] = [
  fileSourceDescriptor,
  followSourceDescriptor,
  spoolFolderDescriptor,
  spoolS3Descriptor,
  natsSourceDescriptor,
];

/**
 * Settings a job hands to whichever source its input chose (its flags, named as the settings
 * fields are): each source takes the fields its schema has and validates them; the job names no source.
 */
export type SourceSettings = Readonly<Record<string, unknown>>;

/** What a job asks of its source: the input as the user wrote it, the capabilities it needs, the flag it came from. */
export interface SourceRequest {
  /** The first input (a path, a pattern, a URL): its scheme chooses among the sources that fit. */
  input: string;
  /** Capabilities the job needs (`{ ledgerUnits: true }` for spool). */
  needs: Partial<SourceCapabilities>;
  /** The flag or argument the input came from, for messages (`--from`, `PATTERN`). */
  flag: string;
}

/**
 * The source for a job's input: among those with the capabilities the job needs, the one whose URL
 * scheme the input has (an input without a scheme is a local path). Else a usage error naming the
 * inputs that would do. `sources` is the list to choose from (a test passes its own).
 */
export function sourceDescriptorFor(request: SourceRequest, sources: readonly SourceDescriptor[] = SOURCES): SourceDescriptor {
  const fit = sources.filter((s) => Object.entries(request.needs).every(([k, v]) => s.capabilities[k as keyof SourceCapabilities] === v));
  const scheme = /^([a-z][a-z0-9+.-]*:)\/\//i.exec(request.input)?.[1]?.toLowerCase();
  const found = fit.find((s) => (scheme === undefined ? s.schemes.length === 0 : s.schemes.includes(scheme)));
  if (!found) {
    throw new SluiceError(
      'SLUICE_E_CONFIG',
      `${request.flag}: expected ${fit.map((s) => `${s.example} (${s.name})`).join(' or ')}; got ${request.input}`,
    );
  }
  return found;
}

/** The fields of `settings` that `descriptor`'s schema has, validated; every problem is named by its flag. */
function settingsOf(descriptor: SourceDescriptor, settings: SourceSettings | undefined): z.infer<typeof descriptor.settings> {
  const shape = (descriptor.settings as unknown as { shape?: Record<string, unknown> }).shape ?? {};
  const own = Object.fromEntries(Object.entries(settings ?? {}).filter(([k, v]) => k in shape && v !== undefined));
  return validateConfig(descriptor.settings, own);
}

/** A factory of the streaming source (file, follow, nats) for `inputs`. */
export async function streamSourceFor(
  inputs: readonly string[],
  request: Omit<SourceRequest, 'input'>,
  parts: SourceParts,
  settings?: SourceSettings,
  sources: readonly SourceDescriptor[] = SOURCES,
): Promise<{ descriptor: StreamSourceDescriptor; source: () => Source }> {
  const descriptor = sourceDescriptorFor({ ...request, input: inputs[0] ?? '', needs: { ...request.needs, ledgerUnits: false } }, sources);
  if (listsLedgerUnits(descriptor)) throw new Error(`source ${descriptor.name} lists ledger units`);
  return { descriptor, source: await descriptor.create(inputs, settingsOf(descriptor, settings), parts) };
}

/** The lister of a folder or prefix of ledger units (spool). */
export async function unitListerFor(
  input: string,
  request: Omit<SourceRequest, 'input'>,
  parts: SourceParts,
  settings?: SourceSettings,
  sources: readonly SourceDescriptor[] = SOURCES,
): Promise<{ descriptor: UnitListerDescriptor; lister: UnitLister }> {
  const descriptor = sourceDescriptorFor({ ...request, input, needs: { ...request.needs, ledgerUnits: true } }, sources);
  if (!listsLedgerUnits(descriptor)) throw new Error(`source ${descriptor.name} lists no ledger units`);
  return { descriptor, lister: await descriptor.create([input], settingsOf(descriptor, settings), parts) };
}
