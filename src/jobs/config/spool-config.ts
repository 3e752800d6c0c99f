import { z } from 'zod';
import { count } from '../../core/config/config-types.js';

/** Options of `sluice spool`, with their defaults. The schema is the documentation. */
export const SpoolConfigSchema = z
  .object({
    /** A folder or `s3://bucket/prefix`. */
    from: z.string({ error: 'name the folder or s3://bucket/prefix to read (--from, or --source local|s3 and its environment)' }).min(1, { error: 'name the folder or s3://bucket/prefix to read' }),
    /** Sink URL: `sqlite:PATH` or `postgres://...`. */
    into: z.string().min(1),
    /** Profile that maps records to rows. */
    profile: z.string().min(1).default('applog'),
    /** `once`: process what is there and exit; `spool`: poll forever. */
    mode: z.enum(['once', 'spool'], { error: 'expected once or spool' }).default('once'),
    /** How often the folder or prefix is listed again in spool mode, in seconds. */
    intervalSec: count(1, 86_400).default(60),
    /** Only units whose time (in the name, else modification time) is at or after this ISO time. */
    since: z.iso.datetime({ offset: true, error: 'expected an ISO time such as 2025-04-01T00:00:00Z' }).optional(),
    /** Attempts before a unit is FAILED. */
    maxAttempts: count(1, 100).default(5),
    /** First retry delay in seconds; doubles each attempt. */
    retryBaseSec: count(0, 3600).default(5),
    /** How long a claimed unit is a worker's before others may take it, in seconds. */
    leaseSec: count(1, 86_400).default(300),
    /** Ledger URL; default: the sink's database. */
    ledger: z.string().min(1).optional(),
    /** Longest record accepted, in bytes. */
    maxLineBytes: count(16, 1 << 30).default(16 << 20),
    /**
     * Largest database a SQLite unit (`.db.zip`, or a `.db` from S3) may unpack or download to, in
     * bytes; counted as the bytes are written, so a zip that lies about its size stops there too. A
     * unit over it is FAILED (`unit_too_large`) and the others go on. Default 1 GiB.
     */
    maxUnitBytes: count(1024, Number.MAX_SAFE_INTEGER).default(1024 * 1024 * 1024),
    /** Dead-letter file; default beside a SQLite sink or the `--state` file (`<state name>.dead-letter.ndjson`), else `sluice.dead-letter.ndjson`. */
    deadLetter: z.string().min(1).optional(),
    statusFile: z.string().min(1).optional(),
    metricsPort: count(1, 65_535).optional(),
    json: z.boolean().default(false),
    dryRun: z.boolean().default(false),
    progress: z.boolean().default(true),
    /** S3 settings (flags over AWS_* environment variables). */
    s3Endpoint: z.string().optional(),
    s3Region: z.string().optional(),
    /**
     * What happens to a unit's file once COMPLETED: `keep`, `delete`, or `move:DIR` (folders only).
     * Never before: a unit that fails stays where it is.
     */
    after: z
      .string()
      .regex(/^(keep|delete|move:.+)$/, { error: 'expected keep, delete or move:DIR' })
      .default('keep'),
    /** Elasticsearch sinks: SQLite file with cursors and the ledger (or a megastream_ingest JSON state to import). */
    state: z.string().min(1).optional(),
    /** Elasticsearch sinks: operations per bulk request. */
    batchSize: count(1, 10_000).default(100),
    /** Elasticsearch sinks: accept any TLS certificate (local development only). */
    skipTlsVerify: z.boolean().default(false),
    /** Elasticsearch sinks: PEM file of the CA that signed the cluster's certificate. */
    caCert: z.string().min(1).optional(),
    /** Elasticsearch sinks: create missing indexes and aliases with their mappings. */
    createIndexes: z.boolean().default(true),
    /** Elasticsearch sinks: longest wait for one request before it is retried, in seconds. */
    requestTimeoutSec: count(1, 3600).default(60),
  })
  .strict();

export type SpoolConfig = z.infer<typeof SpoolConfigSchema>;
