import { createHash, randomUUID } from 'node:crypto';

/** A stand-in for the cursor key of a unit that has none (stdin): unique to this process. */
const RUN_ID = `run:${randomUUID()}`;

/**
 * The `Nats-Msg-Id` of one row: a hash of where it came from (the unit's cursor key, the number of
 * its record, the table and the row's index among the rows that record made for that table) and of
 * the message itself. Read again after a crash, the same row gets the same id, and JetStream drops it
 * within the duplicate window. The body is part of it so that a file truncated and written anew
 * (same cursor key, same record numbers, other lines) is not taken for the old one.
 */
export function messageId(cursorKey: string | null, record: number | undefined, table: string, indexInRecord: number, body: string): string {
  const h = createHash('sha256');
  h.update(cursorKey ?? RUN_ID);
  h.update(`\u0000${record ?? ''}\u0000${table}\u0000${indexInRecord}\u0000`);
  h.update(body);
  return h.digest('base64url').slice(0, 32);
}

/**
 * The `Nats-Msg-Id` of a message of several rows: a hash of the unit's cursor key, the table, the
 * first and the last record it covers, and the body. The same records cut the same way get the same
 * id (JetStream drops the copy); cut another way (a redo from another offset), the message gets
 * another id, is stored again, and the consumer's sink adds nothing for rows whose unique key it has.
 */
export function batchMessageId(cursorKey: string | null, table: string, firstRecord: number | undefined, lastRecord: number | undefined, body: string): string {
  const h = createHash('sha256');
  h.update(cursorKey ?? RUN_ID);
  h.update(`\u0000${table}\u0000${firstRecord ?? ''}\u0000${lastRecord ?? ''}\u0000`);
  h.update(body);
  return h.digest('base64url').slice(0, 32);
}
