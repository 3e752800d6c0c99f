import { z } from 'zod';

/** Numbers given as flags arrive as strings; these accept both and say what they want. */
const wholeNumber = (min: number) =>
  z.coerce
    .number({ error: 'expected a whole number' })
    .int({ error: 'expected a whole number' })
    .min(min, { error: `expected at least ${min}` });

const seconds = (what: string) =>
  z.coerce.number({ error: `expected ${what}` }).refine(Number.isFinite, { error: `expected ${what}` });

/**
 * An ISO date or time (`2025-01-01`, `2025-01-01T12:00:00Z`), normalized to UTC with microseconds
 * (`2025-01-01T12:00:00.000000Z`, Cowrie's form), so that comparing it as text with stored `...Z` times
 * orders them as times; a stored time of the same instant written with fewer digits sorts after it.
 */
const isoTime = z
  .string()
  .refine((v) => /^\d{4}-\d{2}-\d{2}/.test(v) && Number.isFinite(Date.parse(v)), {
    error: 'expected an ISO date or time, e.g. 2025-01-01 or 2025-01-01T12:00:00Z',
  })
  .transform((v) => new Date(v).toISOString().replace('Z', '000Z'));

/** The output formats of `sluice report`. */
export const REPORT_FORMATS = ['table', 'csv', 'json', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Options of `sluice report`, with their defaults. The schema is the documentation. */
export const ReportConfigSchema = z
  .object({
    /** Report to run, snake_case or with dashes (`last_seen`, `last-seen`). Absent with `--list`. */
    name: z.string().min(1).optional(),
    /** List the reports, one line each with an example, instead of running one. */
    list: z.boolean().default(false),
    /** Database to read, opened read-only: a SQLite path (or `sqlite:PATH`) or `postgres://…[?schema=NAME]`. Example: `logs/bridge.db`. */
    db: z.string().min(1, { error: 'expected a path or a postgres:// URL' }).default('logs/bridge.db'),
    /** Profile whose reports to use. Example: `bridge`. */
    profile: z.string().min(1).default('bridge'),
    /** Only this session's events. Example: `s-20250829-7f3a2b`. */
    session: z.string().min(1, { error: 'expected a session id' }).optional(),
    /** At most this many rows; 0 means every row. Each report has its own default. */
    limit: wholeNumber(0).optional(),
    /** `table` (aligned, human durations), `csv` (RFC 4180, seconds), `json` (an array of objects) or `html` (chart and table, one self-contained file). */
    format: z.enum(REPORT_FORMATS, { error: 'expected table, csv, json or html' }).optional(),
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
    /** Only rows at or after this ISO time (cowrie: a session's first_seen). Example: `2025-01-01T00:00:00Z`. */
    since: isoTime.optional(),
    /** Only rows before this ISO time (exclusive). Example: `2025-02-01`. */
    until: isoTime.optional(),
    /** Only this source address (cowrie). Example: `203.0.113.7`. */
    ip: z.string().min(1, { error: 'expected an IP address' }).optional(),
    /** Only flagged sessions: VirusTotal or DShield (cowrie). */
    flagged: z.boolean().optional(),
    /** Period of report `summary` (cowrie): `daily`, `weekly` or `monthly`. */
    period: z.string().min(1).optional(),
    /** Search text of report `search` (posts): words, or an FTS5 query. Example: `solar eclipse`. */
    q: z.string().trim().min(1, { error: 'expected some words to search for' }).optional(),
    /** The post report `similar` starts from (posts): its AT URI. Example: `at://did:plc:abc/app.bsky.feed.post/3k`. */
    uri: z.string().min(1, { error: 'expected an AT URI' }).optional(),
    /** Embedding model of report `similar` (posts): `all_MiniLM_L12_v2` or `all_MiniLM_L6_v2`. */
    model: z.string().min(1).optional(),
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
