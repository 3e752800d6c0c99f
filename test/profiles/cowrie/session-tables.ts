import Database from 'better-sqlite3';

/** The tables a Cowrie load fills from its events. */
const SESSION_TABLES = ['cowrie_events', 'session_metrics', 'session_commands', 'session_downloads'];

/** Every session table's rows with their rowids, and the SQLite type of each value (3 and 3.0 differ), as text. */
export function sessionTables(path: string): Record<string, string> {
  const db = new Database(path, { readonly: true });
  const typed = (t: string): string => {
    const columns = (db.prepare(`PRAGMA table_info(${t})`).all() as Array<{ name: string }>).map((c) => `${c.name}, typeof(${c.name})`);
    return `SELECT rowid, ${columns.join(', ')} FROM ${t} ORDER BY rowid`;
  };
  try {
    return Object.fromEntries(SESSION_TABLES.map((t) => [t, JSON.stringify(db.prepare(typed(t)).raw().all())]));
  } finally {
    db.close();
  }
}
