import type { ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import { startSluice } from './cli.js';

/** A running `sluice` child with its output kept. */
export interface Child {
  proc: ChildProcess;
  out: () => string;
  /** Resolves with the exit code (or signal) once it ended. */
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `sluice ARGS` in the background, keeping stdout and stderr. */
export function spawnSluice(args: readonly string[], cwd?: string): Child {
  const proc = startSluice(args, cwd ? { cwd } : {});
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return { proc, out: () => out, ended };
}

/** Polls `check` until it is true or `ms` passed; throws with `what` on timeout. */
export async function waitUntil(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

/** Rows of a table in a SQLite file (0 when the file or table is not there yet). */
export function countRows(db: string, table: string): number {
  try {
    const d = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return (d.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
    } finally {
      d.close();
    }
  } catch {
    return 0;
  }
}

/** Every row of a table as sorted JSON lines, without the columns named in `except` (row ids). */
export function tableDump(db: string, table: string, except: readonly string[] = ['id']): string[] {
  const d = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const rows = d.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[];
    return rows
      .map((r) => {
        for (const k of except) delete r[k];
        return JSON.stringify(r, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : v));
      })
      .sort();
  } finally {
    d.close();
  }
}
