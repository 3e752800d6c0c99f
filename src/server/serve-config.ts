import { z } from 'zod';
import { count } from '../core/config/config-types.js';

/** Options of `sluice serve`, with their defaults. The schema is the documentation. */
export const ServeConfigSchema = z
  .object({
    /** Address to bind; a non-loopback one needs API keys or `--no-auth`. */
    host: z.string().min(1).default('127.0.0.1'),
    /** TCP port; 0 picks a free one (printed at start). */
    port: count(0, 65_535).default(8001),
    /** `file:DIR` or `s3://bucket/prefix`; `STORAGE_PATH` gives the folder. */
    store: z
      .string({ error: 'name the store: --store file:DIR or s3://bucket/prefix (or set STORAGE_PATH)' })
      .regex(/^(file:.+|s3:\/\/[^/]+.*)$/, { error: 'expected file:DIR or s3://bucket/prefix' }),
    /** `sqlite:PATH` or `postgres://URL[?schema=NAME]`; default a SQLite file inside a `file:` store. */
    registry: z
      .string()
      .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, { error: 'expected sqlite:PATH or postgres://URL' })
      .optional(),
    /** Largest video accepted, in MiB. */
    maxVideoMb: count(1, 64 * 1024).default(512),
    /** Largest metadata accepted, in KiB. */
    maxMetadataKb: count(1, 64 * 1024).default(256),
    /** API keys (`SLUICE_API_KEYS`, comma-separated); sent as `Authorization: Bearer K` or `X-API-Key: K`. */
    apiKeys: z.array(z.string().min(8, { error: 'each API key needs at least 8 characters' })).default([]),
    /** Serve without keys even on a non-loopback host. */
    noAuth: z.boolean().default(false),
    /** A client that sends nothing for this long is cut off, in seconds. */
    idleTimeoutSec: count(1, 3_600).default(30),
    /**
     * A request that sends fewer than this many bytes per second, over any window of
     * `idleTimeoutSec`, is cut off (a client trickling a byte a second never goes idle); 0 turns it off.
     */
    minBytesPerSec: count(0, 1024 * 1024 * 1024).default(1_024),
    /** Longest time to receive one whole request, in seconds. */
    requestTimeoutSec: count(1, 86_400).default(3_600),
    /** Open connections at most; more are closed at once (and counted as `too_many_connections`). */
    maxConnections: count(1, 1_000_000).default(256),
    /** Log level of the JSON request log on stdout. */
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default('info'),
    /** Rebuild the registry from the store's `ldo.json` files, then exit. */
    reindex: z.boolean().default(false),
    /** Status JSON (phase, uploads stored, replayed, rejected), replaced atomically every second. */
    statusFile: z.string().min(1).optional(),
  })
  .strict();

export type ServeConfig = z.infer<typeof ServeConfigSchema>;
