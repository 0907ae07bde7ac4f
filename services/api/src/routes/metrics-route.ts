/**
 * GET <urlPrefix>/metrics on the api's own fastify app: the Prometheus text exposition of this
 * process's registry (default process metrics, service="api") and the api's requests by route
 * template, method and status code (route templates are a closed set; unmatched requests count as
 * route "unmatched"). Like /api/health it needs no token.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, createRegistry, Histogram, type Registry } from '@baton/metrics';

export function registerMetricsRoute(app: FastifyInstance, urlPrefix: string, registry: Registry = createRegistry({ service: 'api' })): Registry {
  const registers = [registry];
  const requests = new Counter({ name: 'baton_api_requests_total', help: 'HTTP requests answered, by route template, method and status code.', labelNames: ['route', 'method', 'status_code'], registers });
  const duration = new Histogram({
    name: 'baton_api_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route template.',
    labelNames: ['route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ route, method: request.method, status_code: String(reply.statusCode) });
    duration.observe({ route }, reply.elapsedTime / 1000);
  });
  app.get(`${urlPrefix}/metrics`, { schema: { hide: true } }, async (_request, reply) => {
    const body = await registry.metrics();
    return reply.type(registry.contentType).send(body);
  });
  return registry;
}
