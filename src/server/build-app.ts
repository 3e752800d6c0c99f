import { randomUUID } from 'node:crypto';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { apiKeyCheck } from './auth.js';
import { connectionEndedError, toHttpError } from './error-mapping.js';
import type { LdoService } from './ldo-service.js';
import { registerAdminRoutes } from './routes/admin-routes.js';
import { registerReadRoutes } from './routes/read-routes.js';
import { registerUploadRoute } from './routes/upload-route.js';
import { ServerMetrics } from './server-metrics.js';
import { guardTransferRate } from './transfer-rate-guard.js';
import type { TelemetryBus } from '../core/telemetry-bus.js';

/** What the HTTP app needs besides the service. */
export interface AppOptions {
  /** The run's telemetry bus: uploads and rejections are counted on it too. */
  bus?: TelemetryBus | undefined;
  /** Accepted API keys; empty means no auth. */
  apiKeys: readonly string[];
  /** Cut off a connection idle this long, in ms. */
  idleTimeoutMs: number;
  /** Longest time to receive a whole request, in ms. */
  requestTimeoutMs: number;
  /** A request body slower than this, over each idle-timeout window, is cut off; 0: no floor. */
  minBytesPerSec: number;
  /** Open connections at most; more are closed on arrival. */
  maxConnections: number;
  /** Fastify logger options (JSON lines with the request id), or false. */
  logger: FastifyServerOptions['logger'];
}

/** The upload service's HTTP app (not listening yet). */
export async function buildApp(service: LdoService, options: AppOptions): Promise<{ app: FastifyInstance; metrics: ServerMetrics }> {
  const metrics = new ServerMetrics(options.bus);
  const app = Fastify({
    logger: options.logger,
    connectionTimeout: options.idleTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    keepAliveTimeout: 5_000,
    bodyLimit: service.limits.maxMetadataBytes + 64 * 1024,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // How often Node checks the headers and request timeouts (default 30 s, longer than our windows).
    http: { connectionsCheckingInterval: Math.max(250, Math.min(5_000, options.idleTimeoutMs / 2)) },
  });
  // A client trickling its headers a byte at a time is never idle: give it the idle timeout for all of them.
  app.server.headersTimeout = Math.min(options.idleTimeoutMs, options.requestTimeoutMs);
  app.server.maxConnections = options.maxConnections;
  app.server.on('drop', () => metrics.rejected('too_many_connections'));
  await app.register(multipart, {
    // One past each limit, so our own counters see the overflow and answer with their code.
    limits: {
      fileSize: service.limits.maxVideoBytes + 1,
      fieldSize: service.limits.maxMetadataBytes + 1,
      fieldNameSize: 100,
      files: 3,
      fields: 3,
      parts: 6,
      headerPairs: 20,
    },
    throwFileSizeLimit: false,
  });
  const checkKey = apiKeyCheck(options.apiKeys);
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    guardTransferRate(request.raw, options.minBytesPerSec, options.idleTimeoutMs);
    checkKey(request);
  });
  app.setErrorHandler(async (err, request, reply) => {
    const httpErr = connectionEndedError(request.raw) ?? toHttpError(err);
    if (httpErr.code === 'client_aborted' || httpErr.code === 'request_too_slow') {
      // Nobody is left to answer: a note in the log and a count, not an error with a stack.
      request.log.info({ code: httpErr.code, received: request.raw.socket?.bytesRead }, httpErr.message);
      metrics.rejected(httpErr.code);
      return reply.code(httpErr.statusCode).send(httpErr.toJSON());
    }
    if (httpErr.statusCode >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ code: httpErr.code }, httpErr.message);
    metrics.rejected(httpErr.code);
    // A rejected upload may still be arriving: answer, then close rather than read the rest.
    if (!request.raw.complete) void reply.header('connection', 'close');
    if (httpErr.statusCode === 503) void reply.header('retry-after', '1');
    return reply.code(httpErr.statusCode).send(httpErr.toJSON());
  });
  app.setNotFoundHandler(async (request, reply) => {
    metrics.rejected('not_found');
    return reply.code(404).send({ statusCode: 404, code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });
  registerUploadRoute(app, service, metrics);
  registerReadRoutes(app, service);
  registerAdminRoutes(app, metrics);
  return { app, metrics };
}
