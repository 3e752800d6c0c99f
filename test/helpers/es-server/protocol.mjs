// ES errors and responses (with filter_path), and request body reading.
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);

// ---------------------------------------------------------------------------------------------
// Errors and responses

export class EsError extends Error {
  constructor(status, type, reason, extra = {}) {
    super(reason);
    this.status = status;
    this.type = type;
    this.extra = extra;
  }
  /** `extra.root_cause` replaces the default root cause (the error itself), e.g. for shard failures. */
  body() {
    const { root_cause: rootCause, ...extra } = this.extra;
    const cause = { type: this.type, reason: this.message, ...extra };
    return { error: { root_cause: rootCause ?? [cause], ...cause }, status: this.status };
  }
}
export const indexNotFound = (name) =>
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

export function send(res, status, body, extraHeaders = {}) {
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
// Body reading: Buffers only, at most one concat, optional gzip/deflate.

/**
 * The request body as the chunks it arrived in (one chunk when it was compressed). _bulk splits
 * its lines across them, so a 1 MB body is not copied once more only to be cut into lines.
 */
export async function readBodyChunks(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const encoding = (req.headers['content-encoding'] ?? '').toLowerCase();
  if (encoding === 'gzip') return [await gunzip(joinChunks(chunks))];
  if (encoding === 'deflate') return [await inflate(joinChunks(chunks))];
  return chunks;
}

const joinChunks = (chunks) => (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));

export async function readBody(req) {
  return joinChunks(await readBodyChunks(req));
}

export function parseJsonBody(buf) {
  if (buf.length === 0) return {};
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (err) {
    throw new EsError(400, 'parse_exception', `request body is not valid JSON: ${err.message}`);
  }
}
