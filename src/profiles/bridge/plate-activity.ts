/**
 * Table `plate_activity`: per (session, plate), what reports `hits` and `last_seen` compute from the
 * events, kept as events arrive so that those reports read about 20,000 rows instead of 1M events
 * (1M bench events: `hits` took 0.37 s in SQLite, 0.59 s in PostgreSQL, reading every HIT).
 *
 * A row holds exact partial aggregates that merge by addition, min and max: events, first and last
 * `ts_ms` (for `last_seen`); HITs (`type = 'event' AND msg = 'HIT'`), how many of them have a
 * `t_rel_ms`, and its min, max and exact sum (for `hits`: the mean is sum / count, as `avg` divides
 * them; see `exactSumParts`).
 * Events without a plate are one row per session, `plate_null = 1` and `plate_key = ''`: a key
 * column may hold no NULL (SQLite would not see two NULL plates as the same key), and `''` is a plate
 * of its own.
 *
 * It is written in the events' own transaction, over the rows really inserted (duplicates are not):
 * in SQLite once per batch (`Profile.sqliteAfterBatch`, rowids `$first_rowid`..`$last_rowid`), in
 * PostgreSQL by a statement trigger over the inserted rows. A crash or a rollback takes both back.
 */
export const PLATE_ACTIVITY_TABLE = 'plate_activity';

const HIT = "type = 'event' AND msg = 'HIT'";

type Dialect = 'sqlite' | 'postgres';

/** 2^26: the fraction of a `t_rel_ms` is kept as two integers of 26 bits each (its 52 bits). */
export const FRACTION_HALF = 67108864;

/**
 * Values of at least 2^32 ms (50 days after the shot timer started: not a real t_rel_ms) are summed as
 * they are, so that the integer sums cannot overflow (2^31 HITs of one plate in one session).
 */
const SPLIT_BELOW = '4294967296.0';

/**
 * A HIT's `t_rel_ms` as three integers whose sums are exact however the events are split into
 * batches: its integer part (truncated), then its fraction's first and next 26 bits. A sum of doubles
 * depends on the order of the additions, and a mean of 40 values of one decimal (x.xxx5) then
 * rounds either way: the same HITs gave `avg` 175810.477 in one pass, 175810.478 summed by session.
 * From the three sums the report rebuilds the sum rounded once (what one pass over the HITs gives,
 * SQLite's `sum` being compensated). Each step is exact for |x| >= 1 (x - trunc(x) loses nothing);
 * a fraction below 2^-52 (only below 1 ms) is cut.
 */
function exactSumParts(d: Dialect): string[] {
  const int = (x: string): string => (d === 'sqlite' ? `CAST(${x} AS INTEGER)` : `CAST(trunc(${x}) AS BIGINT)`);
  const high = `((h - whole) * ${FRACTION_HALF}.0)`;
  return [
    'coalesce(sum(whole), 0)',
    `coalesce(sum(${int(high)}), 0)`,
    `coalesce(sum(${int(`(${high} - ${int(high)}) * ${FRACTION_HALF}.0`)}), 0)`,
    'coalesce(sum(CASE WHEN whole IS NULL THEN h END), 0.0)',
  ];
}

/** The partial aggregates of the rows of `hitValues`, in the table's column order after the key. */
function aggregates(d: Dialect): string {
  return ['count(*)', 'min(ts_ms)', 'max(ts_ms)', 'count(hit)', 'count(h)', 'min(h)', 'max(h)', ...exactSumParts(d)].join(',\n    ');
}

/**
 * The events of `source` with `hit` (1 for a HIT), `h` (a HIT's `t_rel_ms`) and `whole` (its integer
 * part, when it is split: see `exactSumParts`), each worked out once per event: the fence (SQLite's
 * `LIMIT -1`, PostgreSQL's `OFFSET 0`) keeps the subqueries from being merged into the aggregate,
 * which would test every HIT four times (a fifth less CPU per batch, measured).
 */
function hitValues(d: Dialect, source: string, filter: string): string {
  const fence = d === 'sqlite' ? 'LIMIT -1' : 'OFFSET 0';
  const int = d === 'sqlite' ? 'CAST(h AS INTEGER)' : 'CAST(trunc(h) AS BIGINT)';
  return `(SELECT session_id, plate, ts_ms, hit, h, CASE WHEN abs(h) < ${SPLIT_BELOW} THEN ${int} END AS whole
    FROM (SELECT session_id, plate, ts_ms, CASE WHEN ${HIT} THEN 1 END AS hit, CASE WHEN ${HIT} THEN t_rel_ms END AS h
      FROM ${source} WHERE ${filter} ${fence}) AS hits ${fence}) AS events`;
}

const COLUMNS = `session_id, plate_null, plate_key, events, first_ts_ms, last_ts_ms,
    hits, hit_t_rel_count, hit_t_rel_min, hit_t_rel_max, hit_t_rel_int, hit_t_rel_frac_high, hit_t_rel_frac_low, hit_t_rel_rest`;

