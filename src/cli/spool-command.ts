import { Command, Option } from 'commander';
import { SpoolConfigSchema } from '../jobs/config/spool-config.js';
import { validateConfig } from '../core/config/validate.js';
import { formatSummary } from '../telemetry/summary.js';
import type { SinkDescriptor } from '../sinks/sink-descriptor.js';
import { intoHelp } from './plugin-help.js';
import { sinkUrlFrom } from './sink-flags.js';
import { profileOption } from './profile-option.js';

interface SpoolFlags {
  from?: string;
  into?: string;
  db?: string;
  profile?: string;
  mode?: string;
  intervalSec?: string;
  since?: string;
  maxAttempts?: string;
  maxUnitBytes?: string;
  retryBaseSec?: string;
  leaseSec?: string;
  ledger?: string;
  deadLetter?: string;
  statusFile?: string;
  metricsPort?: string;
  json?: boolean;
  dryRun?: boolean;
  progress?: boolean;
  s3Endpoint?: string;
  s3Region?: string;
  source?: string;
  after?: string;
  state?: string;
  batchSize?: string;
  skipTlsVerify?: boolean;
  caCert?: string;
  createIndexes?: boolean;
  requestTimeoutSec?: string;
}

const EXAMPLES = `
Examples:
  $ sluice spool --from ./incoming --into sqlite:logs/app.db --profile applog --mode once
  $ sluice spool --from s3://app-logs/prod/ --into postgres://ingest@db/logs --mode spool --interval-sec 60
  $ AWS_ENDPOINT=http://127.0.0.1:4566 sluice spool --from s3://logs/ --into sqlite:app.db   # LocalStack / MinIO

Units (.json, .json.gz, .ndjson, .ndjson.gz) are processed oldest first (timestamp in the name, else
LastModified / mtime), each once: its rows and its COMPLETED mark commit together. A unit that fails is
retried with exponential backoff (--retry-base-sec, doubling) up to --max-attempts, then FAILED. With the
ledger in PostgreSQL, any number of workers may share one prefix. See \`sluice jobs --help\`.

S3 settings come from AWS_REGION, AWS_ENDPOINT (path-style, checksums only when required),
AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; --s3-endpoint and --s3-region override them.

Posts (Megastream .db.zip chunks, as ingex's megastream_ingest reads them) into Elasticsearch, or into SQLite with no server at all:
  $ ELASTICSEARCH_URL=https://es:9200 ELASTICSEARCH_API_KEY=... sluice spool --profile posts --from ./chunks
  $ sluice spool --profile posts --from s3://bucket/mega/ --mode spool --state /var/lib/sluice/posts.db
  $ sluice spool --profile posts --from ./chunks --into sqlite:posts.db
megastream_ingest's flags and environment work as they are: --source local|s3 (LOCAL_SQLITE_DB_PATH,
S3_SQLITE_DB_BUCKET + S3_SQLITE_DB_PREFIX), ELASTICSEARCH_URL (default --into; else sqlite:posts.db),
ELASTICSEARCH_API_KEY, SPOOL_INTERVAL_SEC, SPOOL_STATE_FILE (default --state; a megastream_ingest JSON
state there is imported once), LOGGING_ENABLED=false (no progress output).

Exit codes: 0 ok, 1 a unit FAILED (or a failure), 2 bad usage, 3 some records dead-lettered.`;

/** megastream_ingest's `--source local|s3`, resolved from its environment variables. */
function fromSource(source: string | undefined): string | undefined {
  if (source === 'local') return process.env.LOCAL_SQLITE_DB_PATH || undefined;
  if (source === 's3') {
    const bucket = process.env.S3_SQLITE_DB_BUCKET;
    return bucket ? `s3://${bucket}/${process.env.S3_SQLITE_DB_PREFIX ?? ''}` : undefined;
  }
  return undefined;
}

/** The posts preset's sink when none is named: ELASTICSEARCH_URL, else a SQLite file (said out loud). */
function defaultInto(profile: string | undefined, dryRun: boolean): string | undefined {
  if (profile !== 'posts') return undefined;
  if (process.env.ELASTICSEARCH_URL) return process.env.ELASTICSEARCH_URL;
  if (!dryRun) process.stderr.write('sluice spool: no --into and no ELASTICSEARCH_URL: writing to sqlite:posts.db\n');
  return 'sqlite:posts.db';
}

