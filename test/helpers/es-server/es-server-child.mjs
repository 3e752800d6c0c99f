// An Elasticsearch *contract* server for tests and benchmarks, in its own process: the REST API
// subset that Sluice's Elasticsearch sink uses (info, indices/aliases, _bulk, _mget, _count,
// _search, _delete_by_query, _doc), kept in memory, plus faults on demand. Node built-ins only, so
// benchmarks can fork it with plain `node`.
//
// Start: fork(thisFile, [JSON.stringify(options)]). Options: { apiKey, tls: { cert, key } |
// { certFile, keyFile }, keepSources (default true), autoCreate (default true), version
// (default '8.15.0'), strictCompat (default false), host, port }. The child answers
// { type: 'listening', port, url } over IPC (or prints that JSON line on stdout without IPC),
// stops on the IPC message 'stop', and exits when its parent's IPC channel disconnects.
//
// Admin endpoints (never behind the API key; test-only): GET /_contract/dump?index=NAME,
// GET /_contract/stats, GET /_contract/requests, GET|POST|DELETE /_contract/faults,
// POST /_contract/clear. See es-contract-server.ts for the fault semantics.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);

const options = JSON.parse(process.argv[2] ?? '{}');
const version = options.version ?? '8.15.0';
const major = Number(version.split('.')[0]);
const keepSources = options.keepSources !== false;
const autoCreate = options.autoCreate !== false;
const expectedAuth = options.apiKey ? `ApiKey ${options.apiKey}` : undefined;
const REQUEST_LOG_LIMIT = 1000;

// ---------------------------------------------------------------------------------------------
// State

/** @typedef {{ source?: Record<string, unknown>, scalars?: Record<string, unknown>, sha256?: string | null, routing?: string, version: number, seqNo: number }} Doc */
/** @typedef {{ name: string, mappings: Record<string, unknown>, settings: Record<string, unknown>, docs: Map<string, Doc>, vectors: Array<{ path: string[], name: string, dims: number }>, seqNo: number }} Index */

/** @type {Map<string, Index>} */
const indices = new Map();
/** alias name → set of concrete index names */
/** @type {Map<string, Set<string>>} */
const aliases = new Map();
let faults = emptyFaults();
let stats = emptyStats();
/** @type {Array<Record<string, unknown>>} */
let requestLog = [];
let everyNthCounter = 0;

function emptyFaults() {
  return { rejectIds: {}, rejectEveryNth: undefined, failRequests: undefined, dropConnections: undefined, slowMs: undefined, reject4xxIds: {} };
}
function emptyStats() {
  return { requests: {}, bulkRequests: 0, bulkBytes: 0, bulkItems: { byAction: {}, byStatus: {} }, faultsFired: {} };
}
function bump(obj, key, by = 1) {
  obj[key] = (obj[key] ?? 0) + by;
}
function fired(kind) {
  bump(stats.faultsFired, kind);
}

// ---------------------------------------------------------------------------------------------
// Errors and responses

class EsError extends Error {
  constructor(status, type, reason, extra = {}) {
    super(reason);
    this.status = status;
    this.type = type;
    this.extra = extra;
  }
  body() {
    const cause = { type: this.type, reason: this.message, ...this.extra };
    return { error: { root_cause: [cause], ...cause }, status: this.status };
  }
}
const indexNotFound = (name) =>
  new EsError(404, 'index_not_found_exception', `no such index [${name}]`, { 'resource.type': 'index_or_alias', 'resource.id': name, index: name });

/**
 * ES `filter_path` (includes only; `*` matches one key; arrays are traversed; objects left empty
 * are dropped, so `items.*.error` keeps only failed items, as in ES). Exclusions (`-x`) and `**`
 * are not supported: the body is then returned unfiltered.
 */
function applyFilterPath(value, patterns) {
  if (patterns.some((p) => p.length === 0)) return value;
  if (Array.isArray(value)) {
    const out = value.map((v) => applyFilterPath(v, patterns)).filter((v) => v !== undefined);
    return out.length > 0 ? out : undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    const next = patterns.filter((p) => p[0] === '*' || p[0] === k).map((p) => p.slice(1));
    if (next.length === 0) continue;
    const r = applyFilterPath(v, next);
    if (r !== undefined) out[k] = r;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function filterBody(req, body) {
  const spec = new URL(req.url ?? '/', 'http://contract').searchParams.get('filter_path');
  if (!spec || spec.includes('-') || spec.includes('**') || body === null || typeof body !== 'object') return body;
  return applyFilterPath(body, spec.split(',').map((p) => p.trim().split('.'))) ?? {};
}

function send(res, status, body, extraHeaders = {}) {
  const filtered = body === undefined || res.req.url?.startsWith('/_contract/') ? body : filterBody(res.req, body);
  const payload = filtered === undefined || res.req.method === 'HEAD' ? '' : JSON.stringify(filtered);
  res.writeHead(status, {
    'x-elastic-product': 'Elasticsearch',
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...extraHeaders,
  });
  res.end(payload);
}

// ---------------------------------------------------------------------------------------------
// Body reading: Buffers only, one concat, optional gzip/deflate.

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    chunks.push(chunk);
    size += chunk.length;
  }
  let buf = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
  const encoding = (req.headers['content-encoding'] ?? '').toLowerCase();
  if (encoding === 'gzip') buf = await gunzip(buf);
  else if (encoding === 'deflate') buf = await inflate(buf);
  return buf;
}

