import { dirname, join } from 'node:path';
import { sinkDescriptorFor, type SinkSettings } from '../sinks/registry.js';
import { defaultDeadLetterPath } from './job-harness.js';

/** The file name of a NATS sink's state when `--state` does not name one. */
const NATS_STATE_NAME = 'sluice-nats.state.db';

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
 * The local state of the sink `into` names, when it acknowledges instead of committing cursors with
 * its rows (NATS): `--state`, else `sluice-nats.state.db` beside the input (`besideInput`: a file or
 * a folder path), so each edge's cursors sit with the logs they describe.
 */
export function sinkStateFor(into: string, given: { state?: string | undefined }, besideInput: string): SinkState {
  const descriptor = sinkDescriptorFor(into);
  if (!descriptor.capabilities.acknowledgedCursor || descriptor.name === 'elasticsearch') {
    return { settings: {}, statePath: undefined, deadLetterPath: defaultDeadLetterPath(into) };
  }
  const statePath = given.state ?? join(besideInput, NATS_STATE_NAME);
  return {
    settings: { [descriptor.name]: { statePath } },
    statePath,
    deadLetterPath: defaultDeadLetterPath(`sqlite:${statePath}`),
  };
}

/**
 * The default `--state` of `spool` into `into` (when neither the flag nor `$SPOOL_STATE_FILE` names
 * one), in the working folder: Elasticsearch keeps the name megastream_ingest users know; any other
 * acknowledged sink gets one that says what it holds, so spools of other profiles or into other
 * subjects never share a ledger: `sluice-spool-bridge-to-sluice.bridge.state.db`.
 */
export function defaultSpoolStateName(into: string, profile: string): string {
  const descriptor = sinkDescriptorFor(into);
  if (descriptor.name === 'elasticsearch') return 'sluice-posts-state.db';
  let target = into;
  try {
    const u = new URL(into);
    target = decodeURIComponent(u.pathname.replace(/^\/+/, '')) || u.hostname;
  } catch {
    // not a URL: the whole text, made safe below
  }
  return `sluice-spool-${profile}-to-${target.replace(/[^A-Za-z0-9._-]+/g, '_')}.state.db`;
}

/** The folder of the first input file (`-`, stdin: the working folder). */
export function folderOfInput(files: readonly string[]): string {
  const first = files[0];
  return first === undefined || first === '-' ? '.' : dirname(first);
}
