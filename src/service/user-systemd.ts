import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where user units live: `~/.config/systemd/user` (or `$XDG_CONFIG_HOME/systemd/user`). */
export function userUnitFolder(): string {
  const base = process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config');
  return join(base, 'systemd', 'user');
}

/** What one `systemctl --user` call did. */
export interface SystemctlResult {
  ok: boolean;
  output: string;
}

/** Runs `systemctl --user ARGS`; a missing systemctl or user manager is a result, not an exception. */
export function systemctlUser(args: readonly string[]): SystemctlResult {
  const r = spawnSync('systemctl', ['--user', ...args], { encoding: 'utf8' });
  if (r.error) return { ok: false, output: r.error.message };
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}
