import { z } from 'zod';

const wholeNumber = (min: number) =>
  z.coerce
    .number({ error: 'expected a whole number' })
    .int({ error: 'expected a whole number' })
    .min(min, { error: `expected at least ${min}` });

const positive = (what: string) =>
  z.coerce
    .number({ error: `expected ${what}` })
    .refine(Number.isFinite, { error: `expected ${what}` })
    .pipe(z.number().positive({ error: 'expected more than 0' }));

const httpUrl = z
  .string()
  .url({ error: 'expected an http(s) URL' })
  .refine((u) => /^https?:\/\//i.test(u), { error: 'expected an http(s) URL' })
  .transform((u) => u.replace(/\/+$/, ''));

/** Options of `sluice enrich`, with their defaults. The schema is the documentation. */
export const EnrichConfigSchema = z
  .object({
    /** Profile whose database to enrich; only `cowrie` has lookups. */
    profile: z.enum(['cowrie'], { error: 'only the cowrie profile has enrichment' }).default('cowrie'),
    /** SQLite database written by `sluice ingest --profile cowrie`. */
    db: z.string().min(1, { error: 'expected a path' }),
    /** VirusTotal API base URL (GET {url}/api/v3/files/{sha256}). */
    vtUrl: httpUrl.default('https://www.virustotal.com'),
    /** DShield (SANS ISC) API base URL (GET {url}/api/ip/{ip}?json). */
    dshieldUrl: httpUrl.default('https://isc.sans.edu'),
    /** A cached answer younger than this many hours is not fetched again. */
    ttlHours: z.coerce
      .number({ error: 'expected a number of hours' })
      .refine(Number.isFinite, { error: 'expected a number of hours' })
      .pipe(z.number().min(0, { error: 'expected 0 or more' }))
      .default(24),
    /** VirusTotal requests per minute (the public API allows 4). */
    vtRatePerMin: positive('requests per minute').default(4),
    /** DShield requests per minute. */
    dshieldRatePerMin: positive('requests per minute').default(60),
    /** At most this many lookups per service in this run; 0 for all. */
    limit: wholeNumber(0).default(0),
    /** Say what would be looked up; no request, no write. */
    dryRun: z.boolean().default(false),
    /** Print the summary as JSON on stdout. */
    json: z.boolean().default(false),
    /** Status JSON (lookups done, answers cached, errors), replaced atomically every second. */
    statusFile: z.string().min(1).optional(),
  })
  .strict();

export type EnrichConfig = z.infer<typeof EnrichConfigSchema>;
