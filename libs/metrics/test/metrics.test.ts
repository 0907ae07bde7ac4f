import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSample as sample } from '@baton/testing';
import { Counter, consumerLagMetric, createRegistry, createServiceHealth, durationBucketsSeconds, Histogram, serveServiceMetrics, startMetricsServer } from '../src/index.ts';


test('a registry labels every series with its service and carries the default process metrics', async () => {
  const registry = createRegistry({ service: 'detector' });
  const probes = new Counter({ name: 'baton_test_probes_total', help: 'Probes.', labelNames: ['outcome'], registers: [registry] });
  probes.inc({ outcome: 'ok' }, 2);
  const [contentType, body] = [registry.contentType, await registry.metrics()];
  assert.match(contentType, /^text\/plain/);
  assert.equal(sample(body, 'baton_test_probes_total', { outcome: 'ok', service: 'detector' }), 2);
  assert.notEqual(sample(body, 'process_cpu_user_seconds_total', { service: 'detector' }), undefined);
  assert.notEqual(sample(body, 'nodejs_eventloop_lag_seconds', { service: 'detector' }), undefined);
});

test('two registries in one process do not share series (the pipeline runs every service in-process)', async () => {
  const a = createRegistry({ service: 'analyzer', defaultMetrics: false });
  const b = createRegistry({ service: 'hook-runner', defaultMetrics: false });
  new Counter({ name: 'baton_same_total', help: 'Same name.', registers: [a] }).inc();
  new Counter({ name: 'baton_same_total', help: 'Same name.', registers: [b] });
  assert.equal(sample(await a.metrics(), 'baton_same_total', { service: 'analyzer' }), 1);
  assert.equal(sample(await b.metrics(), 'baton_same_total', { service: 'hook-runner' }), 0);
  assert.doesNotMatch(await a.metrics(), /process_cpu/);
});

