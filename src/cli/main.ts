import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { EXIT, SluiceError } from '../core/errors.js';
import { knownFailure } from '../core/known-failure.js';
import { adoptEarlySignals, releaseEarlySignals, type EarlySignals } from '../core/shutdown.js';
import { archiveCommand } from './archive-command.js';
import { consumeCommand } from './consume-command.js';
import { dashboardCommand } from './dashboard-command.js';
import { enrichCommand } from './enrich-command.js';
import { followCommand } from './follow-command.js';
import { ingestCommand } from './ingest-command.js';
import { jobsCommand } from './jobs-command.js';
import { DECODERS } from '../decoders/registry.js';
import { PROFILES } from '../profiles/registry.js';
import { SINKS } from '../sinks/registry.js';
import { profileList, type Plugins } from './plugin-help.js';
import { pluginsCommand } from './plugins-command.js';
import { spoolCommand } from './spool-command.js';
import { reportCommand } from './report-command.js';
import { serveCommand } from './serve-command.js';
import { serviceCommand } from './service-command.js';

/** Commands that install a graceful stop (`Shutdown`). */
const GRACEFUL_COMMANDS = new Set(['ingest', 'follow', 'spool', 'serve', 'dashboard']);

/**
 * The shipped plugin lists. The sources are loaded only when asked for (`sluice plugins`): their
 * modules are the heaviest, and `--help` of every command stays quick.
 */
async function shippedPlugins(): Promise<Plugins> {
  const { SOURCES } = await import('../sources/registry.js');
  return { sources: SOURCES, decoders: DECODERS, sinks: SINKS, profiles: PROFILES };
}

/**
 * The `sluice` program: one verb per job. Its help lists the plugins of the registries; `given`
 * replaces a list (a test adds a plugin of its own and sees it in the help).
 */
export function buildProgram(given: Partial<Plugins> = {}): Command {
  const sinks = given.sinks ?? SINKS;
  const profiles = given.profiles ?? PROFILES;
  const plugins = async (): Promise<Plugins> => ({ ...(await shippedPlugins()), ...given });
  const program = new Command('sluice')
    .description('Move records from files, folders, object stores and uploads into databases: exactly once, resumable, fast.')
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `\nProfiles (--profile): ${profileList(profiles)}.\n` +
        `Sinks (--into): ${sinks.map((s) => `${s.name} (${s.example})`).join(', ')}.\n` +
        `sluice plugins lists every source, decoder, sink and profile with its settings.\n` +
        `Every command has --help with examples; the README has the whole story.`,
    )
    .exitOverride();
  program.addCommand(ingestCommand(sinks, given.decoders ?? DECODERS));
  program.addCommand(followCommand(sinks));
  program.addCommand(reportCommand());
  program.addCommand(spoolCommand(sinks));
  program.addCommand(consumeCommand(sinks));
  program.addCommand(jobsCommand());
  program.addCommand(serveCommand());
  program.addCommand(dashboardCommand());
  program.addCommand(archiveCommand());
  program.addCommand(enrichCommand());
  program.addCommand(serviceCommand());
  program.addCommand(pluginsCommand(plugins));
  exitOverrideEverywhere(program);
  return program;
}

/** Usage errors of every (sub)command reach `main`, which maps them to exit code 2. */
function exitOverrideEverywhere(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) exitOverrideEverywhere(sub);
}

/** The version in package.json (beside dist/ and src/ alike). */
function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Runs the CLI; sets the process exit code (0 ok, 1 failed, 2 usage, 3 dead-lettered, 130/143 signals). */
export async function main(argv: string[], signals?: EarlySignals): Promise<void> {
  if (signals) adoptEarlySignals(signals);
  // `sluice jobs list | head`: a reader that leaves early is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  const program = buildProgram();
  // Jobs stop gracefully through their own Shutdown, which takes the held signals over.
  program.hook('preAction', (_program, action) => {
    if (!GRACEFUL_COMMANDS.has(action.name())) releaseEarlySignals();
  });
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
  const known = err instanceof SluiceError ? err : knownFailure(err);
  if (known) {
    process.stderr.write(`sluice: ${known.message}\n  ${known.hint} [${known.code}]\n`);
    return known.exitCode;
  }
  process.stderr.write(`sluice: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return EXIT.failed;
}
