import { existsSync, readFileSync } from 'node:fs';
import { SluiceError } from '../core/errors.js';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../core/json-depth.js';
import type { DiscoveredUnit } from './ledger.js';

/**
 * What a `megastream_ingest` state file says was done: every file up to a time in its name (newer
 * versions: `{"last_time_us", "updated_at"}`), or a list of file names with a status (older versions:
 * `{"files": [{filename, status, ...}]}` or a bare array).
 */
export type MegastreamState =
  | { kind: 'cursor'; lastTimeUs: number }
  | { kind: 'files'; processed: ReadonlySet<string> };

const NAME_TIME = /mega_jetstream_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})\.db\.zip$/;

/** The state in `path` when it is a megastream_ingest JSON state file, else undefined (not there, or SQLite). */
export function readMegastreamState(path: string): MegastreamState | undefined {
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8');
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return undefined;
  if (jsonTooDeep(text)) throw new SluiceError('SLUICE_E_CONFIG', `--state ${path}: nests more than ${MAX_JSON_DEPTH} levels; not a megastream_ingest state file`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new SluiceError('SLUICE_E_CONFIG', `--state ${path}: looks like a megastream_ingest state file but is not JSON (${(err as Error).message})`);
  }
  const o = parsed as { last_time_us?: unknown; files?: unknown; cursor?: { last_time_us?: unknown } };
  const files = Array.isArray(parsed) ? parsed : Array.isArray(o.files) ? o.files : undefined;
  if (files) {
    const processed = new Set<string>();
    for (const f of files as Array<{ filename?: unknown; status?: unknown }>) {
      if (typeof f.filename === 'string' && f.status === 'processed') processed.add(f.filename);
    }
    return { kind: 'files', processed };
  }
  const last = typeof o.last_time_us === 'number' ? o.last_time_us : o.cursor?.last_time_us;
  if (typeof last === 'number' && Number.isFinite(last)) return { kind: 'cursor', lastTimeUs: last };
  throw new SluiceError('SLUICE_E_CONFIG', `--state ${path}: JSON without last_time_us or files; not a megastream_ingest state file`);
}

/**
 * The units the old tool had finished. With a cursor, files strictly older than it: the file AT the
 * cursor is done again, because megastream_ingest moved its cursor before Elasticsearch acknowledged
 * the file's documents (redoing it is harmless: every write is idempotent).
 */
export function unitsDoneBy(state: MegastreamState, units: readonly DiscoveredUnit[]): DiscoveredUnit[] {
  return units.filter((u) => {
    const name = u.key.split('/').pop() ?? u.key;
    if (state.kind === 'files') return state.processed.has(name);
    const m = NAME_TIME.exec(name);
    if (!m) return false;
    const us = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) * 1000;
    return us < state.lastTimeUs;
  });
}
