import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { createRegistry } from '@baton/metrics';
import { readSample } from '@baton/testing';
import { countRequests } from '../src/routes/metrics-route.ts';

test('the api\'s requests counted by route template in its registry; no /metrics route on the api\'s own listener', async () => {
  const registry = createRegistry({ service: 'api', defaultMetrics: false });
  const app = Fastify();
  countRequests(app, registry);
  app.get('/baton/api/cluster/:alias', async () => ({ ok: true }));
  await app.ready();
  try {
    assert.equal((await app.inject({ url: '/baton/api/cluster/orders' })).statusCode, 200);
    assert.equal((await app.inject({ url: '/nowhere' })).statusCode, 404);
    assert.equal((await app.inject({ url: '/baton/metrics' })).statusCode, 404, 'metrics are served on 127.0.0.1 at api.metricsPort only');
    const body = await registry.metrics();
    assert.match(registry.contentType, /^text\/plain/);
    assert.equal(readSample(body, 'baton_api_requests_total', { service: 'api', route: '/baton/api/cluster/:alias', method: 'GET', status_code: '200' }), 1);
    assert.equal(readSample(body, 'baton_api_requests_total', { route: 'unmatched', status_code: '404' }), 2);
    assert.doesNotMatch(body, /orders/, 'no cluster names in labels');
  } finally {
    await app.close();
  }
});
