import { Command, Option } from 'commander';
import { FollowConfigSchema } from '../jobs/config/follow-config.js';
import { validateConfig } from '../core/config/validate.js';
import type { SinkDescriptor } from '../sinks/sink-descriptor.js';
import { sinkOptions, sinkUrlFrom, stateOption, type SinkFlags } from './sink-flags.js';
import { endService, serviceConfig, serviceOptions, withOptions, type ServiceFlags } from './service-flags.js';
import { profileOption } from './profile-option.js';

interface FollowFlags extends SinkFlags, ServiceFlags {
  state?: string;
  profile?: string;
  session?: string;
  tz?: string;
  pollMs?: string;
  idleCloseSec?: string;
  fromStart?: boolean;
  fromEnd?: boolean;
  batchSize?: string;
}

const EXAMPLES = `
Examples:
  $ sluice follow 'logs/bridge_{YYYYMMDD}.ndjson' --db logs/bridge.db
  $ sluice follow 'logs/bridge_*.ndjson' --db logs/bridge.db --status-file run/follow.json --metrics-port 9464
  $ sluice service install follow 'logs/bridge_{YYYYMMDD}.ndjson' --db logs/bridge.db

PATTERN takes date tokens {YYYY} {MM} {DD} {YYYYMMDD}, or is a glob; matching files are read oldest
first (by the date in the name, then the name), each from its cursor, then the newest is tailed.
An older file stays open until it has been idle for --idle-close-sec and is fully read, so lines
written to yesterday's file after midnight are not lost. A last line without a newline waits for it.

SIGINT/SIGTERM commit the batch in hand and exit 0. Restarting resumes every file from its cursor.`;

/** `sluice follow PATTERN`: tail a daily-rolled log into a sink as lines are written. */
export function followCommand(sinks: readonly SinkDescriptor[]): Command {
  const command = new Command('follow')
    .description('Tail growing NDJSON files (a dated pattern) into a sink, across day rollover, with no loss')
    .argument('<pattern>', 'path with {YYYYMMDD}-style date tokens, or a glob');
  const options = withOptions(command, sinkOptions(sinks, 'logs/bridge.db'))
    .addOption(profileOption('how records map to rows', 'bridge'))
    .option('--session <id>', 'keep only the records of this session')
    .option('--tz <zone>', 'IANA time zone of timestamps written without one (bridge log timestamp_iso), e.g. Europe/Berlin (default UTC)')
    .option('--poll-ms <n>', 'fallback poll interval when file events are missed (default 200)')
    .option('--idle-close-sec <n>', 'close an older file once idle this long and fully read (default 60)')
    .addOption(new Option('--from-start', 'read files with no cursor from their start (default)').conflicts('fromEnd'))
    .option('--from-end', 'read files with no cursor yet from their end (only new lines)')
    .option('--batch-size <n>', 'rows per transaction at most (default 5000; commits also every 100 ms)')
    .addOption(stateOption());
  const texts = {
    deadLetter: 'where bad records go (default beside the database)',
    statusFile: 'JSON status file (phase catch-up/tailing, lag), replaced every second',
  };
  return withOptions(options, serviceOptions(texts))
    .addHelpText('after', EXAMPLES)
    .action(async (pattern: string, flags: FollowFlags) => {
      const config = validateConfig(FollowConfigSchema, {
        pattern,
        into: sinkUrlFrom(flags),
        profile: flags.profile,
        session: flags.session,
        tz: flags.tz,
        pollMs: flags.pollMs,
        idleCloseSec: flags.idleCloseSec,
        fromEnd: flags.fromEnd === true,
        batchSize: flags.batchSize,
        state: flags.state,
        ...serviceConfig(flags),
      });
      const { runFollow } = await import('../jobs/follow-job.js');
      const result = await runFollow(config);
      endService(result);
    });
}