function parseJsonBody(buf) {
  if (buf.length === 0) return {};
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (err) {
    throw new EsError(400, 'parse_exception', `request body is not valid JSON: ${err.message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Indices and aliases

function validateIndexName(name) {
  if (name !== name.toLowerCase() || name.startsWith('_') || name.startsWith('-') || name.startsWith('+') || /[\\/*?"<>| ,#:]/.test(name) || name === '.' || name === '..') {
    throw new EsError(400, 'invalid_index_name_exception', `Invalid index name [${name}], must be lowercase, must not start with '_', '-' or '+' and must not contain \\/*?"<>| ,#:`, { index: name });
  }
}

function collectVectors(properties, prefix, out) {
  if (!properties || typeof properties !== 'object') return out;
  for (const [field, def] of Object.entries(properties)) {
    if (!def || typeof def !== 'object') continue;
    const path = [...prefix, ...field.split('.')];
    if (def.type === 'dense_vector' && Number.isInteger(def.dims)) out.push({ path, name: path.join('.'), dims: def.dims });
    if (def.properties) collectVectors(def.properties, path, out);
  }
  return out;
}

function createIndex(name, body = {}) {
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

function addAlias(indexName, alias) {
  if (!indices.has(indexName)) throw indexNotFound(indexName);
  if (indices.has(alias)) throw new EsError(400, 'invalid_alias_name_exception', `Invalid alias name [${alias}]: an index or data stream exists with the same name as the alias`);
  if (!aliases.has(alias)) aliases.set(alias, new Set());
  aliases.get(alias).add(indexName);
}

function removeAlias(indexName, alias) {
  const set = aliases.get(alias);
  if (!set || !set.has(indexName)) throw new EsError(404, 'aliases_not_found_exception', `aliases [${alias}] missing`, { 'resource.type': 'aliases', 'resource.id': alias });
  set.delete(indexName);
  if (set.size === 0) aliases.delete(alias);
}

function aliasesOf(indexName) {
  const out = {};
  for (const [alias, set] of aliases) if (set.has(indexName)) out[alias] = {};
  return out;
}

function globToRegExp(glob) {
  return new RegExp(`^${glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/** Names (comma list, wildcards, aliases) → concrete indices, for reads. Missing concrete names throw unless lenient. */
function resolveRead(expr, lenient = false) {
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
function resolveWrite(name, create = autoCreate) {
  if (indices.has(name)) return indices.get(name);
  const set = aliases.get(name);
  if (set) {
    if (set.size !== 1) throw new EsError(400, 'illegal_argument_exception', `no write index is defined for alias [${name}]. The write index may be explicitly disabled using is_write_index=false or the alias points to multiple indices without one being designated as a write index`);
    return indices.get([...set][0]);
  }
  if (!create) throw indexNotFound(name);
  return createIndex(name);
}

// ---------------------------------------------------------------------------------------------
// Source scanning: a bulk source line is not JSON.parse'd on ingest. A byte scanner walks its
// top-level members, parses only the scalar ones, and finds dense_vector values to check their
// length; flat arrays (vectors) are skipped with native indexOf. JSON.parse of a 15 KB line of
// floats costs ~100 µs, which would cap a benchmark at a few thousand docs/s. keepSources:true
// parses the whole line lazily, on first read. Malformed JSON inside skipped nested values is
// not detected (a real cluster would answer 400).

const Q = 34; // "
const BS = 92; // backslash
const LB = 91; // [
const RB = 93; // ]
const LC = 123; // {
const RC = 125; // }
const COMMA = 44;
const COLON = 58;

class ScanError extends Error {}

function skipWs(b, p) {
  while (p < b.length) {
    const c = b[p];
    if (c === 32 || c === 10 || c === 13 || c === 9) p++;
    else break;
  }
  return p;
}

/** p at an opening quote → index after the closing quote. */
function skipString(b, p) {
  let from = p + 1;
  for (;;) {
    const i = b.indexOf(Q, from);
    if (i === -1) throw new ScanError('unterminated string');
    let n = 0;
    for (let k = i - 1; b[k] === BS; k--) n++;
    if (n % 2 === 0) return i + 1;
    from = i + 1;
  }
}

function skipValue(b, p) {
  const c = b[p];
  if (c === Q) return skipString(b, p);
  if (c === LC) return scanObject(b, p, undefined);
  if (c === LB) {
    const close = b.indexOf(RB, p + 1);
    if (close === -1) throw new ScanError('unterminated array');
    const inner = b.subarray(p + 1, close);
    if (inner.indexOf(LB) === -1 && inner.indexOf(LC) === -1 && inner.indexOf(Q) === -1) return close + 1;
    p = skipWs(b, p + 1);
    if (b[p] === RB) return p + 1;
    for (;;) {
      p = skipWs(b, skipValue(b, p));
      if (b[p] === COMMA) p = skipWs(b, p + 1);
      else if (b[p] === RB) return p + 1;
      else throw new ScanError(`unexpected byte at ${p}`);
    }
  }
  const start = p;
  while (p < b.length) {
    const d = b[p];
    if (d === COMMA || d === RC || d === RB || d === 32 || d === 10 || d === 13 || d === 9) break;
    p++;
  }
  if (p === start) throw new ScanError(`unexpected byte at ${p}`);
  return p;
}

/** Walks the object at p, calling onMember(key, valueStart, valueEnd); returns the index after it. */
function scanObject(b, p, onMember) {
  if (b[p] !== LC) throw new ScanError('not an object');
  p = skipWs(b, p + 1);
  if (b[p] === RC) return p + 1;
  for (;;) {
    if (b[p] !== Q) throw new ScanError(`expected a key at ${p}`);
    const keyEnd = skipString(b, p);
    const key = onMember ? JSON.parse(b.toString('utf8', p, keyEnd)) : undefined;
    p = skipWs(b, keyEnd);
    if (b[p] !== COLON) throw new ScanError(`expected ':' at ${p}`);
    p = skipWs(b, p + 1);
    const vEnd = skipValue(b, p);
    if (onMember) onMember(key, p, vEnd);
    p = skipWs(b, vEnd);
    if (b[p] === COMMA) p = skipWs(b, p + 1);
    else if (b[p] === RC) return p + 1;
    else throw new ScanError(`expected ',' or '}' at ${p}`);
  }
}

/** Span of the value at `path` inside the object at [start, end), or undefined. */
function findPath(b, start, path) {
  let found;
  scanObject(b, start, (key, vs, ve) => {
    if (found) return;
    if (key === path[0]) found = path.length === 1 ? [vs, ve] : b[vs] === LC ? findPath(b, vs, path.slice(1)) : undefined;
    else if (path.length > 1 && key === path.join('.')) found = [vs, ve];
  });
  return found;
}

const NUMBERS_ONLY = /^\[[\s0-9.eE+\-,]*\]$/;

/** Top-level scalars of a source line, with its dense_vector values checked; throws EsError/ScanError. */
function scanSourceLine(index, id, line) {
  const start = skipWs(line, 0);
  const scalars = {};
  const end = scanObject(line, start, (key, vs, ve) => {
    const c = line[vs];
    if (c !== LC && (c !== LB || ve - vs < 1024)) {
      const v = JSON.parse(line.toString('utf8', vs, ve));
      if (!Array.isArray(v) || (v.length <= 32 && v.every((x) => x === null || typeof x !== 'object'))) scalars[key] = v;
    }
  });
  if (skipWs(line, end) !== line.length) throw new ScanError('trailing bytes after the document');
  for (const v of index.vectors) {
    const span = findPath(line, start, v.path);
    if (!span || line.toString('latin1', span[0], span[1]) === 'null') continue;
    const text = line.toString('latin1', span[0], span[1]);
    const count = text.replace(/\s/g, '') === '[]' ? 0 : text.split(',').length;
    if (!NUMBERS_ONLY.test(text) || count !== v.dims) throw vectorError(v, id, text, count);
  }
  return scalars;
}

function vectorError(v, id, preview, count) {
  return new EsError(400, 'mapper_parsing_exception', `failed to parse field [${v.name}] of type [dense_vector] in document with id '${id}'. Preview of field's value: '${String(preview).slice(0, 40)}'`, {
    caused_by: { type: 'illegal_argument_exception', reason: `The [dims] property was set to [${v.dims}] but the value had ${count} dimensions or a value that is not a finite number` },
  });
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** The stored form of a bulk source line (validated against the index mapping). */
function entryFromLine(index, id, line) {
  let scalars;
  try {
    scalars = scanSourceLine(index, id, line);
  } catch (err) {
    if (!(err instanceof ScanError) && !(err instanceof SyntaxError)) throw err;
    // The scanner is stricter than needed in places: let JSON.parse decide.
    let obj;
    try {
      obj = JSON.parse(line.toString('utf8'));
    } catch (parseErr) {
      throw new EsError(400, 'document_parsing_exception', `[1:1] failed to parse: ${parseErr.message}`);
    }
    validateSource(index, id, obj);
    return entryFromObject(obj, line);
  }
  return keepSources ? { raw: Buffer.from(line), scalars } : { scalars, sha256: sha256(line) };
}

/** The stored form of an already parsed source (single-doc endpoints, updates). */
function entryFromObject(obj, raw) {
  return keepSources ? { source: obj, scalars: scalarsOf(obj) } : { scalars: scalarsOf(obj), sha256: raw ? sha256(raw) : null };
}

// ---------------------------------------------------------------------------------------------
// Documents

/** Top-level scalars (and short scalar arrays) of a source: what keepSources:false keeps. */
function scalarsOf(source) {
  const out = {};
  for (const [k, v] of Object.entries(source)) {
    if (v === null || typeof v !== 'object') out[k] = v;
    else if (Array.isArray(v) && v.length <= 32 && v.every((x) => x === null || typeof x !== 'object')) out[k] = v;
  }
  return out;
}

/** The document's _source: parsed lazily from its raw line; only scalars with keepSources:false. */
function viewOf(doc) {
  if (!keepSources) return doc.scalars;
  if (doc.source === undefined) {
    doc.source = JSON.parse(doc.raw.toString('utf8'));
    doc.raw = undefined;
  }
  return doc.source;
}

function getPath(obj, path) {
  let cur = obj;
  for (let i = 0; i < path.length; i++) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    // Sources may also spell nested fields with dotted keys ("a.b": 1).
    const rest = path.slice(i).join('.');
    if (i < path.length - 1 && rest in cur) return cur[rest];
    cur = cur[path[i]];
  }
  return cur;
}

function validateSource(index, id, source) {
  if (!source || typeof source !== 'object' || Array.isArray(source)) throw new EsError(400, 'mapper_parsing_exception', `failed to parse: the document with id '${id}' is not a JSON object`);
  for (const v of index.vectors) {
    const value = getPath(source, v.path);
    if (value === undefined || value === null) continue;
    const ok = Array.isArray(value) && value.length === v.dims && value.every((x) => typeof x === 'number' && Number.isFinite(x));
    if (!ok) throw vectorError(v, id, JSON.stringify(value), Array.isArray(value) ? value.length : 'no array of');
  }
}

function storeDoc(index, id, entry, routing) {
  const prev = index.docs.get(id);
  const doc = { ...entry, routing, version: (prev?.version ?? 0) + 1, seqNo: index.seqNo++ };
  index.docs.set(id, doc);
  return { doc, created: !prev };
}

function deepMerge(target, patch) {
  const out = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    const cur = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur) ? deepMerge(cur, v) : v;
  }
  return out;
}

const newId = () => randomBytes(15).toString('base64url');

/**
 * Applies one write. `op` is index | create | delete | update; for index/create `payload` is a
 * function index → stored entry (it validates), for update the parsed update body. Returns the
 * item result or throws an EsError that becomes the item's error.
 */
function applyWrite(op, index, id, payload, routing) {
  const ok = (status, result, doc) => ({ status, result, _version: doc?.version ?? 1, _seq_no: doc?.seqNo ?? index.seqNo, _primary_term: 1, _shards: { total: 1, successful: 1, failed: 0 } });
  if (op === 'delete') {
    const prev = index.docs.get(id);
    if (!prev) return { ...ok(404, 'not_found'), _version: 1 };
    index.docs.delete(id);
    return ok(200, 'deleted', { version: prev.version + 1, seqNo: index.seqNo++ });
  }
  if (op === 'create' && index.docs.has(id)) {
    throw new EsError(409, 'version_conflict_engine_exception', `[${id}]: version conflict, document already exists (current version [${index.docs.get(id).version}])`, { index_uuid: 'contract', shard: '0', index: index.name });
  }
  if (op === 'update') {
    const prev = index.docs.get(id);
    let next;
    if (prev) {
      if (!payload.doc) throw new EsError(400, 'action_request_validation_exception', 'Validation Failed: 1: script or doc is missing;');
      next = deepMerge(viewOf(prev), payload.doc);
    } else if (payload.doc_as_upsert && payload.doc) next = payload.doc;
    else if (payload.upsert) next = payload.upsert;
    else throw new EsError(404, 'document_missing_exception', `[${id}]: document missing`, { index_uuid: 'contract', shard: '0', index: index.name });
    validateSource(index, id, next);
    const { doc, created } = storeDoc(index, id, entryFromObject(next, undefined), routing ?? prev?.routing);
    return ok(created ? 201 : 200, created ? 'created' : 'updated', doc);
  }
  const { doc, created } = storeDoc(index, id, payload(index), routing);
  return ok(created ? 201 : 200, created ? 'created' : 'updated', doc);
}

// ---------------------------------------------------------------------------------------------
// Bulk

const BULK_ACTIONS = new Set(['index', 'create', 'delete', 'update']);

function itemFault(id) {
  const permanent = faults.reject4xxIds[id];
  if (permanent !== undefined) {
    fired('reject4xxIds');
    return new EsError(permanent, 'mapper_parsing_exception', `failed to parse document with id '${id}' (contract fault reject4xxIds)`);
  }
  const byId = faults.rejectIds[id];
  if (byId && byId.times > 0) {
    byId.times--;
    fired('rejectIds');
    return transientItemError(byId.status, id);
  }
  const nth = faults.rejectEveryNth;
  if (nth && nth.times > 0) {
    everyNthCounter++;
    if (everyNthCounter % nth.n === 0) {
      nth.times--;
      fired('rejectEveryNth');
      return transientItemError(nth.status, id);
    }
  }
  return undefined;
}

function transientItemError(status, id) {
  if (status === 429) return new EsError(429, 'es_rejected_execution_exception', `rejected execution of coordinating operation for [${id}] (contract fault)`);
  if (status === 503) return new EsError(503, 'unavailable_shards_exception', `[contract][0] primary shard is not active (contract fault, id [${id}])`);
  return new EsError(status, 'exception', `contract fault for [${id}]`);
}

/** Splits NDJSON into [start, end) byte ranges without building strings; skips blank lines. */
function splitLines(buf) {
  const lines = [];
  let start = 0;
  while (start < buf.length) {
    let end = buf.indexOf(10, start);
    if (end === -1) end = buf.length;
    let e = end;
    if (e > start && buf[e - 1] === 13) e--;
    if (e > start) lines.push([start, e]);
    start = end + 1;
  }
  return lines;
}

function handleBulk(buf, pathIndex, query) {
  const t0 = Date.now();
  const lines = splitLines(buf);
  const items = [];
  let errors = false;
  for (let i = 0; i < lines.length; i++) {
    const [s, e] = lines[i];
    let action;
    try {
      action = JSON.parse(buf.toString('utf8', s, e));
    } catch (err) {
      throw new EsError(400, 'x_content_parse_exception', `[${i + 1}:1] malformed action/metadata line: ${err.message}`);
    }
    const op = Object.keys(action ?? {})[0];
    if (!BULK_ACTIONS.has(op)) throw new EsError(400, 'illegal_argument_exception', `Malformed action/metadata line [${i + 1}], expected one of [create, delete, index, update] but found [${op}]`);
    const meta = action[op] ?? {};
    const target = meta._index ?? pathIndex;
    const id = meta._id === undefined ? (op === 'index' || op === 'create' ? newId() : undefined) : String(meta._id);
    const routing = meta.routing ?? query.get('routing') ?? undefined;
    let payload;
    if (op !== 'delete') {
      i++;
      const span = lines[i];
      if (!span) throw new EsError(400, 'illegal_argument_exception', `The bulk request must be terminated by a newline [\\n] (missing source for action line ${i})`);
      const line = buf.subarray(span[0], span[1]);
      if (op === 'update') {
        try {
          payload = JSON.parse(line.toString('utf8'));
        } catch (err) {
          payload = new EsError(400, 'document_parsing_exception', `[1:1] failed to parse: ${err.message}`);
        }
      } else payload = (index) => entryFromLine(index, id, line);
    }
    let item;
    let indexName = target;
    try {
      if (target === undefined) throw new EsError(400, 'action_request_validation_exception', 'Validation Failed: 1: index is missing;');
      if (id === undefined) throw new EsError(400, 'action_request_validation_exception', 'Validation Failed: 1: id is missing;');
      if (payload instanceof EsError) throw payload;
      const index = resolveWrite(target);
      indexName = index.name;
      const fault = itemFault(id);
      if (fault) throw fault;
      // A delete of a missing document is a 404 item but not a failure: `errors` stays false.
      item = { _index: index.name, _id: id, ...applyWrite(op, index, id, payload, routing) };
    } catch (err) {
      if (!(err instanceof EsError)) throw err;
      errors = true;
      const { root_cause: _rootCause, ...cause } = err.body().error;
      item = { _index: indexName, _id: id ?? null, status: err.status, error: cause };
    }
    bump(stats.bulkItems.byAction, op);
    bump(stats.bulkItems.byStatus, String(item.status));
    items.push({ [op]: item });
  }
  return { errors, took: Date.now() - t0, items };
}

// ---------------------------------------------------------------------------------------------
// Queries

const asArray = (x) => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

function dateMs(v) {
  if (typeof v === 'string' && v.startsWith('now')) return Date.now();
  return typeof v === 'string' && ISO_DATE.test(v) ? Date.parse(v) : NaN;
}

/** Compares two scalars like ES would on a typed field: numbers numerically, dates as dates. */
function compareValues(a, b) {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const da = typeof a === 'number' ? a : dateMs(a);
  const db = typeof b === 'number' ? b : dateMs(b);
  if (!Number.isNaN(da) && !Number.isNaN(db)) return da - db;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Values of a field; top-level scalars are read without parsing a lazily kept source. */
function fieldValues(doc, id, field) {
  if (field === '_id') return [id];
  const path = field.split('.');
  const v = path.length === 1 && path[0] in doc.scalars ? doc.scalars[path[0]] : getPath(viewOf(doc), path);
  return asArray(v).filter((x) => x !== undefined && x !== null);
}

const sameScalar = (a, b) => a === b || (typeof a !== 'object' && typeof b !== 'object' && String(a) === String(b));

function fieldAndParam(clause, valueKey) {
  const [field, spec] = Object.entries(clause ?? {}).find(([k]) => k !== 'boost' && k !== '_name') ?? [];
  if (field === undefined) throw new EsError(400, 'parsing_exception', 'query clause has no field');
  const value = spec !== null && typeof spec === 'object' && !Array.isArray(spec) && valueKey in spec ? spec[valueKey] : spec;
  return [field, value];
}

function compileQuery(q) {
  if (q === undefined || q === null) return () => true;
  const [kind, clause] = Object.entries(q)[0] ?? ['match_all', {}];
  switch (kind) {
    case 'match_all':
      return () => true;
    case 'match_none':
      return () => false;
    case 'term':
    case 'match':
    case 'match_phrase': {
      const [field, value] = fieldAndParam(clause, kind === 'term' ? 'value' : 'query');
      return (doc, id) => fieldValues(doc, id, field).some((v) => sameScalar(v, value));
    }
    case 'terms': {
      const [field, values] = fieldAndParam(clause, '__none__');
      if (!Array.isArray(values)) throw new EsError(400, 'parsing_exception', '[terms] query requires an array of values');
      return (doc, id) => fieldValues(doc, id, field).some((v) => values.some((w) => sameScalar(v, w)));
    }
    case 'ids': {
      const values = new Set(asArray(clause.values).map(String));
      return (_doc, id) => values.has(id);
    }
    case 'exists':
      return (doc, id) => fieldValues(doc, id, clause.field).length > 0;
    case 'prefix': {
      const [field, value] = fieldAndParam(clause, 'value');
      return (doc, id) => fieldValues(doc, id, field).some((v) => String(v).startsWith(String(value)));
    }
    case 'range': {
      const [field, b] = fieldAndParam(clause, '__none__');
      const checks = [];
      if (b.gte !== undefined) checks.push((v) => compareValues(v, b.gte) >= 0);
      if (b.gt !== undefined) checks.push((v) => compareValues(v, b.gt) > 0);
      if (b.lte !== undefined) checks.push((v) => compareValues(v, b.lte) <= 0);
      if (b.lt !== undefined) checks.push((v) => compareValues(v, b.lt) < 0);
      return (doc, id) => fieldValues(doc, id, field).some((v) => checks.every((c) => c(v)));
    }
    case 'bool': {
      const must = [...asArray(clause.must), ...asArray(clause.filter)].map(compileQuery);
      const should = asArray(clause.should).map(compileQuery);
      const mustNot = asArray(clause.must_not).map(compileQuery);
      const minShould = clause.minimum_should_match ?? (should.length > 0 && must.length === 0 ? 1 : 0);
      return (doc, id) =>
        must.every((f) => f(doc, id)) && !mustNot.some((f) => f(doc, id)) && should.filter((f) => f(doc, id)).length >= Number(minShould);
    }
    case 'constant_score':
      return compileQuery(clause.filter);
    default:
      throw new EsError(400, 'parsing_exception', `unknown query [${kind}] (the contract server supports match_all, term, terms, ids, exists, prefix, range, match, bool, constant_score)`);
  }
}

function matching(targets, query) {
  const pred = compileQuery(query);
  const hits = [];
  for (const index of targets) {
    for (const [id, doc] of index.docs) {
      if (pred(doc, id)) hits.push({ index, id, doc });
    }
  }
  return hits;
}

function parseSort(sort) {
  return asArray(sort).map((s) => {
    if (typeof s === 'string') {
      const [field, order] = s.split(':');
      return { field, desc: order === 'desc' || (order === undefined && field === '_score') };
    }
    const [field, spec] = Object.entries(s)[0];
    const order = typeof spec === 'string' ? spec : spec?.order;
    return { field, desc: order === 'desc' };
  });
}

function sortValue(hit, field) {
  if (field === '_doc') return hit.doc.seqNo;
  if (field === '_score') return 1;
  const vs = fieldValues(hit.doc, hit.id, field);
  return vs.length === 0 ? null : vs[0];
}

function compareTuples(a, b, keys) {
  for (let i = 0; i < keys.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    // Missing values sort last in both directions, like ES's default `missing: _last`.
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    const c = compareValues(x, y);
    if (c !== 0) return keys[i].desc ? -c : c;
  }
  return 0;
}

function filterSource(src, spec) {
  if (spec === undefined || spec === true) return src;
  if (spec === false) return undefined;
  const includes = asArray(typeof spec === 'object' && !Array.isArray(spec) ? spec.includes ?? spec.include : spec);
  const excludes = asArray(typeof spec === 'object' && !Array.isArray(spec) ? spec.excludes ?? spec.exclude : []);
  const match = (pats, path) => pats.some((p) => globToRegExp(p).test(path) || path.startsWith(`${p}.`));
  const walk = (obj, prefix) => {
    const out = {};
    for (const [k, v] of Object.entries(obj)) {
      const path = prefix ? `${prefix}.${k}` : k;
      if (match(excludes, path)) continue;
      if (includes.length === 0 || match(includes, path)) out[k] = v;
      else if (v && typeof v === 'object' && !Array.isArray(v) && includes.some((p) => p.startsWith(`${path}.`))) {
        const sub = walk(v, path);
        if (Object.keys(sub).length > 0) out[k] = sub;
      }
    }
    return out;
  };
  return walk(src, '');
}

/** Open scroll contexts: id → the remaining ranked hits and how to render them. */
const scrolls = new Map();

function searchResponse(t0, targets, total, page, render) {
  return {
    took: Date.now() - t0,
    timed_out: false,
    _shards: { total: targets.length, successful: targets.length, skipped: 0, failed: 0 },
    hits: { total: { value: total, relation: 'eq' }, max_score: render.sorted || total === 0 ? null : 1, hits: page.map(render.hit) },
  };
}

function handleSearch(targets, body, query) {
  const t0 = Date.now();
  const hits = matching(targets, body.query);
  const keys = parseSort(body.sort ?? query.get('sort')?.split(','));
  const tuples = new Map(hits.map((h) => [h, keys.map((k) => sortValue(h, k.field))]));
  if (keys.length > 0) hits.sort((a, b) => compareTuples(tuples.get(a), tuples.get(b), keys) || a.doc.seqNo - b.doc.seqNo);
  let ranked = hits;
  if (body.search_after !== undefined) {
    if (keys.length === 0) throw new EsError(400, 'illegal_argument_exception', 'Sort must contain at least one field when search_after is used.');
    ranked = ranked.filter((h) => compareTuples(tuples.get(h), body.search_after, keys) > 0);
  }
  const from = Number(body.from ?? query.get('from') ?? 0);
  const size = Number(body.size ?? query.get('size') ?? 10);
  const sourceSpec = body._source ?? (query.get('_source') === 'false' ? false : undefined);
  const render = {
    sorted: keys.length > 0,
    hit: (h) => {
      const hit = { _index: h.index.name, _id: h.id, _score: keys.length > 0 ? null : 1 };
      if (h.doc.routing !== undefined) hit._routing = h.doc.routing;
      const src = filterSource(viewOf(h.doc), sourceSpec);
      if (src !== undefined) hit._source = src;
      if (keys.length > 0) hit.sort = tuples.get(h);
      return hit;
    },
  };
  const response = searchResponse(t0, targets, hits.length, ranked.slice(from, from + size), render);
  if (query.get('scroll')) {
    const id = newId();
    scrolls.set(id, { targets, total: hits.length, rest: ranked.slice(from + size), size, render });
    response._scroll_id = id;
  }
  return response;
}

/** Next page of a scroll (a snapshot taken when the scroll started, like ES). */
function handleScroll(scrollId) {
  const ctx = scrolls.get(scrollId);
  if (!ctx) throw new EsError(404, 'search_context_missing_exception', `No search context found for id [${scrollId}]`);
  const page = ctx.rest.slice(0, ctx.size);
  ctx.rest = ctx.rest.slice(ctx.size);
  return { _scroll_id: scrollId, ...searchResponse(Date.now(), ctx.targets, ctx.total, page, ctx.render) };
}

// ---------------------------------------------------------------------------------------------
// Admin (/_contract/*)

const FAULT_KEYS = ['rejectIds', 'rejectEveryNth', 'failRequests', 'dropConnections', 'slowMs', 'reject4xxIds'];

/** Validates a fault set; every problem is listed in one 400. */
function parseFaults(input) {
  const problems = [];
  const next = emptyFaults();
  const isObj = (x) => x !== null && typeof x === 'object' && !Array.isArray(x);
  const posInt = (x) => Number.isInteger(x) && x > 0;
  const status = (x) => Number.isInteger(x) && x >= 400 && x <= 599;
  if (!isObj(input)) problems.push('body must be a JSON object');
  for (const key of Object.keys(isObj(input) ? input : {})) if (!FAULT_KEYS.includes(key)) problems.push(`unknown fault [${key}]; known: ${FAULT_KEYS.join(', ')}`);
  const f = isObj(input) ? input : {};
  if (f.rejectIds !== undefined) {
    for (const [id, spec] of Object.entries(isObj(f.rejectIds) ? f.rejectIds : {})) {
      const s = spec?.status ?? 429;
      const times = spec?.times ?? 1;
      if (!status(s) || !posInt(times)) problems.push(`rejectIds[${id}] needs status 400-599 and times >= 1`);
      next.rejectIds[id] = { status: s, times };
    }
  }
  if (f.rejectEveryNth !== undefined) {
    const { n, status: s = 429, times = Number.POSITIVE_INFINITY } = f.rejectEveryNth ?? {};
    if (!posInt(n) || !status(s) || !(times === Number.POSITIVE_INFINITY || posInt(times))) problems.push('rejectEveryNth needs n >= 1, status 400-599, times >= 1');
    next.rejectEveryNth = { n, status: s, times };
  }
  if (f.failRequests !== undefined) {
    const { status: s = 503, times = 1 } = f.failRequests ?? {};
    if (!status(s) || !posInt(times)) problems.push('failRequests needs status 400-599 and times >= 1');
    next.failRequests = { status: s, times };
  }
  if (f.dropConnections !== undefined) {
    const { times = 1 } = f.dropConnections ?? {};
    if (!posInt(times)) problems.push('dropConnections needs times >= 1');
    next.dropConnections = { times };
  }
  if (f.slowMs !== undefined) {
    const { ms, times = 1 } = f.slowMs ?? {};
    if (!(Number.isFinite(ms) && ms >= 0) || !posInt(times)) problems.push('slowMs needs ms >= 0 and times >= 1');
    next.slowMs = { ms, times };
  }
  if (f.reject4xxIds !== undefined) {
    for (const [id, s] of Object.entries(isObj(f.reject4xxIds) ? f.reject4xxIds : {})) {
      if (!(Number.isInteger(s) && s >= 400 && s <= 499)) problems.push(`reject4xxIds[${id}] must be a 4xx status`);
      next.reject4xxIds[id] = s;
    }
  }
  if (problems.length > 0) throw new EsError(400, 'contract_faults_invalid', problems.join('; '));
  return next;
}

/** The faults with remaining counts; an unlimited `times` shows as null (JSON has no Infinity). */
function faultsView() {
  return JSON.parse(JSON.stringify(faults));
}

/** Documents of an index/alias/pattern; a missing name dumps as [] (convenient in tests). */
function dumpIndex(name) {
  const targets = resolveRead(name, true);
  const out = [];
  for (const index of targets) {
    for (const [id, doc] of index.docs) {
      const entry = { _index: index.name, _id: id, _source: viewOf(doc) };
      if (doc.routing !== undefined) entry.routing = doc.routing;
      if (!keepSources) entry.sha256 = doc.sha256;
      out.push(entry);
    }
  }
  return out.sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : a._index < b._index ? -1 : 1));
}

async function handleAdmin(req, res, parts, url) {
  const route = `${req.method} ${parts.slice(1).join('/')}`;
  switch (route) {
    case 'GET dump': {
      const index = url.searchParams.get('index');
      if (!index) throw new EsError(400, 'illegal_argument_exception', 'dump needs ?index=NAME');
      return send(res, 200, dumpIndex(index));
    }
    case 'GET stats':
      return send(res, 200, { ...stats, docs: Object.fromEntries([...indices].map(([n, i]) => [n, i.docs.size])) });
    case 'GET requests':
      return send(res, 200, requestLog);
    case 'GET faults':
      return send(res, 200, faultsView());
    case 'POST faults':
    case 'PUT faults':
      faults = parseFaults(parseJsonBody(await readBody(req)));
      everyNthCounter = 0;
      return send(res, 200, faultsView());
    case 'DELETE faults':
      faults = emptyFaults();
      everyNthCounter = 0;
      return send(res, 200, { acknowledged: true });
    case 'POST clear':
      indices.clear();
      scrolls.clear();
      aliases.clear();
      faults = emptyFaults();
      everyNthCounter = 0;
      stats = emptyStats();
      requestLog = [];
      return send(res, 200, { acknowledged: true });
    default:
      throw new EsError(400, 'illegal_argument_exception', `no contract admin endpoint ${req.method} /${parts.join('/')}`);
  }
}

// ---------------------------------------------------------------------------------------------
// REST routing

function checkCompat(req) {
  const allowed = [major, major - 1];
  for (const header of ['accept', 'content-type']) {
    const m = /compatible-with=(\d+)/.exec(req.headers[header] ?? '');
    if (m && !allowed.includes(Number(m[1]))) {
      const name = header === 'accept' ? 'Accept' : 'Content-Type';
      throw new EsError(400, 'media_type_header_exception', 'Invalid media-type value on headers [Accept, Content-Type]', {
        caused_by: { type: 'status_exception', reason: `${name} version must be either version ${major} or ${major - 1}, but found ${m[1]}. ${name}=${req.headers[header]}` },
      });
    }
  }
}

/** Normalised endpoint name for stats: index names become {index}, ids {id}. */
function endpointOf(method, parts) {
  const shape = parts.map((p, i) => (p.startsWith('_') ? p : i === 0 ? '{index}' : parts[i - 1] === '_alias' || parts[i - 1] === '_aliases' ? '{name}' : '{id}'));
  return `${method} /${shape.join('/')}`;
}

async function handle(req, res) {
  const url = new URL(req.url ?? '/', 'http://contract');
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === '_contract') return handleAdmin(req, res, parts, url);

  const endpoint = endpointOf(req.method, parts);
  bump(stats.requests, endpoint);
  const logEntry = { method: req.method, path: url.pathname, endpoint };
  requestLog.push(logEntry);
  if (requestLog.length > REQUEST_LOG_LIMIT) requestLog.shift();
  res.on('finish', () => (logEntry.status = res.statusCode));

  if (expectedAuth !== undefined && req.headers.authorization !== expectedAuth) {
    const reason = req.headers.authorization ? 'unable to authenticate with provided credentials and anonymous access is not allowed for this request' : 'missing authentication credentials for REST request [' + url.pathname + ']';
    throw new EsError(401, 'security_exception', reason, { header: { 'WWW-Authenticate': ['ApiKey', 'Basic realm="security", charset="UTF-8"'] } });
  }
  if (options.strictCompat) checkCompat(req);

  const q = url.searchParams;
  const [first, second, third] = parts;
  const m = req.method;
  const readJson = async () => parseJsonBody(await readBody(req));

  if (parts.length === 0) {
    if (m === 'GET' || m === 'HEAD') {
      return send(res, 200, {
        name: 'contract-node', cluster_name: 'es-contract', cluster_uuid: 'contract-cluster-uuid',
        version: { number: version, build_flavor: 'default', build_type: 'docker', lucene_version: '9.11.1', minimum_wire_compatibility_version: '7.17.0', minimum_index_compatibility_version: '7.0.0' },
        tagline: 'You Know, for Search',
      });
    }
  }
  if (first === '_bulk' || second === '_bulk') return bulkEndpoint(req, res, first === '_bulk' ? undefined : first, q, logEntry);
  if (first === '_cluster' && second === 'health') return send(res, 200, { cluster_name: 'es-contract', status: 'green', timed_out: false, number_of_nodes: 1 });
  if (first === '_aliases' && m === 'POST') {
    const body = await readJson();
    for (const action of asArray(body.actions)) {
      const [kind, spec] = Object.entries(action)[0] ?? [];
      const names = [...asArray(spec?.index), ...asArray(spec?.indices)];
      const aliasNames = [...asArray(spec?.alias), ...asArray(spec?.aliases)];
      if (kind === 'remove_index') {
        for (const n of names) deleteIndex(n);
        continue;
      }
      if (kind !== 'add' && kind !== 'remove') throw new EsError(400, 'illegal_argument_exception', `unsupported alias action [${kind}]`);
      for (const n of names) for (const a of aliasNames) (kind === 'add' ? addAlias : removeAlias)(n, a);
    }
    return send(res, 200, { acknowledged: true, errors: false });
  }
  if (first === '_alias' || first === '_aliases' || second === '_alias' || second === '_aliases') {
    const indexExpr = first.startsWith('_') ? undefined : first;
    const name = first.startsWith('_') ? second : third;
    if ((m === 'PUT' || m === 'POST') && indexExpr && name) {
      for (const idx of resolveRead(indexExpr)) addAlias(idx.name, name);
      return send(res, 200, { acknowledged: true, errors: false });
    }
    if (m === 'DELETE' && indexExpr && name) {
      for (const idx of resolveRead(indexExpr)) removeAlias(idx.name, name);
      return send(res, 200, { acknowledged: true, errors: false });
    }
    if (m === 'GET' || m === 'HEAD') {
      const re = name ? globToRegExp(name) : /^/;
      const scope = indexExpr ? new Set(resolveRead(indexExpr).map((i) => i.name)) : undefined;
      const out = {};
      for (const [alias, set] of aliases) {
        if (!re.test(alias)) continue;
        for (const n of set) if (!scope || scope.has(n)) (out[n] ??= { aliases: {} }).aliases[alias] = {};
      }
      if (!name && scope) for (const n of scope) out[n] ??= { aliases: {} };
      if (name && Object.keys(out).length === 0) return send(res, 404, { error: `alias [${name}] missing`, status: 404 });
      return send(res, 200, out);
    }
  }
  if (first === '_mget' || second === '_mget') {
    const body = await readJson();
    const defaultIndex = first === '_mget' ? undefined : first;
    const specs = body.docs ?? asArray(body.ids).map((id) => ({ _id: id }));
    const docs = specs.map((spec) => {
      const name = spec._index ?? defaultIndex;
      const id = String(spec._id);
      let targets;
      try {
        targets = resolveRead(name);
      } catch (err) {
        return { _index: name, _id: id, error: err.body().error };
      }
      for (const index of targets) {
        const doc = index.docs.get(id);
        if (doc) {
          const out = { _index: index.name, _id: id, _version: doc.version, _seq_no: doc.seqNo, _primary_term: 1, found: true };
          if (doc.routing !== undefined) out._routing = doc.routing;
          const src = filterSource(viewOf(doc), spec._source ?? body._source);
          if (src !== undefined) out._source = src;
          return out;
        }
      }
      return { _index: targets[0]?.name ?? name, _id: id, found: false };
    });
    return send(res, 200, { docs });
  }
  if (first === '_search' && second === 'scroll') {
    const body = await readJson();
    if (m === 'DELETE') {
      const ids = third ? third.split(',') : asArray(body.scroll_id);
      const freed = ids.filter((id) => id === '_all' || scrolls.has(id)).length;
      if (ids.includes('_all')) scrolls.clear();
      for (const id of ids) scrolls.delete(id);
      return send(res, 200, { succeeded: true, num_freed: freed });
    }
    return send(res, 200, handleScroll(third ?? body.scroll_id ?? q.get('scroll_id')));
  }
  if (first === '_search' || second === '_search') {
    const body = await readJson();
    return send(res, 200, handleSearch(resolveRead(first === '_search' ? undefined : first, q.get('ignore_unavailable') === 'true'), body, q));
  }
  if (first === '_count' || second === '_count') {
    const body = await readJson();
    const targets = resolveRead(first === '_count' ? undefined : first);
    return send(res, 200, { count: matching(targets, body.query).length, _shards: { total: targets.length, successful: targets.length, skipped: 0, failed: 0 } });
  }
  if (first === '_refresh' || second === '_refresh') {
    const targets = resolveRead(first === '_refresh' ? undefined : first);
    return send(res, 200, { _shards: { total: targets.length, successful: targets.length, failed: 0 } });
  }
  if (second === '_delete_by_query' && m === 'POST') {
    const body = await readJson();
    const t0 = Date.now();
    const hits = matching(resolveRead(first), body.query);
    for (const h of hits) h.index.docs.delete(h.id);
    return send(res, 200, { took: Date.now() - t0, timed_out: false, total: hits.length, deleted: hits.length, batches: 1, version_conflicts: 0, noops: 0, retries: { bulk: 0, search: 0 }, failures: [] });
  }
  if (second === '_mapping' || second === '_mappings') {
    if (m === 'GET') return send(res, 200, Object.fromEntries(resolveRead(first).map((i) => [i.name, { mappings: i.mappings }])));
    const body = await readJson();
    for (const index of resolveRead(first)) {
      index.mappings = { ...index.mappings, ...body, properties: { ...(index.mappings.properties ?? {}), ...(body.properties ?? {}) } };
      index.vectors = collectVectors(index.mappings.properties, [], []);
    }
    return send(res, 200, { acknowledged: true });
  }
  if (second === '_doc' || second === '_create' || second === '_update' || second === '_source') return docEndpoint(req, res, parts, q);
  if (parts.length === 1 && !first.startsWith('_')) {
    if (m === 'PUT') {
      createIndex(first, await readJson());
      return send(res, 200, { acknowledged: true, shards_acknowledged: true, index: first });
    }
    if (m === 'HEAD') return send(res, indices.has(first) || aliases.has(first) || resolveRead(first, true).length > 0 ? 200 : 404, undefined);
    if (m === 'GET') {
      const targets = resolveRead(first);
      return send(res, 200, Object.fromEntries(targets.map((i) => [i.name, { aliases: aliasesOf(i.name), mappings: i.mappings, settings: { index: { ...(i.settings.index ?? i.settings), provided_name: i.name, uuid: 'contract', number_of_shards: '1', number_of_replicas: '1' } } }])));
    }
    if (m === 'DELETE') {
      for (const name of first.split(',')) deleteIndex(name);
      return send(res, 200, { acknowledged: true });
    }
  }
  throw new EsError(400, 'illegal_argument_exception', `no handler found for uri [${url.pathname}] and method [${m}] (not implemented by the contract server)`);
}

