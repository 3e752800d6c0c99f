import { Argument, Command } from 'commander';
import { PLUGIN_KINDS, pluginsHelp, type PluginKind, type Plugins } from './plugin-help.js';

const EXAMPLES = `
Examples:
  $ sluice plugins
  $ sluice plugins sinks
  $ sluice plugins decoders

Written from the registries (src/sources/registry.ts, src/decoders/registry.ts, src/sinks/registry.ts,
src/profiles/registry.ts): a plugin added there is listed here, with the settings its schema
documents. A sink takes its settings in the --into URL's query: --into 'nats://host:4222/logs?maxInFlight=512'.`;

/**
 * `sluice plugins [KIND]`: every source, decoder, sink and profile, with its capabilities and its
 * settings (each one's description, type, default and example, from its zod schema). `plugins` gives
 * the lists (the shipped registries are loaded only when the command runs).
 */
export function pluginsCommand(plugins: () => Promise<Plugins>): Command {
  const command: Command = new Command('plugins')
    .description('List the sources, decoders, sinks and profiles there are, with their capabilities and settings')
    .addArgument(new Argument('[kind]', 'only these').choices(PLUGIN_KINDS))
    .addHelpText('after', EXAMPLES)
    .action(async (kind: PluginKind | undefined) => {
      const text = pluginsHelp(await plugins(), kind);
      const write = command.configureOutput().writeOut ?? ((s: string) => process.stdout.write(s));
      write(`${text}\n`);
    });
  return command;
}
