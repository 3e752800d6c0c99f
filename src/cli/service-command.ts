import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { isTimeZone } from '../core/config/time-zone.js';
import { SluiceError } from '../core/errors.js';
import { followUnitSpec, renderFollowUnit } from '../service/systemd-unit.js';
import { systemctlUser, userUnitFolder } from '../service/user-systemd.js';

const UNIT_NAME = 'sluice-follow.service';

interface InstallFlags {
  db?: string;
  start?: boolean;
  print?: boolean;
  pollMs?: string;
  idleCloseSec?: string;
  statusFile?: string;
  metricsPort?: string;
  fromEnd?: boolean;
  tz?: string;
}

const EXAMPLES = `
Examples:
  $ sluice service install follow 'logs/bridge_{YYYYMMDD}.ndjson' --db logs/bridge.db
  $ sluice service install follow 'logs/bridge_{YYYYMMDD}.ndjson' --db logs/bridge.db --print
  $ sluice service status follow
  $ sluice service uninstall follow

The unit is ~/.config/systemd/user/${UNIT_NAME}. To keep it running after you log out:
  $ loginctl enable-linger $USER`;

/** `sluice service install|uninstall|status follow`: the follow job as a systemd user service. */
export function serviceCommand(): Command {
  const service = new Command('service').description('Run `sluice follow` as a systemd user service').addHelpText('after', EXAMPLES);

  service
    .command('install')
    .description('Write the user unit for `sluice follow`, reload systemd and enable --now')
    .argument('<job>', 'the job to run as a service: follow')
    .argument('<pattern>', 'the follow PATTERN (made absolute)')
    .requiredOption('--db <path>', 'SQLite database (made absolute)')
    .option('--no-start', 'write the unit and reload, but do not enable or start it')
    .option('--print', 'only print the unit; write and start nothing')
    .option('--poll-ms <n>', 'passed to sluice follow')
    .option('--idle-close-sec <n>', 'passed to sluice follow')
    .option('--status-file <path>', 'passed to sluice follow (made absolute)')
    .option('--metrics-port <n>', 'passed to sluice follow')
    .option('--from-end', 'passed to sluice follow')
    .option('--tz <zone>', 'passed to sluice follow (an IANA time zone name)')
    .addHelpText('after', EXAMPLES)
    .action((job: string, pattern: string, flags: InstallFlags) => {
      assertFollow(job);
      const extra: string[] = [];
      if (flags.pollMs) extra.push('--poll-ms', flags.pollMs);
      if (flags.idleCloseSec) extra.push('--idle-close-sec', flags.idleCloseSec);
      if (flags.statusFile) extra.push('--status-file', resolve(flags.statusFile));
      if (flags.metricsPort) extra.push('--metrics-port', flags.metricsPort);
      if (flags.fromEnd) extra.push('--from-end');
      if (flags.tz !== undefined) {
        // Checked here: a unit with a bad zone would only fail once systemd starts it.
        if (!isTimeZone(flags.tz)) throw new SluiceError('SLUICE_E_CONFIG', `--tz: expected an IANA time zone name, e.g. UTC or Europe/Berlin; got "${flags.tz}"`);
        extra.push('--tz', flags.tz);
      }
      const unit = renderFollowUnit(followUnitSpec(pattern, flags.db ?? '', extra));
      if (flags.print) {
        process.stdout.write(unit);
        return;
      }
      const folder = userUnitFolder();
      mkdirSync(folder, { recursive: true });
      const path = join(folder, UNIT_NAME);
      writeFileSync(path, unit);
      process.stderr.write(`wrote ${path}\n`);
      const steps: string[][] = [['daemon-reload']];
      if (flags.start !== false) steps.push(['enable', '--now', UNIT_NAME]);
      for (const args of steps) {
        const r = systemctlUser(args);
        if (!r.ok) {
          process.stderr.write(
            `systemctl --user ${args.join(' ')} is not available here (${r.output || 'no user manager'}).\n` +
              `The unit is written; start it where a systemd user manager runs. Its text:\n\n${unit}`,
          );
          return;
        }
      }
      process.stderr.write(flags.start !== false ? `enabled and started ${UNIT_NAME}\n` : `installed ${UNIT_NAME} (not started)\n`);
    });

  service
    .command('uninstall')
    .description('Stop and disable the service and remove its unit')
    .argument('<job>', 'follow')
    .action((job: string) => {
      assertFollow(job);
      systemctlUser(['disable', '--now', UNIT_NAME]);
      const path = join(userUnitFolder(), UNIT_NAME);
      if (existsSync(path)) rmSync(path);
      systemctlUser(['daemon-reload']);
      process.stderr.write(`removed ${path}\n`);
    });

  service
    .command('status')
    .description('Show the service state (systemctl --user status)')
    .argument('<job>', 'follow')
    .action((job: string) => {
      assertFollow(job);
      const r = systemctlUser(['status', '--no-pager', UNIT_NAME]);
      process.stdout.write(`${r.output}\n`);
      if (!r.ok) process.exitCode = 1;
    });

  return service;
}

function assertFollow(job: string): void {
  if (job !== 'follow') throw new SluiceError('SLUICE_E_USAGE', `service: unknown job "${job}"; the one service job is: follow`);
}
