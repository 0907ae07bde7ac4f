/**
 * The executor alone, in-process (startRecoveryExecutor, as main.ts starts it), against the real
 * broker, Redis, backend and a real MariaDB 1+3 semi-sync topology: the test plays the analyzer
 * (it publishes the DeadMaster analysis itself), the executor does the rest — its own refresh and
 * re-check, drain, choice, promotion, moves — and writes its trail to the topic and the backend.
 * Isolated by a unique topic namespace, Redis prefix and backend database.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@baton/config';
import { createEnvelope, decodeMessage, topics, type AnalysisEntry, type ClusterAnalysis, type Envelope, type RecoveryEvent } from '@baton/contracts';
import { createKafka, createProducer, createPublisher, ensureTopics, topicNames } from '@baton/kafka';
import { createLogger, silentLogger } from '@baton/logging';
import { createBackendPool } from '@baton/mysql';
import { createRedis } from '@baton/state';
import { ensureKafka, ensureRedis, testDatabase, uniqueKeyPrefix, uniqueName, waitFor, withTopology, type MariaDbInstance } from '@baton/testing';
import { startRecoveryExecutor } from '../src/index.ts';

const mysqlServer = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };
const logger = process.env['BATON_TEST_LOG'] ? createLogger({ service: 'executor-test', level: process.env['BATON_TEST_LOG'] }) : silentLogger();
const key = (i: { host: string; port: number }) => ({ host: i.host, port: i.port });

function deadMasterEntry(primary: MariaDbInstance, replicas: readonly MariaDbInstance[]): AnalysisEntry {
  const n = replicas.length;
  return {
    instance: key(primary),
    code: 'DeadMaster',
    description: 'Master cannot be reached by orchestrator and none of its replicas is replicating',
    structureWarnings: [],
    isMaster: true,
    isCoMaster: false,
    isActionable: true,
    isDowntimed: false,
    isReplicasDowntimed: false,
    skippableDueToDowntime: false,
    lastCheckValid: false,
    lastCheckPartialSuccess: false,
    sourceKey: null,
    replicationDepth: 0,
    counts: { CountReplicas: n, CountValidReplicas: n, CountValidReplicatingReplicas: 0 },
    replicas: replicas.map(key),
  };
}

test('DeadMaster analysis in: the executor re-checks, promotes the most advanced replica, moves the others, loses no acked write', async (t) => {
  const teardown: Array<() => Promise<unknown>> = [];
  t.after(async () => {
    for (const step of teardown) await step().catch(() => undefined);
  });
  const [{ brokers }, redisEndpoint] = await Promise.all([ensureKafka(), ensureRedis()]);
  const namespace = uniqueName('executor');
  const names = topicNames(namespace);
  const database = `baton_test_${randomBytes(5).toString('hex')}`;
  const keyPrefix = uniqueKeyPrefix('executor').replace(/:$/, '');
  const kafka = createKafka({ brokers, clientId: namespace, logger });
  const admin = kafka.admin();
  await admin.connect();
  const created = await ensureTopics(admin, { names, partitions: 2 });
  teardown.unshift(async () => {
    await admin.deleteTopics({ topics: created }).catch(() => undefined);
    await admin.disconnect();
  });
  teardown.unshift(async () => {
    const pool = createBackendPool({ ...mysqlServer, database, connectionLimit: 1, connectTimeoutMs: 2000, queryTimeoutMs: 5000 }, { logger, database: null });
    await pool.query(`DROP DATABASE IF EXISTS \`${database}\``).finally(() => pool.end());
  });
  const redis = createRedis({ url: redisEndpoint.url, connectTimeoutMs: 2000, commandTimeoutMs: 2000, maxRetriesPerRequest: 1 }, logger);
  teardown.unshift(async () => {
    const left = await redis.keys(`${keyPrefix}:*`);
    if (left.length > 0) await redis.del(...left);
    await redis.quit();
  });

  const topology = await withTopology(t, { replicas: 3, semiSync: true });
  const config = loadConfig({
    env: {
      BATON__KAFKA__BROKERS: JSON.stringify(brokers),
      BATON__KAFKA__CLIENT_ID: namespace,
      BATON__KAFKA__TOPIC_PREFIX: namespace,
      BATON__KAFKA__SESSION_TIMEOUT_MS: '6000',
      BATON__KAFKA__HEARTBEAT_INTERVAL_MS: '500',
      BATON__REDIS__URL: redisEndpoint.url,
      BATON__REDIS__KEY_PREFIX: keyPrefix,
      BATON__BACKEND__HOST: mysqlServer.host,
      BATON__BACKEND__PORT: String(mysqlServer.port),
      BATON__BACKEND__USER: mysqlServer.user,
      BATON__BACKEND__PASSWORD: mysqlServer.password,
      BATON__BACKEND__DATABASE: database,
      BATON__MYSQL__USER: topology.credentials.admin.user,
      BATON__MYSQL__PASSWORD: topology.credentials.admin.password,
      BATON__MYSQL__REPLICATION_USER: topology.credentials.replication.user,
      BATON__MYSQL__REPLICATION_PASSWORD: topology.credentials.replication.password,
      BATON__RECOVERY__RECOVER_MASTER_CLUSTER_FILTERS: '["*"]',
      BATON__RECOVERY__EXECUTOR_WARMUP_POLLS: '0',
    },
  });
  const executor = await startRecoveryExecutor({ config, logger, fromBeginning: true, groupId: `${namespace}-executor`, commandsGroupId: `${namespace}-commands` });
  teardown.unshift(() => executor.stop());

  const events: RecoveryEvent[] = [];
  const reader = kafka.consumer({ groupId: `${namespace}-reader`, maxWaitTimeInMs: 100 });
  await reader.connect();
  teardown.unshift(() => reader.disconnect());
  await reader.subscribe({ topic: names[topics.recoveryEvents], fromBeginning: true });
  await reader.run({ eachMessage: async ({ message }) => void events.push((decodeMessage(topics.recoveryEvents, message.value) as Envelope<'recovery-event'>).payload) });
  const producer = createProducer(kafka);
  await producer.connect();
  teardown.unshift(() => producer.disconnect());
  const publisher = createPublisher({ producer, names });

  const writer = await topology.startWriter({ semisync: true });
  await waitFor(() => writer.ackedCount >= 100, { description: '100 acked semi-sync writes', timeoutMs: 20_000 });
  await topology.primary.kill();
  const written = await writer.stop();
  // the replicas notice at once (TCP reset); give the IO threads a moment to leave "Yes"
  await waitFor(async () => (await Promise.all(topology.replicas.map((r) => r.slaveStatus()))).every((s) => s?.Slave_IO_Running !== 'Yes'), {
    description: 'replicas lost their source',
    timeoutMs: 10_000,
  });

  const analysis: ClusterAnalysis = {
    clusterId: 'orders',
    clusterAlias: 'orders',
    snapshotObservedAt: new Date().toISOString(),
    analyzedAt: new Date().toISOString(),
    entries: [deadMasterEntry(topology.primary, topology.replicas)],
    hasProblem: true,
  };
  await publisher.publish(topics.analyses, 'orders', createEnvelope('analysis', analysis, { producer: 'test', correlationId: 'detection-1' }));

  const resolved = await waitFor(() => events.find((e) => e.step === 'resolved'), { description: 'the recovery resolved', timeoutMs: 30_000 });
  assert.equal(resolved.status, 'succeeded', JSON.stringify(resolved.details));
  const successorId = String(resolved.details['successor']);
  const successor = topology.replicas.find((r) => `${r.host}:${r.port}` === successorId) as MariaDbInstance;
  assert.ok(successor, `successor ${successorId} is one of the replicas`);

  // exactly one writable primary, every other replica replicating from it
  assert.equal(Number((await successor.query<{ ro: number }>('SELECT @@read_only AS ro'))[0]?.ro), 0);
  assert.equal(await successor.slaveStatus(), null);
  for (const r of topology.replicas.filter((x) => x !== successor)) {
    const s = await waitFor(async () => {
      const st = await r.slaveStatus();
      return st?.Slave_IO_Running === 'Yes' && st.Slave_SQL_Running === 'Yes' ? st : undefined;
    }, { description: `${r.name} replicating`, timeoutMs: 10_000 });
    assert.equal(Number(s.Master_Port), successor.port);
    assert.equal(Number((await r.query<{ ro: number }>('SELECT @@read_only AS ro'))[0]?.ro), 1);
  }
  // semi-sync: every write acked before the kill is on the new primary
  const rows = await successor.query<{ seq: number }>(`SELECT seq FROM ${testDatabase}.writes WHERE writer = ?`, [written.writer]);
  const present = new Set(rows.map((r) => Number(r.seq)));
  assert.deepEqual(written.acked.filter((s) => !present.has(s)), [], 'no acked write lost');

  // the trail: events in order, one row per step, the recovery resolved
  const uid = resolved.recoveryUid;
  await waitFor(() => events.some((e) => e.recoveryUid === uid && e.step === 'released'), { description: 'the lock released', timeoutMs: 10_000 });
  const mine = events.filter((e) => e.recoveryUid === uid).sort((a, b) => a.sequence - b.sequence);
  assert.deepEqual(mine.map((e) => e.sequence), mine.map((_, i) => i + 1));
  const order = ['registered', 'claimed', 'refreshed', 're-checked', 'replicas-stopped', 'candidate-chosen', 'fenced', 'promoted', 'replicas-moved', 'resolved'];
  const at = order.map((s) => mine.findIndex((e) => e.step === s));
  assert.ok(at.every((i, n) => i >= 0 && (n === 0 || i > (at[n - 1] as number))), `steps in order: ${mine.map((e) => e.step).join(', ')}`);
  const backend = createBackendPool({ ...mysqlServer, database, connectionLimit: 1, connectTimeoutMs: 2000, queryTimeoutMs: 5000 }, { logger });
  teardown.unshift(() => backend.end());
  await waitFor(async () => {
    const [r] = (await backend.query('SELECT outcome FROM recoveries WHERE uid = ?', [uid])) as unknown as [Array<{ outcome: string | null }>];
    return r[0]?.outcome === 'successful';
  }, { description: 'recovery row resolved', timeoutMs: 10_000 });
  const [steps] = (await backend.query('SELECT COUNT(*) AS n FROM recovery_steps WHERE recovery_uid = ?', [uid])) as unknown as [Array<{ n: number }>];
  await waitFor(async () => {
    const [again] = (await backend.query('SELECT COUNT(*) AS n FROM recovery_steps WHERE recovery_uid = ?', [uid])) as unknown as [Array<{ n: number }>];
    return Number(again[0]?.n) === mine.length;
  }, { description: `${mine.length} step rows (had ${steps[0]?.n})`, timeoutMs: 10_000 }).catch(async (error: unknown) => {
    const [rows] = (await backend.query('SELECT seq, step FROM recovery_steps WHERE recovery_uid = ? ORDER BY seq', [uid])) as unknown as [Array<{ seq: number; step: string }>];
    throw new Error(`${(error as Error).message}: rows ${rows.map((r) => `${r.seq}:${r.step}`).join(' ')}; events ${mine.map((e) => `${e.sequence}:${e.step}`).join(' ')}`);
  });
  const promoted = mine.find((e) => e.step === 'promoted');
  t.diagnostic(`analysis published → promoted ${Date.parse(promoted?.at ?? '') - Date.parse(analysis.analyzedAt)} ms; acked ${written.acked.length}, unknown ${written.failed.length}`);
});
