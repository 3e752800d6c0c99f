import type { ListQuery } from './ldo-registry.js';

/** SQL pieces of a list query, with `?` (SQLite) or `$n` (PostgreSQL) placeholders. */
export interface ListSql {
  /** WHERE of the filters alone (for the total); empty without filters. */
  countWhere: string;
  countParams: unknown[];
  /** WHERE of the filters and the cursor (for the page). */
  pageWhere: string;
  pageParams: unknown[];
  /** True when a filter is set (the total must be counted, not read from the running total). */
  filtered: boolean;
}

export function listSql(query: ListQuery, placeholder: (n: number) => string): ListSql {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown): void => {
    params.push(value);
    clauses.push(sql.replace('?', placeholder(params.length)));
  };
  if (query.ldoId !== undefined) add('ldo_id = ?', query.ldoId);
  if (query.sinceMs !== undefined) add('created_ms >= ?', query.sinceMs);
  if (query.untilMs !== undefined) add('created_ms < ?', query.untilMs);
  const countWhere = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
  const countParams = [...params];
  const filtered = clauses.length > 0;
  if (query.cursor) {
    params.push(query.cursor.createdMs, query.cursor.id);
    clauses.push(`(created_ms, id) < (${placeholder(params.length - 1)}, ${placeholder(params.length)})`);
  }
  return { countWhere, countParams, pageWhere: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', pageParams: params, filtered };
}