function deleteIndex(name) {
  if (!indices.has(name)) throw indexNotFound(name);
  indices.delete(name);
  for (const [alias, set] of aliases) {
    set.delete(name);
    if (set.size === 0) aliases.delete(alias);
  }
}

async function docEndpoint(req, res, parts, q) {
  const [indexName, kind, rawId] = parts;
  const m = req.method;
  const id = rawId ?? newId();
  const routing = q.get('routing') ?? undefined;
  const result = (index, { status, ...r }) => send(res, status, { _index: index.name, _id: id, ...r });
  if ((kind === '_doc' || kind === '_source') && (m === 'GET' || m === 'HEAD')) {
    const [index] = resolveRead(indexName);
    const doc = index?.docs.get(id);
    if (!doc) return send(res, 404, { _index: index?.name ?? indexName, _id: id, found: false });
    if (kind === '_source') return send(res, 200, viewOf(doc));
    return send(res, 200, { _index: index.name, _id: id, _version: doc.version, _seq_no: doc.seqNo, _primary_term: 1, found: true, ...(doc.routing !== undefined ? { _routing: doc.routing } : {}), _source: viewOf(doc) });
  }
  if (kind === '_doc' && m === 'DELETE') {
    const index = resolveWrite(indexName, false);
    return result(index, applyWrite('delete', index, id, undefined, routing));
  }
  if (m === 'PUT' || m === 'POST') {
    const raw = await readBody(req);
    const body = parseJsonBody(raw);
    const op = kind === '_create' || q.get('op_type') === 'create' ? 'create' : kind === '_update' ? 'update' : 'index';
    const index = resolveWrite(indexName);
    const payload = op === 'update' ? body : (target) => (validateSource(target, id, body), entryFromObject(body, raw));
    return result(index, applyWrite(op, index, id, payload, routing));
  }
  throw new EsError(405, 'method_not_allowed', `Incorrect HTTP method for uri [/${parts.join('/')}] and method [${m}]`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function bulkEndpoint(req, res, pathIndex, q, logEntry) {
  if (req.method !== 'POST' && req.method !== 'PUT') throw new EsError(405, 'method_not_allowed', `Incorrect HTTP method for uri [${req.url}] and method [${req.method}], allowed: [POST, PUT]`);
  const buf = await readBody(req);
  stats.bulkRequests++;
  stats.bulkBytes += buf.length;
  logEntry.bytes = buf.length;
  if (faults.dropConnections && faults.dropConnections.times > 0) {
    faults.dropConnections.times--;
    fired('dropConnections');
    logEntry.dropped = true;
    req.socket.destroy();
    return;
  }
  if (faults.failRequests && faults.failRequests.times > 0) {
    faults.failRequests.times--;
    fired('failRequests');
    const s = faults.failRequests.status;
    if (s === 429) throw new EsError(429, 'es_rejected_execution_exception', 'rejected execution of bulk request (contract fault failRequests)');
    if (s === 503) throw new EsError(503, 'cluster_block_exception', 'blocked by: [SERVICE_UNAVAILABLE/2/no master]; (contract fault failRequests)');
    throw new EsError(s, 'exception', `bulk request failed (contract fault failRequests, status ${s})`);
  }
  // Items are applied before a slow answer: a real cluster may have applied them even when the
  // client has already timed out and will retry.
  const result = handleBulk(buf, pathIndex, q);
  logEntry.items = result.items.length;
  if (faults.slowMs && faults.slowMs.times > 0) {
    faults.slowMs.times--;
    fired('slowMs');
    await sleep(faults.slowMs.ms);
  }
  if (!res.destroyed) send(res, 200, result);
}

// ---------------------------------------------------------------------------------------------
// Server

async function onRequest(req, res) {
  try {
    await handle(req, res);
  } catch (err) {
    if (res.headersSent || res.destroyed) return;
    if (err instanceof EsError) {
      const extra = err.extra.header ? { 'www-authenticate': err.extra.header['WWW-Authenticate'].join(', ') } : {};
      send(res, err.status, err.body(), extra);
    } else {
      send(res, 500, new EsError(500, 'contract_server_bug', String(err?.stack ?? err)).body());
    }
  }
}

function tlsOptions() {
  const t = options.tls;
  if (!t) return undefined;
  return { cert: t.cert ?? readFileSync(t.certFile, 'utf8'), key: t.key ?? readFileSync(t.keyFile, 'utf8') };
}

const tls = tlsOptions();
const server = tls ? https.createServer(tls, onRequest) : http.createServer(onRequest);
// Longer than any client's idle keep-alive, so the client never reuses a socket we just closed.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.requestTimeout = 0;
server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
  const { port } = server.address();
  const message = { type: 'listening', port, url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}` };
  if (process.send) process.send(message);
  else process.stdout.write(`${JSON.stringify(message)}\n`);
});

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('message', (m) => {
  if (m === 'stop' || m?.type === 'stop') stop();
});
// The parent died or let go of us: never outlive it.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', stop);
