/** How an event was placed in a session, best first. */
export type SessionMatcher = 'full_delimited' | 'session_id_only' | 'event_session';

/** A session id placed by a matcher, or none. */
export interface SessionMatch {
  sessionId: string;
  matcher: SessionMatcher;
}

const DELIMITED = /\[session: ([0-9A-Za-z._:-]+)\]/;
const IN_MESSAGE = /\bsession[ :=]+([0-9a-f]{8,64})\b/i;
const OTHER_ID_FIELDS = ['sessionid', 'session_id', 'uuid'] as const;

/**
 * Session enumeration with matchers tried in priority order, so an event is placed even when the
 * usual markers are missing (cowrieprocessor's bug: events without the delimiter markers were dropped):
 * - `full_delimited`: a `session` field that the message also names in Cowrie's delimited form
 *   `[session: ID]` (the connect event);
 * - `session_id_only`: a `session` field;
 * - `event_session`: another id field (`sessionid`, `session_id`, `uuid`) or an id in the message.
 * An event no matcher can place returns undefined: it is kept (and counted), never dropped.
 */
export function matchSession(e: Record<string, unknown>): SessionMatch | undefined {
  const session = nonEmpty(e.session);
  const message = typeof e.message === 'string' ? e.message : '';
  if (session !== undefined) {
    const delimited = DELIMITED.exec(message);
    return { sessionId: session, matcher: delimited?.[1] === session ? 'full_delimited' : 'session_id_only' };
  }
  for (const field of OTHER_ID_FIELDS) {
    const id = nonEmpty(e[field]);
    if (id !== undefined) return { sessionId: id, matcher: 'event_session' };
  }
  const inMessage = DELIMITED.exec(message) ?? IN_MESSAGE.exec(message);
  if (inMessage?.[1]) return { sessionId: inMessage[1], matcher: 'event_session' };
  return undefined;
}

function nonEmpty(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

/** SQL ranking the matcher in column `m`, best first (1), as a session keeps its best matcher. */
export const matcherRankSql = (m: string): string =>
  `CASE ${m} WHEN 'full_delimited' THEN 1 WHEN 'session_id_only' THEN 2 WHEN 'event_session' THEN 3 ELSE 4 END`;
