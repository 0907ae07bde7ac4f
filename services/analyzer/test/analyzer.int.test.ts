/**
 * The analyzer in-process against the real broker, Redis and MariaDB, started exactly as main.ts
 * starts it (startAnalyzer over a loaded configuration), isolated by a unique topic namespace, a
 * unique Redis key prefix and a unique backend database (dropped after).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KafkaMessage } from 'kafkajs';
import { createEnvelope, deadLetterHeaders, decodeMessage, topics, type ClusterSnapshot, type Envelope } from '@baton/contracts';
import { pttl } from '@baton/state';
import { uniqueName, waitFor } from '@baton/testing';
import { startBatonTestEnv, testLogger, testSigner } from '@baton/testing/baton-env';
import { signatureHeader } from '@baton/kafka';
import { startAnalyzer } from '../src/index.ts';
import { deadPrimaryCluster, healthyCluster } from './snapshots.ts';

const header = (m: KafkaMessage, name: string): string | undefined => {
  const v = m.headers?.[name];
  const last = Array.isArray(v) ? v[v.length - 1] : v;
  return last === undefined ? undefined : last.toString();
};

test('snapshots in, DeadMaster and its all-clear out, snapshot cached, change log written, bad snapshot dead-lettered', async (t) => {
  const logger = testLogger('analyzer-test');
  // topics of our own, small; a key prefix and a database of our own; all removed at the end, after
  // everything deferred here (the analyzer stops before its topics, keys and database go)
  const env = await startBatonTestEnv({ label: 'analyzer', only: [topics.clusterSnapshots, topics.analyses, topics.deadLetters], partitions: 2, logger });
  t.after(() => env.teardown());
  const { kafka, names, namespace, producer, publisher, redis, defer } = env;
  const clusterId = 'orders';

  const config = env.config({
    BATON__ANALYZER__SNAPSHOT_TTL_MS: '60000',
    BATON__ANALYZER__CONSUMER_GROUP: uniqueName('analyzer-group'),
  });
  const running = await startAnalyzer(config, logger, { fromBeginning: true });
  defer(() => running.stop());

  // what the analyzer publishes, read from the beginning
  const analyses: Envelope<'analysis'>[] = [];
  const reader = kafka.consumer({ groupId: uniqueName(`${namespace}-reader`), maxWaitTimeInMs: 100 });
  defer(() => reader.disconnect());
  await reader.connect();
  await reader.subscribe({ topic: names[topics.analyses], fromBeginning: true });
  await reader.run({
    eachMessage: async ({ message }) => {
      analyses.push(decodeMessage(topics.analyses, message.value) as Envelope<'analysis'>);
    },
  });

  const send = (s: ClusterSnapshot) => publisher.publish(topics.clusterSnapshots, s.clusterId, createEnvelope('cluster-snapshot', s, { producer: 'detector-test' }));
  const snapshotKey = env.keys.snapshot(clusterId);
  const backend = env.backendPool(1);

  const base = Date.now();
  const healthy = healthyCluster({ clusterId, observedAt: base, sequence: 1 });
  const dead = deadPrimaryCluster({ clusterId, observedAt: base + 1000, sequence: 2 });
  const recovered = healthyCluster({ clusterId, observedAt: base + 3000, sequence: 4 });

  await send(healthy);
  await send(dead);
  const problem = await waitFor(() => analyses.find((a) => a.payload.hasProblem), { description: 'a DeadMaster analysis', timeoutMs: 30_000 });
  assert.equal(analyses.indexOf(problem), 0, 'the healthy snapshot published nothing');
  assert.equal(problem.payload.clusterId, clusterId);
  assert.equal(problem.payload.snapshotObservedAt, dead.observedAt);
  assert.equal(problem.payload.entries[0]?.instance.host, 'db1');
  assert.equal(problem.payload.entries[0]?.code, 'DeadMaster');
  assert.ok(problem.correlationId, 'a detection id');

  // cached for the api: the latest snapshot, with a TTL
  const cached = await waitFor(async () => {
    const raw = await redis.get(snapshotKey);
    return raw && (JSON.parse(raw) as ClusterSnapshot).sequence === 2 ? (JSON.parse(raw) as ClusterSnapshot) : undefined;
  }, { description: 'the dead snapshot cached in Redis' });
  assert.deepEqual(cached, dead);
  const ttl = await pttl(redis, snapshotKey);
  assert.ok(ttl !== null && ttl > 0 && ttl <= 60_000, `TTL ${ttl}`);

  // the change log: the primary went from (baseline) NoProblem to DeadMaster
  const rows = await waitFor(async () => {
    const [r] = await backend.query(`SELECT cluster_id, host, port, analysis, count_replicas FROM analysis_changelog WHERE host = 'db1' ORDER BY id`);
    return (r as Array<Record<string, unknown>>).length > 0 ? (r as Array<Record<string, unknown>>) : undefined;
  }, { description: 'a change-log row for db1' });
  assert.deepEqual(rows.map((r) => [r['cluster_id'], r['host'], Number(r['port']), r['analysis'], Number(r['count_replicas'])]), [[clusterId, 'db1', 3306, 'DeadMaster', 2]]);

  // a snapshot that fails its schema goes to the dead letters; the partition moves on
  const bad = createEnvelope('cluster-snapshot', dead, { producer: 'detector-test' });
  const badBytes = Buffer.from(JSON.stringify({ ...bad, payload: { ...dead, sequence: 3, instances: [{ ...dead.instances[0], port: 'x' }] } }));
  const signature = testSigner.sign(topics.clusterSnapshots, clusterId, badBytes);
  await producer.send({ topic: names[topics.clusterSnapshots], acks: -1, messages: [{ key: clusterId, value: badBytes, headers: { [signatureHeader]: signature } }] });
  await send(recovered);

  const cleared = await waitFor(() => analyses.find((a) => !a.payload.hasProblem), { description: 'the all-clear analysis', timeoutMs: 30_000 });
  assert.equal(cleared.payload.snapshotObservedAt, recovered.observedAt);
  assert.equal(cleared.correlationId, problem.correlationId, 'the all-clear carries the detection id of the problem it clears');
  assert.deepEqual(cleared.payload.entries, []);

  const deadLetters: KafkaMessage[] = [];
  const dlq = kafka.consumer({ groupId: uniqueName(`${namespace}-dlq`), maxWaitTimeInMs: 100 });
  await dlq.connect();
  defer(() => dlq.disconnect());
  await dlq.subscribe({ topic: names[topics.deadLetters], fromBeginning: true });
  await dlq.run({ eachMessage: async ({ message }) => void deadLetters.push(message) });
  const [letter] = await waitFor(() => (deadLetters.length > 0 ? deadLetters : undefined), { description: 'the dead letter', timeoutMs: 30_000 });
  assert.ok(letter);
  assert.deepEqual(letter.value, badBytes);
  assert.match(header(letter, deadLetterHeaders.reason) ?? '', /\/payload\/instances\/0\/port/);
  assert.equal(header(letter, deadLetterHeaders.consumerGroup), config.analyzer.consumerGroup);

  await waitFor(async () => {
    const raw = await redis.get(snapshotKey);
    return raw !== null && (JSON.parse(raw) as ClusterSnapshot).sequence === 4;
  }, { description: 'the recovered snapshot cached' });
  const after = await waitFor(async () => {
    const [r] = await backend.query(`SELECT analysis FROM analysis_changelog WHERE host = 'db1' ORDER BY id`);
    const list = (r as Array<Record<string, unknown>>).map((x) => x['analysis']);
    return list.length === 2 ? list : undefined;
  }, { description: 'the change-log row back to NoProblem' });
  assert.deepEqual(after, ['DeadMaster', 'NoProblem']);
  assert.equal(analyses.length, 2, 'one problem, one all-clear');
  assert.deepEqual(running.consumer.stats(), { handled: 3, retried: 0, deadLettered: 1 });
});
