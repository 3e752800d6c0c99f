import { z } from 'zod';
import { count } from '../../core/config/config-types.js';
import { timeZone } from '../../core/config/time-zone.js';

/** Options of `sluice follow`, with their defaults. The schema is the documentation. */
export const FollowConfigSchema = z
  .object({
    /** Path with date tokens (`logs/bridge_{YYYYMMDD}.ndjson`) or a glob. */
    pattern: z.string().min(1, { error: 'name the PATTERN of the files to follow' }),
    /** Sink URL; `--db PATH` means `sqlite:PATH`. */
    into: z.string().min(1).default('sqlite:logs/bridge.db'),
    /** Profile that maps records to rows. */
    profile: z.string().min(1).default('bridge'),
    /** Keep only records of this session. */
    session: z.string().min(1).optional(),
    /** IANA time zone of timestamps written without one (the bridge log's `timestamp_iso`). Example: `Europe/Berlin`. */
    tz: timeZone(),
    /** Fallback poll interval when file-system events are missed, in milliseconds. */
    pollMs: count(10, 60_000).default(200),
    /** An older file is closed once idle this long (and fully read), in seconds. */
    idleCloseSec: count(0, 86_400 * 7).default(60),
    /** Files with no cursor yet are read from their end (default: from their start). */
    fromEnd: z.boolean().default(false),
    /** Rows per transaction at most (a commit also happens every `batchAgeMs` and when idle). */
    batchSize: count(1, 1_000_000).default(5_000),
    /** Longest batch age before a commit, in milliseconds. */
    batchAgeMs: count(1, 60_000).default(100),
    /** Longest accepted line, in bytes. */
    maxLineBytes: count(16, 1 << 30).default(1 << 20),
    /** Acknowledged sinks (NATS): SQLite state file with the cursors; default beside the input. */
    state: z.string().min(1).optional(),
    /** Dead-letter file; default beside the database. */
    deadLetter: z.string().min(1).optional(),
    /** Status JSON file, replaced atomically every second. */
    statusFile: z.string().min(1).optional(),
    /** Serve Prometheus metrics on this port (`/metrics`). */
    metricsPort: count(1, 65_535).optional(),
    /** Progress log lines on stderr. */
    progress: z.boolean().default(true),
  })
  .strict();

export type FollowConfig = z.infer<typeof FollowConfigSchema>;
