import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RowValue } from '../../src/core/rows/table-spec.js';
import { applogProfile } from '../../src/profiles/applog/index.js';
import { LOGS_TABLE } from '../../src/profiles/applog/schema.js';
import { UnitMemory } from '../../src/profiles/unit-memory.js';
import { PINO_DIR } from './spool-samples.js';

/** The `logs` table as migration 1 made it (before content keys), in SQLite and in PostgreSQL. */
export const OLD_LOGS_DDL = {
  sqlite: `CREATE TABLE logs (${LOGS_TABLE.columns.map((c) => `"${c.name}" ${c.sqlType}${c.name === 'id' ? ' PRIMARY KEY' : ''}`).join(', ')},
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));
CREATE TABLE schema_version (component TEXT NOT NULL, version INTEGER NOT NULL, description TEXT NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (component, version));
INSERT INTO schema_version VALUES ('applog', 1, 'logs table of seed 002', '2025-01-01T00:00:00Z');`,
};

/**
 * Rows of `logs` as the old layout keyed them: id = sha256(file name, NUL, entry index), first 32
 * hex (the other columns as today's map makes them).
 */
export function oldLayoutRows(fileName: string, entries: readonly unknown[]): RowValue[][] {
  const rows: RowValue[][] = [];
  const memory = new UnitMemory();
  entries.forEach((e, i) => {
    const index = i + 1;
    applogProfile.map(
      e,
      {
        row: (_t, values) => {
          const v = [...values];
          v[0] = createHash('sha256').update(`${fileName}\u0000${index}`).digest('hex').slice(0, 32);
          rows.push(v);
        },
        warn: () => undefined,
      },
      {},
      { unitName: fileName, index, memory },
    );
  });
  return rows;
}

/** The real pino sample files: name and entries. */
export function pinoSamples(): { name: string; text: string; entries: unknown[] }[] {
  return readdirSync(PINO_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((name) => {
      const text = readFileSync(join(PINO_DIR, name), 'utf8');
      return { name, text, entries: JSON.parse(text) as unknown[] };
    });
}

/** Column names of `logs`, quoted, in order. */
export const LOGS_COLUMNS = LOGS_TABLE.columns.map((c) => `"${c.name}"`).join(', ');
