/**
 * The analyzer's own health and its consumer metrics over HTTP, on analyzer.metricsPort (a free
 * port), against the real broker, Redis and MariaDB: /health/ready answers 503 while it starts
 * and 200 once its snapshot consumer joined; snapshots analysed show as consumer lag 0 on every
 * partition it holds and in the consume-to-process histogram; its consumer stopped, ready is 503
 * again (with the reason) while /health/live stays 200.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnvelope, topics, type ClusterSnapshot } from '@baton/contracts';
import { allocatePorts, readSample, uniqueName, waitFor } from '@baton/testing';
import { startBatonTestEnv, testLogger } from '@baton/testing/baton-env';
import { startAnalyzer } from '../src/index.ts';
import { healthyCluster } from './snapshots.ts';

interface Answer {
  status: number;
  body: { status?: string; reason?: string; checks?: Record<string, { ok: boolean; reason?: string }> };
}

test('analyzer /health/ready: 503 while starting, 200 once its consumer joined, 503 once it stopped; lag and delay on /metrics', async (t) => {
  const logger = testLogger('analyzer-health');
  const env = await startBatonTestEnv({ label: 'analyzer-health', only: [topics.clusterSnapshots, topics.analyses, topics.deadLetters], partitions: 2, logger });
  t.after(() => env.teardown());
  const ports = await allocatePorts(1);
  t.after(() => ports.release());
  const base = `http://127.0.0.1:${ports.first}`;
  const get = async (path: string): Promise<Answer | undefined> => {
    const response = await fetch(`${base}${path}`).catch(() => undefined);
    return response && { status: response.status, body: (await response.json()) as Answer['body'] };
  };

  // ask for readiness all through the start: every answer before the start returned is 503
  const duringStart: Answer[] = [];
  let started = false;
  const polling = (async () => {
    while (!started) {
      const answer = await get('/health/ready');
      if (answer && !started) duringStart.push(answer);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const config = env.config({ BATON__ANALYZER__CONSUMER_GROUP: uniqueName('analyzer-health'), BATON__ANALYZER__METRICS_PORT: String(ports.first) });
  const running = await startAnalyzer(config, logger, { fromBeginning: true });
  env.defer(() => running.stop());
  started = true;
  await polling;
  t.diagnostic(`${duringStart.length} readiness answers during the start`);
  assert.ok(duringStart.length > 0, 'the metrics server answered while the analyzer started');
  for (const answer of duringStart) {
    assert.equal(answer.status, 503);
    assert.equal(answer.body.status, 'unavailable');
    assert.match(answer.body.reason ?? '', /^start: starting/);
  }

  const ready = await waitFor(async () => {
    const answer = await get('/health/ready');
    return answer?.status === 200 ? answer : undefined;
  }, { description: 'the analyzer ready', timeoutMs: 30_000 });
  assert.deepEqual(ready.body.checks, { start: { ok: true }, 'snapshot consumer': { ok: true } });

  const now = Date.now();
  for (let i = 1; i <= 3; i += 1) {
    const snapshot: ClusterSnapshot = healthyCluster({ clusterId: `c${i}`, observedAt: now, sequence: 1 });
    await env.publisher.publish(topics.clusterSnapshots, snapshot.clusterId, createEnvelope('cluster-snapshot', snapshot, { producer: 'detector-test' }));
  }
  const service = { service: 'analyzer' };
  const scrape = async (): Promise<string> => (await fetch(`${base}/metrics`)).text();
  let body = '';
  await waitFor(async () => (readSample((body = await scrape()), 'baton_analyzer_snapshot_delay_seconds_count', service) ?? 0) >= 3, {
    description: 'three snapshots analysed',
    timeoutMs: 30_000,
  });
  const delaySum = readSample(body, 'baton_analyzer_snapshot_delay_seconds_sum', service) ?? -1;
  assert.ok(delaySum >= 0 && delaySum < 60, `delays observed: ${delaySum} s in all`);
  await waitFor(async () => {
    body = await scrape();
    const lags = ['0', '1'].map((partition) => readSample(body, 'baton_consumer_lag_messages', { ...service, topic: topics.clusterSnapshots, partition }));
    return lags.every((lag) => lag === 0);
  }, { description: 'no lag on either partition once analysed', timeoutMs: 20_000 });

  await running.consumer.stop();
  const stopped = await get('/health/ready');
  assert.equal(stopped?.status, 503);
  assert.match(stopped?.body.reason ?? '', /^snapshot consumer: consumer .* stopped$/);
  assert.equal((await get('/health/live'))?.status, 200, 'still live: the process runs');
  assert.equal(readSample(await scrape(), 'baton_consumer_lag_messages', { ...service, topic: topics.clusterSnapshots, partition: '0' }), undefined, 'a stopped consumer holds no partition');
});
