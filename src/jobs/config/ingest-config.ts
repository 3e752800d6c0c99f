import { z } from 'zod';
import { count } from '../../core/config/config-types.js';
import { timeZone } from '../../core/config/time-zone.js';

/** Options of `sluice ingest`, with their defaults. The schema is the documentation. */
export const IngestConfigSchema = z
  .object({
    /** Files, globs or `-` (stdin); `.gz` files are decompressed. */
    files: z.array(z.string().min(1)).min(1, { error: 'name at least one FILE (or - for stdin)' }),
    /** Sink URL; `--db PATH` means `sqlite:PATH`. Example: `sqlite:logs/bridge.db`. */
    into: z.string().min(1).default('sqlite:logs/bridge.db'),
    /** Profile that maps records to rows. Example: `bridge`. */
    profile: z.string().min(1).default('bridge'),
    /** Keep only records of this session. */
    session: z.string().min(1, { error: 'expected a session id' }).optional(),
    /** IANA time zone of timestamps written without one (the bridge log's `timestamp_iso`). Example: `Europe/Berlin`. */
    tz: timeZone(),
    /** Rows per transaction (a commit also happens every `batchAgeMs`). */
    batchSize: count(1, 5_000_000).default(50_000),
    /** Longest batch age before a commit, in milliseconds. */
    batchAgeMs: count(1, 3_600_000).default(500),
    /** Longest accepted line, in bytes (1 MiB). */
    maxLineBytes: count(16, 1 << 30).default(1 << 20),
    /** Acknowledged sinks (NATS): SQLite state file with the cursors; default beside the input. */
    state: z.string().min(1).optional(),
    /** Dead-letter file; default beside the database as `<name>.dead-letter.ndjson`. */
    deadLetter: z.string().min(1).optional(),
    /** Status JSON file, replaced atomically every second. */
    statusFile: z.string().min(1).optional(),
    /** Print the summary as JSON on stdout. */
    json: z.boolean().default(false),
    /** Decode, map and count; write nothing. */
    dryRun: z.boolean().default(false),
    /** Show progress on stderr (a bar on a TTY, log lines elsewhere). */
    progress: z.boolean().default(true),
  })
  .strict();

export type IngestConfig = z.infer<typeof IngestConfigSchema>;
