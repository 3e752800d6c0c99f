import type Database from 'better-sqlite3';
import { SluiceError } from '../../core/errors.js';
import type { Migration } from './migration.js';

/**
 * Runs the numbered migrations of one component (`sluice` for the engine's own tables, or a
 * profile's name) that the database has not seen yet, each in its own transaction, and records them
 * in `schema_version`. A database at a higher version than this build knows is refused.
 */
export function migrate(db: Database.Database, component: string, migrations: readonly Migration[]): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
    component TEXT NOT NULL,
    version INTEGER NOT NULL,
    description TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (component, version)
  )`);
  const row = db
    .prepare('SELECT max(version) AS v FROM schema_version WHERE component = ?')
    .get(component) as { v: number | null };
  const current = row.v ?? 0;
  const known = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  if (current > known) {
    throw new SluiceError(
      'SLUICE_E_SCHEMA_TOO_NEW',
      `${db.name}: schema of "${component}" is at version ${current}, but this Sluice knows only up to ${known}`,
    );
  }
  const record = db.prepare(
    'INSERT INTO schema_version (component, version, description, applied_at) VALUES (?, ?, ?, ?)',
  );
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (m.version <= current) continue;
    db.transaction(() => {
      m.up(db);
      record.run(component, m.version, m.description, new Date().toISOString());
    })();
  }
}
