/**
 * The chaos harness itself, end to end: Baton's services as separate processes (test/support/
 * chaos-env.ts) fail a real 1+2 MariaDB topology over after kill -9 of its primary, and the
 * private infrastructure a scenario may crash behaves as scenarios expect — a private broker
 * restart keeps its topics and messages, a private Redis restart comes back empty on its port.
 * Waits are bounded; nothing asserts on timings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnvelope, topics } from '@baton/contracts';
import { silentLogger } from '@baton/logging';
import { createRedis } from '@baton/state';
import { kafkaAnswers, startPrivateKafka, startRedisServer, startTopology, uniqueName, waitFor } from '@baton/testing';
import { startBatonTestEnv } from '@baton/testing/baton-env';
import { startChaosEnv } from '../support/chaos-env.ts';

test('services as processes: kill -9 of a 1+2 primary is recovered (resolved, succeeded)', async (t) => {
  const topology = await startTopology({ replicas: 2 });
  t.after(() => topology.stop());
  const env = await startChaosEnv({ label: 'harness' });
  t.after(() => env.stop(t));
  assert.ok([env.detector, env.analyzer, env.hookRunner, ...env.executors].every((p) => p.running && p.pid > 0));

  await env.register(topology, 'harness');
  const crashedAt = Date.now();
  await topology.primary.kill();
  const resolved = await env.waitForEvent((e) => e.clusterId === 'harness' && e.step === 'resolved', { afterMs: crashedAt, description: 'a resolved recovery of harness' });
  assert.equal(resolved.status, 'succeeded', JSON.stringify(resolved.details));
  const successor = String(resolved.details['successor']);
  assert.ok(topology.replicas.some((r) => `${r.host}:${r.port}` === successor), `successor ${successor} is one of the replicas`);
  const [row] = await env.backend.query('SELECT COUNT(*) AS n FROM recoveries');
  assert.ok(Number((row as Array<{ n: number }>)[0]?.n) >= 1, 'the recovery is recorded in the backend');
});

test('private broker: restart() keeps topics and messages, on the same port; stop() leaves the shared broker alone', async (t) => {
  const kafka = await startPrivateKafka();
  t.after(() => kafka.stop());
  assert.notEqual(kafka.port, 19092);
  const infra = await startBatonTestEnv({ label: 'pkafka', brokers: kafka.brokers, only: [topics.commands], backend: false });
  t.after(() => infra.teardown());
  const seen: string[] = [];
  await infra.consume({
    role: 'seen',
    topics: [topics.commands],
    maxWaitTimeMs: 100,
    handler: async ({ envelope }) => {
      if (envelope.type === 'command' && envelope.payload.kind === 'forget') seen.push(envelope.payload.clusterId);
    },
  });
  const forget = (clusterId: string) => infra.publisher.publish(topics.commands, clusterId, createEnvelope('command', { kind: 'forget', requestedBy: 'test', clusterId }, { producer: 'test' }));
  await forget('before');
  await waitFor(() => seen.includes('before'), { description: 'the first message consumed' });
  const firstPid = kafka.pid;

  await kafka.restart();
  assert.notEqual(kafka.pid, firstPid, 'a new broker process');
  assert.ok((await infra.admin.listTopics()).includes(infra.names[topics.commands]), 'the topic survived the restart');
  await forget('after');
  await waitFor(() => seen.includes('after'), { description: 'a message published after the restart consumed', timeoutMs: 60_000 });
  assert.deepEqual(seen, ['before', 'after'], 'the consumer resumed from its committed offset');
  const offsets = await infra.admin.fetchTopicOffsets(infra.names[topics.commands]);
  assert.equal(offsets.reduce((n, p) => n + Number(p.high), 0), 2, 'both messages are in the log');

  // the environment's clean-up needs the broker; then the private broker goes, the shared one stays as it was
  await infra.teardown();
  const shared = await kafkaAnswers('127.0.0.1', 19092);
  await kafka.stop();
  assert.equal(kafka.pid, undefined, 'the private broker is gone');
  assert.equal(await kafkaAnswers('127.0.0.1', 19092), shared, 'the shared broker is as it was');
});

test('private redis: restart() comes back empty on the same port', async (t) => {
  const redis = await startRedisServer();
  t.after(() => redis.stop());
  const client = createRedis({ url: redis.url, connectTimeoutMs: 2000, commandTimeoutMs: 2000, maxRetriesPerRequest: 1 }, silentLogger(), 'harness-test');
  t.after(() => client.disconnect());
  const key = uniqueName('k');
  await client.set(key, 'v');
  const firstPid = redis.pid;

  await redis.restart();
  assert.notEqual(redis.pid, firstPid, 'a new server process');
  assert.equal(await waitFor(async () => (await client.ping()) === 'PONG', { description: 'the client reconnected', timeoutMs: 10_000 }), true);
  assert.equal(await client.get(key), null, 'no data survives');
  assert.equal(new URL(redis.url).port, String(redis.port));
});
