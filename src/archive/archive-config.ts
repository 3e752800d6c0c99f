import { z } from 'zod';
import { count } from '../core/config/config-types.js';

const SQL_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** `90d`, `12h`, `30m`, `45s` → seconds. */
export function durationSeconds(text: string): number | undefined {
  const m = /^(\d+)\s*([dhms])$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * { d: 86_400, h: 3_600, m: 60, s: 1 }[m[2] as 'd' | 'h' | 'm' | 's'];
}

/** Options of `sluice archive ldo`, with their defaults. The schema is the documentation. */
export const ArchiveConfigSchema = z
  .object({
    /** The source database, `postgres://…`. */
    from: z.string().regex(/^postgres(ql)?:\/\/.+/, { error: 'expected postgres://user@host:5432/db' }),
    /** Table to archive, optionally schema-qualified (`public.predictions`). */
    table: z.string().regex(/^([A-Za-z_][A-Za-z0-9_]{0,62}\.)?[A-Za-z_][A-Za-z0-9_]{0,62}$/, { error: 'expected a table name such as public.predictions' }),
    /** Unique column that orders the keyset pages and becomes the LDO's `ldo_id`. */
    idColumn: z.string().regex(SQL_NAME, { error: 'expected a column name' }).default('id'),
    /** Column holding the row's time. */
    timeColumn: z.string().regex(SQL_NAME, { error: 'expected a column name' }).default('created_at'),
    /** Rows older than this are archived: `90d`, `12h`, `30m`, `45s`. */
    olderThan: z.string().refine((v) => durationSeconds(v) !== undefined, { error: 'expected a duration such as 90d, 12h or 30m' }),
    /** The upload service, `http://host:8001`. */
    to: z.url({ error: 'expected http://host:8001' }).optional(),
    /** Or a store written directly: `file:DIR` or `s3://bucket/prefix`. */
    store: z.string().regex(/^(file:.+|s3:\/\/.+)$/, { error: 'expected file:DIR or s3://bucket/prefix' }).optional(),
    /** Registry for `--store` (default as `sluice serve`). */
    registry: z.string().optional(),
    /** Keep the rows and only empty their payload columns (default: delete the rows). */
    keepMetadata: z.boolean().default(false),
    /** Payload columns emptied with `--keep-metadata`; default every json/jsonb column. */
    payloadColumns: z.array(z.string().regex(SQL_NAME, { error: 'expected column names' })).optional(),
    /** Count what would be archived; send and delete nothing. */
    dryRun: z.boolean().default(false),
    /** Rows per keyset page (one delete statement a page). */
    pageSize: count(1, 10_000).default(500),
    /** Uploads in flight at once. */
    concurrency: count(1, 64).default(8),
    /** API key for the service (`SLUICE_API_KEY`). */
    apiKey: z.string().optional(),
    /** Status JSON (rows sent, stored, replayed, conflicts), replaced atomically every second. */
    statusFile: z.string().min(1).optional(),
    /** Progress on stderr (a bar on a TTY, log lines elsewhere). */
    progress: z.boolean().default(true),
  })
  .strict()
  .refine((c) => (c.to === undefined) !== (c.store === undefined), { error: 'give exactly one of --to http://host:8001 or --store URL', path: ['to'] });

export type ArchiveConfig = z.infer<typeof ArchiveConfigSchema>;
