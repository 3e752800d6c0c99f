import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ledgerFromUrl } from '../../ledger/ledger-from-url.js';
import { profileByName } from '../../profiles/registry.js';
import { parseS3Url } from '../../s3/s3-url.js';
import { sinkFromUrl } from '../../sinks/registry.js';
import { FolderLister } from '../../sources/spool/folder-lister.js';
import { SpoolSource } from '../../sources/spool/spool-source.js';
import { SQLITE_UNIT_NAME, UNIT_NAME, type UnitLister } from '../../sources/spool/unit-lister.js';
import { Batcher } from '../batcher.js';
import type { SpoolConfig } from '../config/spool-config.js';
import { EXIT, SluiceError } from '../errors.js';
import { defaultDeadLetterPath } from './job-harness.js';
import { runJob, type JobResult } from './run-job.js';

/**
 * `sluice spool` as a library call: units of a folder or S3 prefix, each processed once through the
 * ledger, all-or-nothing (its rows and its COMPLETED mark in one transaction where the sink allows),
 * failures retried with backoff, then FAILED. In `once` mode it exits when nothing is left (exit 1 if
 * a unit FAILED); in `spool` mode it polls until SIGINT/SIGTERM, which finish the unit in hand (exit 0).
 */
export async function runSpool(config: SpoolConfig): Promise<JobResult & { failedUnits: number }> {
  const profile = profileByName(config.profile);
  const ledgerUrl = config.ledger ?? defaultLedgerUrl(config.into);
  const ledger = await ledgerFromUrl(ledgerUrl);
  await ledger.open();
  let failedUnits = 0;
  try {
    const source = new SpoolSource({
      lister: await listerFor(config, profile.sqliteUnits ? SQLITE_UNIT_NAME : UNIT_NAME),
      ledger,
      parse: { profile: profile.name, profileOptions: {}, maxLineBytes: config.maxLineBytes, readBytes: 256 * 1024 },
      mode: config.mode,
      intervalSec: config.intervalSec,
      since: config.since ? new Date(config.since) : undefined,
      leaseSec: config.leaseSec,
      maxAttempts: config.maxAttempts,
      sqliteUnits: profile.sqliteUnits,
    });
    const result = await runJob({
      job: 'spool',
      source,
      sink: await sinkFromUrl(config.into, profile, { dryRun: config.dryRun }),
      scope: profile.name,
      batcher: new Batcher(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
      deadLetterPath: config.deadLetter ?? (config.dryRun ? undefined : defaultDeadLetterPath(config.into)),
      statusFile: config.statusFile,
      progress: config.progress,
      metricsPort: config.metricsPort,
      onSignal: config.mode === 'spool' ? 'service' : 'finish-unit',
      units: {
        atomicUnits: true,
        // A ledger in the sink's database was completed in the unit's own transaction.
        onUnitCommitted: ledgerUrl === config.into
          ? undefined
          : async (plan) => {
              if (plan.ledger) await ledger.complete(plan.ledger.bucket, plan.ledger.key);
            },
        onUnitFailed: async (plan, message) => {
          if (!plan.ledger) return 'failed';
          const status = await ledger.fail(plan.ledger.bucket, plan.ledger.key, message, config.maxAttempts, config.retryBaseSec);
          const about = message.startsWith(plan.ledger.key) ? message : `${plan.ledger.key}: ${message}`;
          process.stderr.write(`sluice spool: ${about} (${status === 'FAILED' ? 'FAILED' : 'will retry'})\n`);
          if (status === 'FAILED') failedUnits += 1;
          return status === 'FAILED' ? 'failed' : 'retry';
        },
      },
    });
    const finished = result.exitCode === EXIT.ok || result.exitCode === EXIT.deadLettered;
    const exitCode = failedUnits > 0 && finished ? EXIT.failed : result.exitCode;
    return { ...result, exitCode, failedUnits };
  } finally {
    await ledger.close();
  }
}

async function listerFor(config: SpoolConfig, names: RegExp): Promise<UnitLister> {
  const s3 = parseS3Url(config.from);
  if (s3) {
    // The AWS SDK is loaded only for S3 runs.
    const { createS3Client, s3SettingsFrom } = await import('../../s3/s3-client.js');
    const { S3Lister } = await import('../../sources/spool/s3-lister.js');
    const client = createS3Client(s3SettingsFrom({ endpoint: config.s3Endpoint, region: config.s3Region }));
    return new S3Lister(client, s3.bucket, s3.prefix, names);
  }
  if (config.from.includes('://')) throw new SluiceError('SLUICE_E_CONFIG', `--from: expected a folder or s3://bucket/prefix, got ${config.from}`);
  if (!existsSync(config.from) || !statSync(config.from).isDirectory()) {
    throw new SluiceError('SLUICE_E_NO_INPUT', `--from: ${config.from} is not a folder (or use s3://bucket/prefix)`);
  }
  return new FolderLister(resolve(config.from), names);
}

/** The ledger lives in the sink's database when it is SQL (so units complete with their rows). */
function defaultLedgerUrl(into: string): string {
  if (into.startsWith('sqlite:') || /^postgres(ql)?:\/\//.test(into)) return into;
  return 'sqlite:sluice-ledger.db';
}
