import { Command } from 'commander';
import { IngestConfigSchema } from '../jobs/config/ingest-config.js';
import { validateConfig } from '../core/config/validate.js';
import { formatSummary } from '../telemetry/summary.js';
import type { DecoderDescriptor } from '../decoders/decoder-descriptor.js';
import type { SinkDescriptor } from '../sinks/sink-descriptor.js';
import { sinkOptions, sinkUrlFrom, stateOption, type SinkFlags } from './sink-flags.js';
import { withOptions } from './service-flags.js';
import { profileOption } from './profile-option.js';

interface IngestFlags extends SinkFlags {
  state?: string;
  profile?: string;
  session?: string;
  tz?: string;
  batchSize?: string;
  maxLineBytes?: string;
  deadLetter?: string;
  statusFile?: string;
  json?: boolean;
  dryRun?: boolean;
  progress?: boolean;
}

const EXAMPLES = `
Examples:
  $ sluice ingest logs/bridge_20250829.ndjson --db logs/bridge.db
  $ sluice ingest 'logs/bridge_*.ndjson' --db logs/bridge.db --session 7f3a
  $ zcat old.ndjson.gz | sluice ingest - --into sqlite:logs/bridge.db --json
  $ sluice ingest archive/*.ndjson.gz --dry-run

Re-running is safe: files already read are skipped by their cursor, rows already stored count as
duplicates. Bad lines go to the dead-letter file (default: beside the database) and the run goes on.

Exit codes: 0 ok, 1 failed, 2 bad usage, 3 finished but some records were dead-lettered,
130/143 stopped by SIGINT/SIGTERM after committing the batch in hand.`;

/** `sluice ingest FILE...`: batch-load files into a sink. */
export function ingestCommand(sinks: readonly SinkDescriptor[], decoders: readonly DecoderDescriptor[]): Command {
  const command = new Command('ingest')
    .description('Load NDJSON files (plain, .gz, globs or - for stdin) into a sink, exactly once')
    .argument('<file...>', `files, globs or - for stdin; told by their content: ${decoders.map((d) => d.name).join(', ')}`);
  return withOptions(command, sinkOptions(sinks, 'logs/bridge.db'))
    .addOption(profileOption('how records map to rows', 'bridge'))
    .option('--session <id>', 'ingest only the records of this session')
    .option('--tz <zone>', 'IANA time zone of timestamps written without one (bridge log timestamp_iso), e.g. Europe/Berlin (default UTC)')
    .option('--batch-size <n>', 'rows per transaction (default 50000)')
    .option('--max-line-bytes <n>', 'longest accepted line (default 1048576)')
    .option('--dead-letter <path>', 'where bad records go (default <db name>.dead-letter.ndjson beside the db)')
    .option('--status-file <path>', 'JSON status file, replaced atomically every second')
    .addOption(stateOption())
    .option('--json', 'print the summary as JSON on stdout')
    .option('--dry-run', 'decode, map and count; write nothing')
    .option('--no-progress', 'no progress bar or progress log lines')
    .addHelpText('after', EXAMPLES)
    .action(async (files: string[], flags: IngestFlags) => {
      const config = validateConfig(IngestConfigSchema, {
        files,
        into: sinkUrlFrom(flags),
        profile: flags.profile,
        session: flags.session,
        tz: flags.tz,
        batchSize: flags.batchSize,
        maxLineBytes: flags.maxLineBytes,
        deadLetter: flags.deadLetter,
        state: flags.state,
        statusFile: flags.statusFile,
        json: flags.json ?? false,
        dryRun: flags.dryRun ?? false,
        // With --json, progress goes on only on a TTY (stdout is for the summary, stderr may be logged).
        progress: flags.progress !== false && (flags.json !== true || process.stderr.isTTY === true),
      });
      // Loaded when run, not to show --help: every command stays quick to start and small.
      const { runIngest } = await import('../jobs/ingest-job.js');
      const result = await runIngest(config);
      if (config.json) process.stdout.write(`${JSON.stringify(result.summary)}\n`);
      else process.stderr.write(`${formatSummary(result.summary)}\n`);
      process.exitCode = result.exitCode;
    });
}
