import { applyWrite, entryFromLine, newId } from './documents.mjs';
import { faults, holdRequest, itemFault } from './faults.mjs';
import { resolveWrite } from './indices.mjs';
import { EsError, readBodyChunks, send } from './protocol.mjs';
import { bump, fired, stats } from './stats.mjs';

// ---------------------------------------------------------------------------------------------
// Bulk

const BULK_ACTIONS = new Set(['index', 'create', 'delete', 'update']);

/**
 * Splits NDJSON arriving in chunks into lines (a trailing \r dropped, blank lines skipped). A line
 * inside one chunk is a view of it; only a line across chunks is copied together.
 */
function splitLines(chunks) {
  const lines = [];
  let pieces = [];
  for (const chunk of chunks) {
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(10, start);
      if (end === -1) {
        if (start < chunk.length) pieces.push(chunk.subarray(start));
        break;
      }
      const piece = chunk.subarray(start, end);
      if (pieces.length === 0) addLine(lines, piece);
      else {
        pieces.push(piece);
        addLine(lines, Buffer.concat(pieces));
        pieces = [];
      }
      start = end + 1;
    }
  }
  if (pieces.length > 0) addLine(lines, Buffer.concat(pieces));
  return lines;
}

function addLine(lines, line) {
  const end = line.length > 0 && line[line.length - 1] === 13 ? line.length - 1 : line.length;
  if (end > 0) lines.push(end === line.length ? line : line.subarray(0, end));
}

function handleBulk(chunks, pathIndex, query) {
  const t0 = Date.now();
  const lines = splitLines(chunks);
  const items = [];
  let errors = false;
  for (let i = 0; i < lines.length; i++) {
    let action;
    try {
      action = JSON.parse(lines[i].toString('utf8'));
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
      const line = lines[i];
      if (!line) throw new EsError(400, 'illegal_argument_exception', `The bulk request must be terminated by a newline [\\n] (missing source for action line ${i})`);
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
      const versioning = meta.version_type === undefined ? undefined : { version: meta.version, type: meta.version_type };
      item = { _index: index.name, _id: id, ...applyWrite(op, index, id, payload, routing, versioning) };
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

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function bulkEndpoint(req, res, pathIndex, q, logEntry) {
  if (req.method !== 'POST' && req.method !== 'PUT') throw new EsError(405, 'method_not_allowed', `Incorrect HTTP method for uri [${req.url}] and method [${req.method}], allowed: [POST, PUT]`);
  const chunks = await readBodyChunks(req);
  const bytes = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  stats.bulkRequests++;
  stats.bulkBytes += bytes;
  logEntry.bytes = bytes;
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
  if (faults.holdMs && faults.holdMs.times > 0) {
    faults.holdMs.times--;
    fired('holdMs');
    await holdRequest(faults.holdMs.ms);
  }
  // Items are applied before a slow answer: a real cluster may have applied them even when the
  // client has already timed out and will retry.
  const result = handleBulk(chunks, pathIndex, q);
  logEntry.items = result.items.length;
  if (faults.slowMs && faults.slowMs.times > 0) {
    faults.slowMs.times--;
    fired('slowMs');
    await sleep(faults.slowMs.ms);
  }
  if (!res.destroyed) send(res, 200, result);
}
