import type { ReportParams } from './report.js';
import type { ReportDialect } from './report-reader.js';

/**
 * SQL fragments that differ between SQLite and PostgreSQL, so one report text serves both. Each
 * writes SQLite's text unchanged (its query plans are tuned and tested) and PostgreSQL's equivalent.
 */

/** The LIMIT value: the report's `--limit`, else "no limit" (SQLite: -1; PostgreSQL: NULL, i.e. LIMIT ALL). */
export function limitArg(dialect: ReportDialect, params: ReportParams): number | null {
  return params.limit ?? (dialect === 'sqlite' ? -1 : null);
}

/**
 * A text sort key (ascending) ordered as SQLite orders it: bytewise (PostgreSQL: `COLLATE "C"`,
 * whatever the database's collation), NULLs first unless `nulls` is `last` (PostgreSQL puts them last
 * by default, so its clause is always written).
 */
export function textOrder(dialect: ReportDialect, expr: string, nulls: 'first' | 'last' = 'first'): string {
  if (dialect === 'sqlite') return nulls === 'last' ? `${expr} NULLS LAST` : expr;
  return `${expr} COLLATE "C" NULLS ${nulls === 'last' ? 'LAST' : 'FIRST'}`;
}

/** A text expression compared bytewise (for `min()`/`max()` of text): `COLLATE "C"` in PostgreSQL. */
export function bytewise(dialect: ReportDialect, expr: string): string {
  return dialect === 'sqlite' ? expr : `(${expr} COLLATE "C")`;
}

/**
 * Marks a PostgreSQL result column to be rounded by the reader (`duration_s:round3`): see `roundedAs`.
 * The reader strips nothing from the output (formats name columns themselves), it only rounds.
 */
export const ROUND_MARK = /:round(\d)$/;

/**
 * `round(expr, places) AS alias`, a report's rounded output column. SQLite rounds the double by its
 * own decimal digits (`round(1261.9495, 3)` is 1261.949: the double is 1261.94949999…). PostgreSQL
 * rounds only NUMERIC, and its cast from a double keeps 15 digits (1261.9495 → 1261.950), so there the
 * double itself is returned under a marked name and the PostgreSQL reader rounds it as SQLite does
 * (`sqliteRound`): the same digits in every format.
 */
export function roundedAs(dialect: ReportDialect, expr: string, places: number, alias: string): string {
  if (dialect === 'sqlite') return `round(${expr}, ${places}) AS ${alias}`;
  return `CAST(${expr} AS DOUBLE PRECISION) AS "${alias}:round${places}"`;
}

/** `+col`, SQLite's way of keeping an index off a term; PostgreSQL plans by statistics and has no such hint. */
export function noIndex(dialect: ReportDialect, column: string): string {
  return dialect === 'sqlite' ? `+${column}` : column;
}

/** A descending sort key with NULLs last, SQLite's default (written out for PostgreSQL, whose default is first). */
export function descending(dialect: ReportDialect, expr: string): string {
  return dialect === 'sqlite' ? `${expr} DESC` : `${expr} DESC NULLS LAST`;
}
