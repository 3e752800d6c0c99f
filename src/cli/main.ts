import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { EXIT, SluiceError } from '../core/errors.js';
import { knownFailure } from '../core/known-failure.js';
import { adoptEarlySignals, releaseEarlySignals, type EarlySignals } from '../core/shutdown.js';
import type { DecoderDescriptor } from '../decoders/decoder-descriptor.js';
import type { Profile } from '../profiles/profile.js';
import type { SinkDescriptor } from '../sinks/sink-descriptor.js';
import type { Plugins } from './plugin-help.js';

/** Commands that install a graceful stop (`Shutdown`). */
const GRACEFUL_COMMANDS = new Set(['ingest', 'follow', 'spool', 'serve', 'dashboard']);

/** The plugin lists a command is built with: the shipped registries unless a test gave its own. */
interface BuildLists {
  sinks: () => Promise<readonly SinkDescriptor[]>;
  decoders: () => Promise<readonly DecoderDescriptor[]>;
  profiles: () => Promise<readonly Profile[]>;
  plugins: () => Promise<Plugins>;
}

/**
 * Every command in the order of the help, each built by importing its module when asked for. A run
 * builds only the command it runs: the other commands' modules (their config schemas, the report
 * catalogue, the systemd units...) and, for most commands, the plugin registries stay unloaded, and
 * `sluice ingest` starts in less CPU than when every module loaded.
 */
const COMMANDS: ReadonlyArray<readonly [string, (lists: BuildLists) => Promise<Command>]> = [
  ['ingest', async (l) => (await import('./ingest-command.js')).ingestCommand(await l.sinks(), await l.decoders())],
  ['follow', async (l) => (await import('./follow-command.js')).followCommand(await l.sinks())],
  ['report', async () => (await import('./report-command.js')).reportCommand()],
  ['spool', async (l) => (await import('./spool-command.js')).spoolCommand(await l.sinks())],
  ['consume', async (l) => (await import('./consume-command.js')).consumeCommand(await l.sinks())],
  ['jobs', async () => (await import('./jobs-command.js')).jobsCommand()],
  ['serve', async () => (await import('./serve-command.js')).serveCommand()],
  ['dashboard', async () => (await import('./dashboard-command.js')).dashboardCommand()],
  ['archive', async () => (await import('./archive-command.js')).archiveCommand()],
  ['enrich', async () => (await import('./enrich-command.js')).enrichCommand()],
  ['service', async () => (await import('./service-command.js')).serviceCommand()],
  ['plugins', async (l) => (await import('./plugins-command.js')).pluginsCommand(l.plugins)],
];

/** The lists of `given`, else the shipped registries, each imported when first asked for. */
function buildLists(given: Partial<Plugins>): BuildLists {
  const sinks = async (): Promise<readonly SinkDescriptor[]> => given.sinks ?? (await import('../sinks/registry.js')).SINKS;
  const decoders = async (): Promise<readonly DecoderDescriptor[]> => given.decoders ?? (await import('../decoders/registry.js')).DECODERS;
  const profiles = async (): Promise<readonly Profile[]> => given.profiles ?? (await import('../profiles/registry.js')).PROFILES;
  // The sources are the heaviest modules: loaded only when `sluice plugins` runs.
  const sources = async (): Promise<Plugins['sources']> => given.sources ?? (await import('../sources/registry.js')).SOURCES;
  const plugins = async (): Promise<Plugins> => ({ sources: await sources(), decoders: await decoders(), sinks: await sinks(), profiles: await profiles() });
  return { sinks, decoders, profiles, plugins };
}

/**
 * The `sluice` program: one verb per job. Its help lists the plugins of the registries; `given`
 * replaces a list (a test adds a plugin of its own and sees it in the help). With `only`, the
 * program has that one command (or none: `[]`) and no top-level help text: what `main` builds when
 * the first argument names the command to run, where commander never shows the top-level help.
 */
export async function buildProgram(given: Partial<Plugins> = {}, only?: string | readonly []): Promise<Command> {
  const lists = buildLists(given);
  const program = new Command('sluice')
    .description('Move records from files, folders, object stores and uploads into databases: exactly once, resumable, fast.')
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)');
  if (only === undefined) {
    const { profileList } = await import('./plugin-help.js');
    const [sinks, profiles] = [await lists.sinks(), await lists.profiles()];
    program.addHelpText(
      'after',
      `\nProfiles (--profile): ${profileList(profiles)}.\n` +
        `Sinks (--into): ${sinks.map((s) => `${s.name} (${s.example})`).join(', ')}.\n` +
        `sluice plugins lists every source, decoder, sink and profile with its settings.\n` +
        `Every command has --help with examples; the README has the whole story.`,
    );
  }
  program.exitOverride();
  for (const [name, build] of COMMANDS) if (only === undefined || only === name) program.addCommand(await build(lists));
  exitOverrideEverywhere(program);
  return program;
}

/**
 * The one command `argv` runs when its first argument names it (commander then hands every later
 * argument to that command, `--help` included); `[]` for `--version`, which the top level answers at
 * once; else undefined (the top-level help, `help CMD`, an unknown command: the whole program).
 */
export function commandToBuild(argv: readonly string[]): string | readonly [] | undefined {
  const first = argv[2];
  if (first === '--version' || first === '-V') return [];
  return COMMANDS.some(([name]) => name === first) ? first : undefined;
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
  const program = await buildProgram({}, commandToBuild(argv));
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
