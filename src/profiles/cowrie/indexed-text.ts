/**
 * Attacker-controlled texts (command inputs, user names and passwords) longer than this, in bytes,
 * stay out of PostgreSQL's report indexes: a btree entry must fit in 2704 bytes with the other columns.
 */
export const INDEXED_TEXT_BYTES = 2048;

/** The login events, as the partial indexes over them and the reports that read them say it. */
export const LOGIN_EVENTS = "eventid IN ('cowrie.login.failed', 'cowrie.login.success')";

/**
 * Which rows each PostgreSQL partial index holds. A query uses a partial index only where its WHERE
 * states the index's predicate, so the reports use these very texts: the short texts through the
 * report index, the long ones (few, or none) through the small index of the rest (migration 5).
 */
export const SHORT_CREDENTIALS = `octet_length(coalesce(username, '')) + octet_length(coalesce(password, '')) < ${INDEXED_TEXT_BYTES}`;
export const LONG_CREDENTIALS = `(${SHORT_CREDENTIALS}) IS NOT TRUE`;
export const SHORT_INPUT = `octet_length(input) < ${INDEXED_TEXT_BYTES}`;
/** A NULL input is in neither report index: it is with the long ones. */
export const LONG_INPUT = `(${SHORT_INPUT}) IS NOT TRUE`;
