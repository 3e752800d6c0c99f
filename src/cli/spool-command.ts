import { Command, Option } from 'commander';
import { SpoolConfigSchema } from '../core/config/spool-config.js';
import { validateConfig } from '../core/config/validate.js';
import { PROFILES } from '../profiles/registry.js';
import { formatSummary } from '../telemetry/summary.js';
import { sinkUrlFrom } from './sink-flags.js';

interface SpoolFlags {
  from?: string;
  into?: string;
  db?: string;
  profile?: string;
  mode?: string;
  intervalSec?: string;
  since?: string;
  maxAttempts?: string;
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

Exit codes: 0 ok, 1 a unit FAILED (or a failure), 2 bad usage, 3 some records dead-lettered.`;

/** `sluice spool`: poll a folder or S3 prefix for units and ingest each once. */
export function spoolCommand(): Command {
  return new Command('spool')
    .description('Ingest the files of a folder or S3 prefix, each once, with a ledger, retries and leases')
    .requiredOption('--from <dir|s3://bucket/prefix>', 'where the units are')
    .option('--into <url>', 'sink URL: sqlite:PATH or postgres://...')
    .option('--db <path>', 'SQLite database (short for --into sqlite:PATH)')
    .addOption(new Option('--profile <name>', 'how records map to rows').choices(PROFILES.map((p) => p.name)).default('applog'))
    .addOption(new Option('--mode <mode>', 'once: process what is there and exit; spool: poll forever').choices(['once', 'spool']).default('once'))
    .option('--interval-sec <n>', 'listing interval in spool mode (default 60)')
    .option('--since <iso-time>', 'only units at or after this time (a filter, never the state)')
    .option('--max-attempts <n>', 'attempts before a unit is FAILED (default 5)')
    .option('--retry-base-sec <n>', 'first retry delay; doubles each attempt (default 5)')
    .option('--lease-sec <n>', 'a claimed unit is taken again after this long (default 300)')
    .option('--ledger <url>', 'ledger: sqlite:PATH or postgres://... (default: the sink database)')
    .option('--dead-letter <path>', 'where bad records go')
    .option('--status-file <path>', 'JSON status file, replaced every second')
    .option('--metrics-port <n>', 'serve Prometheus metrics on 127.0.0.1:N/metrics')
    .option('--s3-endpoint <url>', 'S3-compatible endpoint (overrides AWS_ENDPOINT)')
    .option('--s3-region <region>', 'S3 region (overrides AWS_REGION)')
    .option('--json', 'print the summary as JSON on stdout')
    .option('--dry-run', 'decode, map and count; write no rows')
    .option('--no-progress', 'no progress output')
    .addHelpText('after', EXAMPLES)
    .action(async (flags: SpoolFlags) => {
      const config = validateConfig(SpoolConfigSchema, {
        from: flags.from,
        into: sinkUrlFrom(flags),
        profile: flags.profile,
        mode: flags.mode,
        intervalSec: flags.intervalSec ?? process.env.SPOOL_INTERVAL_SEC,
        since: flags.since,
        maxAttempts: flags.maxAttempts,
        retryBaseSec: flags.retryBaseSec,
        leaseSec: flags.leaseSec,
        ledger: flags.ledger,
        deadLetter: flags.deadLetter,
        statusFile: flags.statusFile,
        metricsPort: flags.metricsPort,
        s3Endpoint: flags.s3Endpoint,
        s3Region: flags.s3Region,
        json: flags.json ?? false,
        dryRun: flags.dryRun ?? false,
        progress: flags.progress !== false && (flags.json !== true || process.stderr.isTTY === true),
      });
      const { runSpool } = await import('../core/flow/spool-job.js');
      const result = await runSpool(config);
      if (config.json) process.stdout.write(`${JSON.stringify({ ...result.summary, failed_units: result.failedUnits })}\n`);
      else process.stderr.write(`${formatSummary(result.summary)}${result.failedUnits ? `\n  ${result.failedUnits} unit(s) FAILED: see sluice jobs list --status FAILED` : ''}\n`);
      process.exitCode = result.exitCode;
    });
}
