import { z } from 'zod';

/** Numbers given as flags arrive as strings; these accept both and say what they want. */
const wholeNumber = (min: number) =>
  z.coerce
    .number({ error: 'expected a whole number' })
    .int({ error: 'expected a whole number' })
    .min(min, { error: `expected at least ${min}` });

const seconds = (what: string) =>
  z.coerce.number({ error: `expected ${what}` }).refine(Number.isFinite, { error: `expected ${what}` });

/** The output formats of `sluice report`. */
export const REPORT_FORMATS = ['table', 'csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Options of `sluice report`, with their defaults. The schema is the documentation. */
export const ReportConfigSchema = z
  .object({
    /** Report to run, snake_case or with dashes (`last_seen`, `last-seen`). Absent with `--list`. */
    name: z.string().min(1).optional(),
    /** List the reports, one line each with an example, instead of running one. */
    list: z.boolean().default(false),
    /** SQLite database to read (opened read-only). Example: `logs/bridge.db`. */
    db: z.string().min(1, { error: 'expected a path' }).default('logs/bridge.db'),
    /** Profile whose reports to use. Example: `bridge`. */
    profile: z.string().min(1).default('bridge'),
    /** Only this session's events. Example: `s-20250829-7f3a2b`. */
    session: z.string().min(1, { error: 'expected a session id' }).optional(),
    /** At most this many rows; 0 means every row. Each report has its own default. */
    limit: wholeNumber(0).optional(),
    /** `table` (aligned, human durations), `csv` (RFC 4180, seconds) or `json` (an array of objects). */
    format: z.enum(REPORT_FORMATS, { error: 'expected table, csv or json' }).optional(),
    /** Write here instead of stdout (`-` is stdout); the file appears whole or not at all. */
    out: z.string().min(1, { error: 'expected a path or -' }).optional(),
    /** Only this plate (report `hits`). Example: `P0042`. */
    plate: z.string().min(1, { error: 'expected a plate' }).optional(),
    /** Gaps longer than this many seconds count (reports `gaps`, `gap_list`). Example: `10`. */
    thresholdSec: seconds('a number of seconds').pipe(z.number().min(0, { error: 'expected 0 or more' })).optional(),
    /** Window length in seconds, ending at the newest `ts_ms` in scope. Example: `600`. */
    windowSec: seconds('a number of seconds').pipe(z.number().positive({ error: 'expected more than 0' })).optional(),
    /** Window length in minutes (the same as `--window-sec` times 60). Example: `10`. */
    minutes: seconds('a number of minutes').pipe(z.number().positive({ error: 'expected more than 0' })).optional(),
    /** Grouping of report `cadence`: `type_msg`, `type`, `plate` or `all`. */
    by: z.string().min(1).optional(),
  })
  .strict()
  .superRefine(
    (c, ctx) => {
      if (c.windowSec !== undefined && c.minutes !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['minutes'], message: 'give --window-sec or --minutes, not both' });
      }
    },
    // Also when other options are invalid, so that one error lists every problem.
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );

export type ReportConfig = z.infer<typeof ReportConfigSchema>;
