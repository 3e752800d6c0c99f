import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/main.js';
import { PROFILES } from '../../src/profiles/registry.js';
import { runSluice } from '../helpers/cli.js';

/**
 * Our own shorthand for the users' original documents ("seed 000", "the seed's installer", "(004)"):
 * a user never saw them, so neither the README nor any help may speak it.
 */
const JARGON = /\bseeds?\b|\(00[0-4]\)|\b00[0-4]\/00[0-4]\b/i;

/** Every help text of the program: the top level, each command and each subcommand. */
async function allHelp(): Promise<Array<{ name: string; text: string }>> {
  const out: Array<{ name: string; text: string }> = [];
  const walk = (c: Command, path: string): void => {
    let text = '';
    c.configureOutput({ writeOut: (t) => (text += t), writeErr: (t) => (text += t) });
    c.outputHelp();
    out.push({ name: path, text });
    for (const sub of c.commands) if (sub.name() !== 'help') walk(sub, `${path} ${sub.name()}`);
  };
  walk(await buildProgram(), 'sluice');
  return out;
}

/** The lines of `text` that speak the jargon. */
function jargonIn(text: string): string[] {
  return text.split('\n').filter((l) => JARGON.test(l));
}

describe('documentation', async () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const commands = (await buildProgram()).commands.map((c) => c.name());

  it.each(commands)('the README shows `sluice %s`', (name) => {
    expect(readme).toContain(`sluice ${name}`);
  });

  it.each(commands)('`sluice %s --help` (or each of its subcommands) shows examples', async (name) => {
    const command = (await buildProgram()).commands.find((c) => c.name() === name);
    const helpOf = (c: Command): string => {
      let help = '';
      c.configureOutput({ writeOut: (s) => (help += s), writeErr: (s) => (help += s) });
      c.outputHelp();
      return help;
    };
    const example = new RegExp(`\\$ sluice ${name}\\b`);
    if (!command) throw new Error(`no command ${name}`);
    if (example.test(helpOf(command))) return;
    const subs = command.commands.filter((c) => c.name() !== 'help');
    expect(subs.length, `sluice ${name} --help shows no example`).toBeGreaterThan(0);
    for (const sub of subs) expect(helpOf(sub), `sluice ${name} ${sub.name()} --help`).toMatch(example);
  });

  it('README.md and ARCHITECTURE.md name jobs by what they do, never by "seed" numbers', () => {
    const architecture = readFileSync(new URL('../../ARCHITECTURE.md', import.meta.url), 'utf8');
    expect(jargonIn(readme)).toEqual([]);
    expect(jargonIn(architecture)).toEqual([]);
    expect(jargonIn('the bridge job (seed 000)\nthe seed\'s installer\nbridge (004)')).toHaveLength(3); // the check can fail
  });

  it('no --help of any command or subcommand speaks the "seed" shorthand', async () => {
    const helps = await allHelp();
    expect(helps.length).toBeGreaterThan(commands.length);
    for (const h of helps) expect(jargonIn(h.text), `${h.name} --help`).toEqual([]);
    const top = runSluice(['--help']); // as a user sees it, from the built CLI
    expect(top.code).toBe(0);
    expect(jargonIn(top.stdout)).toEqual([]);
  });

  it('the top-level help names every profile', () => {
    const top = runSluice(['--help']).stdout;
    for (const p of PROFILES) expect(top, p.name).toMatch(new RegExp(`\\b${p.name} \\(`));
  });

  it.each([
    "SteelCity's `tools/ingest_sqlite.py`",
    "SteelCity's `tools/ingest_follow.py`",
    '`tools/sqlite_reports.py`',
    "ingex's `megastream_ingest`",
    'the log-insights ingestor',
    "Context-Edge's data-ingestion service",
    'cowrieprocessor',
  ])('the README has a "Coming from %s" migration note', (tool) => {
    expect(readme).toContain(`**Coming from ${tool}`);
  });
});
