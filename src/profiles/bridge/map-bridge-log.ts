import { BAD_REASON } from '../../core/bad-record.js';
import type { RowValue } from '../../core/rows/table-spec.js';
import type { MapVerdict, ProfileOptions, RecordOrigin, RowEmitter } from '../profile.js';
import { epochMsOf } from './zoned-time.js';

/**
 * Whether a record is of the bridge's later log format (`datetime, type, device, device_id,
 * device_position, details, timestamp_iso, seq`): it has `timestamp_iso` and no `session_id`.
 */
export function isBridgeLogRecord(r: Record<string, unknown>): boolean {
  return r.timestamp_iso !== undefined && r.session_id === undefined;
}

const RUN = 'bridge-log.run';
const RUN_START_MS = 'bridge-log.runStartMs';
const ORDINAL = 'bridge-log.ordinal';
const INITIALIZED = /^\s*bridge initialized\s*$/i;

/**
 * One record of the later bridge log → one `events` row. That format has no session and its `seq` is
 * the second the line was written (not unique), so rows are keyed by what the records say, in their
 * order, never by the file's name:
 * - a run (the session) is the records from one "Bridge Initialized" line to the next; `session_id`
 *   is that line's `timestamp_iso` as written. Records before the first such line of a file (a run
 *   begun in an earlier file) form a run named by the file's first record;
 * - `seq` is the record's number within its run (1 = the line that opened it), so (session_id, seq)
 *   is unique even for two identical lines; the unit is replayed from its start when resumed
 *   (`unitHistory`), so a resumed read numbers records as a whole read does;
 * - `ts_ms` is `timestamp_iso` as epoch ms, its wall time read in `--tz` (UTC by default); `t_rel_ms`
 *   is ms since the run's first record;
 * - `type` Impact becomes `event` / msg `HIT` (what the hit reports count), other types are lower-cased
 *   with `details` as msg; `plate` is the `device_position` of a Sensor;
 * - every field as written is kept in `data_json` under `_extra` (the original `seq` included).
 */
export function mapBridgeLogRecord(r: Record<string, unknown>, emit: RowEmitter, options: ProfileOptions, origin: RecordOrigin): MapVerdict {
  const iso = r.timestamp_iso;
  if (typeof iso !== 'string') return { bad: `${BAD_REASON.wrongType}: timestamp_iso must be a string, got ${typeof iso}` };
  const tsMs = epochMsOf(iso, options.timeZone ?? 'UTC');
  if (tsMs === undefined) return { bad: `${BAD_REASON.wrongType}: timestamp_iso must be an ISO date-time, got "${iso.slice(0, 40)}"` };
  const type = typeof r.type === 'string' ? r.type : null;
  const details = typeof r.details === 'string' ? r.details : null;

  const memory = origin.memory;
  if (memory.get(RUN) === undefined || (details !== null && INITIALIZED.test(details))) {
    memory.set(RUN, iso);
    memory.set(RUN_START_MS, String(tsMs));
    memory.set(ORDINAL, '0');
  }
  const ordinal = Number(memory.get(ORDINAL)) + 1;
  memory.set(ORDINAL, String(ordinal));
  const sessionId = memory.get(RUN) ?? iso;
  if (options.session !== undefined && sessionId !== options.session) return { skip: true };

  const hit = type?.toLowerCase() === 'impact';
  const plate = r.device === 'Sensor' && typeof r.device_position === 'string' ? r.device_position : null;
  const values: RowValue[] = [
    ordinal,
    tsMs,
    hit ? 'event' : (type?.toLowerCase() ?? null),
    hit ? 'HIT' : details,
    plate,
    tsMs - Number(memory.get(RUN_START_MS)),
    sessionId,
    null,
    null,
    JSON.stringify({ _extra: r }),
  ];
  emit.row(0, values);
  return undefined;
}
