import type { ReportChart } from './report-chart.js';
import type { ReportReader, RowSource } from './report-reader.js';

/** How a column's values are shown: durations and decimals get a human form in table format only. */
export type ReportColumnKind =
  /** Text, shown as is (NULL as `-` in a table). */
  | 'text'
  /** A whole number (counts, `seq`, `ts_ms`). */
  | 'integer'
  /** A decimal number; tables show `decimals` places. */
  | 'number'
  /** A duration in plain seconds; tables show `1h02m05s` (or `12.5s` under a minute). */
  | 'seconds'
  /**
   * A whole number of milliseconds since 1970 (`ts_ms`), kept raw in CSV and JSON; tables show it as
   * an ISO time in UTC (a value before 1973, e.g. a monotonic clock's, stays a number).
   */
  | 'epoch_ms';

/** One output column of a report. */
export interface ReportColumn {
  /** Name in the CSV header and the JSON keys: snake_case with its unit (`duration_s`, `last_ts_ms`). */
  name: string;
  /** How the values are shown. */
  kind: ReportColumnKind;
  /** Decimal places in table format, for `number` columns (default 1). */
  decimals?: number;
  /**
   * A table shows it whole, never cut at the cell width: an identifier a user pastes into the next
   * command (a post's `at_uri` into `--uri`, a DID into `--session`).
   */
  whole?: boolean;
}

/** A value of one cell, as SQLite returns it (and the PostgreSQL reader converts to). */
export type ReportValue = string | number | bigint | null;

/** A value bound to a `?` of a report's SQL. */
export type BindValue = string | number | null;

/**
 * The options of `sluice report` after validation and defaults. A report reads only the ones it
 * declares in `ReportDefinition.options`; the others are never set (the command refuses them).
 */
export interface ReportParams {
  /** Only this session (`--session`). */
  session?: string | undefined;
  /** At most this many rows (`--limit`); undefined means every row. */
  limit?: number | undefined;
  /** Only this plate (`--plate`). */
  plate?: string | undefined;
  /** Gaps longer than this count (`--threshold-sec`), in seconds. */
  thresholdSec?: number | undefined;
  /** Length of the window that ends at the newest `ts_ms` in scope (`--window-sec`, `--minutes`). */
  windowSec?: number | undefined;
  /** What to group by (`--by`), one of the report's `by.choices`. */
  by?: string | undefined;
  /** Only rows at or after this time (`--since`), as `YYYY-MM-DDTHH:MM:SS.sssZ`. */
  since?: string | undefined;
  /** Only rows before this time (`--until`), as `YYYY-MM-DDTHH:MM:SS.sssZ`. */
  until?: string | undefined;
  /** Only this source address (`--ip`). */
  ip?: string | undefined;
  /** Only flagged rows (`--flagged`). */
  flagged?: boolean | undefined;
  /** Period (`--period`), one of the report's `period.choices`. */
  period?: string | undefined;
  /** Search text (`--q`). */
  q?: string | undefined;
  /** The item the report is about (`--uri`), e.g. a post's AT URI. */
  uri?: string | undefined;
  /** Which model's vectors (`--model`), one of the report's `model.choices`. */
  model?: string | undefined;
}

/** Which flags a report takes beyond `--session` and `--limit` (which all take), and their defaults. */
export interface ReportOptionSpec {
  /** `--session` must be given (export). */
  sessionRequired?: boolean;
  /** Default of `--limit`; absent means every row unless `--limit` is given. */
  limit?: number;
  /** Takes `--plate`. */
  plate?: boolean;
  /** Takes `--threshold-sec`, with this default. */
  thresholdSec?: number;
  /** Takes `--window-sec` / `--minutes`, with this default in seconds. */
  windowSec?: number;
  /** Takes `--by`, one of `choices`. */
  by?: { choices: readonly string[]; default: string };
  /** Takes `--since` / `--until`. */
  timeRange?: boolean;
  /** Takes `--ip`. */
  ip?: boolean;
  /** Takes `--flagged`. */
  flagged?: boolean;
  /** Takes `--period`, one of `choices`. */
  period?: { choices: readonly string[]; default: string };
  /** Needs `--q TEXT` (search text). */
  q?: boolean;
  /** Needs `--uri URI` (the item the report is about). */
  uri?: boolean;
  /** Takes `--model`, one of `choices`. */
  model?: { choices: readonly string[]; default: string };
  /** Default format when none is asked for, whatever stdout is (export: `csv`). */
  format?: 'table' | 'csv' | 'json';
}

/** One SQL statement whose rows, in order, are the report: it is streamed, never loaded whole. */
export interface ReportQuery {
  /** A single SELECT in the reader's dialect, `?` placeholders; its result columns are the report's columns, in order. */
  sql: string;
  /** Values for its `?` placeholders. */
  args: readonly BindValue[];
  /** A line shown above a table (e.g. the window the counts cover); not part of CSV or JSON. */
  caption?: string;
  /**
   * Rows computed in code instead, for a ranking one SELECT cannot do well (vector similarity): when
   * given, they are the report, in order, and `sql` is not run (leave it `''`).
   */
  rows?: RowSource<readonly ReportValue[]>;
}

/** One report of a profile: `sluice report NAME`. */
export interface ReportDefinition {
  /** snake_case name (`last_seen`); the command also accepts it with dashes (`last-seen`). */
  name: string;
  /** One line on what it shows, for `--list`. */
  summary: string;
  /** A command line that runs it, for `--list` and `--help`. */
  example: string;
  /** The flags it takes and their defaults. */
  options: ReportOptionSpec;
  /** How the dashboard draws it; absent: bars of its first numeric column (see `chartOf`). */
  chart?: ReportChart;
  /** Its output columns for these params (they may depend on `--by`). */
  columns(params: ReportParams): readonly ReportColumn[];
  /**
   * Builds its query in the reader's dialect (SQLite or PostgreSQL). May run small look-ups first (the
   * newest `ts_ms` in scope for a window); it runs inside the read snapshot of the whole report, so both
   * see the same data.
   */
  query(reader: ReportReader, params: ReportParams): Promise<ReportQuery>;
}

/** The reports of one profile, with what the command needs to check a database before running one. */
export interface ProfileReports {
  /** The table the reports read; a database without it is not this profile's. */
  table: string;
  /** The column that holds the session id, for checking `--session`. */
  sessionColumn: string;
  /** Indexes the reports are fast with (added by a migration); a note says so when one is missing. */
  indexes: readonly string[];
  /** Every report, in `--list` order. */
  reports: readonly ReportDefinition[];
}
