import { hash } from 'node:crypto';
import { BAD_REASON } from '../../core/bad-record.js';
import type { RowValue } from '../../core/rows/table-spec.js';
import type { MapVerdict, RowEmitter } from '../profile.js';
import { durationSeconds } from './duration.js';
import { matchSession } from './session-matchers.js';

/** One Cowrie JSON event → one `cowrie_events` row (session tables follow once per batch). */
export function mapCowrieEvent(record: unknown, emit: RowEmitter): MapVerdict {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    return { bad: `${BAD_REASON.notAnObject}: a Cowrie event must be a JSON object` };
  }
  const e = record as Record<string, unknown>;
  const raw = JSON.stringify(e);
  const session = matchSession(e);
  const values: RowValue[] = [
    // One call, no Hash object per event: a third of createHash's time (1M events: 0.4 s against 1.0-1.6 s).
    hash('sha256', raw, 'hex').slice(0, 32),
    session?.sessionId ?? null,
    session?.matcher ?? null,
    str(e.eventid),
    str(e.timestamp),
    str(e.src_ip),
    str(e.sensor),
    str(e.protocol),
    str(e.username),
    str(e.password),
    str(e.input),
    str(e.url),
    str(e.shasum),
    e.eventid === 'cowrie.session.closed' ? durationSeconds(e.duration) : null,
    str(e.version),
    str(e.message),
    raw,
  ];
  emit.row(0, values);
  return undefined;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
}
