/** A bridge NDJSON line for tests; fields can be overridden or removed (value undefined). */
export function bridgeLine(seq: number, session = 's1', extra: Record<string, unknown> = {}): string {
  const record: Record<string, unknown> = {
    seq,
    type: 'event',
    ts_ms: 1000 + seq * 10,
    t_rel_ms: seq * 10.5,
    plate: `P${seq % 7}`,
    msg: seq % 5 === 0 ? 'T0' : 'HIT',
    data: { amp: seq * 1.5 },
    session_id: session,
    pid: 42,
    ...extra,
  };
  for (const k of Object.keys(record)) if (record[k] === undefined) delete record[k];
  return JSON.stringify(record);
}

/** `n` good lines of one session, newline-terminated. */
export function bridgeFile(n: number, session = 's1', first = 0): string {
  const lines: string[] = [];
  for (let i = first; i < first + n; i++) lines.push(bridgeLine(i, session));
  return `${lines.join('\n')}\n`;
}
