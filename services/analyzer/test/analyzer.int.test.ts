/**
 * The analyzer in-process against the real broker, Redis and MariaDB, started exactly as main.ts
 * starts it (startAnalyzer over a loaded configuration), isolated by a unique topic namespace, a
 * unique Redis key prefix and a unique backend database (dropped after).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { loadConfig } from '@baton/config';
import { createEnvelope, deadLetterHeaders, decodeMessage, topics, type ClusterSnapshot, type Envelope } from '@baton/contracts';
import { createKafka, createProducer, createPublisher, ensureTopics, topicNames } from '@baton/kafka';
import { createLogger, silentLogger, type Logger } from '@baton/logging';
import { createBackendPool } from '@baton/mysql';
import { createKeys, createRedis, pttl } from '@baton/state';
import { ensureKafka, ensureRedis, uniqueKeyPrefix, uniqueName, waitFor } from '@baton/testing';
import { startAnalyzer } from '../src/index.ts';
import { deadPrimaryCluster, healthyCluster } from './snapshots.ts';

const mysqlServer = {
  host: process.env['BATON_TEST_MYSQL_HOST'] ?? '127.0.0.1',
  port: Number(process.env['BATON_TEST_MYSQL_PORT'] ?? 3306),
  user: process.env['BATON_TEST_MYSQL_USER'] ?? 'root',
  password: process.env['BATON_TEST_MYSQL_PASSWORD'] ?? '',
};

/** BATON_TEST_LOG=debug shows the service's logs. */
function testLogger(): Logger {
  const level = process.env['BATON_TEST_LOG'];
  return level ? createLogger({ service: 'analyzer-test', level }) : silentLogger();
}

const header = (m: KafkaMessage, name: string): string | undefined => {
  const v = m.headers?.[name];
  const last = Array.isArray(v) ? v[v.length - 1] : v;
  return last === undefined ? undefined : last.toString();
};

test('snapshots in, DeadMaster and its all-clear out, snapshot cached, change log written, bad snapshot dead-lettered', async (t) => {
  const logger = testLogger();
  // teardown in reverse order of set-up: the analyzer stops before its topics, keys and database go
  const teardown: Array<() => Promise<unknown>> = [];
  const defer = (step: () => Promise<unknown>): void => void teardown.unshift(step);
  t.after(async () => {
    for (const step of teardown) await step().catch((error: unknown) => logger.warn({ err: error }, 'teardown step failed'));
  });
  const [{ brokers }, redisEndpoint] = await Promise.all([ensureKafka(), ensureRedis()]);
  const namespace = uniqueName('analyzer');
  const names = topicNames(namespace);
  const keyPrefix = uniqueKeyPrefix('analyzer').replace(/:$/, '');
  const database = `baton_test_${randomBytes(6).toString('hex')}`;
  const clusterId = 'orders';

  // topics of our own, small, removed at the end
  const kafka = createKafka({ brokers, clientId: namespace, logger });
  const admin = kafka.admin();
  await admin.connect();
  const created = await ensureTopics(admin, { names, only: [topics.clusterSnapshots, topics.analyses, topics.deadLetters], partitions: 2 });
  defer(async () => {
    await admin.deleteTopics({ topics: created }).catch(() => undefined);
    await admin.disconnect();
  });
  defer(async () => {
    const pool = createBackendPool({ ...mysqlServer, database, connectionLimit: 1, connectTimeoutMs: 2000, queryTimeoutMs: 5000 }, { logger, database: null });
    try {
      await pool.query(`DROP DATABASE IF EXISTS \`${database}\``);
    } finally {
      await pool.end();
    }
  });

  const config = loadConfig({
    env: {
      BATON__KAFKA__BROKERS: JSON.stringify(brokers),
      BATON__KAFKA__CLIENT_ID: namespace,
      BATON__KAFKA__TOPIC_PREFIX: namespace,
      BATON__REDIS__URL: redisEndpoint.url,
      BATON__REDIS__KEY_PREFIX: keyPrefix,
      BATON__BACKEND__HOST: mysqlServer.host,
      BATON__BACKEND__PORT: String(mysqlServer.port),
      BATON__BACKEND__USER: mysqlServer.user,
      BATON__BACKEND__PASSWORD: mysqlServer.password,
      BATON__BACKEND__DATABASE: database,
      BATON__ANALYZER__SNAPSHOT_TTL_MS: '60000',
      BATON__ANALYZER__CONSUMER_GROUP: uniqueName('analyzer-group'),
    },
  });
  const running = await startAnalyzer(config, logger, { fromBeginning: true });
  defer(() => running.stop());

  // what the analyzer publishes, read from the beginning
  const analyses: Envelope<'analysis'>[] = [];
  const reader = kafka.consumer({ groupId: uniqueName(`${namespace}-reader`), maxWaitTimeInMs: 100 });
  await reader.connect();
  defer(() => reader.disconnect());
  await reader.subscribe({ topic: names[topics.analyses], fromBeginning: true });
  await reader.run({
    eachMessage: async ({ message }) => {
      analyses.push(decodeMessage(topics.analyses, message.value) as Envelope<'analysis'>);
    },
  });

  const producer = createProducer(kafka);
  await producer.connect();
  defer(() => producer.disconnect());
  const publisher = createPublisher({ producer, names });
  const send = (s: ClusterSnapshot) => publisher.publish(topics.clusterSnapshots, s.clusterId, createEnvelope('cluster-snapshot', s, { producer: 'detector-test' }));

  const redis = createRedis(config.redis, logger);
  defer(async () => {
    const leftovers = await redis.keys(`${keyPrefix}:*`);
    if (leftovers.length > 0) await redis.del(...leftovers);
    await redis.quit();
  });
  const snapshotKey = createKeys(keyPrefix).snapshot(clusterId);
  const backend = createBackendPool({ ...mysqlServer, database, connectionLimit: 1, connectTimeoutMs: 2000, queryTimeoutMs: 5000 }, { logger });
  defer(() => backend.end());

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
  await producer.send({ topic: names[topics.clusterSnapshots], acks: -1, messages: [{ key: clusterId, value: badBytes }] });
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
