import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What a user-level unit for `sluice follow` is made of. */
export interface FollowUnitSpec {
  /** Absolute path of the node binary. */
  node: string;
  /** Absolute path of bin/sluice.js. */
  sluice: string;
  /** Folder the service runs in (relative paths in the flags are made absolute anyway). */
  workingDirectory: string;
  /** The follow pattern, made absolute. */
  pattern: string;
  /** The database, made absolute. */
  db: string;
  /** Further `sluice follow` flags, passed as they are. */
  extraArgs: readonly string[];
}

/** Builds the spec, making every path absolute against `cwd` so the unit does not depend on it. */
export function followUnitSpec(
  pattern: string,
  db: string,
  extraArgs: readonly string[],
  cwd = process.cwd(),
): FollowUnitSpec {
  return {
    node: process.execPath,
    sluice: fileURLToPath(new URL('../../bin/sluice.js', import.meta.url)),
    workingDirectory: cwd,
    pattern: resolve(cwd, pattern),
    db: resolve(cwd, db),
    extraArgs,
  };
}

/**
 * The text of `sluice-follow.service`: `Restart=on-failure` (SIGTERM exits 0, so a stop is not
 * restarted; a crash is), the working directory, and an ExecStart with absolute paths.
 */
export function renderFollowUnit(spec: FollowUnitSpec): string {
  const exec = [spec.node, spec.sluice, 'follow', spec.pattern, '--db', spec.db, '--no-progress', ...spec.extraArgs]
    .map(quoteForSystemd)
    .join(' ');
  return `[Unit]
Description=Sluice follow: ${escapeSpecifiers(spec.pattern)} into ${escapeSpecifiers(spec.db)}
After=default.target

[Service]
Type=simple
WorkingDirectory=${quoteForSystemd(spec.workingDirectory)}
ExecStart=${exec}
Restart=on-failure
RestartSec=2
KillSignal=SIGTERM
TimeoutStopSec=30

[Install]
WantedBy=default.target
`;
}

/** systemd expands `%` specifiers and `$` variables in ExecStart; both must be doubled to stay literal. */
function escapeSpecifiers(s: string): string {
  return s.replace(/%/g, '%%');
}

/** One ExecStart word: double-quoted with C-style escapes when it holds anything special. */
export function quoteForSystemd(arg: string): string {
  const escaped = escapeSpecifiers(arg).replace(/\$/g, '$$$$');
  if (/^[A-Za-z0-9_@%+=:,./{}-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
