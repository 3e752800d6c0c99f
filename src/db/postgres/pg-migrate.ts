import type pg from 'pg';
import { SluiceError } from '../../core/errors.js';
import type { PostgresMigration } from './postgres-migration.js';

/**
 * Runs a component's numbered migrations not yet applied, under an advisory lock so workers starting
 * together do not race, recording each in `schema_version`. A newer schema than this build is refused.
 */
export async function migratePostgres(
  pool: pg.Pool,
  component: string,
  migrations: readonly PostgresMigration[],
  schema?: string,
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`sluice:${component}`]);
    if (schema) {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await client.query(`SET search_path TO "${schema}"`);
    }
    await client.query(`CREATE TABLE IF NOT EXISTS schema_version (
      component TEXT NOT NULL, version INTEGER NOT NULL, description TEXT NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (component, version))`);
    const r = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_version WHERE component = $1', [component]);
    const current = r.rows[0]?.v ?? 0;
    const known = migrations.reduce((m, x) => Math.max(m, x.version), 0);
    if (current > known) {
      throw new SluiceError('SLUICE_E_SCHEMA_TOO_NEW', `schema of "${component}" is at version ${current}, but this Sluice knows only up to ${known}`);
    }
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (m.version <= current) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        if (m.run) await m.run(client);
        await client.query('INSERT INTO schema_version (component, version, description) VALUES ($1, $2, $3)', [component, m.version, m.description]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`sluice:${component}`]).catch(() => undefined);
    client.release();
  }
}
