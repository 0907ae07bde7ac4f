/**
 * The api's requests in its Prometheus registry, by route template, method and status code (route
 * templates are a closed set; unmatched requests count as route "unmatched"). The registry is
 * served like every service's, on 127.0.0.1 at api.metricsPort (start-api.ts), never on the api's
 * own listener, which clients reach.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type Registry } from '@baton/metrics';

export function countRequests(app: FastifyInstance, registry: Registry): void {
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
}
