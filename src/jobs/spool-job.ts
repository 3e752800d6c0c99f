import { existsSync, writeFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { Ledger } from '../ledger/ledger.js';
import { readMegastreamState, unitsDoneBy, type MegastreamState } from '../ledger/megastream-state.js';
import { ledgerFromUrl } from '../ledger/ledger-from-url.js';
import { profileByName } from '../profiles/registry.js';
import { sinkDescriptorFor, sinkFromUrl } from '../sinks/registry.js';
import { defaultSpoolStateName } from './sink-state.js';
import type { Sink } from '../core/sink.js';
import { unitListerFor } from '../sources/registry.js';
import { SpoolSource } from '../sources/spool/spool-source.js';
import { SQLITE_UNIT_NAME, UNIT_NAME, type UnitLister } from '../sources/spool/unit-lister.js';
import { Batcher } from '../core/batcher.js';
import type { SpoolConfig } from './config/spool-config.js';
import { EXIT, SluiceError } from '../core/errors.js';
import { defaultDeadLetterPath } from './job-harness.js';
import { runJob, type JobResult } from './run-job.js';

/**
 * `sluice spool` as a library call: units of a folder or S3 prefix, each processed once through the
 * ledger, all-or-nothing (its rows and its COMPLETED mark in one transaction where the sink allows),
 * failures retried with backoff, then FAILED. In `once` mode it exits when nothing is left (exit 1 if
 * a unit FAILED); in `spool` mode it polls until SIGINT/SIGTERM, which finish the unit in hand (exit 0).
 */
export async function runSpool(config: SpoolConfig): Promise<JobResult & { failedUnits: number; outcomes: Record<string, number>; ledgerUrl: string }> {
  const profile = profileByName(config.profile);
  const sinkKind = sinkDescriptorFor(config.into).capabilities;
  // A sink that acknowledges (Elasticsearch) keeps its cursors and the ledger in a local state file.
  const state = sinkKind.acknowledgedCursor ? stateOf(config.state, defaultSpoolStateName(config.into, profile.name)) : undefined;
  // A dry run marks nothing: its ledger lives in memory.
  const ledgerUrl = config.dryRun ? 'sqlite::memory:' : (config.ledger ?? (state ? `sqlite:${state.path}` : sinkKind.ledgerInDatabase ? config.into : 'sqlite:sluice-ledger.db'));
  // Imported once: a marker beside the state says it is done (an import cut short runs again).
  const importMarker = state ? `${state.path}.imported` : undefined;
  const importing = state?.imported !== undefined && importMarker !== undefined && !existsSync(importMarker) && !config.dryRun;
  // A ledger in the sink's database creates that file first: with the page size the sink wants.
  const ledger = await ledgerFromUrl(ledgerUrl, ledgerUrl === config.into ? profile.sqlitePageSize : undefined);
  await ledger.open();
  let failedUnits = 0;
  let sink: Sink | undefined;
  try {
    const parse = {
      profile: profile.name,
      profileOptions: { documents: sinkKind.documents && !config.dryRun },
      maxLineBytes: config.maxLineBytes,
      readBytes: 256 * 1024,
    };
    // A folder or an S3 prefix, as the input's scheme says.
    const { lister } = await unitListerFor(
      config.from,
      { needs: {}, flag: '--from' },
      { profile, parse, unitNames: profile.sqliteUnits ? SQLITE_UNIT_NAME : UNIT_NAME },
      { endpoint: config.s3Endpoint, region: config.s3Region },
    );
    if (importing && state?.imported && importMarker) {
      await importMegastreamState(state.imported, state.from, lister, ledger);
      writeFileSync(importMarker, `${new Date().toISOString()} imported ${state.from}\n`);
    }
    const afterUnit = afterUnitAction(config.after, lister);
    // A factory: a spool service starts its source afresh after its database came back.
    const source = (): SpoolSource =>
      new SpoolSource({
        lister,
        ledger,
        parse,
        mode: config.mode,
        intervalSec: config.intervalSec,
        since: config.since ? new Date(config.since) : undefined,
        leaseSec: config.leaseSec,
        maxAttempts: config.maxAttempts,
        sqliteUnits: profile.sqliteUnits,
        maxUnitBytes: config.maxUnitBytes,
      });
    const result = await runJob({
      job: 'spool',
      source,
      sink: (sink = await sinkFromUrl(config.into, profile, {
        dryRun: config.dryRun,
        settings: {
          // Any acknowledged sink keeps its cursors and the ledger in the state file (--state).
          ...(state ? { [sinkDescriptorFor(config.into).name]: { statePath: state.path } } : {}),
          elasticsearch: state && {
            statePath: state.path,
            batchSize: config.batchSize,
            apiKey: process.env.ELASTICSEARCH_API_KEY || undefined,
            skipTlsVerify: config.skipTlsVerify,
            caCert: config.caCert,
            createIndexes: config.createIndexes,
            requestTimeoutMs: config.requestTimeoutSec * 1000,
          },
        },
      })),
      scope: profile.name,
      batcher: new Batcher(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
      // Beside the database, or beside the state file of an Elasticsearch run: writers with states of
      // their own (two writers on one cluster) get dead-letter files of their own, one writer each.
      deadLetterPath: config.deadLetter ?? (config.dryRun ? undefined : defaultDeadLetterPath(state ? `sqlite:${state.path}` : config.into)),
      statusFile: config.statusFile,
      progress: config.progress,
      metricsPort: config.metricsPort,
      onSignal: config.mode === 'spool' ? 'service' : 'finish-unit',
      units: {
        atomicUnits: true,
        // A ledger in the sink's database was completed in the unit's own transaction.
        onUnitCommitted: async (plan) => {
          if (!plan.ledger) return;
          // A ledger in the sink's database (or the state file) was completed in the unit's own
          // transaction; a dry run's sink writes nothing, so its in-memory ledger is told here.
          const completedWithRows = ledgerUrl === config.into || (state !== undefined && ledgerUrl === `sqlite:${state.path}`);
          if (config.dryRun || !completedWithRows) await ledger.complete(plan.ledger.bucket, plan.ledger.key);
          const { key } = plan.ledger;
          // The version of the unit that was read: --after deletes or moves only that one (content
          // replaced since is kept). Taken in every mode, so the lister does not keep it.
          const version = lister.takeVersionRead?.(key);
          if (config.dryRun || !afterUnit) return;
          // The unit is COMPLETED: a failing --after action is a warning, not a failed run.
          await afterUnit(key, version).catch((err: unknown) => {
            process.stderr.write(`sluice spool: warning: --after ${config.after} on ${key}: ${(err as Error).message}\n`);
          });
        },
        onUnitFailed: async (plan, message, { permanent }) => {
          if (!plan.ledger) return 'failed';
          lister.takeVersionRead?.(plan.ledger.key); // read again on its retry
          // A permanent failure is FAILED now (no attempts are left to it), not retried with back-off.
          const attemptsAllowed = permanent ? 0 : config.maxAttempts;
          const status = await ledger.fail(plan.ledger.bucket, plan.ledger.key, message, attemptsAllowed, config.retryBaseSec);
          const about = message.startsWith(plan.ledger.key) ? message : `${plan.ledger.key}: ${message}`;
          process.stderr.write(`sluice spool: ${about} (${status === 'FAILED' ? 'FAILED' : 'will retry'})\n`);
          if (status === 'FAILED') failedUnits += 1;
          return status === 'FAILED' ? 'failed' : 'retry';
        },
      },
    });
    const finished = result.exitCode === EXIT.ok || result.exitCode === EXIT.deadLettered;
    // Units FAILED by this run, and those a dead worker's lapsed leases FAILED: a once-run never ends
    // green while the ledger holds a unit it gave up on (later units never hide it).
    const failedInLedger = config.mode === 'once' && !config.dryRun ? (await ledger.list({ status: 'FAILED', bucket: lister.bucket, limit: 1, page: 1 })).total : 0;
    failedUnits = Math.max(failedUnits, failedInLedger);
    const exitCode = failedUnits > 0 && finished ? EXIT.failed : result.exitCode;
    return { ...result, exitCode, failedUnits, outcomes: sink?.outcomes?.() ?? {}, ledgerUrl };
  } finally {
    await ledger.close();
  }
}

/** The `--state` of an acknowledged sink's run: a SQLite file; a megastream_ingest JSON state is imported beside it. */
function stateOf(given: string | undefined, defaultName: string): { path: string; from: string; imported?: MegastreamState } {
  const path = given ?? (process.env.SPOOL_STATE_FILE || process.env.MEGASTREAM_STATE_FILE || defaultName);
  const imported = readMegastreamState(path);
  if (imported || /\.json$/i.test(path)) return { path: `${path}.sluice.db`, from: path, ...(imported ? { imported } : {}) };
  return { path, from: path };
}

/** First start over a megastream_ingest state: the files it had finished are COMPLETED, once. */
async function importMegastreamState(state: MegastreamState, from: string, lister: UnitLister, ledger: Ledger): Promise<void> {
  let done = 0;
  for await (const page of lister.list()) {
    await ledger.register(page);
    for (const u of unitsDoneBy(state, page)) {
      await ledger.complete(u.bucket, u.key);
      done += 1;
    }
  }
  const what = state.kind === 'cursor' ? `files before ${new Date(state.lastTimeUs / 1000).toISOString()}` : 'files marked processed';
  process.stderr.write(`sluice spool: imported megastream_ingest state ${from}: ${done} ${what} marked COMPLETED\n`);
}

/** What `--after` does to a COMPLETED unit, given the version of it that was read. */
function afterUnitAction(after: string, lister: UnitLister): ((key: string, version: string | undefined) => Promise<void>) | undefined {
  if (after === 'keep') return undefined;
  if (after === 'delete') {
    if (!lister.remove) throw new SluiceError('SLUICE_E_CONFIG', '--after delete: this source cannot delete its units');
    return (key, version) => lister.remove?.(key, version) ?? Promise.resolve();
  }
  const given = after.slice('move:'.length);
  const dir = resolve(given);
  if (!lister.move) throw new SluiceError('SLUICE_E_CONFIG', '--after move:DIR works for folders only; use --after delete or keep for S3');
  const inside = relative(lister.bucket, dir);
  if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside))) {
    throw new SluiceError('SLUICE_E_CONFIG', `--after move:${given}: the folder is inside --from, whose subfolders are read too; choose one outside it`);
  }
  return (key, version) => lister.move?.(key, dir, version) ?? Promise.resolve();
}

