import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bridgeLine } from '../helpers/bridge-lines.js';
import { tempDir } from '../helpers/cli.js';
import {
  deadLetters,
  eventCount,
  eventRows,
  fileCursors,
  FollowerProcess,
  followPaths,
  killLeftovers,
  range,
  readStatus,
  seqsBySession,
  startWriter,
  waitFor,
  waitForRows,
  waitForTailing,
  type CursorRow,
  type FollowPaths,
  type WriterStep,
} from '../helpers/follow-harness.js';

/**
 * `sluice follow` end to end: a real follower process and a real writer process (follow-writer.mjs)
 * appending to dated files, the database polled read-only until it holds what was written.
 *
 * The tests spend their time waiting (polls, idle closes, writers at a set rate), each in its own
 * folder with its own processes, so they run at the same time. Two run alone: one watches the table
 * stay still for a while, the other wants the inode number a deleted file freed. Leftover processes
 * are killed once all are done (a kill after each test would hit the others' processes).
 */

afterAll(() => killLeftovers());

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Case extends FollowPaths {
  pattern: string;
  /** The dated file of day `yyyymmdd` under the pattern. */
  file(day: string): string;
}

function newCase(sub = ''): Case {
  const dir = tempDir('sluice-follow-');
  const logs = sub === '' ? dir : join(dir, sub);
  return {
    ...followPaths(dir),
    pattern: join(logs, 'bridge_{YYYYMMDD}.ndjson'),
    file: (day) => join(logs, `bridge_${day}.ndjson`),
  };
}

/** Starts `sluice follow` on the case with quick polling; `flags` are added (and win). */
function follow(c: Case, flags: Record<string, string | true> = {}): FollowerProcess {
  const all: Record<string, string | true> = {
    '--db': c.db,
    '--poll-ms': '100',
    '--idle-close-sec': '2',
    '--status-file': c.status,
    '--no-progress': true,
    ...flags,
  };
  const args = [c.pattern];
  for (const [flag, value] of Object.entries(all)) args.push(...(value === true ? [flag] : [flag, value]));
  return new FollowerProcess(args);
}

/** SIGTERM, and the follower must exit 0. */
async function stopCleanly(f: FollowerProcess): Promise<void> {
  const end = await f.stop('SIGTERM');
  expect(end, `follower stderr:\n${f.stderr}`).toEqual({ code: 0, signal: null });
}

