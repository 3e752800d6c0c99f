import { Command } from 'commander';
import { ArchiveConfigSchema } from '../archive/archive-config.js';
import type { LdoSink } from '../archive/ldo-sink.js';
import { validateConfig } from '../core/config/validate.js';
import { EXIT } from '../core/errors.js';
import { Shutdown } from '../core/shutdown.js';
import { ServeConfigSchema } from '../server/serve-config.js';

interface ArchiveFlags {
  from?: string;
  table?: string;
  idColumn?: string;
  timeColumn?: string;
  olderThan?: string;
  to?: string;
  store?: string;
  registry?: string;
  keepMetadata?: boolean;
  payloadColumns?: string;
  dryRun?: boolean;
  pageSize?: string;
  concurrency?: string;
  json?: boolean;
  statusFile?: string;
  progress?: boolean;
}

const EXAMPLES = `
Examples:
  $ sluice archive ldo --from postgres://edge@db/edge --table predictions --id-column id --time-column created_at \\
      --older-than 90d --to http://data-ingestion:8001
  $ sluice archive ldo --from postgres://edge@db/edge --table metadata_payloads --older-than 90d \\
      --store s3://archive/ldo --registry postgres://db/ldo --keep-metadata
  $ sluice archive ldo --from postgres://edge@db/edge --table predictions --older-than 90d --to http://h:8001 --dry-run

Each row older than the cutoff is sent as a metadata-only LDO (the row as JSON, ldo_id = the id column,
idempotency key table:id) and deleted (or, with --keep-metadata, its json/jsonb payload emptied) only
after the service acknowledged it. Killed and run again, nothing is lost and nothing is stored twice.
Environment: SLUICE_API_KEY (sent as a Bearer token).`;

/** `sluice archive ldo`: the nightly archival job: old rows out of PostgreSQL into the LDO store. */
export function archiveCommand(): Command {
  const archive = new Command('archive').description('Move old rows out of a database into the LDO store');
  archive.addCommand(
    new Command('ldo')
      .exitOverride()
      .description('Archive old LDO rows of a PostgreSQL table through the upload service (or into a store)')
      .requiredOption('--from <url>', 'source database, postgres://…')
      .requiredOption('--table <name>', 'table to archive (schema.table allowed)')
      .option('--id-column <name>', 'unique column: page order and ldo_id (default id)')
      .option('--time-column <name>', 'the row\'s time (default created_at)')
      .requiredOption('--older-than <duration>', 'archive rows older than this: 90d, 12h, 30m')
      .option('--to <url>', 'the upload service, http://host:8001')
      .option('--store <url>', 'or write a store directly: file:DIR or s3://bucket/prefix')
      .option('--registry <url>', 'registry for --store (default as sluice serve)')
      .option('--keep-metadata', 'keep the rows, only empty their payload columns')
      .option('--payload-columns <list>', 'comma-separated payload columns for --keep-metadata (default every json/jsonb column)')
      .option('--dry-run', 'count the rows that would be archived; change nothing')
      .option('--page-size <n>', 'rows per keyset page (default 500)')
      .option('--concurrency <n>', 'uploads in flight (default 8)')
      .option('--json', 'print the summary as one JSON line on stdout')
      .option('--status-file <path>', 'JSON status (rows sent, stored, replayed, conflicts), replaced atomically every second')
      .option('--no-progress', 'no progress bar or progress log lines')
      .addHelpText('after', EXAMPLES)
      .action(async (flags: ArchiveFlags) => {
        const config = validateConfig(ArchiveConfigSchema, {
          from: flags.from,
          table: flags.table,
          idColumn: flags.idColumn,
          timeColumn: flags.timeColumn,
          olderThan: flags.olderThan,
          to: flags.to,
          store: flags.store,
          registry: flags.registry,
          keepMetadata: flags.keepMetadata === true,
          payloadColumns: flags.payloadColumns?.split(',').map((c) => c.trim()).filter((c) => c !== ''),
          dryRun: flags.dryRun === true,
          pageSize: flags.pageSize,
          concurrency: flags.concurrency,
          apiKey: process.env.SLUICE_API_KEY,
          statusFile: flags.statusFile,
          progress: flags.progress !== false && (flags.json !== true || process.stderr.isTTY === true),
        });
        const { runArchive } = await import('../archive/archive-job.js');
        const { HttpLdoSink, StoreLdoSink } = await import('../archive/ldo-sink.js');
        const { openService } = await import('../server/run-serve.js');
        const { withHarness } = await import('../jobs/run-harness.js');
        await withHarness({ job: 'archive', statusFile: config.statusFile, progress: config.progress, finishing: 'finishing the page in hand' }, async ({ bus, shutdown, stop }) => {
          let sink: LdoSink | undefined;
          let close = async (): Promise<void> => undefined;
          if (!config.dryRun && config.store) {
            const service = await openService(ServeConfigSchema.parse({ store: config.store, registry: config.registry }));
            await service.recover();
            sink = new StoreLdoSink(service);
            close = () => service.registry.close();
          } else if (!config.dryRun && config.to) {
            sink = new HttpLdoSink(config.to, config.apiKey);
          }
          try {
            bus.setPhase('archiving');
            const summary = await runArchive(config, sink, (s) => {
              bus.set('read', s.rows);
              bus.set('written', s.stored);
              bus.set('duplicates', s.replayed);
              bus.set('bad', s.conflicts);
            }, stop);
            bus.end(shutdown.requested ? 'stopped' : 'done');
            const line = config.dryRun
              ? `${summary.rows} rows of ${config.table} are older than ${config.olderThan} (dry run: nothing sent)`
              : `archived ${summary.rows} rows of ${config.table}: ${summary.stored} stored, ${summary.replayed} already stored, ` +
                `${summary.removed} ${config.keepMetadata ? 'emptied' : 'deleted'}, ${summary.conflicts} conflicts`;
            process.stderr.write(`sluice archive: ${line}${shutdown.requested ? ' (stopped: run it again to go on)' : ''}\n`);
            if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
            if (shutdown.requested) process.exitCode = Shutdown.exitCodeFor(shutdown.requested);
            else if (summary.conflicts > 0) process.exitCode = EXIT.failed;
          } finally {
            await close();
          }
        });
      }),
  );
  return archive;
}
