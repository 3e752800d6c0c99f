import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { SHARED_DATA, tempDir } from './cli.js';

/** The real pino samples of seed 002. */
export const PINO_DIR = join(SHARED_DATA, 'pino');

/**
 * Whether the real samples are there. Outside CI their absence skips the tests that need them (with a
 * one-line reason); in CI it throws, failing the file.
 */
export function pinoSamplesPresent(): boolean {
  if (existsSync(PINO_DIR) && readdirSync(PINO_DIR).some((f) => f.endsWith('.json'))) return true;
  const reason = `the real samples are not at ${PINO_DIR}`;
  if (process.env.CI === 'true') throw new Error(`required in CI: ${reason}`);
  process.stderr.write(`skipping: ${reason}\n`);
  return false;
}

/** One sample file: its name once gzipped, and its entries as JSON.parse reads them. */
export interface SampleUnit {
  key: string;
  entries: unknown[];
  /** The original text spans several lines (pretty-printed). */
  multiLine: boolean;
}

/** Gzips every sample into a fresh folder; returns the folder and what each file holds. */
export function gzipSamples(): { dir: string; units: SampleUnit[] } {
  const dir = tempDir('sluice-pino-');
  const units: SampleUnit[] = [];
  for (const f of readdirSync(PINO_DIR).filter((n) => n.endsWith('.json')).sort()) {
    const text = readFileSync(join(PINO_DIR, f), 'utf8');
    const entries = JSON.parse(text) as unknown;
    if (!Array.isArray(entries)) throw new Error(`${f}: expected a JSON array`);
    writeFileSync(join(dir, `${f}.gz`), gzipSync(Buffer.from(text)));
    units.push({ key: `${f}.gz`, entries, multiLine: text.trim().includes('\n') });
  }
  return { dir, units };
}

/** A row of `logs` as the tests compare it. */
export interface LogRow {
  id: string;
  level: string | null;
  raw_data: unknown;
  source_file: string;
  source_index: number;
}

/** Reads `logs` of a SQLite database (read-only), raw_data parsed. */
export function sqliteLogs(path: string): LogRow[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT id, level, raw_data, source_file, source_index FROM logs ORDER BY rowid').all() as (LogRow & { raw_data: string })[]).map(
      (r) => ({ ...r, raw_data: JSON.parse(r.raw_data) as unknown }),
    );
  } finally {
    db.close();
  }
}

/** A ledger row of a SQLite database. */
export interface SqliteLedgerRow {
  bucket: string;
  key: string;
  status: string;
  attempts: number;
  error: string | null;
  processed_at: string | null;
  sort_key: string;
  worker: string | null;
}

/** Reads the ledger of a SQLite database (read-only). */
export function sqliteLedger(path: string): SqliteLedgerRow[] {
  if (!existsSync(path)) return [];
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sluice_ledger'").get();
    if (!table) return [];
    return db.prepare('SELECT bucket, key, status, attempts, error, processed_at, sort_key, worker FROM sluice_ledger ORDER BY key').all() as SqliteLedgerRow[];
  } finally {
    db.close();
  }
}
