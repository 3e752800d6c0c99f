import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { FormTextBudget } from '../form-text-budget.js';
import { HttpError } from '../http-error.js';
import type { LdoService } from '../ldo-service.js';
import type { ServerMetrics } from '../server-metrics.js';

/** `POST /ingest/ldo`: multipart `metadata` (required) and `video` (optional), in either order. */
export function registerUploadRoute(app: FastifyInstance, service: LdoService, metrics: ServerMetrics): void {
  app.post('/ingest/ldo', async (request, reply) => {
    const started = performance.now();
    const session = service.begin();
    const budget = new FormTextBudget(service.limits.maxMetadataBytes, () => metadataTooLarge(service.limits.maxMetadataBytes));
    const parts = request.parts();
    try {
      for (;;) {
        const next = parts.next();
        budget.watch(request.raw); // after the first next(): the parser now reads the request
        const step = await Promise.race([next, budget.exceeded]);
        if (step.done === true) break;
        const part = step.value;
        if (part.type === 'file' && part.fieldname === 'video') {
          await budget.whileVideo(() => session.putVideo(part.file, part.mimetype, part.filename));
        } else if (part.type === 'file' && part.fieldname === 'metadata') {
          session.setMetadata(await readSmall(part.file, service.limits.maxMetadataBytes));
        } else if (part.type === 'file') {
          part.file.resume();
          throw new HttpError('unexpected_field', `unexpected file field "${part.fieldname}": send only "metadata" and "video"`);
        } else if (part.fieldname === 'metadata') {
          if (part.valueTruncated) throw metadataTooLarge(service.limits.maxMetadataBytes);
          session.setMetadata(typeof part.value === 'string' ? part.value : JSON.stringify(part.value));
        } else {
          throw new HttpError('unexpected_field', `unexpected field "${part.fieldname}": send only "metadata" and "video"`);
        }
      }
      budget.stop();
      const key = request.headers['idempotency-key'];
      const result = await session.finish(typeof key === 'string' && key !== '' ? key.slice(0, 200) : undefined);
      metrics.uploaded(result.replayed, result.entry.sizeBytes, (performance.now() - started) / 1000);
      if (result.replayed) void reply.header('idempotent-replayed', 'true');
      return { id: result.entry.id, status: result.entry.status, size_bytes: result.entry.sizeBytes };
    } catch (err) {
      budget.stop();
      await session.abort().catch((cleanupErr: unknown) => request.log.error({ err: cleanupErr }, 'cleanup of a failed upload failed'));
      throw err;
    }
  });
}

function metadataTooLarge(max: number): HttpError {
  return new HttpError('metadata_too_large', `metadata is over ${max} bytes (--max-metadata-kb)`);
}

/** Reads a metadata file part, refusing more than `max` bytes. */
async function readSmall(stream: Readable, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) {
      stream.resume();
      throw metadataTooLarge(max);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
