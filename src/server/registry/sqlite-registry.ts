import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import { openSqliteDatabase } from '../../db/sqlite/open-database.js';
import { migrate } from '../../db/sqlite/schema-versions.js';
import type { LdoEntry } from '../ldo-entry.js';
import type { CommitOutcome, LdoRegistry, ListPage, ListQuery, PendingUpload } from './ldo-registry.js';
import { listSql } from './list-sql.js';
import { SQLITE_REGISTRY_MIGRATIONS } from './sqlite-registry-migrations.js';

interface EntryRow {
  id: string;
  idem_key: string | null;
  ldo_id: string | null;
  filename: string | null;
  content_type: string | null;
  video: string | null;
  size_bytes: number;
  sha256: string | null;
  fingerprint: string;
  created_at: string;
  dir: string;
}

const COLUMNS = 'id, idem_key, ldo_id, filename, content_type, video, size_bytes, sha256, fingerprint, created_at, dir';

/**
 * The registry in a SQLite file (the default, inside a `file:` store): one serving process per file.
 * A reservation's owner is `host/pid`; it is dead when that pid is gone on this host.
 */
export class SqliteRegistry implements LdoRegistry {
  readonly description: string;
  private readonly owner = `${hostname()}/${process.pid}`;
  private readonly db: Database.Database;
  private readonly insertEntry: Database.Statement;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(path: string) {
    this.description = `sqlite:${path}`;
    this.db = openSqliteDatabase(path);
    migrate(this.db, 'ldo_registry', SQLITE_REGISTRY_MIGRATIONS);
    this.insertEntry = this.db.prepare(
      `INSERT INTO ldo_entries (${COLUMNS}, status, created_ms) VALUES (@id, @idem_key, @ldo_id, @filename, @content_type, @video,
       @size_bytes, @sha256, @fingerprint, @created_at, @dir, 'ingested', @created_ms) ON CONFLICT (idem_key) DO NOTHING`,
    );
  }

  /** A prepared statement, prepared once per SQL text. */
  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  async reserve(id: string, dir: string): Promise<void> {
    this.stmt('INSERT INTO ldo_pending (id, dir, owner, started_ms) VALUES (?, ?, ?, ?)').run(id, dir, this.owner, Date.now());
  }

  async commit(entry: LdoEntry): Promise<CommitOutcome> {
    return this.db.transaction((): CommitOutcome => {
      const info = this.insertEntry.run(rowOf(entry));
      if (info.changes === 0 && entry.idemKey !== null) {
        const existing = this.findByKeySync(entry.idemKey);
        if (existing) return { kind: 'exists', existing };
      }
      this.stmt('DELETE FROM ldo_pending WHERE id = ?').run(entry.id);
      return { kind: 'committed' };
    })();
  }

  async release(id: string): Promise<void> {
    this.stmt('DELETE FROM ldo_pending WHERE id = ?').run(id);
  }

  async pending(): Promise<PendingUpload[]> {
    const rows = this.stmt('SELECT id, dir, owner FROM ldo_pending').all() as Array<{ id: string; dir: string; owner: string }>;
    return rows.map((r) => ({ id: r.id, dir: r.dir, alive: ownerAlive(r.owner, this.owner) }));
  }

  async findByKey(key: string): Promise<LdoEntry | undefined> {
    return this.findByKeySync(key);
  }

  async get(id: string): Promise<LdoEntry | undefined> {
    const row = this.stmt(`SELECT ${COLUMNS} FROM ldo_entries WHERE id = ?`).get(id) as EntryRow | undefined;
    return row ? entryOf(row) : undefined;
  }

  async list(query: ListQuery): Promise<ListPage> {
    const sql = listSql(query, () => '?');
    const total = sql.filtered
      ? (this.stmt(`SELECT count(*) AS n FROM ldo_entries ${sql.countWhere}`).get(...sql.countParams) as { n: number }).n
      : (this.stmt('SELECT total AS n FROM ldo_totals').get() as { n: number }).n;
    const offset = query.cursor ? 0 : query.skip;
    const rows = this
      .stmt(`SELECT ${COLUMNS} FROM ldo_entries ${sql.pageWhere} ORDER BY created_ms DESC, id DESC LIMIT ? OFFSET ?`)
      .all(...sql.pageParams, query.limit, offset) as EntryRow[];
    return { total, entries: rows.map(entryOf) };
  }

  async remove(id: string): Promise<boolean> {
    return this.stmt('DELETE FROM ldo_entries WHERE id = ?').run(id).changes > 0;
  }

  async replaceAll(entries: AsyncIterable<LdoEntry>): Promise<number> {
    // One transaction for the whole rebuild: a crash midway leaves the old registry whole. Reindex runs
    // with the service stopped, so holding the write lock across awaits blocks no one.
    this.db.exec('BEGIN IMMEDIATE');
    try {
      this.db.exec('DELETE FROM ldo_entries');
      for await (const e of entries) this.insertEntry.run(rowOf(e));
      this.db.exec('COMMIT');
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
    return (this.stmt('SELECT total AS n FROM ldo_totals').get() as { n: number }).n;
  }

  async close(): Promise<void> {
    this.db.close();
  }

  private findByKeySync(key: string): LdoEntry | undefined {
    const row = this.stmt(`SELECT ${COLUMNS} FROM ldo_entries WHERE idem_key = ?`).get(key) as EntryRow | undefined;
    return row ? entryOf(row) : undefined;
  }
}

function ownerAlive(owner: string, me: string): boolean {
  if (owner === me) return true;
  const [host, pidText] = owner.split('/');
  if (host !== hostname()) return true; // cannot tell; a SQLite registry is not shared across hosts
  try {
    process.kill(Number(pidText), 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function rowOf(e: LdoEntry): Record<string, unknown> {
  return {
    id: e.id,
    idem_key: e.idemKey,
    ldo_id: e.ldoId,
    filename: e.filename,
    content_type: e.contentType,
    video: e.video,
    size_bytes: e.sizeBytes,
    sha256: e.sha256,
    fingerprint: e.fingerprint,
    created_at: e.createdAt,
    dir: e.dir,
    created_ms: Date.parse(e.createdAt),
  };
}

export function entryOf(r: EntryRow): LdoEntry {
  return {
    id: r.id,
    status: 'ingested',
    idemKey: r.idem_key,
    ldoId: r.ldo_id,
    filename: r.filename,
    contentType: r.content_type,
    video: r.video,
    sizeBytes: Number(r.size_bytes),
    sha256: r.sha256,
    fingerprint: r.fingerprint,
    createdAt: r.created_at,
    dir: r.dir,
  };
}

export type { EntryRow };
