import { Option } from 'commander';
import { SluiceError } from '../core/errors.js';
import type { SinkDescriptor } from '../sinks/sink-descriptor.js';
import { intoHelp } from './plugin-help.js';

/** The flags that name a command's sink. */
export interface SinkFlags {
  db?: string;
  into?: string;
}

/** `--db PATH` is short for `--into sqlite:PATH`; giving both is a usage error. */
export function sinkUrlFrom(flags: SinkFlags): string | undefined {
  if (flags.db !== undefined && flags.into !== undefined) {
    throw new SluiceError('SLUICE_E_USAGE', '--db and --into name the same thing; give one of them');
  }
  return flags.into ?? (flags.db !== undefined ? `sqlite:${flags.db}` : undefined);
}

/** `--db PATH` and `--into URL`, the sinks listed from the registry (`dbDefault`: the default database, if any). */
export function sinkOptions(sinks: readonly SinkDescriptor[], dbDefault?: string): Option[] {
  return [
    new Option('--db <path>', `SQLite database (short for --into sqlite:PATH${dbDefault ? `; default ${dbDefault}` : ''})`),
    new Option('--into <url>', intoHelp(sinks)),
  ];
}

/** `--state PATH` of an acknowledged sink (NATS) that keeps its cursors in a local file. */
export function stateOption(): Option {
  return new Option('--state <path>', 'NATS: SQLite state file with the cursors, saved once acknowledged (default sluice-nats.state.db beside the input)');
}
