// Run a child command; report wall time and peak RSS. Also the medians and the flush of dirty pages the benches share.
//
// Peak RSS comes from GNU `/usr/bin/time -v` when present (exact, kernel
// maxrss of the child); otherwise /proc/<pid>/status VmHWM is polled every
// 50 ms, which can miss growth in the child's last 50 ms.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TIME_BIN = '/usr/bin/time';
const KEEP = 1 << 20; // cap captured output so a chatty child cannot balloon the bench

function hasGnuTime() {
  return existsSync(TIME_BIN) && existsSync('/proc/self/status');
}

function readVmHWMkB(pid) {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // process already gone
  }
}

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {{cwd?: string, env?: object, timeoutMs?: number, method?: 'auto'|'time'|'proc'}} [opts]
 * @returns {Promise<{seconds: number, peakRssMB: number|null, stdout: string, stderr: string, code: number|null, signal: string|null, timedOut: boolean}>}
 */
export async function measure(cmd, args, opts = {}) {
  const method = opts.method ?? 'auto';
  const useTime = method === 'time' || (method === 'auto' && hasGnuTime());
  const tmp = useTime ? mkdtempSync(join(tmpdir(), 'sluice-measure-')) : null;
  const report = tmp && join(tmp, 'time.txt');
  const [file, argv] = useTime ? [TIME_BIN, ['-v', '-o', report, cmd, ...args]] : [cmd, args];

  const t0 = process.hrtime.bigint();
  // Own process group, so a timeout can kill the command and not just `time`.
  const child = spawn(file, argv, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d) => (stdout = (stdout + d).slice(-KEEP)));
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-KEEP)));

  let peakKB = 0;
  const poll = useTime ? null : setInterval(() => (peakKB = Math.max(peakKB, readVmHWMkB(child.pid))), 50);
  let timedOut = false;
  const timer = opts.timeoutMs
    ? setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already exited */ }
    }, opts.timeoutMs)
    : null;

  const { code, signal, spawnError } = await new Promise((resolve) => {
    child.on('error', (e) => resolve({ code: null, signal: null, spawnError: e }));
    child.on('close', (c, s) => resolve({ code: c, signal: s }));
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (poll) clearInterval(poll);
  if (timer) clearTimeout(timer);
  if (spawnError) stderr += `\nspawn failed: ${spawnError.message}`;

  if (useTime) {
    // `time` exits with the command's status (128+n if it died of signal n).
    try {
      const text = readFileSync(report, 'utf8');
      peakKB = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(text)?.[1] ?? 0);
    } catch { /* time itself could not run; peak stays unknown */ }
    rmSync(tmp, { recursive: true, force: true });
  }
  return { seconds, peakRssMB: peakKB ? +(peakKB / 1024).toFixed(1) : null, stdout, stderr, code, signal, timedOut };
}

/** The last line of `text` that is JSON (a command's `--json` summary), or null. */
export function lastJson(text) {
  for (const line of text.trim().split('\n').reverse()) {
    try {
      return JSON.parse(line);
    } catch {
      /* not JSON */
    }
  }
  return null;
}

/** The middle value of `xs` (the mean of the two middle ones for an even count; NaN for none). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Writes out the page cache's dirty pages (`sync`): a timed run started after it does not pay for
 * writing out what ran before it (the generated input, the previous run's database).
 */
export function flushDirtyPages() {
  spawnSync('sync');
}
