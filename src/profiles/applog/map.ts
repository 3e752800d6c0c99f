import { BAD_REASON } from '../../core/bad-record.js';
import type { RowValue } from '../../core/rows/table-spec.js';
import type { MapVerdict, ProfileOptions, RecordOrigin, RowEmitter } from '../profile.js';
import { readEntryText } from './canonical-from-text.js';
import { appLogEntryKeyCounted, appLogKeyOfCanonical } from './entry-key.js';
import { isoTime } from './iso-time.js';
import { isStringifyForm } from './stringify-form.js';

const PINO_LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/**
 * One pino-style log entry → one `logs` row. The seed made `id` from req.id or at random: random ids
 * break idempotency and req.id is a per-process counter, so `id` is keyed by the entry's content
 * (`appLogEntryKeyCounted`: the file's name plays no part) and req.id is kept as `request_id`.
 */
export function mapAppLogEntry(record: unknown, emit: RowEmitter, _options: ProfileOptions, origin: RecordOrigin): MapVerdict {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    return { bad: `${BAD_REASON.notAnObject}: a log entry must be a JSON object` };
  }
  const e = record as Record<string, unknown>;
  const req = objectOr(e.req);
  // The key: from the entry's own text when it is in JSON.stringify's form (then that text is
  // `raw_data`); else from the value, with the entry's key count (for `raw_data`).
  const text = origin.text;
  const reading = text !== undefined ? readEntryText(text) : undefined;
  let id: string;
  let raw: string;
  if (reading !== undefined) {
    id = appLogKeyOfCanonical(reading.canonical, origin.memory);
    raw = text as string;
  } else {
    const counted = appLogEntryKeyCounted(e, origin.memory);
    id = counted.key;
    raw = rawData(e, text, counted.keys);
  }
  const values: RowValue[] = [
    id,
    scalarText(req.id),
    isoTime(e.timestamp) ?? isoTime(e.time),
    levelName(e.level),
    str(req.method),
    str(req.url),
    // In JSON.stringify's form, a member's text is JSON.stringify of its value: cut, not written again.
    reading !== undefined ? (reading.valueText('req', 'query') ?? null) : json(req.query),
    reading !== undefined ? (reading.valueText('req', 'headers') ?? null) : json(req.headers),
    str(e.context),
    str(e.message) ?? str(e.msg),
    integer(e.authUserId, BIGINT),
    integer(e.pid, INTEGER),
    str(e.hostname),
    str(req.remoteAddress),
    integer(req.remotePort, INTEGER),
    num(e.processingTimeMs),
    typeof e.cacheHit === 'boolean' ? (e.cacheHit ? 1 : 0) : null,
    integer(e.documentCount, INTEGER),
    isoTime(e.lastUpdated),
    reading !== undefined ? (reading.valueText('req', 'params') ?? null) : json(req.params),
    raw,
    origin.unitName,
    origin.index,
  ];
  emit.row(0, values);
  return undefined;
}

/**
 * `raw_data`: `JSON.stringify` of the entry, which is the entry's own text when that is written as
 * `JSON.stringify` writes (pino's output is): then the text is kept, one string of its own, and the
 * entry is not written again. `keys`: how many keys the entry's objects have in all.
 */
function rawData(entry: Record<string, unknown>, text: string | undefined, keys: number): string {
  return text !== undefined && isStringifyForm(text, keys) ? text : JSON.stringify(entry);
}

function levelName(v: unknown): string | null {
  if (typeof v === 'number') return PINO_LEVELS[v] ?? String(v);
  return typeof v === 'string' ? v : null;
}

function objectOr(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function scalarText(v: unknown): string | null {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** The largest value of PostgreSQL's INTEGER; BIGINT holds every safe integer. */
const INTEGER = 2 ** 31 - 1;
const BIGINT = Number.MAX_SAFE_INTEGER;

/**
 * An integer column's value: an integer within the column's range, else NULL (1.5 or 1e12 is no pid;
 * `raw_data` keeps it as logged). PostgreSQL refuses such a value for the whole batch; SQLite would
 * store it, so both sinks now hold the same.
 */
function integer(v: unknown, max: number): number | null {
  return typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= max ? v : null;
}

function json(v: unknown): string | null {
  return v === undefined ? null : JSON.stringify(v);
}
