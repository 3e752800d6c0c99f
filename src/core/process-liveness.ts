import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** This host's boot id (`/proc/sys/kernel/random/boot_id`), empty where the kernel does not say. */
export function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * Whether the process `pid` that recorded `boot` on `host` is certainly gone: on this host, and
 * either the host rebooted since (another boot id) or no process has that pid now. Another host's
 * process cannot be told, so it is never called dead here (its lease still ends it).
 */
export function processIsGone(host: string, pid: number, boot: string): boolean {
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  const now = bootId();
  if (boot !== '' && now !== '' && boot !== now) return true;
  if (boot === '' || boot !== now) return false; // cannot tell which boot it was from
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