/** `sluice spool`: poll a folder or S3 prefix for units and ingest each once. */
export function spoolCommand(sinks: readonly SinkDescriptor[]): Command {
  return new Command('spool')
    .description('Ingest the files of a folder or S3 prefix, each once, with a ledger, retries and leases')
    .option('--from <dir|s3://bucket/prefix>', 'where the units are')
    .addOption(new Option('--source <kind>', 'megastream_ingest style: local ($LOCAL_SQLITE_DB_PATH) or s3 ($S3_SQLITE_DB_BUCKET/$S3_SQLITE_DB_PREFIX)').choices(['local', 's3']))
    .option('--into <url>', intoHelp(sinks))
    .option('--db <path>', 'SQLite database (short for --into sqlite:PATH)')
    .addOption(profileOption('how records map to rows', 'applog'))
    .addOption(new Option('--mode <mode>', 'once: process what is there and exit; spool: poll forever').choices(['once', 'spool']).default('once'))
    .option('--interval-sec <n>', 'listing interval in spool mode (default 60)')
    .option('--since <iso-time>', 'only units at or after this time (a filter, never the state)')
    .option('--max-attempts <n>', 'attempts before a unit is FAILED (default 5)')
    .option('--max-unit-bytes <n>', 'largest database a .db.zip (or S3 .db) unit may unpack to; over it the unit is FAILED (default 1073741824 = 1 GiB)')
    .option('--retry-base-sec <n>', 'first retry delay; doubles each attempt (default 5)')
    .option('--lease-sec <n>', 'a claimed unit is taken again after this long (default 300)')
    .option('--ledger <url>', 'ledger: sqlite:PATH or postgres://... (default: the sink database)')
    .option('--dead-letter <path>', 'where bad records go')
    .option('--status-file <path>', 'JSON status file, replaced every second')
    .option('--metrics-port <n>', 'serve Prometheus metrics on 127.0.0.1:N/metrics')
    .option('--s3-endpoint <url>', 'S3-compatible endpoint (overrides AWS_ENDPOINT)')
    .option('--s3-region <region>', 'S3 region (overrides AWS_REGION)')
    .option('--after <what>', 'a COMPLETED unit\'s file: keep, delete or move:DIR (default keep)')
    .option('--state <path>', 'Elasticsearch, NATS: SQLite state file with cursors and ledger (default $SPOOL_STATE_FILE, else sluice-posts-state.db for Elasticsearch, sluice-spool-PROFILE-to-SUBJECT.state.db for NATS)')
    .option('--batch-size <n>', 'Elasticsearch: operations per bulk request (default 100)')
    .option('--skip-tls-verify', 'Elasticsearch: accept any certificate (local development only)')
    .option('--ca-cert <path>', 'Elasticsearch: PEM file of the CA that signed the cluster certificate')
    .option('--no-create-indexes', 'Elasticsearch: do not create missing indexes and aliases (fields missing from existing mappings are still added)')
    .option('--request-timeout-sec <n>', 'Elasticsearch: a request unanswered this long is retried (default 60)')
    .option('--json', 'print the summary as JSON on stdout')
    .option('--dry-run', 'decode, map and count; write no rows')
    .option('--no-progress', 'no progress output')
    .addHelpText('after', EXAMPLES)
    .action(async (flags: SpoolFlags) => {
      const into = sinkUrlFrom(flags) ?? defaultInto(flags.profile, flags.dryRun === true);
      const config = validateConfig(SpoolConfigSchema, {
        from: flags.from ?? fromSource(flags.source),
        into,
        profile: flags.profile,
        mode: flags.mode,
        intervalSec: flags.intervalSec ?? (process.env.SPOOL_INTERVAL_SEC || undefined),
        since: flags.since,
        maxAttempts: flags.maxAttempts,
        maxUnitBytes: flags.maxUnitBytes,
        retryBaseSec: flags.retryBaseSec,
        leaseSec: flags.leaseSec,
        ledger: flags.ledger,
        deadLetter: flags.deadLetter,
        statusFile: flags.statusFile,
        metricsPort: flags.metricsPort,
        s3Endpoint: flags.s3Endpoint,
        s3Region: flags.s3Region,
        after: flags.after,
        state: flags.state,
        batchSize: flags.batchSize,
        skipTlsVerify: flags.skipTlsVerify ?? false,
        caCert: flags.caCert,
        createIndexes: flags.createIndexes !== false,
        requestTimeoutSec: flags.requestTimeoutSec,
        json: flags.json ?? false,
        dryRun: flags.dryRun ?? false,
        progress:
          flags.progress !== false &&
          process.env.LOGGING_ENABLED !== 'false' &&
          (flags.json !== true || process.stderr.isTTY === true),
      });
      const { runSpool } = await import('../jobs/spool-job.js');
      const result = await runSpool(config);
      const outcomes = Object.keys(result.outcomes).length > 0 ? result.outcomes : undefined;
      if (config.json) process.stdout.write(`${JSON.stringify({ ...result.summary, failed_units: result.failedUnits, ...(outcomes ? { outcomes } : {}) })}\n`);
      else {
        const lines = [formatSummary(result.summary)];
        if (outcomes) lines.push(`  ${Object.entries(outcomes).map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`).join(', ')}`);
        if (result.failedUnits) lines.push(`  ${result.failedUnits} unit(s) FAILED: see sluice jobs list --status FAILED --ledger ${shellWord(result.ledgerUrl)}`);
        process.stderr.write(`${lines.join('\n')}\n`);
      }
      process.exitCode = result.exitCode;
    });
}

/** `word` as one shell word, so the printed command can be pasted as it is. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
