import { join } from 'node:path';
import { SINKS, sinkDescriptorFor, type SinkSettings } from '../sinks/registry.js';
import type { SinkDescriptor } from '../sinks/sink-descriptor.js';
import { defaultDeadLetterPath } from './job-harness.js';

/** What a job hands an acknowledged sink that keeps its cursors in a local state file. */
export interface SinkState {
  /** Settings for `sinkFromUrl`, by sink name. */
  settings: SinkSettings;
  /** The state file, when the sink keeps one. */
  statePath: string | undefined;
  /** The default dead-letter file: beside the state file, else beside the database. */
  deadLetterPath: string;
}

/**
 * The local state of the sink `into` names, when its descriptor says it keeps one beside the input
 * (`stateBesideInput`, NATS): `--state`, else `sluice-<sink name>.state.db` beside the input
 * (`besideInput`: a file or a folder path), so each edge's cursors sit with the logs they describe.
 */
export function sinkStateFor(
  into: string,
  given: { state?: string | undefined },
  besideInput: string,
  sinks: readonly SinkDescriptor[] = SINKS,
): SinkState {
  const descriptor = sinkDescriptorFor(into, sinks);
  if (!descriptor.capabilities.stateBesideInput) {
    return { settings: {}, statePath: undefined, deadLetterPath: defaultDeadLetterPath(into) };
  }
  const statePath = given.state ?? join(besideInput, `sluice-${descriptor.name}.state.db`);
  return {
    settings: { [descriptor.name]: { statePath } },
    statePath,
    deadLetterPath: defaultDeadLetterPath(`sqlite:${statePath}`),
  };
}

/**
 * The default `--state` of `spool` into `into` (when neither the flag nor `$SPOOL_STATE_FILE` names
 * one), in the working folder: a sink may keep the name users of the tool it replaces know
 * (`spoolStateName`: Elasticsearch, megastream_ingest's); any other
 * acknowledged sink gets one that says what it holds, so spools of other profiles or into other
 * subjects never share a ledger: `sluice-spool-bridge-to-sluice.bridge.state.db`.
 */
export function defaultSpoolStateName(into: string, profile: string): string {
  const descriptor = sinkDescriptorFor(into);
  if (descriptor.spoolStateName) return descriptor.spoolStateName;
  let target = into;
  try {
    const u = new URL(into);
    target = decodeURIComponent(u.pathname.replace(/^\/+/, '')) || u.hostname;
  } catch {
    // not a URL: the whole text, made safe below
  }
  return `sluice-spool-${profile}-to-${target.replace(/[^A-Za-z0-9._-]+/g, '_')}.state.db`;
}
