import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chownSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/**
 * A PostgreSQL server of one test file, on its own port, so a test can restart it without touching
 * the shared server other tests use. Made with the machine's `initdb` (once, then copied) and
 * `pg_ctl` (run as the `postgres` user when the tests run as root: initdb refuses root).
 */
export interface OwnPostgres {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` */
  url: string;
  /** Stops (fast: sessions are terminated, as in a real restart) and starts again after `downMs`. */
  restart(downMs?: number): Promise<void>;
  /**
   * The same restart without blocking the test's event loop while `pg_ctl` works (tests running at
   * once in the file keep their timers): `down` settles once the server is stopped, `up` once it
   * answers again.
   */
  restartInBackground(downMs?: number): { down: Promise<void>; up: Promise<void> };
  /** Stops the server (fast), without blocking the event loop; `start()` brings it back. */
  halt(): Promise<void>;
  /** Starts the server stopped by `halt()` and waits until it answers. */
  start(): Promise<void>;
  /** Stops the server and removes its files. */
  stop(): void;
}

/** The bin folder of the newest installed PostgreSQL, or undefined. */
export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  const bin = versions.map((v) => join(root, v, 'bin')).find((b) => existsSync(join(b, 'initdb')));
  return bin;
}

/** Starts a throw-away server on `port`. */
export function startOwnPostgres(port: number): OwnPostgres {
  const bin = postgresBin();
  if (!bin) throw new Error('no initdb found under /usr/lib/postgresql');
  const dir = mkdtempSync(join(tmpdir(), 'sluice-own-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(dir, uidOf('postgres'), gidOf('postgres'));
  const run = (tool: string, args: string[]): void => {
    const cmd = join(bin, tool);
    if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' });
    else execFileSync(cmd, args, { stdio: 'pipe' });
  };
  const runAsync = async (tool: string, args: string[]): Promise<void> => {
    const cmd = join(bin, tool);
    if (asRoot) await execFileAsync('runuser', ['-u', 'postgres', '--', cmd, ...args]);
    else await execFileAsync(cmd, args);
  };
  const data = join(dir, 'data');
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  // A copy of the made-once cluster (as its owner: PostgreSQL refuses a data folder it does not own).
  const copy = ['cp', '-a', templateCluster(bin, asRoot), data];
  if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', ...copy], { stdio: 'pipe' });
  else execFileSync(copy[0] ?? 'cp', copy.slice(1), { stdio: 'pipe' });
  const start = (): void => run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
  const stopServer = (mode: string): void => run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async restart(downMs = 0) {
      stopServer('fast');
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      start();
    },
    restartInBackground(downMs = 0) {
      const down = this.halt();
      const up = down.then(async () => {
        if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
        await this.start();
      });
      return { down, up };
    },
    halt: () => runAsync('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']),
    start: () => runAsync('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']),
    stop() {
      try {
        stopServer('immediate');
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const execFileAsync = promisify(execFile);

/**
 * A fresh cluster made by `initdb` once and kept in the temp folder (per PostgreSQL version and
 * user), which each server copies: initdb took 0.5 s of CPU and 2-6 s of wall time on a busy 2-core
 * machine, a copy of its 39 MB 0.25 s. It is made under a temporary name and renamed, so a process
 * never copies a half-made one; when two make it at once, the first rename wins and the other's is
 * removed. Never started itself, it holds no server state.
 */
function templateCluster(bin: string, asRoot: boolean): string {
  const version = basename(dirname(bin));
  const template = join(tmpdir(), `sluice-pg-template-${version}-${process.getuid?.() ?? 0}`);
  if (existsSync(join(template, 'PG_VERSION'))) return template;
  const part = mkdtempSync(`${template}.part-`);
  if (asRoot) chownSync(part, uidOf('postgres'), gidOf('postgres'));
  const data = join(part, 'data');
  const args = ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'];
  if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', join(bin, 'initdb'), ...args], { stdio: 'pipe' });
  else execFileSync(join(bin, 'initdb'), args, { stdio: 'pipe' });
  try {
    renameSync(data, template);
  } catch (err) {
    // Another process made it first (the target is a non-empty folder now): use theirs.
    if (!existsSync(join(template, 'PG_VERSION'))) throw err;
  }
  rmSync(part, { recursive: true, force: true });
  return template;
}

function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user]).toString().trim());
}

function gidOf(user: string): number {
  return Number(execFileSync('id', ['-g', user]).toString().trim());
}
