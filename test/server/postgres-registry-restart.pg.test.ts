import pg from 'pg';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { postgresBin, startOwnPostgres, type OwnPostgres } from '../helpers/own-postgres.js';
import { exited, startServe, type ServeProcess } from '../cli/serve-helpers.js';
import { ldoForm, mp4Bytes, postLdo } from './helpers.js';

/**
 * `sluice serve` with its registry in PostgreSQL while that server restarts: the service keeps
 * running, answers 503 `registry_unavailable` (with Retry-After) while the database is away, takes its
 * liveness lock again when it is back, and stores the next upload. The server is this file's own.
 */

const PORT = 54_393;
const haveBin = postgresBin() !== undefined;
if (!haveBin && process.env.CI === 'true') throw new Error('PostgreSQL server binaries (initdb, pg_ctl) are required in CI');

let server: OwnPostgres | undefined;
let serve: ServeProcess | undefined;
beforeAll(() => {
  if (haveBin) server = startOwnPostgres(PORT);
});
afterAll(async () => {
  if (serve) {
    serve.child.kill('SIGKILL');
    await exited(serve.child);
  }
  server?.stop();
});

/** Advisory locks of the serving processes (namespace 0x51c00003) held now. */
async function livenessLocks(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ n: string }>("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND granted", [0x51c0_0003]);
    return Number(r.rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

describe.skipIf(!haveBin)('sluice serve with a PostgreSQL registry, the server restarted', () => {
  it('keeps serving: 503 while the database is away, the lock taken again, the next upload stored', async () => {
    const base = server?.url ?? '';
    serve = await startServe(['--store', `file:${join(tempDir(), 'store')}`, '--registry', `${base}?schema=ldo_restart`]);
    let stderr = '';
    serve.child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const video = mp4Bytes(20_000);
    expect((await postLdo(serve.url, ldoForm({ ldo_id: 'R-1' }, { bytes: video }))).status).toBe(200);
    expect(await livenessLocks(base)).toBe(1);

    // Down for two seconds: an upload meanwhile is refused with 503 and Retry-After, not a crash.
    const restarting = server?.restart(2_000);
    await new Promise((r) => setTimeout(r, 500));
    const down = await postLdo(serve.url, ldoForm({ ldo_id: 'R-DOWN' }, { bytes: video }));
    expect(down.status, JSON.stringify(down.body)).toBe(503);
    expect(down.body.code).toBe('registry_unavailable');
    expect(down.headers.get('retry-after')).toBe('1');
    await restarting;
    const during: number[] = [];
    const deadline = Date.now() + 20_000;
    let after: { status: number; body: Record<string, unknown> } | undefined;
    while (Date.now() < deadline) {
      after = await postLdo(serve.url, ldoForm({ ldo_id: 'R-2' }, { bytes: video }));
      during.push(after.status);
      if (after.status === 200) break;
      expect(after.status, JSON.stringify(after.body)).toBe(503);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(after?.status, `${JSON.stringify(after?.body)}\n${stderr}`).toBe(200);
    expect(serve.child.exitCode).toBeNull();
    // The liveness lock is taken again (by the relock loop) soon after the server is back.
    const lockDeadline = Date.now() + 15_000;
    while ((await livenessLocks(base)) < 1 && Date.now() < lockDeadline) await new Promise((r) => setTimeout(r, 100));
    expect(await livenessLocks(base)).toBe(1);
    expect(stderr).toMatch(/liveness lock taken again/);
    const list = (await (await fetch(`${serve.url}/ingest/list`)).json()) as { total: number };
    expect(list.total).toBe(2);
  }, 90_000);
});
