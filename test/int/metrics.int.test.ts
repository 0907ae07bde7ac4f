/**
 * The executor's Prometheus metrics through a real failover: a 1+2 MariaDB topology watched by
 * the pipeline in-process (detector → analyzer → recovery executor), its primary killed, and the
 * executor's GET /metrics (recovery.metricsPort, a free port) scraped over HTTP once the recovery
 * resolved: one recovery counted with outcome successful, every phase duration observed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readSample } from '@baton/testing';
import { allocatePorts, waitFor, withTopology, type PortBlock } from '@baton/testing';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';

const admin = { user: 'baton', password: 'baton-pass' };
let pipeline: Pipeline;
let ports: PortBlock;

before(async () => {
  ports = await allocatePorts(1);
  pipeline = await startPipeline({
    admin,
    label: 'metrics',
    executors: 1,
    env: {
      BATON__RECOVERY__RECOVER_MASTER_CLUSTER_FILTERS: '["*"]',
      BATON__RECOVERY__METRICS_PORT: String(ports.first),
    },
  });
});
after(async () => {
  await pipeline?.stop();
  ports?.release();
});

const scrape = async (): Promise<string> => {
  const response = await fetch(`http://127.0.0.1:${ports.first}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
  return response.text();
};

test('a real failover is counted on the executor\'s /metrics: outcome successful, phase durations observed', async (t) => {
  const before = await scrape();
  const service = { service: 'recovery-executor' };
  assert.equal(readSample(before, 'baton_recoveries_total', { ...service, outcome: 'successful' }), 0, 'outcomes are exposed at 0 before any recovery');
  assert.notEqual(readSample(before, 'process_cpu_user_seconds_total', service), undefined, 'default process metrics');

  const topology = await withTopology(t, { replicas: 2 });
  await pipeline.register(topology, 'metrics');
  const killedAt = Date.now();
  await topology.primary.kill();
  const resolved = await pipeline.waitForEvent((e) => e.clusterId === 'metrics' && e.step === 'resolved', { afterMs: killedAt, timeoutMs: 60_000, description: 'a resolved recovery of metrics' });
  assert.equal(resolved.status, 'succeeded', JSON.stringify(resolved.details));

  let body = '';
  await waitFor(async () => (readSample((body = await scrape()), 'baton_recoveries_total', { ...service, outcome: 'successful' }) ?? 0) >= 1, {
    description: 'the recovery counted as successful',
    timeoutMs: 10_000,
  });
  assert.equal(readSample(body, 'baton_recoveries_total', { ...service, outcome: 'successful' }), 1);
  assert.equal(readSample(body, 'baton_recoveries_total', { ...service, outcome: 'failed' }), 0);
  for (const phase of ['detection_to_claim', 'claim_to_promoted', 'promoted_to_resolved', 'total']) {
    assert.equal(readSample(body, 'baton_recovery_phase_duration_seconds_count', { ...service, phase }), 1, `phase ${phase} observed once`);
    const seconds = readSample(body, 'baton_recovery_phase_duration_seconds_sum', { ...service, phase }) ?? -1;
    assert.ok(seconds >= 0 && seconds < 60, `phase ${phase}: ${seconds} s`);
    t.diagnostic(`${phase}: ${seconds.toFixed(3)} s`);
  }
  assert.ok((readSample(body, 'baton_recovery_steps_total', { ...service, status: 'succeeded' }) ?? 0) >= 5, 'steps counted');
  assert.notEqual(readSample(body, 'baton_stale_analyses_dropped_total', service), undefined);
  assert.doesNotMatch(body, /cluster="|instance="/, 'no cluster or instance labels');
});
