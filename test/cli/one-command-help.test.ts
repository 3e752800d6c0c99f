import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, commandToBuild } from '../../src/cli/main.js';
import { runSluiceAsync } from '../helpers/cli.js';

/** What `command.outputHelp()` writes. */
function helpOf(command: Command): string {
  let text = '';
  command.configureOutput({ writeOut: (t) => (text += t), writeErr: (t) => (text += t) });
  command.outputHelp();
  return text;
}

describe('a run builds only the command it runs', () => {
  it('names the command of the first argument only (the top level answers --help, help CMD and unknown names)', () => {
    const argv = (...args: string[]): string[] => ['node', 'sluice', ...args];
    expect(commandToBuild(argv('ingest', 'a.ndjson', '--help'))).toBe('ingest');
    expect(commandToBuild(argv('plugins'))).toBe('plugins');
    expect(commandToBuild(argv('--version'))).toEqual([]);
    expect(commandToBuild(argv('-V', 'ingest'))).toEqual([]);
    for (const args of [[], ['--help'], ['--help', 'ingest'], ['help', 'ingest'], ['ingset'], ['--bogus', 'ingest']]) {
      expect(commandToBuild(argv(...args)), args.join(' ')).toBeUndefined();
    }
  });

  it('the program of one command prints the help the whole program prints for it, and so does the built CLI', async () => {
    const full = await buildProgram();
    const names = full.commands.map((c) => c.name());
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) {
      const one = await buildProgram({}, name);
      expect(one.commands.map((c) => c.name()), name).toEqual([name]);
      const command = full.commands.find((c) => c.name() === name);
      expect(helpOf(one.commands[0] as Command), `sluice ${name} --help`).toBe(helpOf(command as Command));
    }
    const [own, viaTop] = await Promise.all([runSluiceAsync(['ingest', '--help']), runSluiceAsync(['help', 'ingest'])]);
    expect(own.code, own.stderr).toBe(0);
    expect(own.stdout).toBe(helpOf(full.commands.find((c) => c.name() === 'ingest') as Command));
    expect(viaTop.stdout).toBe(own.stdout);
  });

  it('the version alone and a usage error of one command are as before', async () => {
    const [version, bogus, unknown] = await Promise.all([
      runSluiceAsync(['--version']),
      runSluiceAsync(['ingest', '--bogus']),
      runSluiceAsync(['ingset']),
    ]);
    expect(version).toMatchObject({ code: 0, stdout: `${(await buildProgram()).version()}\n` });
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toBe("error: unknown option '--bogus'\n");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: unknown command 'ingset'\n\(Did you mean ingest\?\)/);
  });
});
