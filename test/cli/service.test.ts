import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SLUICE_BIN, runSluice, tempDir } from '../helpers/cli.js';

const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

describe('sluice service install follow', () => {
  it('--print prints a unit with absolute paths and writes nothing', () => {
    const cwd = tempDir();
    const r = spawnSync(process.execPath, [SLUICE_BIN, 'service', 'install', 'follow', 'logs/bridge_{YYYYMMDD}.ndjson', '--db', 'logs/bridge.db', '--print'], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, XDG_CONFIG_HOME: join(cwd, 'config') },
    });
    expect(r.status).toBe(0);
    const execStart = r.stdout.split('\n').find((l) => l.startsWith('ExecStart='));
    expect(execStart).toBe(
      `ExecStart=${process.execPath} ${SLUICE_BIN} follow ${join(cwd, 'logs/bridge_{YYYYMMDD}.ndjson')} --db ${join(cwd, 'logs/bridge.db')} --no-progress`,
    );
    expect(r.stdout).toContain(`WorkingDirectory=${cwd}\n`);
    expect(r.stdout).toContain('Restart=on-failure');
    expect(existsSync(join(cwd, 'config'))).toBe(false);
  });

  it.skipIf(!hasSystemdAnalyze)('prints a unit that systemd-analyze verify accepts', () => {
    const dir = tempDir();
    const r = runSluice(['service', 'install', 'follow', join(dir, 'b_{YYYYMMDD}.ndjson'), '--db', join(dir, 'b.db'), '--print']);
    const unitPath = join(dir, 'sluice-follow.service');
    writeFileSync(unitPath, r.stdout);
    const v = spawnSync('systemd-analyze', ['verify', unitPath], { encoding: 'utf8' });
    // Only complaints about this unit count (the host's own units may be noisy in containers).
    const ours = `${v.stdout}${v.stderr}`.split('\n').filter((l) => l.includes('sluice-follow.service'));
    expect(ours, ours.join('\n')).toEqual([]);
  });

  it('writes the unit under XDG_CONFIG_HOME and explains when systemctl --user is unavailable', () => {
    const cwd = tempDir();
    const config = join(cwd, 'config');
    const r = spawnSync(process.execPath, [SLUICE_BIN, 'service', 'install', 'follow', 'b_{YYYYMMDD}.ndjson', '--db', 'b.db', '--no-start'], {
      cwd,
      encoding: 'utf8',
      // No user bus: systemctl --user cannot connect, as in CI containers.
      env: { ...process.env, XDG_CONFIG_HOME: config, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent', XDG_RUNTIME_DIR: cwd },
    });
    expect(r.status).toBe(0);
    const unit = readFileSync(join(config, 'systemd', 'user', 'sluice-follow.service'), 'utf8');
    expect(unit).toContain(`--db ${join(cwd, 'b.db')}`);
    if (!r.stderr.includes('installed sluice-follow.service')) expect(r.stderr).toContain('is not available here');
  });

  it('passes --tz on to follow, and refuses a zone that is not an IANA name with exit 2', () => {
    const dir = tempDir();
    const ok = runSluice(['service', 'install', 'follow', join(dir, 'b_{YYYYMMDD}.ndjson'), '--db', join(dir, 'b.db'), '--tz', 'America/Chicago', '--print']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^ExecStart=.* follow .* --tz America\/Chicago/m);
    const bad = runSluice(['service', 'install', 'follow', join(dir, 'b_{YYYYMMDD}.ndjson'), '--db', join(dir, 'b.db'), '--tz', 'Chicago', '--print']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('SLUICE_E_CONFIG');
  });

  it('refuses an unknown job with exit 2', () => {
    const r = runSluice(['service', 'install', 'spool', 'x', '--db', 'y', '--print']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown job');
  });
});
