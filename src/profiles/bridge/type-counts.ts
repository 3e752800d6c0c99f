/**
 * Table `type_counts`: events per (session, type, msg), kept as events arrive so that report `types`
 * reads a few thousand rows instead of counting 1M index entries (1M bench events: 0.2-0.3 s in
 * SQLite and PostgreSQL, the slowest report of a bridge dashboard page).
 *
 * A NULL type or msg is its own key (`type_null = 1`, `type_key = ''`): a key column may hold no NULL
 * (SQLite would not see two NULLs as the same key), and `''` is a type of its own. It is written as
 * `plate_activity` is (see plate-activity.ts): in the events' own transaction, over the rows really
 * inserted: in SQLite once per batch, in PostgreSQL by a statement trigger.
 */
export const TYPE_COUNTS_TABLE = 'type_counts';

/**
 * `INSERT` of the counts of `source`'s events (filtered by `filter`), added to the rows there. Ordered
 * by key: concurrent PostgreSQL writers lock the rows they update in one order.
 */
function upsertFrom(source: string, filter: string): string {
  return `INSERT INTO type_counts AS c (session_id, type_null, type_key, msg_null, msg_key, events)
  SELECT session_id, CASE WHEN type IS NULL THEN 1 ELSE 0 END, coalesce(type, ''),
    CASE WHEN msg IS NULL THEN 1 ELSE 0 END, coalesce(msg, ''), count(*)
  FROM ${source} WHERE ${filter}
  GROUP BY session_id, type, msg
  ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (session_id, type_null, type_key, msg_null, msg_key) DO UPDATE SET events = c.events + excluded.events`;
}

const COLUMNS = `
  session_id TEXT NOT NULL,
  type_null INTEGER NOT NULL,
  type_key TEXT NOT NULL,
  msg_null INTEGER NOT NULL,
  msg_key TEXT NOT NULL,`;

/** SQLite: the table (the migration that adds it also fills it from the events already there). */
export const TYPE_COUNTS_SQLITE_DDL = `
CREATE TABLE IF NOT EXISTS type_counts (${COLUMNS}
  events INTEGER NOT NULL,
  PRIMARY KEY (session_id, type_null, type_key, msg_null, msg_key)
) WITHOUT ROWID;`;

/** SQLite: the table's rows from every event (the migration of a database that has events). */
export const TYPE_COUNTS_SQLITE_FILL = upsertFrom('events', 'true');

/** SQLite, once per batch: the batch's new events added in. */
export const TYPE_COUNTS_SQLITE_BATCH = upsertFrom('events', 'id BETWEEN $first_rowid AND $last_rowid');

/**
 * PostgreSQL: the table, its statement trigger, and its rows from the events already there. The
 * trigger comes first: creating it locks `events` against writers until the migration commits, so
 * no event lands between the fill and the trigger (counted by neither, or by both).
 */
export const TYPE_COUNTS_POSTGRES_SQL = `
CREATE TABLE IF NOT EXISTS type_counts (${COLUMNS}
  events BIGINT NOT NULL,
  PRIMARY KEY (session_id, type_null, type_key, msg_null, msg_key)
);

CREATE OR REPLACE FUNCTION bridge_events_type_counts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  ${upsertFrom('inserted_events', 'true')};
  RETURN NULL;
END
$$;

CREATE TRIGGER bridge_events_type_counts AFTER INSERT ON events
REFERENCING NEW TABLE AS inserted_events
FOR EACH STATEMENT EXECUTE FUNCTION bridge_events_type_counts();

${upsertFrom('events', 'true')};`;
