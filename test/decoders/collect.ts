import type { BadRecord } from '../../src/core/bad-record.js';
import type { DecodedRecordHandler, RecordPosition } from '../../src/decoders/decoder.js';

/** Everything a decoder handed out, in order. */
export interface Collected {
  events: Array<{ kind: 'record'; value: unknown; at: RecordPosition; raw: string } | { kind: 'bad'; bad: BadRecord; at: RecordPosition } | { kind: 'skip'; at: RecordPosition }>;
  values(): unknown[];
  bads(): BadRecord[];
}

/** A handler that records every call. */
export function collector(): DecodedRecordHandler & Collected {
  const events: Collected['events'] = [];
  return {
    events,
    record: (value, at, raw) => events.push({ kind: 'record', value, at, raw: typeof raw === 'string' ? raw : raw() }),
    bad: (bad, at) => events.push({ kind: 'bad', bad, at }),
    skip: (at) => events.push({ kind: 'skip', at }),
    values: () => events.flatMap((e) => (e.kind === 'record' ? [e.value] : [])),
    bads: () => events.flatMap((e) => (e.kind === 'bad' ? [e.bad] : [])),
  };
}
