// Benchmarks `sluice serve` (seed 003 targets):
//  1. one 1 GiB upload over loopback into a folder store vs `dd … conv=fsync` on the same disk; server peak RSS
//  2. 50 concurrent 20 MB uploads: all stored intact (sha256 checked), p50/p99 latency
//  3. metadata-only LDOs per second
//  4. GET /ingest/list page of 100 with a cursor over 1,000,000 registered LDOs
// Usage: npm run bench:serve [-- --quick]   (--quick: 256 MiB, 20 × 20 MB, 100,000 LDOs)
// Env: BENCH_DIR (parent of the work dir, default the OS temp dir); SERVE_BENCH_ONLY=big,concurrent,meta,list
//      (run only these sections; default all); SERVE_BENCH_META_N (metadata-only LDOs, default 3000);
//      SERVE_BENCH_CPU_PROF=DIR (run the server with --cpu-prof into DIR).
/* global fetch, FormData */
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const quick = process.argv.includes('--quick');
const BIN = fileURLToPath(new URL('../bin/sluice.js', import.meta.url));
const BIG = (quick ? 256 : 1024) * 1024 * 1024;
const CONCURRENT = quick ? 20 : 50;
const MEDIUM = 20 * 1000 * 1000;
const META_N = Number(process.env.SERVE_BENCH_META_N ?? 3000);
const ONLY = new Set((process.env.SERVE_BENCH_ONLY ?? 'big,concurrent,meta,list').split(',').map((x) => x.trim()));
const LIST_ROWS = quick ? 100_000 : 1_000_000;
const work = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'sluice-serve-bench-'));

const CHUNK = (() => {
  const b = randomBytes(1 << 20);
  b.write('\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2', 0, 'latin1');
  return b;
})();

function ddSpeed() {
  const file = join(work, 'dd.bin');
  const mb = BIG / (1024 * 1024);
  const t0 = performance.now();
  const r = spawnSync('dd', ['if=/dev/zero', `of=${file}`, 'bs=1M', `count=${mb}`, 'conv=fsync'], { encoding: 'utf8' });
  const s = (performance.now() - t0) / 1000;
  rmSync(file, { force: true });
  if (r.status !== 0) throw new Error(`dd failed: ${r.stderr}`);
  return BIG / s;
}

async function startServe(args) {
  const prof = process.env.SERVE_BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.SERVE_BENCH_CPU_PROF] : [];
  const child = spawn(process.execPath, [...prof, BIN, 'serve', '--port', '0', '--log-level', 'warn', '--max-video-mb', '2048', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const url = await new Promise((resolve, reject) => {
    child.stderr.on('data', (d) => {
      err += d;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]);
    });
    child.once('exit', (c) => reject(new Error(`serve exited ${c}: ${err}`)));
  });
  let peakKb = 0;
  const timer = setInterval(() => {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
    } catch {
      /* gone */
    }
  }, 50);
  return {
    url,
    peakMB: () => peakKb / 1024,
    resetPeak: () => (peakKb = 0),
    stop: async () => {
      clearInterval(timer);
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** The sha256 of the `size` video bytes that `upload` sends. */
function expectedSha256(size) {
  const hash = createHash('sha256');
  for (let sent = 0; sent < size; sent += CHUNK.length) hash.update(CHUNK.subarray(0, Math.min(CHUNK.length, size - sent)));
  return hash.digest('hex');
}

/**
 * Streams a multipart upload of `size` video bytes; resolves with the answer, latency and (with `hash`)
 * sha256. The single big upload is not hashed while it is timed: on 2 cores the client's hashing takes
 * CPU from the server; its sha256 is checked after the clock stopped (`expectedSha256`).
 */
function upload(url, size, metadata, { hash: hashing = true } = {}) {
  const boundary = `b${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="video"; filename="clip.mp4"\r\nContent-Type: video/mp4\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n${JSON.stringify(metadata)}\r\n--${boundary}--\r\n`);
  const u = new URL(url);
  const hash = createHash('sha256');
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({
      host: u.hostname, port: u.port, method: 'POST', path: '/ingest/ldo',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + size + tail.length) },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(body), ms: performance.now() - t0, sha256: hash.digest('hex') }));
    });
    req.write(head);
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        const n = Math.min(CHUNK.length, size - sent);
        const piece = n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n);
        if (hashing) hash.update(piece);
        sent += n;
        if (!req.write(piece)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end(tail);
    };
    pump();
  });
}

