import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { createRegistry, readSample } from '@baton/metrics';
import { registerMetricsRoute } from '../src/routes/metrics-route.ts';

test('GET <urlPrefix>/metrics: text exposition with the api\'s requests by route template', async () => {
  const app = Fastify();
  registerMetricsRoute(app, '/baton', createRegistry({ service: 'api', defaultMetrics: false }));
  app.get('/baton/api/cluster/:alias', async () => ({ ok: true }));
  await app.ready();
  try {
    assert.equal((await app.inject({ url: '/baton/api/cluster/orders' })).statusCode, 200);
    assert.equal((await app.inject({ url: '/nowhere' })).statusCode, 404);
    const response = await app.inject({ url: '/baton/metrics' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain/);
    assert.equal(readSample(response.body, 'baton_api_requests_total', { service: 'api', route: '/baton/api/cluster/:alias', method: 'GET', status_code: '200' }), 1);
    assert.equal(readSample(response.body, 'baton_api_requests_total', { route: 'unmatched', status_code: '404' }), 1);
    assert.doesNotMatch(response.body, /orders/, 'no cluster names in labels');
  } finally {
    await app.close();
  }
});
