import { Option, type Command } from 'commander';
import { formatSummary, type RunSummary } from '../telemetry/summary.js';

/** The flags of a job that runs as a service: where bad records go and how it is watched. */
export interface ServiceFlags {
  deadLetter?: string;
  statusFile?: string;
  metricsPort?: string;
  progress?: boolean;
}

/**
 * `--dead-letter`, `--status-file`, `--metrics-port` and `--no-progress` of a service (follow,
 * consume), with the texts that say what its dead letters and its status hold.
 */
export function serviceOptions(texts: { deadLetter: string; statusFile: string }): Option[] {
  return [
    new Option('--dead-letter <path>', texts.deadLetter),
    new Option('--status-file <path>', texts.statusFile),
    new Option('--metrics-port <n>', 'serve Prometheus metrics on 127.0.0.1:N/metrics'),
    new Option('--no-progress', 'no progress log lines on stderr'),
  ];
}

/** Adds `options` to `command`, in order. */
export function withOptions(command: Command, options: readonly Option[]): Command {
  for (const o of options) command.addOption(o);
  return command;
}

/** The config fields of the service flags, as the job schemas name them (progress on unless --no-progress). */
export function serviceConfig(flags: ServiceFlags): { deadLetter: string | undefined; statusFile: string | undefined; metricsPort: string | undefined; progress: boolean } {
  return { deadLetter: flags.deadLetter, statusFile: flags.statusFile, metricsPort: flags.metricsPort, progress: flags.progress !== false };
}

/** A service's end: its summary on stderr and its exit code. */
export function endService(result: { summary: RunSummary; exitCode: number }): void {
  process.stderr.write(`${formatSummary(result.summary)}\n`);
  process.exitCode = result.exitCode;
}