function pct(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function main() {
  const store = join(work, 'store');
  console.log(`work dir ${work}${quick ? ' (quick)' : ''}`);
  console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const serve = await startServe(['--store', `file:${store}`]);
  // 1. one big upload
  if (ONLY.has('big')) {
    const dd = ddSpeed();
    console.log(`dd conv=fsync: ${(dd / 1e6).toFixed(0)} MB/s`);
    serve.resetPeak();
    const big = await upload(serve.url, BIG, { ldo_id: 'big' }, { hash: false });
    if (big.status !== 200 || big.body.size_bytes !== BIG) throw new Error(`big upload failed: ${JSON.stringify(big.body)}`);
    const bigRecord = await (await fetch(`${serve.url}/ingest/ldo/${big.body.id}`)).json();
    if (bigRecord.sha256 !== expectedSha256(BIG)) throw new Error(`big upload stored other bytes: sha256 ${bigRecord.sha256}`);
    const rate = BIG / (big.ms / 1000);
    console.log(`1 × ${BIG / 2 ** 20} MiB upload: ${(rate / 1e6).toFixed(0)} MB/s = ${((100 * rate) / dd).toFixed(0)} % of dd, sha256 checked; server peak RSS ${serve.peakMB().toFixed(0)} MB`);
  }

  // 2. concurrent medium uploads
  if (ONLY.has('concurrent')) {
    serve.resetPeak();
    const t0 = performance.now();
    const results = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => upload(serve.url, MEDIUM, { ldo_id: `m-${i}` })));
    const wall = (performance.now() - t0) / 1000;
    let intact = 0;
    for (const r of results) {
      const rec = await (await fetch(`${serve.url}/ingest/ldo/${r.body.id}`)).json();
      if (r.status === 200 && rec.sha256 === r.sha256) intact++;
    }
    const lat = results.map((r) => r.ms);
    console.log(`${CONCURRENT} × 20 MB concurrent: ${intact}/${CONCURRENT} intact (sha256), p50 ${pct(lat, 50).toFixed(0)} ms, p99 ${pct(lat, 99).toFixed(0)} ms, ` +
      `${((CONCURRENT * MEDIUM) / wall / 1e6).toFixed(0)} MB/s total; peak RSS ${serve.peakMB().toFixed(0)} MB`);
  }

  // 3. metadata-only
  if (ONLY.has('meta')) {
    let next = 0;
    const t1 = performance.now();
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < META_N) {
        const i = next++;
        const form = new FormData();
        form.append('metadata', JSON.stringify({ ldo_id: `meta-${i}`, sensor_data: { t: i }, context: { line: 1 }, prediction: { p: 0.9 } }));
        const res = await fetch(`${serve.url}/ingest/ldo`, { method: 'POST', body: form });
        if (res.status !== 200) throw new Error(`metadata upload ${res.status}`);
        await res.arrayBuffer();
      }
    }));
    console.log(`metadata-only: ${(META_N / ((performance.now() - t1) / 1000)).toFixed(0)} LDOs/s (${META_N}, 16 clients)`);
  }
  await serve.stop();
  console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  if (!ONLY.has('list')) {
    rmSync(work, { recursive: true, force: true });
    return;
  }

  // 4. list over many registered LDOs
  const { SqliteRegistry } = await import('../dist/server/registry/sqlite-registry.js');
  const regPath = join(work, 'big-registry.db');
  const reg = new SqliteRegistry(regPath);
  const base = Date.parse('2025-01-01T00:00:00Z');
  const tBuild = performance.now();
  await reg.replaceAll((async function* () {
    for (let i = 0; i < LIST_ROWS; i++) {
      const ms = base + i * 1000;
      const id = `ldo_${i.toString(16).padStart(12, '0')}_${Math.floor(ms / 1000)}`;
      yield { id, status: 'ingested', idemKey: `k-${i}`, ldoId: `L-${i}`, filename: null, contentType: null, video: null, sizeBytes: 0,
        sha256: null, fingerprint: 'f', createdAt: new Date(ms).toISOString(), dir: `2025/01/01/${id}` };
    }
  })());
  await reg.close();
  console.log(`registered ${LIST_ROWS} LDOs in ${((performance.now() - tBuild) / 1000).toFixed(1)} s`);
  const listServe = await startServe(['--store', `file:${join(work, 'empty-store')}`, '--registry', `sqlite:${regPath}`]);
  const first = await (await fetch(`${listServe.url}/ingest/list?skip=${Math.floor(LIST_ROWS / 2)}&limit=1`)).json();
  const cursorMs = [];
  let cursor = Buffer.from(`${Date.parse(first.ldos[0].created_at)}:${first.ldos[0].id}`).toString('base64url');
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    const page = await (await fetch(`${listServe.url}/ingest/list?limit=100&cursor=${cursor}`)).json();
    cursorMs.push(performance.now() - t);
    if (page.ldos.length !== 100) throw new Error('short page');
    cursor = page.next_cursor;
  }
  const offsetMs = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    await (await fetch(`${listServe.url}/ingest/list?limit=100&skip=${Math.floor(LIST_ROWS * 0.9)}`)).json();
    offsetMs.push(performance.now() - t);
  }
  console.log(`list page of 100 over ${LIST_ROWS} LDOs: cursor p50 ${pct(cursorMs, 50).toFixed(2)} ms, p99 ${pct(cursorMs, 99).toFixed(2)} ms; ` +
    `offset at 90 % p50 ${pct(offsetMs, 50).toFixed(1)} ms (client-side, over HTTP)`);
  await listServe.stop();
  rmSync(work, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  rmSync(work, { recursive: true, force: true });
  process.exit(1);
});
