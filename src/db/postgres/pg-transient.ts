/** Node socket errors of a connection that went away or never came. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTCONN']);

/** node-postgres messages of a client whose connection died (no SQLSTATE code on these). */
const LOST_MESSAGES = [/connection terminated/i, /connection error and is not queryable/i, /client was closed/i, /not queryable/i];

/**
 * Whether `err`, or an error in its `cause` chain, says the PostgreSQL connection was lost or the
 * server is not accepting connections now: SQLSTATE class 08 (connection exception), 57P01-57P03
 * (admin or crash shutdown, cannot connect now: a restart), or a socket error. Such errors are worth
 * waiting out; a constraint, a syntax or a permission error is not.
 */
export function isConnectionLost(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 8; depth += 1) {
    const { code, message, cause } = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || SOCKET_CODES.has(code))) {
      return true;
    }
    if (typeof message === 'string' && LOST_MESSAGES.some((re) => re.test(message))) return true;
    e = cause;
  }
  return false;
}

/** SQLSTATEs of a transaction PostgreSQL aborted for another's sake: deadlock_detected, serialization_failure. */
const CONFLICT_CODES = new Set(['40P01', '40001']);

/**
 * Whether `err` (or its `cause` chain) says PostgreSQL aborted the transaction because of a
 * concurrent one: a deadlock between two writers' statement triggers, or a serialization failure.
 * Nothing of that transaction was kept, so running it again from the committed cursors is right.
 */
export function isWriteConflict(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 8; depth += 1) {
    const { code, cause } = e as { code?: unknown; cause?: unknown };
    if (typeof code === 'string' && CONFLICT_CODES.has(code)) return true;
    e = cause;
  }
  return false;
}