function cursorOf(c: Case, file: string): CursorRow | undefined {
  return fileCursors(c.db).find((k) => k.unit === file);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const D1 = '20240101';
const D2 = '20240102';

describe.concurrent('sluice follow with a real writer process', () => {
  // These two run alone, first; the rest run at the same time.
  it.sequential('a line written in two halves 2.5 s apart is ingested once, whole, after its second half; never dead-lettered', async () => {
    const c = newCase();
    const f = follow(c);
    await waitForTailing(c.status, f);
    const w = startWriter(c.dir, [
      { op: 'lines', file: c.file(D1), session: 's1', from: 0, count: 10, rate: 100 },
      { op: 'half', file: c.file(D1), session: 's1', seq: 10, pauseMs: 2_500, at: 0.4, mark: 'first-half' },
      { op: 'lines', file: c.file(D1), session: 's1', from: 11, count: 9, rate: 100 },
    ]);
    await w.waitMark('first-half');
    await waitForRows(c.db, 10, f);
    // While the second half is outstanding (several polls), nothing of line 11 is stored.
    const watchUntil = Date.now() + 1_200;
    while (Date.now() < watchUntil) {
      expect(eventCount(c.db)).toBe(10);
      await delay(100);
    }
    expect(readFileSync(c.file(D1), 'utf8').endsWith('\n'), 'the second half came early: the check above proved nothing').toBe(false);
    expect(eventRows(c.db, 'seq = 10')).toEqual([]);

    expect(await w.finished()).toBe(20);
    await waitForRows(c.db, 20, f);
    const rows = eventRows(c.db, 'seq = 10');
    expect(rows).toHaveLength(1);
    const want = JSON.parse(bridgeLine(10, 's1')) as Record<string, unknown>;
    expect(rows[0]).toMatchObject({
      seq: 10,
      session_id: 's1',
      ts_ms: want.ts_ms,
      type: want.type,
      msg: want.msg,
      plate: want.plate,
      t_rel_ms: want.t_rel_ms,
      pid: want.pid,
      data_json: JSON.stringify(want.data),
    });
    expect(seqsBySession(c.db).get('s1')).toEqual(range(0, 20));
    await stopCleanly(f);
    expect(deadLetters(c.deadLetter)).toEqual([]);
    expect(readStatus(c.status)?.counts).toMatchObject({ written: 20, duplicates: 0, bad: 0 });
  }, 60_000);

  it.sequential('deleted, closed, then re-created bigger under the same name (the inode number is often reused): read from its start', async () => {
    const c = newCase();
    const f = follow(c);
    await waitForTailing(c.status, f);
    // Each round: the file is deleted, the follower drains and closes it, and a new file with more
    // lines than the old one appears in one write. File systems hand the freed inode number out
    // again (ext4 mostly does), so the new file has the old one's (device, inode) key.
    const sizes = Array.from({ length: 10 }, (_, r) => 40 + 20 * r);
    const plan: WriterStep[] = [{ op: 'lines', file: c.file(D1), session: 'r0', from: 0, count: sizes[0] ?? 0, rate: 400 }];
    for (let r = 1; r < sizes.length; r++) {
      plan.push({ op: 'await', name: `round${r}` });
      plan.push({ op: 'delete', file: c.file(D1) });
      plan.push({ op: 'sleep', ms: 700 });
      plan.push({ op: 'lines', file: c.file(D1), session: `r${r}`, from: 0, count: sizes[r] ?? 0 });
    }
    const w = startWriter(c.dir, plan);
    const inodes: number[] = [];
    for (let r = 0; r < sizes.length; r++) {
      if (r > 0) w.send(`round${r}`);
      const bytes = range(0, sizes[r] ?? 0).reduce((n, seq) => n + Buffer.byteLength(bridgeLine(seq, `r${r}`)) + 1, 0);
      // The writer deletes and re-creates the file: it may vanish between two looks (ENOENT).
      const st = await waitFor(() => {
        const now = statSync(c.file(D1), { throwIfNoEntry: false });
        return now && now.size === bytes ? now : undefined;
      }, {
        timeoutMs: 5_000,
        what: `round ${r} file`,
      });
      inodes.push(st.ino);
      // Caught up (rightly or not): the cursor of this file, by its inode, is at its end.
      await waitFor(() => fileCursors(c.db).some((k) => k.key.endsWith(`:${st.ino}`) && k.offset === st.size), {
        timeoutMs: 10_000,
        what: () => `round ${r} read to its end; cursors ${JSON.stringify(fileCursors(c.db))}`,
      });
    }
    await w.finished();
    await delay(500);
    const why = `inode numbers of the rounds: ${inodes.join(', ')}`;
    expect(deadLetters(c.deadLetter), why).toEqual([]);
    const seqs = seqsBySession(c.db);
    for (let r = 0; r < sizes.length; r++) expect(seqs.get(`r${r}`), `round ${r}; ${why}`).toEqual(range(0, sizes[r] ?? 0));
    await stopCleanly(f);
  }, 60_000);

  // The longest, so it starts first.
  it('catch-up of 3 old files, oldest (by the date in the name) first, then tailing the newest', async () => {
    const c = newCase();
    // Day-month-year names: by name 01-01-2024 < 02-01-2024 < 31-12-2023; by date 31-12-2023 is first.
    const pattern = join(c.dir, 'bridge_{DD}-{MM}-{YYYY}.ndjson');
    const day = (name: string): string => join(c.dir, `bridge_${name}.ndjson`);
    const files = { a: day('31-12-2023'), b: day('01-01-2024'), c: day('02-01-2024') };
    const PER_FILE = 60_000;
    // Written newest first, so neither names nor modification times give the date order.
    const w = startWriter(c.dir, [
      { op: 'lines', file: files.c, session: 'c', from: 0, count: PER_FILE },
      { op: 'lines', file: files.b, session: 'b', from: 0, count: PER_FILE },
      { op: 'lines', file: files.a, session: 'a', from: 0, count: PER_FILE },
      { op: 'mark', name: 'old-files-written' },
      { op: 'await', name: 'tail' },
      { op: 'lines', file: files.c, session: 'c', from: PER_FILE, count: 100, rate: 500 },
    ]);
    await w.waitMark('old-files-written');

    const f = new FollowerProcess([
      pattern,
      '--db', c.db, '--poll-ms', '100', '--idle-close-sec', '2', '--status-file', c.status, '--no-progress',
    ]);
    const phases: string[] = [];
    const writtenAtCatchUp: number[] = [];
    await waitFor(
      () => {
        const s = readStatus(c.status);
        if (s && phases[phases.length - 1] !== s.phase) phases.push(s.phase);
        if (s?.phase === 'catch-up') writtenAtCatchUp.push(s.counts.written);
        return s?.phase === 'tailing';
      },
      { timeoutMs: 60_000, intervalMs: 10, what: () => `phase tailing (seen ${phases.join(' → ')})\n${f.stderr}` },
    );
    const followPhases = phases.filter((p) => p === 'catch-up' || p === 'tailing');
    expect(followPhases, `phases seen: ${phases.join(' → ')}`).toEqual(['catch-up', 'tailing']);
    expect(Math.min(...writtenAtCatchUp)).toBeLessThan(3 * PER_FILE);
    await waitForRows(c.db, 3 * PER_FILE, f, 60_000);

    // Oldest first: every row of a file was inserted before any row of the next.
    const span = (session: string): { lo: number; hi: number } =>
      eventRows(c.db, 'session_id = ? AND seq IN (0, ?)', session, PER_FILE - 1).reduce(
        (acc, r) => ({ lo: Math.min(acc.lo, r.id), hi: Math.max(acc.hi, r.id) }),
        { lo: Infinity, hi: -Infinity },
      );
    const [sa, sb, sc] = [span('a'), span('b'), span('c')];
    expect(sa.hi).toBeLessThan(sb.lo);
    expect(sb.hi).toBeLessThan(sc.lo);

    // Then the newest is tailed, and the two older ones are closed once idle.
    w.send('tail');
    expect(await w.finished()).toBe(3 * PER_FILE + 100);
    await waitForRows(c.db, 3 * PER_FILE + 100, f);
    expect(seqsBySession(c.db).get('c')).toEqual(range(0, PER_FILE + 100));
    await waitFor(() => cursorOf(c, files.a)?.done === 1 && cursorOf(c, files.b)?.done === 1, {
      timeoutMs: 15_000,
      what: () => `older files closed: ${JSON.stringify(fileCursors(c.db))}`,
    });
    expect(readStatus(c.status)).toMatchObject({ phase: 'tailing', unit: files.c });
    await stopCleanly(f);
    expect(readStatus(c.status)?.counts.written).toBe(3 * PER_FILE + 100);
  }, 120_000);

  it('rollover: lines appended to yesterday after today appeared are ingested, before and after yesterday is idle-closed', async () => {
    const c = newCase();
    const f = follow(c);
    await waitForTailing(c.status, f);
    const w = startWriter(c.dir, [
      { op: 'lines', file: c.file(D1), session: 'day1', from: 0, count: 200, rate: 400 },
      // Midnight: today's file appears...
      { op: 'lines', file: c.file(D2), session: 'day2', from: 0, count: 100, rate: 400 },
      { op: 'sleep', ms: 400 },
      // ...and yesterday's still gets lines, well within --idle-close-sec 2.
      { op: 'lines', file: c.file(D1), session: 'day1', from: 200, count: 100, rate: 400 },
      { op: 'mark', name: 'late-written' },
      // The test lets it go on once yesterday's file has been closed as idle.
      { op: 'await', name: 'day1-closed' },
      { op: 'lines', file: c.file(D1), session: 'day1', from: 300, count: 50 },
      { op: 'lines', file: c.file(D2), session: 'day2', from: 100, count: 50, rate: 500 },
    ]);
    await w.waitMark('late-written');
    await waitForRows(c.db, 400, f);
    // Yesterday's file is closed (its cursor marked done) once idle for 2 s and drained.
    await waitFor(() => cursorOf(c, c.file(D1))?.done === 1, {
      timeoutMs: 15_000,
      what: () => `day-1 cursor done; cursors: ${JSON.stringify(fileCursors(c.db))}\n${f.stderr}`,
    });
    w.send('day1-closed');
    expect(await w.finished()).toBe(500);
    // Lines appended after the close: the file grew past its cursor, so it is opened again.
    await waitForRows(c.db, 500, f);
    const seqs = seqsBySession(c.db);
    expect(seqs.get('day1')).toEqual(range(0, 350));
    expect(seqs.get('day2')).toEqual(range(0, 150));
    expect(deadLetters(c.deadLetter)).toEqual([]);
    await waitFor(() => cursorOf(c, c.file(D1))?.offset === statSync(c.file(D1)).size, { what: 'day-1 cursor at its end' });
    await stopCleanly(f);
  }, 90_000);

  describe('truncation', () => {
    it('truncated to 0, then new lines of another session: read again from the start', async () => {
      const c = newCase();
      const f = follow(c);
      await waitForTailing(c.status, f);
      const w = startWriter(c.dir, [
        { op: 'lines', file: c.file(D1), session: 's1', from: 0, count: 50, rate: 500 },
        { op: 'await', name: 'go' },
        { op: 'truncate', file: c.file(D1) },
        { op: 'sleep', ms: 600 },
        { op: 'lines', file: c.file(D1), session: 's2', from: 0, count: 30, rate: 300 },
      ]);
      await waitForRows(c.db, 50, f);
      w.send('go');
      expect(await w.finished()).toBe(80);
      await waitForRows(c.db, 80, f);
      const seqs = seqsBySession(c.db);
      expect(seqs.get('s1')).toEqual(range(0, 50));
      expect(seqs.get('s2')).toEqual(range(0, 30));
      expect(deadLetters(c.deadLetter)).toEqual([]);
      await stopCleanly(f);
    }, 60_000);

    it('truncated and at once rewritten with more bytes than were read (copytruncate, then a busy logger)', async () => {
      const c = newCase();
      const f = follow(c);
      await waitForTailing(c.status, f);
      const w = startWriter(c.dir, [
        { op: 'lines', file: c.file(D1), session: 's1', from: 0, count: 50, rate: 500 },
        { op: 'await', name: 'go' },
        // O_TRUNC and one write: the follower never sees the file shorter than what it read, only
        // other bytes at the start (the head hash of its identity changed).
        { op: 'rewrite', file: c.file(D1), session: 'rewritten', from: 0, count: 80 },
        { op: 'sleep', ms: 300 },
        { op: 'lines', file: c.file(D1), session: 'rewritten', from: 80, count: 20, rate: 200 },
      ]);
      await waitForRows(c.db, 50, f);
      w.send('go');
      expect(await w.finished()).toBe(150);
      await waitFor(() => eventCount(c.db) >= 150 || deadLetters(c.deadLetter).length > 0, { timeoutMs: 10_000 }).catch(() => undefined);
      await delay(500);
      const seqs = seqsBySession(c.db);
      expect(deadLetters(c.deadLetter), 'no line of the rewritten file is bad').toEqual([]);
      expect(seqs.get('s1')).toEqual(range(0, 50));
      expect(seqs.get('rewritten'), 'the rewritten file is read from its start').toEqual(range(0, 100));
      await stopCleanly(f);
    }, 60_000);

    it('truncated and rewritten while the follower is stopped, for a file it first saw empty', async () => {
      const c = newCase();
      const w = startWriter(c.dir, [
        // A logger opens the day's file (empty) before its first line.
        { op: 'create', file: c.file(D1) },
        { op: 'mark', name: 'created' },
        { op: 'await', name: 'seen' },
        { op: 'lines', file: c.file(D1), session: 's1', from: 0, count: 20, rate: 200 },
        { op: 'await', name: 'stopped' },
        { op: 'rewrite', file: c.file(D1), session: 'rewritten', from: 0, count: 60 },
      ]);
      await w.waitMark('created');
      const f1 = follow(c);
      await waitForTailing(c.status, f1);
      w.send('seen');
      await waitForRows(c.db, 20, f1);
      await stopCleanly(f1);
      // The identity the cursor was committed with (dev:ino:headLength:headHash), for the report.
      const identity = cursorOf(c, c.file(D1))?.identity ?? '(no cursor)';
      w.send('stopped');
      expect(await w.finished()).toBe(80);

      // Restart: the committed cursor (offset past 20 lines) belongs to content that is gone.
      const f2 = follow(c);
      await waitForTailing(c.status, f2);
      await waitFor(() => eventCount(c.db) >= 80 || deadLetters(c.deadLetter).length > 0, { timeoutMs: 10_000 }).catch(() => undefined);
      await delay(500);
      const why = `cursor identity before the restart: ${identity}`;
      expect(deadLetters(c.deadLetter), `no line of the rewritten file is bad; ${why}`).toEqual([]);
      expect(seqsBySession(c.db).get('rewritten'), `the rewritten file is read from its start; ${why}`).toEqual(range(0, 60));
      await stopCleanly(f2);
    }, 60_000);
  });

  it('delete and re-create with the same name (at once, and after a pause): each new file is read from its start', async () => {
    const c = newCase();
    const f = follow(c);
    await waitForTailing(c.status, f);
    const w = startWriter(c.dir, [
      { op: 'lines', file: c.file(D1), session: 's1', from: 0, count: 40, rate: 400 },
      { op: 'await', name: 'go' },
      { op: 'delete', file: c.file(D1) },
      { op: 'lines', file: c.file(D1), session: 's2', from: 0, count: 60 },
      { op: 'sleep', ms: 300 },
      { op: 'lines', file: c.file(D1), session: 's2', from: 60, count: 20, rate: 200 },
      { op: 'await', name: 'go2' },
      { op: 'delete', file: c.file(D1) },
      { op: 'sleep', ms: 700 },
      { op: 'lines', file: c.file(D1), session: 's3', from: 0, count: 30, rate: 300 },
    ]);
    await waitForRows(c.db, 40, f);
    w.send('go');
    await waitForRows(c.db, 120, f);
    w.send('go2');
    expect(await w.finished()).toBe(150);
    await waitForRows(c.db, 150, f);
    const seqs = seqsBySession(c.db);
    expect(seqs.get('s1')).toEqual(range(0, 40));
    expect(seqs.get('s2')).toEqual(range(0, 80));
    expect(seqs.get('s3')).toEqual(range(0, 30));
    expect(deadLetters(c.deadLetter)).toEqual([]);
    await stopCleanly(f);
  }, 60_000);

  it('a matching file that vanishes right after it appears (temp files, retention) does not stop the follower', async () => {
    const c = newCase();
    const f = follow(c);
    await waitForTailing(c.status, f);
    // The day's live file gets lines while another matching name is created and deleted in a loop:
    // between listing the folder and opening a file, the file may be gone.
    const w = startWriter(c.dir, [
      { op: 'lines', file: c.file(D2), session: 'live', from: 0, count: 50, rate: 500 },
      { op: 'churn', file: c.file('20240105'), session: 'churn', ms: 4_000 },
      { op: 'lines', file: c.file(D2), session: 'live', from: 50, count: 50, rate: 500 },
    ]);
    expect(await w.finished()).toBe(100);
    await waitFor(() => seqsBySession(c.db).get('live')?.length === 100 || f.exited, {
      timeoutMs: 20_000,
      what: () => `100 live rows (have ${seqsBySession(c.db).get('live')?.length ?? 0})`,
    });
    expect(f.exited, `the follower died:\n${f.stderr}`).toBe(false);
    expect(seqsBySession(c.db).get('live')).toEqual(range(0, 100));
    await stopCleanly(f);
  }, 60_000);

  it('a file appearing after start, in a folder that did not exist at start, then the next day', async () => {
    const c = newCase('logs');
    const f = follow(c);
    await waitForTailing(c.status, f);
    const w = startWriter(c.dir, [
      { op: 'sleep', ms: 300 },
      { op: 'mkdir', dir: join(c.dir, 'logs') },
      { op: 'sleep', ms: 300 },
      { op: 'lines', file: c.file(D1), session: 'd1', from: 0, count: 100, rate: 500 },
      { op: 'lines', file: c.file(D2), session: 'd2', from: 0, count: 50, rate: 500 },
    ]);
    expect(await w.finished()).toBe(150);
    await waitForRows(c.db, 150, f);
    const seqs = seqsBySession(c.db);
    expect(seqs.get('d1')).toEqual(range(0, 100));
    expect(seqs.get('d2')).toEqual(range(0, 50));
    await stopCleanly(f);
  }, 60_000);

  it('--from-end: only lines completed after start are ingested; a file that appears later is read whole', async () => {
    const c = newCase();
    const first = bridgeLine(0, 'new');
    const cut = 37;
    const w = startWriter(c.dir, [
      { op: 'lines', file: c.file('20231231'), session: 'older', from: 0, count: 30 },
      { op: 'lines', file: c.file(D1), session: 'old', from: 0, count: 100 },
      // A line half written at start: --from-end starts before it, not in its middle.
      { op: 'raw', file: c.file(D1), text: first.slice(0, cut) },
      { op: 'mark', name: 'ready' },
      { op: 'await', name: 'go' },
      { op: 'raw', file: c.file(D1), text: `${first.slice(cut)}\n` },
      { op: 'lines', file: c.file(D1), session: 'new', from: 1, count: 49, rate: 500 },
      { op: 'lines', file: c.file(D2), session: 'next', from: 0, count: 20, rate: 200 },
    ]);
    await w.waitMark('ready');
    const f = follow(c, { '--from-end': true });
    await waitForTailing(c.status, f);
    w.send('go');
    await w.finished();
    await waitForRows(c.db, 70, f);
    const seqs = seqsBySession(c.db);
    expect([...seqs.keys()].sort()).toEqual(['new', 'next']);
    expect(seqs.get('new')).toEqual(range(0, 50));
    expect(seqs.get('next')).toEqual(range(0, 20));
    expect(deadLetters(c.deadLetter)).toEqual([]);
    await stopCleanly(f);
  }, 60_000);

  it('SIGTERM: exit 0, and every line written before the signal is in the table', async () => {
    const c = newCase();
    const f = follow(c);
    await waitForTailing(c.status, f);
    // A steady trickle, then a burst of 30,000 lines; the signal follows the writer's exit at once.
    const w = startWriter(c.dir, [
      { op: 'lines', file: c.file(D1), session: 's1', from: 0, count: 2_000, rate: 2_000 },
      { op: 'lines', file: c.file(D1), session: 's1', from: 2_000, count: 30_000 },
    ]);
    const total = await w.finished();
    expect(total).toBe(32_000);
    const end = await f.stop('SIGTERM');
    const atStop = eventCount(c.db);
    expect(end, f.stderr).toEqual({ code: 0, signal: null });
    expect(f.stderr).toMatch(/SIGTERM received/);

    // Nothing is lost across a restart either way (the cursor resumes)...
    const again = follow(c);
    // (A signal before Node runs any of our code kills it by default: wait until it is running.)
    await waitForTailing(c.status, again);
    await waitForRows(c.db, total, again);
    await stopCleanly(again);
    expect(seqsBySession(c.db).get('s1')).toEqual(range(0, total));
    // ...but the brief asks for every line written before the signal to be in after the exit.
    expect(atStop, `rows committed when the SIGTERMed follower exited (written before the signal: ${total})`).toBe(total);
  }, 60_000);

  it('the partial last line of an older file is dead-lettered as truncated once that file is idle-closed; the newest one waits', async () => {
    const c = newCase();
    const f = follow(c, { '--idle-close-sec': '1' });
    await waitForTailing(c.status, f);
    const partial = bridgeLine(10, 's1').slice(0, 45);
    const w = startWriter(c.dir, [
      { op: 'lines', file: c.file(D1), session: 's1', from: 0, count: 10, rate: 200 },
      { op: 'raw', file: c.file(D1), text: partial },
      { op: 'lines', file: c.file(D2), session: 's2', from: 0, count: 5, rate: 100 },
      { op: 'raw', file: c.file(D2), text: bridgeLine(5, 's2').slice(0, 30) },
    ]);
    await w.finished();
    await waitForRows(c.db, 15, f);
    const dl = await waitFor(() => {
      const d = deadLetters(c.deadLetter);
      return d.length > 0 ? d : undefined;
    }, { timeoutMs: 15_000, what: () => `a dead letter\n${f.stderr}` });
    const before = readFileSync(c.file(D1)).length - Buffer.byteLength(partial);
    expect(dl).toHaveLength(1);
    expect(dl[0]).toMatchObject({ file: c.file(D1), line: 11, offset: before, raw: partial });
    expect(dl[0]?.reason).toMatch(/^truncated/);
    // The dead letter reaches the disk just before the commit that holds its cursor.
    await waitFor(() => cursorOf(c, c.file(D1))?.done === 1 || undefined, { timeoutMs: 5_000, what: 'the closed file cursor' });
    expect(cursorOf(c, c.file(D1))).toMatchObject({ done: 1, offset: statSync(c.file(D1)).size });
    // The newest file's partial line is not closed for good: not dead-lettered, now or at stop.
    await delay(1_500);
    await stopCleanly(f);
    expect(deadLetters(c.deadLetter)).toHaveLength(1);
    expect(readStatus(c.status)?.counts).toMatchObject({ written: 15, bad: 1 });
  }, 60_000);

  it('--metrics-port: /metrics reports rows written, records read, bad records, lag and commit latency', async () => {
    const c = newCase();
    const port = await freePort();
    const f = follow(c, { '--metrics-port': String(port) });
    await waitForTailing(c.status, f);
    const w = startWriter(c.dir, [{ op: 'lines', file: c.file(D1), session: 's1', from: 0, count: 123, rate: 500 }]);
    await w.finished();
    await waitForRows(c.db, 123, f);
    const metric = (text: string, name: string): number | undefined => {
      const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
      return m ? Number(m[1]) : undefined;
    };
    const text = await waitFor(
      async () => {
        const res = await fetch(`http://127.0.0.1:${port}/metrics`);
        const body = await res.text();
        return res.status === 200 && metric(body, 'sluice_rows_written_total') === 123 ? body : undefined;
      },
      { timeoutMs: 10_000, what: 'sluice_rows_written_total 123' },
    );
    expect(metric(text, 'sluice_records_read_total')).toBe(123);
    expect(metric(text, 'sluice_duplicates_total')).toBe(0);
    expect(metric(text, 'sluice_bad_records_total')).toBe(0);
    expect(metric(text, 'sluice_lag_bytes')).toBe(0);
    expect(metric(text, 'sluice_commit_seconds_count')).toBeGreaterThan(0);
    // A second scrape does not count the same rows twice.
    const again = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metric(again, 'sluice_rows_written_total')).toBe(123);
    await stopCleanly(f);
  }, 60_000);
});
