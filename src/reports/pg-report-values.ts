import pg from 'pg';

/** BIGINT (`count(*)`, `sum()` of integers) and NUMERIC (`round()`, `avg()`, `sum()` of BIGINT). */
const AS_NUMBER = new Set<number>([pg.types.builtins.INT8, pg.types.builtins.NUMERIC]);
/** Dates and times stay the text PostgreSQL writes: reports show them, never compute with them. */
const AS_TEXT = new Set<number>([
  pg.types.builtins.DATE,
  pg.types.builtins.TIMESTAMP,
  pg.types.builtins.TIMESTAMPTZ,
  pg.types.builtins.INTERVAL,
]);

const toNumber = (text: string): number => Number(text);
const asText = (text: string): string => text;

/**
 * The value parsers of a report's rows. node-postgres returns BIGINT and NUMERIC as strings (they may
 * exceed a double); a report's counts, sums and rounded values are numbers in SQLite (better-sqlite3
 * returns doubles), so they become numbers here too and every format writes the same digits: `10`,
 * not `"10"`; `round(x, 3)` as `12.5`, not `12.500`.
 */
export const REPORT_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (AS_NUMBER.has(oid)) return toNumber;
    if (AS_TEXT.has(oid)) return asText;
    return pg.types.getTypeParser(oid, format ?? 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};
