import { BAD_REASON } from '../../core/bad-record.js';
import type { RowValue } from '../../core/rows/table-spec.js';
import type { MapVerdict, ProfileOptions, RecordOrigin, RowEmitter } from '../profile.js';
import { isBridgeLogRecord, mapBridgeLogRecord } from './map-bridge-log.js';

/** Fields that have a column of their own; everything else is kept in `data_json` under `_extra`. */
const COLUMN_FIELDS = new Set(['seq', 'ts_ms', 'type', 'msg', 'plate', 't_rel_ms', 'session_id', 'pid', 'schema', 'data']);

const SKIP: MapVerdict = { skip: true };

/**
 * One bridge NDJSON record (schema_v1, as SteelCity's tools write it) → one `events` row. `seq` and `session_id` make
 * the key, so a record without them cannot be stored idempotently and is dead-lettered. `ts_ms` falls
 * back to `t_rel_ms`, never to the wall clock (that would make a re-ingest produce other rows).
 * Records of the bridge's later log format (told per record) are mapped by `mapBridgeLogRecord`.
 */
export function mapBridgeRecord(record: unknown, emit: RowEmitter, options: ProfileOptions, origin: RecordOrigin): MapVerdict {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    return { bad: `${BAD_REASON.notAnObject}: expected a JSON object, got ${describe(record)}` };
  }
  const r = record as Record<string, unknown>;
  if (isBridgeLogRecord(r)) return mapBridgeLogRecord(r, emit, options, origin);

  const sessionId = r.session_id;
  if (sessionId === undefined || sessionId === null || sessionId === '') {
    return { bad: `${BAD_REASON.missingKey}: no session_id, so the record cannot be keyed` };
  }
  if (typeof sessionId !== 'string') return wrongType('session_id', 'a string', sessionId);
  if (options.session !== undefined && sessionId !== options.session) return SKIP;

  const seq = r.seq;
  if (seq === undefined || seq === null) {
    return { bad: `${BAD_REASON.missingKey}: no seq, so the record cannot be keyed` };
  }
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
    return wrongType('seq', 'a non-negative integer', seq);
  }

  const tRel = optionalNumber(r.t_rel_ms);
  if (tRel === INVALID) return wrongType('t_rel_ms', 'a number', r.t_rel_ms);
  const tsRaw = optionalNumber(r.ts_ms);
  if (tsRaw === INVALID) return wrongType('ts_ms', 'a number', r.ts_ms);
  const pid = optionalNumber(r.pid);
  if (pid === INVALID) return wrongType('pid', 'a number', r.pid);
  const type = optionalText(r.type);
  if (type === INVALID) return wrongType('type', 'a string', r.type);
  const msg = optionalText(r.msg);
  if (msg === INVALID) return wrongType('msg', 'a string', r.msg);
  const plate = optionalText(r.plate);
  if (plate === INVALID) return wrongType('plate', 'a string', r.plate);
  const schema = optionalText(r.schema);
  if (schema === INVALID) return wrongType('schema', 'a string', r.schema);

  const values: RowValue[] = [
    seq,
    tsRaw ?? tRel,
    type,
    msg,
    plate,
    tRel,
    sessionId,
    pid,
    schema,
    dataJson(r),
  ];
  emit.row(0, values);
  return undefined;
}

const INVALID = Symbol('invalid');

function optionalNumber(v: unknown): number | null | typeof INVALID {
  if (v === undefined || v === null) return null;
  return typeof v === 'number' ? v : INVALID;
}

/** Text columns also take numbers and booleans as their text (a plate written as 3 is plate "3"). */
function optionalText(v: unknown): string | null | typeof INVALID {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return INVALID;
}

/**
 * `data` as stored JSON, with every field that has no column kept under `_extra` so nothing of the
 * input is lost. A `data` that is not an object is kept under `_data`.
 */
function dataJson(r: Record<string, unknown>): string | null {
  let extra: Record<string, unknown> | undefined;
  for (const key in r) {
    if (!COLUMN_FIELDS.has(key)) (extra ??= {})[key] = r[key];
  }
  const data = r.data;
  const dataIsObject = data !== null && typeof data === 'object' && !Array.isArray(data);
  if (extra === undefined) {
    if (data === undefined) return null;
    return dataIsObject ? JSON.stringify(data) : JSON.stringify({ _data: data });
  }
  if (data === undefined) return JSON.stringify({ _extra: extra });
  return dataIsObject ? JSON.stringify({ ...data, _extra: extra }) : JSON.stringify({ _data: data, _extra: extra });
}

function wrongType(field: string, expected: string, got: unknown): MapVerdict {
  return { bad: `${BAD_REASON.wrongType}: ${field} must be ${expected}, got ${describe(got)}` };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  const text = JSON.stringify(v) ?? String(v);
  return `${typeof v} ${text.length > 40 ? `${text.slice(0, 40)}...` : text}`;
}