test('GET /metrics over real HTTP on port 0: the text exposition; other paths 404, other methods 405', async () => {
  const registry = createRegistry({ service: 'recovery-executor' });
  const phases = new Histogram({ name: 'baton_test_phase_duration_seconds', help: 'Phases.', labelNames: ['phase'], buckets: [...durationBucketsSeconds], registers: [registry] });
  phases.observe({ phase: 'claim_to_promoted' }, 0.3);
  const server = await startMetricsServer({ registry, port: 0 });
  try {
    assert.ok(server.port > 0);
    assert.equal(server.url, `http://127.0.0.1:${server.port}/metrics`);
    const response = await fetch(server.url);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const body = await response.text();
    assert.match(body, /^# TYPE baton_test_phase_duration_seconds histogram$/m);
    const phase = { phase: 'claim_to_promoted', service: 'recovery-executor' };
    assert.equal(sample(body, 'baton_test_phase_duration_seconds_bucket', { ...phase, le: '0.25' }), 0);
    assert.equal(sample(body, 'baton_test_phase_duration_seconds_bucket', { ...phase, le: '0.5' }), 1);
    assert.equal(sample(body, 'baton_test_phase_duration_seconds_count', phase), 1);
    assert.equal(sample(body, 'baton_test_phase_duration_seconds_sum', phase), 0.3);
    assert.notEqual(sample(body, 'process_resident_memory_bytes', { service: 'recovery-executor' }), undefined);

    assert.equal((await fetch(`http://127.0.0.1:${server.port}/metrics?x=1`)).status, 200, 'a query string is ignored');
    const head = await fetch(server.url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    const other = await fetch(`http://127.0.0.1:${server.port}/`);
    assert.equal(other.status, 404);
    await other.text();
    const post = await fetch(server.url, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    await post.text();
  } finally {
    await server.close();
  }
  await server.close(); // idempotent
  await assert.rejects(fetch(server.url), 'closed');
});

test('a collect failure answers 500, and the server keeps serving', async () => {
  const registry = createRegistry({ service: 'api', defaultMetrics: false });
  let fail = true;
  new Counter({
    name: 'baton_flaky_total',
    help: 'Fails once.',
    registers: [registry],
    collect() {
      if (fail) throw new Error('boom');
    },
  });
  const warnings: unknown[] = [];
  const logger = { warn: (o: unknown) => warnings.push(o), info: () => undefined } as unknown as Parameters<typeof startMetricsServer>[0]['logger'];
  const server = await startMetricsServer({ registry, port: 0, ...(logger ? { logger } : {}) });
  try {
    const failed = await fetch(server.url);
    assert.equal(failed.status, 500);
    await failed.text();
    assert.equal(warnings.length, 1);
    fail = false;
    const ok = await fetch(server.url);
    assert.equal(ok.status, 200);
    assert.equal(sample(await ok.text(), 'baton_flaky_total', { service: 'api' }), 0);
  } finally {
    await server.close();
  }
});

test('port 0 in the configuration means off; a port in use is an error at start', async () => {
  const registry = createRegistry({ service: 'analyzer', defaultMetrics: false });
  const closers: Array<{ name: string; run: () => Promise<void> | void }> = [];
  assert.equal(await serveServiceMetrics({ registry, port: 0, closers }), undefined);
  assert.deepEqual(closers, [], 'off: nothing to stop');
  const first = await startMetricsServer({ registry, port: 0 });
  try {
    const second = await serveServiceMetrics({ registry, port: first.port, closers });
    await second?.close();
    assert.fail('a second server on the same port started');
  } catch (error) {
    assert.equal((error as NodeJS.ErrnoException).code, 'EADDRINUSE');
  } finally {
    await first.close();
  }
});

test('GET /health/live and /health/ready over real HTTP: 200 while every check passes, 503 with the failing checks\' reasons', async () => {
  const registry = createRegistry({ service: 'hook-runner', defaultMetrics: false });
  const health = createServiceHealth('hook-runner');
  const start = health.gate('start', 'starting');
  let consumer: string | null = 'consumer g1 has not joined its group yet';
  health.readiness('hook-request consumer', () => consumer);
  health.readiness('throws', () => {
    if (consumer === 'boom') throw new Error('bad check');
    return null;
  });
  const server = await startMetricsServer({ registry, port: 0, health });
  const get = async (path: string, method = 'GET') => {
    const response = await fetch(`http://127.0.0.1:${server.port}${path}`, { method });
    const text = await response.text();
    return { status: response.status, type: response.headers.get('content-type') ?? '', body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
  };
  try {
    const live = await get('/health/live');
    assert.deepEqual([live.status, live.body], [200, { status: 'ok', ok: true, service: 'hook-runner', checks: {} }], 'no liveness checks: the answer itself is the proof');
    assert.match(live.type, /^application\/json/);

    const notReady = await get('/health/ready');
    assert.equal(notReady.status, 503);
    assert.equal(notReady.body?.['status'], 'unavailable');
    assert.equal(notReady.body?.['reason'], 'start: starting; hook-request consumer: consumer g1 has not joined its group yet');
    assert.deepEqual(notReady.body?.['checks'], {
      start: { ok: false, reason: 'starting' },
      'hook-request consumer': { ok: false, reason: 'consumer g1 has not joined its group yet' },
      throws: { ok: true },
    });

    start.open();
    consumer = null;
    const ready = await get('/health/ready?verbose=1');
    assert.deepEqual([ready.status, ready.body?.['status'], ready.body?.['reason']], [200, 'ok', undefined]);
    const head = await get('/health/ready', 'HEAD');
    assert.deepEqual([head.status, head.body], [200, null]);

    consumer = 'boom';
    const thrown = await get('/health/ready');
    assert.deepEqual([thrown.status, thrown.body?.['reason']], [503, 'hook-request consumer: boom; throws: check failed: bad check']);
    start.close('shutting down');
    consumer = null;
    assert.deepEqual([(await get('/health/ready')).body?.['reason']], ['start: shutting down']);

    health.liveness('heartbeat', () => 'heartbeat last stamped 7000 ms ago');
    const dead = await get('/health/live');
    assert.deepEqual([dead.status, dead.body?.['reason']], [503, 'heartbeat: heartbeat last stamped 7000 ms ago']);
    assert.equal((await fetch(`http://127.0.0.1:${server.port}/health/ready`, { method: 'POST' }).then(async (r) => [r.status, await r.text()]))[0], 405);
  } finally {
    await server.close();
  }
  const bare = await startMetricsServer({ registry, port: 0 });
  try {
    const response = await fetch(`http://127.0.0.1:${bare.port}/health/ready`);
    assert.equal(response.status, 404, 'without a health source there is none to serve');
    await response.text();
  } finally {
    await bare.close();
  }
});

test('baton_consumer_lag_messages: every source\'s partitions at each scrape; a source that fails or a scrape past the deadline keeps the last values', async () => {
  const registry = createRegistry({ service: 'analyzer', defaultMetrics: false });
  const rows = { a: [{ topic: 'baton.cluster-snapshots', partition: 0, lag: 3 }, { topic: 'baton.cluster-snapshots', partition: 1, lag: 0 }], b: [{ topic: 'baton.commands', partition: 0, lag: 1 }] };
  let mode: 'ok' | 'fail' | 'hang' = 'ok';
  const lag = consumerLagMetric(registry, { sources: [{ lag: async () => rows.a }], timeoutMs: 100 });
  lag.add({
    lag: async () => {
      if (mode === 'fail') throw new Error('broker away');
      if (mode === 'hang') return new Promise(() => undefined);
      return rows.b;
    },
  });
  const read = async () => {
    const body = await registry.metrics();
    return (labels: Record<string, string>) => sample(body, 'baton_consumer_lag_messages', { service: 'analyzer', ...labels });
  };
  let at = await read();
  assert.equal(at({ topic: 'baton.cluster-snapshots', partition: '0' }), 3);
  assert.equal(at({ topic: 'baton.cluster-snapshots', partition: '1' }), 0);
  assert.equal(at({ topic: 'baton.commands', partition: '0' }), 1);

  rows.a = [{ topic: 'baton.cluster-snapshots', partition: 1, lag: 2 }];
  mode = 'fail';
  at = await read();
  assert.equal(at({ topic: 'baton.cluster-snapshots', partition: '0' }), undefined, 'a partition no longer held is gone');
  assert.equal(at({ topic: 'baton.cluster-snapshots', partition: '1' }), 2);
  assert.equal(at({ topic: 'baton.commands', partition: '0' }), 1, 'the failing source keeps its last value');

  mode = 'hang';
  rows.a = [];
  at = await read();
  assert.equal(at({ topic: 'baton.cluster-snapshots', partition: '1' }), 2, 'past the deadline every last value stands');
});
