import { Command, CommanderError } from 'commander';
import { EXIT, SluiceError } from '../core/errors.js';
import { followCommand } from './follow-command.js';
import { ingestCommand } from './ingest-command.js';
import { serviceCommand } from './service-command.js';

/** The `sluice` program: one verb per job. */
export function buildProgram(): Command {
  const program = new Command('sluice')
    .description('Move records from files, folders, object stores and uploads into databases: exactly once, resumable, fast.')
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.addCommand(ingestCommand().exitOverride());
  program.addCommand(followCommand().exitOverride());
  program.addCommand(serviceCommand().exitOverride());
  return program;
}

/** Runs the CLI; sets the process exit code (0 ok, 1 failed, 2 usage, 3 dead-lettered, 130/143 signals). */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = exitCodeOf(err);
  }
}

function exitCodeOf(err: unknown): number {
  if (err instanceof CommanderError) {
    // Commander already printed the message (or the help / version).
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
      return EXIT.ok;
    }
    return EXIT.usage;
  }
  if (err instanceof SluiceError) {
    process.stderr.write(`sluice: ${err.message}\n  ${err.hint} [${err.code}]\n`);
    return err.exitCode;
  }
  process.stderr.write(`sluice: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return EXIT.failed;
}
