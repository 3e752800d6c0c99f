import type { FastifyInstance } from 'fastify';
import type { ServerMetrics } from '../server-metrics.js';

/** `GET /health` (open, for probes) and `GET /metrics` (Prometheus text). */
export function registerAdminRoutes(app: FastifyInstance, metrics: ServerMetrics): void {
  app.get('/health', async () => ({ status: 'healthy' }));
  app.get('/metrics', async (_request, reply) => {
    void reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
