import type { FastifyInstance, FastifyReply } from 'fastify';
import { parseByteRange } from '../byte-range.js';
import { HttpError } from '../http-error.js';
import { LDO_ID_PATTERN, summaryOf, type LdoEntry } from '../ldo-entry.js';
import type { LdoService } from '../ldo-service.js';
import { encodeCursor, listQueryOf } from './list-query.js';

/** List, status, record, video (with `Range`) and delete. */
export function registerReadRoutes(app: FastifyInstance, service: LdoService): void {
  const find = async (id: string): Promise<LdoEntry> => {
    const entry = LDO_ID_PATTERN.test(id) ? await service.get(id) : undefined;
    if (!entry) throw new HttpError('not_found', `no LDO ${JSON.stringify(id.slice(0, 100))}`);
    return entry;
  };

  app.get('/ingest/list', async (request) => {
    const query = listQueryOf(request.query as Record<string, unknown>);
    const page = await service.list(query);
    const last = page.entries.at(-1);
    return {
      total: page.total,
      ldos: page.entries.map(summaryOf),
      next_cursor: last && page.entries.length === query.limit ? encodeCursor({ createdMs: Date.parse(last.createdAt), id: last.id }) : null,
    };
  });

  app.get<{ Params: { id: string } }>('/ingest/status/:id', async (request) => summaryOf(await find(request.params.id)));

  app.get<{ Params: { id: string } }>('/ingest/ldo/:id', async (request) => {
    await find(request.params.id);
    const record = await service.record(request.params.id);
    if (!record) throw new HttpError('not_found', `the record of ${request.params.id} is missing from the store`);
    return record;
  });

  app.get<{ Params: { id: string } }>('/ingest/ldo/:id/video', async (request, reply) => {
    const entry = await find(request.params.id);
    if (!entry.video || !entry.contentType) throw new HttpError('not_found', `${entry.id} was stored without a video`);
    return sendVideo(reply, service, entry, request.headers.range);
  });

  app.delete<{ Params: { id: string } }>('/ingest/:id', async (request) => {
    const entry = await find(request.params.id);
    await service.remove(entry.id);
    return { id: entry.id, status: 'deleted' };
  });

}

async function sendVideo(reply: FastifyReply, service: LdoService, entry: LdoEntry, rangeHeader: string | undefined): Promise<FastifyReply> {
  const size = entry.sizeBytes;
  const range = parseByteRange(rangeHeader, size);
  void reply
    .header('accept-ranges', 'bytes')
    .header('content-type', entry.contentType ?? 'application/octet-stream')
    .header('content-disposition', `attachment; filename="${entry.video ?? 'video'}"`);
  if (range === 'unsatisfiable') {
    void reply.header('content-range', `bytes */${size}`);
    throw new HttpError('range_not_satisfiable', `the video has ${size} bytes`);
  }
  if (range) {
    void reply
      .code(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
      .header('content-length', range.end - range.start + 1);
  } else {
    void reply.header('content-length', size);
  }
  return reply.send(await service.openVideo(entry, range));
}