/**
 * Merges the new aggregates into a row already there. SQLite's two-argument min/max are NULL when
 * either is: a NULL side (no ts_ms, no t_rel_ms yet) leaves the other. PostgreSQL's least/greatest
 * skip NULLs by themselves.
 */
function mergeSet(dialect: Dialect, row: string): string {
  const keep = (fn: string, col: string): string =>
    dialect === 'sqlite'
      ? `${col} = coalesce(${fn}(${row}.${col}, excluded.${col}), ${row}.${col}, excluded.${col})`
      : `${col} = ${fn === 'min' ? 'least' : 'greatest'}(${row}.${col}, excluded.${col})`;
  const add = (col: string): string => `${col} = ${row}.${col} + excluded.${col}`;
  return [
    add('events'),
    keep('min', 'first_ts_ms'),
    keep('max', 'last_ts_ms'),
    add('hits'),
    add('hit_t_rel_count'),
    keep('min', 'hit_t_rel_min'),
    keep('max', 'hit_t_rel_max'),
    add('hit_t_rel_int'),
    add('hit_t_rel_frac_high'),
    add('hit_t_rel_frac_low'),
    add('hit_t_rel_rest'),
  ].join(',\n    ');
}

/**
 * `INSERT` of the aggregates of `source`'s events (a table, filtered by `filter`), merged into the
 * rows there. Ordered by key: concurrent PostgreSQL writers lock the rows they update in one order.
 */
function upsertFrom(dialect: Dialect, source: string, filter: string): string {
  return `INSERT INTO plate_activity AS a (${COLUMNS})
  SELECT session_id, CASE WHEN plate IS NULL THEN 1 ELSE 0 END, coalesce(plate, ''), ${aggregates(dialect)}
  FROM ${hitValues(dialect, source, filter)}
  GROUP BY session_id, plate
  ORDER BY 1, 2, 3
  ON CONFLICT (session_id, plate_null, plate_key) DO UPDATE SET
    ${mergeSet(dialect, 'a')}`;
}

/** SQLite: the table (the migration that adds it also fills it from the events already there). */
export const PLATE_ACTIVITY_SQLITE_DDL = `
CREATE TABLE IF NOT EXISTS plate_activity (
  session_id TEXT NOT NULL,
  plate_null INTEGER NOT NULL,
  plate_key TEXT NOT NULL,
  events INTEGER NOT NULL,
  first_ts_ms INTEGER,
  last_ts_ms INTEGER,
  hits INTEGER NOT NULL,
  hit_t_rel_count INTEGER NOT NULL,
  hit_t_rel_min REAL,
  hit_t_rel_max REAL,
  hit_t_rel_int INTEGER NOT NULL,
  hit_t_rel_frac_high INTEGER NOT NULL,
  hit_t_rel_frac_low INTEGER NOT NULL,
  hit_t_rel_rest REAL NOT NULL,
  PRIMARY KEY (session_id, plate_null, plate_key)
) WITHOUT ROWID;`;

/** SQLite: the table's rows from every event (the migration of a database that has events). */
export const PLATE_ACTIVITY_SQLITE_FILL = upsertFrom('sqlite', 'events', 'true');

/** SQLite, once per batch: the batch's new events merged in. */
export const PLATE_ACTIVITY_SQLITE_BATCH = upsertFrom('sqlite', 'events', 'id BETWEEN $first_rowid AND $last_rowid');

/**
 * PostgreSQL: the table, its statement trigger, and its rows from the events already there. The
 * trigger comes first: creating it locks `events` against writers until the migration commits, so
 * no event lands between the fill and the trigger (counted by neither, or by both).
 */
export const PLATE_ACTIVITY_POSTGRES_SQL = `
CREATE TABLE IF NOT EXISTS plate_activity (
  session_id TEXT NOT NULL,
  plate_null INTEGER NOT NULL,
  plate_key TEXT NOT NULL,
  events BIGINT NOT NULL,
  first_ts_ms DOUBLE PRECISION,
  last_ts_ms DOUBLE PRECISION,
  hits BIGINT NOT NULL,
  hit_t_rel_count BIGINT NOT NULL,
  hit_t_rel_min DOUBLE PRECISION,
  hit_t_rel_max DOUBLE PRECISION,
  hit_t_rel_int BIGINT NOT NULL,
  hit_t_rel_frac_high BIGINT NOT NULL,
  hit_t_rel_frac_low BIGINT NOT NULL,
  hit_t_rel_rest DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (session_id, plate_null, plate_key)
);

CREATE OR REPLACE FUNCTION bridge_events_plate_activity() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  ${upsertFrom('postgres', 'inserted_events', 'true')};
  RETURN NULL;
END
$$;

CREATE TRIGGER bridge_events_plate_activity AFTER INSERT ON events
REFERENCING NEW TABLE AS inserted_events
FOR EACH STATEMENT EXECUTE FUNCTION bridge_events_plate_activity();

${upsertFrom('postgres', 'events', 'true')};`;
