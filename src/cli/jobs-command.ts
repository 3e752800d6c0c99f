import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { count } from '../core/config/config-types.js';
import { validateConfig } from '../core/config/validate.js';
import { SluiceError } from '../core/errors.js';
import type { Ledger, LedgerUnit } from '../ledger/ledger.js';
import { sinkUrlFrom } from './sink-flags.js';

const EXAMPLES = `
Examples:
  $ sluice jobs list --ledger sqlite:logs/app.db --status FAILED
  $ sluice jobs list --ledger postgres://ingest@db/logs --limit 50 --page 2 --json
  $ sluice jobs retry --all-failed --ledger sqlite:logs/app.db
  $ sluice jobs retry 2025-04-01T18-28-18.671Z-f1d05b28.json.gz --ledger sqlite:logs/app.db
  $ sluice jobs release 2025-04-01T18-28-18.671Z-f1d05b28.json.gz --ledger sqlite:logs/app.db`;

const ListSchema = z.object({
  status: z.enum(['PENDING', 'PROCESSING', 'COMPLETED', 'FAILED']).optional(),
  limit: count(1, 10_000).default(50),
  page: count(1, 1_000_000).default(1),
});

/** `sluice jobs list|retry|release`: look at and steer the ledger. */
export function jobsCommand(): Command {
  const jobs = new Command('jobs').description('The ledger of spool units: list, retry, release').addHelpText('after', EXAMPLES);
  const ledgerOptions = (c: Command): Command =>
    c.option('--ledger <url>', 'ledger: sqlite:PATH or postgres://...').option('--db <path>', 'short for --ledger sqlite:PATH');

  ledgerOptions(jobs.command('list').description('Units by status, most recently updated first'))
    .addOption(new Option('--status <status>', 'only this status').choices(['PENDING', 'PROCESSING', 'COMPLETED', 'FAILED']))
    .option('--limit <n>', 'units per page (default 50)')
    .option('--page <n>', 'page number, from 1 (default 1)')
    .option('--json', 'one JSON document on stdout')
    .action(async (flags: { ledger?: string; db?: string; status?: string; limit?: string; page?: string; json?: boolean }) => {
      const filter = validateConfig(ListSchema, { status: flags.status, limit: flags.limit, page: flags.page });
      await withLedger(flags, async (ledger) => {
        const page = await ledger.list(filter);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify({ total: page.total, page: filter.page, units: page.units.map(processedFileShape) })}\n`);
          return;
        }
        if (page.units.length > 0) process.stdout.write(`${'STATUS'.padEnd(10)} ${'ATTEMPTS'}  ${'UPDATED'.padEnd(24)}  KEY  (LAST ERROR)\n`);
        for (const u of page.units) {
          process.stdout.write(`${u.status.padEnd(10)} ${String(u.attempts).padStart(8)}  ${u.updatedAt.padEnd(24)}  ${u.key}${u.error ? `  (${u.error})` : ''}\n`);
        }
        process.stderr.write(`${page.units.length} of ${page.total} unit(s), page ${filter.page}\n`);
      });
    });

  ledgerOptions(jobs.command('retry').description('Put a unit (or every FAILED unit) back to PENDING with its attempts reset'))
    .argument('[key]', 'the unit key')
    .option('--all-failed', 'every FAILED unit')
    .action(async (key: string | undefined, flags: { ledger?: string; db?: string; allFailed?: boolean }) => {
      if ((key === undefined) === (flags.allFailed !== true)) throw new SluiceError('SLUICE_E_USAGE', 'jobs retry: name a KEY or give --all-failed (one of them)');
      await withLedger(flags, async (ledger) => {
        if (key !== undefined) await requireUnit(ledger, key);
        const n = await ledger.retry(key !== undefined ? { key } : { allFailed: true });
        process.stderr.write(`${n} unit(s) back to PENDING\n`);
        if (n === 0 && key !== undefined) process.exitCode = 1;
      });
    });

  ledgerOptions(jobs.command('release').description('Put a stuck PROCESSING unit back to PENDING now, without waiting for its lease'))
    .argument('<key>', 'the unit key')
    .action(async (key: string, flags: { ledger?: string; db?: string }) => {
      await withLedger(flags, async (ledger) => {
        const status = await requireUnit(ledger, key);
        const released = await ledger.release(key);
        process.stderr.write(released ? `released ${key}\n` : `${key} is ${status}, not PROCESSING: nothing to release\n`);
        if (!released) process.exitCode = 1;
      });
    });
  return jobs;
}

/** The unit's status; an unknown key is a usage error (a typo, or another ledger). */
async function requireUnit(ledger: Ledger, key: string): Promise<string> {
  const status = await ledger.statusOf(key);
  if (status === null) throw new SluiceError('SLUICE_E_UNKNOWN_UNIT', `no unit ${key} in the ledger ${ledger.description}`);
  return status;
}

async function withLedger(flags: { ledger?: string; db?: string }, work: (ledger: Ledger) => Promise<void>): Promise<void> {
  const url = flags.ledger ?? sinkUrlFrom({ db: flags.db });
  if (!url) throw new SluiceError('SLUICE_E_USAGE', 'jobs: give --ledger URL (or --db PATH)');
  if (url.startsWith('sqlite:') && !existsSync(url.slice('sqlite:'.length))) {
    throw new SluiceError('SLUICE_E_NO_DATABASE', `no ledger at ${url.slice('sqlite:'.length)} (check --ledger / --db)`);
  }
  const { ledgerFromUrl } = await import('../ledger/ledger-from-url.js');
  const ledger = await ledgerFromUrl(url);
  try {
    await ledger.open();
  } catch (err) {
    await ledger.close().catch(() => undefined);
    if (err instanceof SluiceError) throw err;
    throw new SluiceError('SLUICE_E_SINK', `cannot open the ledger ${ledger.description}: ${(err as Error).message}`, { cause: err });
  }
  try {
    await work(ledger);
  } finally {
    await ledger.close();
  }
}

/** A ledger row in the log-insights ingestor's `ProcessedFile` shape. */
function processedFileShape(u: LedgerUnit) {
  return {
    s3Key: u.key,
    bucket: u.bucket,
    status: u.status,
    processedAt: u.processedAt,
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
    metadata: { size: u.size, error: u.error ?? undefined, lastAttempt: u.lastAttempt ?? undefined, attempts: u.attempts },
    leaseUntil: u.leaseUntil,
    nextAttemptAt: u.nextAttemptAt,
    worker: u.worker,
  };
}
