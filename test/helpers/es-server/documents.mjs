import crypto from 'node:crypto';
import { vectorError } from './dense-vectors.mjs';
import { keepSources } from './options.mjs';
import { EsError } from './protocol.mjs';
import { ScanError, scanSourceLine } from './source-scanner.mjs';

// ---------------------------------------------------------------------------------------------
// Documents

// One-shot crypto.hash (Node >= 20.12) skips building a Hash object per document; older Nodes
// fall back to createHash.
const sha256 = crypto.hash ? (bytes) => crypto.hash('sha256', bytes, 'hex') : (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');

/** The stored form of a bulk source line (validated against the index mapping). */
export function entryFromLine(index, id, line) {
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
export function entryFromObject(obj, raw) {
  return keepSources ? { source: obj, scalars: scalarsOf(obj) } : { scalars: scalarsOf(obj), sha256: raw ? sha256(raw) : null };
}
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
export function viewOf(doc) {
  if (!keepSources) return doc.scalars;
  if (doc.source === undefined) {
    doc.source = JSON.parse(doc.raw.toString('utf8'));
    doc.raw = undefined;
  }
  return doc.source;
}

export function getPath(obj, path) {
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

export function validateSource(index, id, source) {
  if (!source || typeof source !== 'object' || Array.isArray(source)) throw new EsError(400, 'mapper_parsing_exception', `failed to parse: the document with id '${id}' is not a JSON object`);
  for (const v of index.vectors) {
    const value = getPath(source, v.path);
    if (value === undefined || value === null) continue;
    const ok = Array.isArray(value) && value.length === v.dims && value.every((x) => typeof x === 'number' && Number.isFinite(x));
    if (!ok) throw vectorError(v, id, JSON.stringify(value), Array.isArray(value) ? value.length : 'no array of');
  }
}

function storeDoc(index, id, entry, routing, version) {
  const prev = index.docs.get(id);
  const doc = { ...entry, routing, version: version ?? (prev?.version ?? 0) + 1, seqNo: index.seqNo++ };
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

export const newId = () => crypto.randomBytes(15).toString('base64url');

const MAX_VERSION = 9223372036854775807n;

/**
 * External versioning of an index action (`version` with `version_type` external or external_gte):
 * the version to store, or undefined for internal versioning. Throws as Elasticsearch does for an
 * older version than the stored one (409) and for a version it cannot take (400).
 */
function externalVersion(index, id, versioning) {
  const type = versioning?.type;
  if (type === undefined || type === 'internal') return undefined;
  if (type !== 'external' && type !== 'external_gte') {
    throw new EsError(400, 'illegal_argument_exception', `No version type match [${type}]`);
  }
  const v = versioning.version;
  if (!Number.isSafeInteger(v) || v < 0 || BigInt(v) > MAX_VERSION) {
    throw new EsError(400, 'action_request_validation_exception', `Validation Failed: 1: illegal version value [${v}] for version type [${type.toUpperCase()}];`);
  }
  const prev = index.docs.get(id);
  if (prev && (type === 'external' ? v <= prev.version : v < prev.version)) {
    const relation = type === 'external' ? 'higher or equal to' : 'higher than';
    throw new EsError(409, 'version_conflict_engine_exception', `[${id}]: version conflict, current version [${prev.version}] is ${relation} the one provided [${v}]`, {
      index_uuid: 'contract',
      shard: '0',
      index: index.name,
    });
  }
  return v;
}

/**
 * Applies one write. `op` is index | create | delete | update; for index/create `payload` is a
 * function index → stored entry (it validates), for update the parsed update body. `versioning`
 * (`{ version, type }`, index only) is the action's external version. Returns the item result or
 * throws an EsError that becomes the item's error.
 */
export function applyWrite(op, index, id, payload, routing, versioning) {
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
  const version = op === 'index' ? externalVersion(index, id, versioning) : undefined;
  const { doc, created } = storeDoc(index, id, payload(index), routing, version);
  return ok(created ? 201 : 200, created ? 'created' : 'updated', doc);
}
