import type { ColumnSpec, RowValue, TableSpec } from '../../core/rows/table-spec.js';
import { textBefore } from '../../core/rows/text-order.js';
import type { BatchSummary, RowGroups } from '../batch-summary.js';
import { COWRIE_EVENTS_TABLE } from './schema.js';
import { SESSION_METRICS_MERGE } from './session-batch-sql.js';

/**
 * `session_metrics` for a batch folded from its events as the parser thread maps them, instead of
 * grouped from the batch's rows in SQL at the commit (COWRIE_SESSION_BATCH_SQL's first statement, which
 * cost the writer about 75 ms per batch of 50,000 events, most of it the grouping). A chunk's events
 * of one session become one row by the same rules, event after event in the order they are inserted
 * (see session-batch-sql.ts); the writer merges the rows of a session's chunks into the table with
 * SESSION_METRICS_MERGE, which follows the same rules:
 * - the matcher of the best rank;
 * - first/last seen: min/max of the texts as SQLite orders them (NULLs left out);
 * - closed duration, and username and password of a success: the last non-null one;
 * - source IP, protocol, sensor, client version: the first non-null one;
 * - counts added; `login_success` a max (0/1).
 * Events without a session or an `eventid` change no session, as in the SQL.
 */

/** Where each field is in a `cowrie_events` row. */
const at = (name: string): number => {
  const i = COWRIE_EVENTS_TABLE.columns.findIndex((c) => c.name === name);
  if (i < 0) throw new Error(`cowrie_events has no column ${name}`);
  return i;
};
const EVENT = {
  session: at('session_id'),
  matcher: at('matcher'),
  eventid: at('eventid'),
  timestamp: at('timestamp'),
  srcIp: at('src_ip'),
  sensor: at('sensor'),
  protocol: at('protocol'),
  username: at('username'),
  password: at('password'),
  duration: at('duration_sec'),
  version: at('version'),
};

const text = (name: string): ColumnSpec => ({ name, kind: 'text', sqlType: 'TEXT', description: name });
const number = (name: string): ColumnSpec => ({ name, kind: 'number', sqlType: 'INTEGER', description: name });

/** The summary's rows: a session's `session_metrics` columns as its events in one chunk give them. */
const SESSION_METRICS_ROWS: TableSpec = {
  name: 'session_metrics',
  uniqueKey: ['session_id'],
  sqliteOnConflict: SESSION_METRICS_MERGE,
  columns: [
    text('session_id'), text('matcher'), text('first_seen'), text('last_seen'), { ...number('closed_duration_sec'), sqlType: 'REAL' },
    text('src_ip'), text('protocol'), text('sensor'), text('client_version'), number('event_count'), number('command_count'),
    number('login_attempts'), number('login_success'), text('username'), text('password'), number('download_count'),
  ],
};
const G = Object.fromEntries(SESSION_METRICS_ROWS.columns.map((c, i) => [c.name, i])) as Record<string, number>;
const column = (name: string): number => {
  const i = G[name];
  if (i === undefined) throw new Error(`no column ${name} in the session summary`);
  return i;
};
const S = {
  session: column('session_id'), matcher: column('matcher'), first: column('first_seen'), last: column('last_seen'),
  duration: column('closed_duration_sec'), srcIp: column('src_ip'), protocol: column('protocol'), sensor: column('sensor'),
  version: column('client_version'), events: column('event_count'), commands: column('command_count'), logins: column('login_attempts'),
  success: column('login_success'), username: column('username'), password: column('password'), downloads: column('download_count'),
};
/** Kept from the first event that has one. */
const FIRST_NON_NULL = [S.srcIp, S.protocol, S.sensor, S.version];
/** Kept from the last event that has one. */
const LAST_NON_NULL = [S.duration, S.username, S.password];
const COUNTS = [S.events, S.commands, S.logins, S.downloads];

const SUCCESS = 'cowrie.login.success';
/** As `matcherRankSql`: best first, anything else last. */
const RANK: Readonly<Record<string, number>> = { full_delimited: 1, session_id_only: 2, event_session: 3 };
const rank = (matcher: RowValue | undefined): number => (typeof matcher === 'string' ? (RANK[matcher] ?? 4) : 4);

const textOf = (v: RowValue | undefined): string | null => (typeof v === 'string' ? v : null);
const flag = (yes: boolean): number => (yes ? 1 : 0);

/** One event as a group of its own. */
function groupOf(e: readonly RowValue[], session: string, eventid: string): RowValue[] {
  const success = eventid === SUCCESS;
  const duration = e[EVENT.duration];
  const timestamp = textOf(e[EVENT.timestamp]);
  const g = new Array<RowValue>(SESSION_METRICS_ROWS.columns.length);
  g[S.session] = session;
  g[S.matcher] = textOf(e[EVENT.matcher]);
  g[S.first] = timestamp;
  g[S.last] = timestamp;
  g[S.duration] = typeof duration === 'number' && !Number.isNaN(duration) ? duration : null;
  g[S.srcIp] = textOf(e[EVENT.srcIp]);
  g[S.protocol] = textOf(e[EVENT.protocol]);
  g[S.sensor] = textOf(e[EVENT.sensor]);
  g[S.version] = textOf(e[EVENT.version]);
  g[S.events] = 1;
  g[S.commands] = flag(eventid === 'cowrie.command.input');
  g[S.logins] = flag(success || eventid === 'cowrie.login.failed');
  g[S.success] = flag(success);
  g[S.username] = success ? textOf(e[EVENT.username]) : null;
  g[S.password] = success ? textOf(e[EVENT.password]) : null;
  g[S.downloads] = flag(eventid === 'cowrie.session.file_download');
  return g;
}

/** The earlier (`earlier` true) or the later of two texts, as SQLite's min() and max() take them: NULL only when both are. */
function pick(a: RowValue | undefined, b: RowValue | undefined, earlier: boolean): RowValue {
  if (typeof a !== 'string') return b ?? null;
  if (typeof b !== 'string') return a;
  return textBefore(b, a) === earlier ? b : a;
}

/** Merges `later` (the group of later events) into `earlier`, in place. */
function merge(earlier: RowValue[], later: readonly RowValue[]): void {
  if (rank(later[S.matcher]) < rank(earlier[S.matcher])) earlier[S.matcher] = later[S.matcher] ?? null;
  earlier[S.first] = pick(earlier[S.first], later[S.first], true);
  earlier[S.last] = pick(earlier[S.last], later[S.last], false);
  for (const i of FIRST_NON_NULL) if (earlier[i] === null) earlier[i] = later[i] ?? null;
  for (const i of LAST_NON_NULL) if (later[i] !== null) earlier[i] = later[i] ?? null;
  for (const i of COUNTS) earlier[i] = (earlier[i] as number) + (later[i] as number);
  if (later[S.success] === 1) earlier[S.success] = 1;
}

function add(groups: RowGroups, e: readonly RowValue[]): boolean {
  const session = e[EVENT.session];
  const eventid = e[EVENT.eventid];
  if (session === null || eventid === null) return true;
  // The mapper makes texts of both; anything else would group otherwise in SQL.
  if (typeof session !== 'string' || typeof eventid !== 'string') return false;
  const g = groupOf(e, session, eventid);
  const earlier = groups.get(session);
  if (earlier) merge(earlier, g);
  else groups.set(session, g);
  return true;
}

export const COWRIE_SESSION_BATCH_SUMMARY: BatchSummary = { replaces: 1, table: SESSION_METRICS_ROWS, add };
