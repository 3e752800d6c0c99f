import { Command, Option } from 'commander';
import { validateConfig } from '../core/config/validate.js';
import { SluiceError } from '../core/errors.js';
import { Shutdown } from '../core/shutdown.js';
import { EnrichConfigSchema } from '../enrich/enrich-config.js';

interface EnrichFlags {
  profile?: string;
  db?: string;
  vtUrl?: string;
  dshieldUrl?: string;
  ttlHours?: string;
  vtRatePerMin?: string;
  dshieldRatePerMin?: string;
  limit?: string;
  dryRun?: boolean;
  json?: boolean;
  statusFile?: string;
}

const HELP = `
Looks up the distinct SHA-256 of downloaded files on VirusTotal (GET /api/v3/files/HASH) and the
distinct source IPs on DShield (GET /api/ip/IP?json), caches each answer in enrichment_cache, then
sets session_metrics.vt_flagged / dshield_flagged from the cache. Answers younger than --ttl-hours
are not fetched again. Each service keeps to its own rate; a 429 waits (Retry-After, else 1 s, 2 s,
4 s, ...) and retries; other failures are counted and retried on the next run.

Environment: VT_API_KEY (VirusTotal is skipped without it), DSHIELD_EMAIL (contact sent to ISC in
the User-Agent; optional). Keys are never printed.
It runs apart from ingest, on its own connection, and can run while sluice ingest or follow writes.

Examples:
  $ VT_API_KEY=... sluice enrich --profile cowrie --db honeypot.db
  $ sluice enrich --profile cowrie --db honeypot.db --limit 100 --dry-run

Exit codes: 0 ok, 1 some lookups failed (summary printed, flags set from what is cached),
2 bad usage or no such database.`;

/** `sluice enrich`: VirusTotal and DShield lookups through a TTL cache; sets the session flags. */
export function enrichCommand(): Command {
  return new Command('enrich')
    .description('Look up file hashes (VirusTotal) and source IPs (DShield) of a cowrie database; set the session flags')
    .addOption(
      new Option('--profile <name>', 'profile of the database (cowrie)')
        .argParser((name: string) => {
          if (name !== 'cowrie') throw new SluiceError('SLUICE_E_UNKNOWN_PROFILE', `--profile: enrich works on cowrie databases only, not "${name}"`);
          return name;
        })
        .default('cowrie'),
    )
    .requiredOption('--db <path>', 'SQLite database written by sluice ingest --profile cowrie')
    .option('--vt-url <url>', 'VirusTotal API base URL (default https://www.virustotal.com)')
    .option('--dshield-url <url>', 'DShield API base URL (default https://isc.sans.edu)')
    .option('--ttl-hours <h>', 'cached answers younger than this are not fetched again (default 24)')
    .option('--vt-rate-per-min <n>', 'VirusTotal requests per minute (default 4, the public API limit)')
    .option('--dshield-rate-per-min <n>', 'DShield requests per minute (default 60)')
    .option('--limit <n>', 'at most N lookups per service in this run; 0 for all (default 0)')
    .option('--dry-run', 'say what would be looked up; no request, no write')
    .option('--json', 'print the summary as JSON on stdout')
    .option('--status-file <path>', 'JSON status (lookups done, answers cached, errors), replaced atomically every second')
    .addHelpText('after', HELP)
    .action(async (flags: EnrichFlags) => {
      const config = validateConfig(EnrichConfigSchema, {
        profile: flags.profile,
        db: flags.db,
        vtUrl: flags.vtUrl,
        dshieldUrl: flags.dshieldUrl,
        ttlHours: flags.ttlHours,
        vtRatePerMin: flags.vtRatePerMin,
        dshieldRatePerMin: flags.dshieldRatePerMin,
        limit: flags.limit,
        dryRun: flags.dryRun ?? false,
        json: flags.json ?? false,
        statusFile: flags.statusFile,
      });
      // Loaded here: other commands start without SQLite lookups and HTTP machinery.
      const { runEnrich } = await import('../enrich/run-enrich.js');
      const { formatEnrichSummary } = await import('../enrich/enrich-summary.js');
      const { withHarness } = await import('../jobs/run-harness.js');
      await withHarness({ job: 'enrich', statusFile: config.statusFile, finishing: 'finishing the lookup in hand' }, async ({ bus, shutdown, stop }) => {
        bus.setPhase('looking up');
        const env = { VT_API_KEY: process.env.VT_API_KEY, DSHIELD_EMAIL: process.env.DSHIELD_EMAIL };
        const summary = await runEnrich(config, env, { bus, stop });
        bus.end(shutdown.requested ? 'stopped' : 'done');
        if (config.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
        else process.stderr.write(`${formatEnrichSummary(summary)}\n`);
        const errors = summary.services.reduce((n, s) => n + s.errors, 0);
        if (shutdown.requested) process.exitCode = Shutdown.exitCodeFor(shutdown.requested);
        else if (errors > 0) throw new SluiceError('SLUICE_E_ENRICH', `${errors} lookups failed`);
      });
    });
}
