// Indices and aliases: the in-memory store of index mappings/settings/documents, and name resolution.
import { autoCreate } from './options.mjs';
import { EsError, indexNotFound } from './protocol.mjs';

/** @typedef {{ source?: Record<string, unknown>, scalars?: Record<string, unknown>, sha256?: string | null, routing?: string, version: number, seqNo: number }} Doc */
/** @typedef {{ name: string, mappings: Record<string, unknown>, settings: Record<string, unknown>, docs: Map<string, Doc>, vectors: Array<{ path: string[], name: string, dims: number }>, seqNo: number }} Index */

/** @type {Map<string, Index>} */
export const indices = new Map();
/** alias name → set of concrete index names */
/** @type {Map<string, Set<string>>} */
export const aliases = new Map();

// ---------------------------------------------------------------------------------------------
// Indices and aliases

function validateIndexName(name) {
  if (name !== name.toLowerCase() || name.startsWith('_') || name.startsWith('-') || name.startsWith('+') || /[\\/*?"<>| ,#:]/.test(name) || name === '.' || name === '..') {
    throw new EsError(400, 'invalid_index_name_exception', `Invalid index name [${name}], must be lowercase, must not start with '_', '-' or '+' and must not contain \\/*?"<>| ,#:`, { index: name });
  }
}

export function collectVectors(properties, prefix, out) {
  if (!properties || typeof properties !== 'object') return out;
  for (const [field, def] of Object.entries(properties)) {
    if (!def || typeof def !== 'object') continue;
    const path = [...prefix, ...field.split('.')];
    if (def.type === 'dense_vector' && Number.isInteger(def.dims)) out.push({ path, name: path.join('.'), dims: def.dims });
    if (def.properties) collectVectors(def.properties, path, out);
  }
  return out;
}

export function createIndex(name, body = {}) {
  validateIndexName(name);
  if (indices.has(name)) throw new EsError(400, 'resource_already_exists_exception', `index [${name}/contract] already exists`, { index: name });
  if (aliases.has(name)) throw new EsError(400, 'invalid_index_name_exception', `Invalid index name [${name}], already exists as alias`, { index: name });
  const mappings = body.mappings ?? {};
  /** @type {Index} */
  const index = { name, mappings, settings: body.settings ?? {}, docs: new Map(), vectors: collectVectors(mappings.properties, [], []), seqNo: 0 };
  indices.set(name, index);
  for (const alias of Object.keys(body.aliases ?? {})) addAlias(name, alias);
  return index;
}

export function addAlias(indexName, alias) {
  if (!indices.has(indexName)) throw indexNotFound(indexName);
  if (indices.has(alias)) throw new EsError(400, 'invalid_alias_name_exception', `Invalid alias name [${alias}]: an index or data stream exists with the same name as the alias`);
  if (!aliases.has(alias)) aliases.set(alias, new Set());
  aliases.get(alias).add(indexName);
}

export function removeAlias(indexName, alias) {
  const set = aliases.get(alias);
  if (!set || !set.has(indexName)) throw new EsError(404, 'aliases_not_found_exception', `aliases [${alias}] missing`, { 'resource.type': 'aliases', 'resource.id': alias });
  set.delete(indexName);
  if (set.size === 0) aliases.delete(alias);
}

export function aliasesOf(indexName) {
  const out = {};
  for (const [alias, set] of aliases) if (set.has(indexName)) out[alias] = {};
  return out;
}

export function globToRegExp(glob) {
  return new RegExp(`^${glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/** Names (comma list, wildcards, aliases) → concrete indices, for reads. Missing concrete names throw unless lenient. */
export function resolveRead(expr, lenient = false) {
  const out = new Set();
  for (const part of (expr ?? '_all').split(',')) {
    if (part === '_all' || part.includes('*')) {
      const re = part === '_all' ? /^/ : globToRegExp(part);
      for (const name of indices.keys()) if (re.test(name)) out.add(name);
      for (const [alias, set] of aliases) if (re.test(alias)) for (const n of set) out.add(n);
    } else if (indices.has(part)) out.add(part);
    else if (aliases.has(part)) for (const n of aliases.get(part)) out.add(n);
    else if (!lenient) throw indexNotFound(part);
  }
  return [...out].map((n) => indices.get(n));
}

/** One name (index or single-index alias) → the concrete index to write to; auto-creates. */
export function resolveWrite(name, create = autoCreate) {
  if (indices.has(name)) return indices.get(name);
  const set = aliases.get(name);
  if (set) {
    if (set.size !== 1) throw new EsError(400, 'illegal_argument_exception', `no write index is defined for alias [${name}]. The write index may be explicitly disabled using is_write_index=false or the alias points to multiple indices without one being designated as a write index`);
    return indices.get([...set][0]);
  }
  if (!create) throw indexNotFound(name);
  return createIndex(name);
}

export function deleteIndex(name) {
  if (!indices.has(name)) throw indexNotFound(name);
  indices.delete(name);
  for (const [alias, set] of aliases) {
    set.delete(name);
    if (set.size === 0) aliases.delete(alias);
  }
}
