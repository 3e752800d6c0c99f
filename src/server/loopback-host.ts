import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Resolves a host name to every address it names (as `listen` would), or throws. */
export type HostResolver = (host: string) => Promise<string[]>;

const systemResolver: HostResolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

// 127.0.0.0/8 and ::1; BlockList also matches IPv4-mapped IPv6 (::ffff:127.0.0.1) against the IPv4 rule.
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * True for an IP address in a loopback range: 127.0.0.0/8, `::1` (any spelling), and IPv4-mapped
 * `::ffff:127.x.x.x`. A name (even one that starts with `127.`) is not an address and is false.
 */
export function isLoopbackAddress(address: string): boolean {
  const kind = isIP(address);
  if (kind === 0) return false;
  return LOOPBACK.check(address, kind === 6 ? 'ipv6' : 'ipv4');
}

/**
 * Whether a `--host` can only be reached from this machine: an IP address is judged as parsed; a name
 * (`localhost`, `127.0.0.1.nip.io`) is resolved, and is loopback only if every address it resolves to
 * is. A name that does not resolve is not loopback. Used to refuse serving without API keys beyond
 * loopback (`serve`, and any other command that binds an HTTP port).
 */
export async function isLoopbackHost(host: string, resolve: HostResolver = systemResolver): Promise<boolean> {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(bare) !== 0) return isLoopbackAddress(bare);
  let addresses: string[];
  try {
    addresses = await resolve(bare);
  } catch {
    return false;
  }
  return addresses.length > 0 && addresses.every(isLoopbackAddress);
}
