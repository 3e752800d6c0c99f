import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SLUICE_BIN, tempDir } from '../helpers/cli.js';
import { isLoopbackAddress, isLoopbackHost } from '../../src/server/loopback-host.js';
import { checkAuthPolicy } from '../../src/server/run-serve.js';
import { ServeConfigSchema } from '../../src/server/serve-config.js';

const resolvesTo = (...addresses: string[]) => async () => addresses;

describe('loopback hosts', () => {
  it('judges IP addresses by their range', () => {
    for (const a of ['127.0.0.1', '127.255.3.4', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '::ffff:7f00:1']) expect(isLoopbackAddress(a), a).toBe(true);
    for (const a of ['0.0.0.0', '::', '128.0.0.1', '10.0.0.1', '::ffff:10.0.0.1', 'fe80::1', '127.0.0.1.nip.io', 'localhost']) {
      expect(isLoopbackAddress(a), a).toBe(false);
    }
  });

  it('resolves a name and wants every address to be loopback', async () => {
    expect(await isLoopbackHost('127.0.0.1.nip.io', resolvesTo('203.0.113.5'))).toBe(false);
    expect(await isLoopbackHost('dual.example', resolvesTo('127.0.0.1', '198.51.100.7'))).toBe(false);
    expect(await isLoopbackHost('here.example', resolvesTo('127.0.0.1', '::1'))).toBe(true);
    expect(await isLoopbackHost('nowhere.example', async () => Promise.reject(new Error('ENOTFOUND')))).toBe(false);
    expect(await isLoopbackHost('localhost')).toBe(true); // /etc/hosts
    expect(await isLoopbackHost('[::1]')).toBe(true);
  });

  it('refuses a 127.-looking name without keys unless it resolves only to loopback', async () => {
    const config = (host: string, extra: object = {}) => ServeConfigSchema.parse({ store: 'file:/tmp/x', host, ...extra });
    await expect(checkAuthPolicy(config('127.0.0.1.nip.io'), resolvesTo('203.0.113.5'))).rejects.toThrow(/without API keys/);
    await expect(checkAuthPolicy(config('127.0.0.1.nip.io'), resolvesTo('127.0.0.1'))).resolves.toBeUndefined();
    await expect(checkAuthPolicy(config('127.0.0.1.nip.io', { apiKeys: ['long-enough-key'] }), resolvesTo('203.0.113.5'))).resolves.toBeUndefined();
  });

  it('sluice serve --host 127.0.0.1.attacker.invalid without keys exits 2 (SLUICE_E_AUTH_REQUIRED)', () => {
    // .invalid never resolves (RFC 6761): the name is not loopback, whatever it starts with.
    const r = spawnSync(process.execPath, [SLUICE_BIN, 'serve', '--host', '127.0.0.1.attacker.invalid', '--port', '0', '--store', `file:${tempDir('sluice-lb-')}`], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, SLUICE_API_KEYS: '' },
    });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain('SLUICE_E_AUTH_REQUIRED');
  }, 30_000);
});
