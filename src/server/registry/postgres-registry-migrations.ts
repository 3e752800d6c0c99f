/** One numbered schema change of the PostgreSQL registry; `sql` gets the schema name. */
export interface PgMigration {
  /** 1, 2, 3, ...: the version this migration brings the registry to. */
  version: number;
  /** What it changes, recorded in `schema_version`. */
  description: string;
  /** The DDL, for one schema. */
  sql(schema: string): string;
}

export const POSTGRES_REGISTRY_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    description: 'ldo_entries, ldo_pending, ldo_totals (kept by triggers)',
    sql: (s) => `
      CREATE TABLE "${s}".ldo_entries (
        id text PRIMARY KEY,
        idem_key text UNIQUE,
        ldo_id text,
        status text NOT NULL,
        filename text,
        content_type text,
        video text,
        size_bytes bigint NOT NULL,
        sha256 text,
        fingerprint text NOT NULL,
        created_ms bigint NOT NULL,
        created_at text NOT NULL,
        dir text NOT NULL
      );
      CREATE INDEX ldo_entries_newest ON "${s}".ldo_entries (created_ms DESC, id DESC);
      CREATE INDEX ldo_entries_ldo_id ON "${s}".ldo_entries (ldo_id, created_ms DESC, id DESC);
      CREATE TABLE "${s}".ldo_pending (id text PRIMARY KEY, dir text NOT NULL, owner bigint NOT NULL, started_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE "${s}".ldo_totals (one int PRIMARY KEY CHECK (one = 1), total bigint NOT NULL);
      INSERT INTO "${s}".ldo_totals VALUES (1, 0);
      CREATE FUNCTION "${s}".ldo_count() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN UPDATE "${s}".ldo_totals SET total = total + 1; ELSE UPDATE "${s}".ldo_totals SET total = total - 1; END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER ldo_entries_count AFTER INSERT OR DELETE ON "${s}".ldo_entries FOR EACH ROW EXECUTE FUNCTION "${s}".ldo_count();
    `,
  },
];
