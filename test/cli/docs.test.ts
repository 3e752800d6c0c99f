import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/main.js';

describe('documentation', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const commands = buildProgram().commands.map((c) => c.name());

  it.each(commands)('the README shows `sluice %s`', (name) => {
    expect(readme).toContain(`sluice ${name}`);
  });

  it.each(commands)('`sluice %s --help` (or each of its subcommands) shows examples', (name) => {
    const command = buildProgram().commands.find((c) => c.name() === name);
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
});
