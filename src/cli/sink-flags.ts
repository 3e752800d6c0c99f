import { Option } from 'commander';
import { SluiceError } from '../core/errors.js';
import { SINKS } from '../sinks/registry.js';

/** `--db PATH` is short for `--into sqlite:PATH`; giving both is a usage error. */
export function sinkUrlFrom(flags: { db?: string; into?: string }): string | undefined {
  if (flags.db !== undefined && flags.into !== undefined) {
    throw new SluiceError('SLUICE_E_USAGE', '--db and --into name the same thing; give one of them');
  }
  return flags.into ?? (flags.db !== undefined ? `sqlite:${flags.db}` : undefined);
}

/** `--into` help: the sinks there are, each with an example URL. */
export function intoHelp(): string {
  return `sink URL: ${SINKS.map((s) => s.example).join(' | ')}`;
}

/** `--state PATH` of an acknowledged sink (NATS) that keeps its cursors in a local file. */
export function stateOption(): Option {
  return new Option('--state <path>', 'NATS: SQLite state file with the cursors, saved once acknowledged (default sluice-nats.state.db beside the input)');
}
