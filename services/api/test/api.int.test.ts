/**
 * The api as a process runs it (startApi): its real adapters against the real broker, Redis and
 * backend, isolated by a topic namespace, a key prefix and a database of its own. The analyzer's
 * cache, the registry and the backend rows are written here directly; an executor stand-in answers
 * commands over Kafka, so the registry follower, the recovery-event follower, the SQL of every
 * audit read and the SCAN of the snapshot keys are all exercised for real.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { BatonConfig } from '@baton/config';
import { createEnvelope, decodeMessage, topics, type Command } from '@baton/contracts';
import type { Publisher } from '@baton/kafka';
import { silentLogger } from '@baton/logging';
import { createKeys } from '@baton/state';
import { waitFor } from '@baton/testing';
import { quickGroupTimeouts, startBatonTestEnv, type BatonTestEnv } from '@baton/testing/baton-env';
import type { Pool } from 'mysql2/promise';
import type { Redis } from 'ioredis';
import type { Consumer } from 'kafkajs';
import { startApi, type RunningApi } from '../src/start-api.ts';
import { deadPrimarySnapshot, ordersSnapshot, registration, snapshotOf, TOKEN } from './harness.ts';

const logger = silentLogger();
let env: BatonTestEnv | undefined;
let api: RunningApi;
let config: BatonConfig;
let publisher: Publisher;
let backend: Pool;
let redis: Redis;
const commands: Command[] = [];

const get = async (path: string, o: { post?: boolean } = {}) => {
  const res = await fetch(`${api.url}/api/${path}`, { method: o.post ? 'POST' : 'GET', headers: o.post ? { authorization: `Bearer ${TOKEN}` } : {} });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { Code?: string; Message?: string; Details?: unknown } };
};

before(async () => {
  const infra = await startBatonTestEnv({ label: 'api', partitions: 2, groupTimeouts: quickGroupTimeouts, logger });
  env = infra;
  const { kafka, names, namespace, keys } = infra;
  publisher = infra.publisher;
  redis = infra.redis;
  config = infra.config({
    BATON__API__TOKEN: TOKEN,
    BATON__API__COMMAND_WAIT_MS: '1500',
    BATON__API__RECOVER_WAIT_MS: '15000',
  });
  // registered before the api starts: the follower must read it from the beginning
  await publisher.publish(topics.clusterRegistry, 'orders', createEnvelope('cluster-registration', registration('orders', 'orders', [{ host: 'db1', port: 3306 }]), { producer: 'test' }));

  await redis.set(keys.snapshot('orders'), JSON.stringify(ordersSnapshot()));
  await redis.set(keys.snapshot('dead'), JSON.stringify({ ...deadPrimarySnapshot(), clusterId: 'dead', clusterAlias: 'dead' }));

  // an executor stand-in: records every command; answers a recover of `dead` as not attempted, over
  // Kafka — refused by the running recovery that holds the cluster's block, as the executor does, or else never recovering
  const standIn: Consumer = kafka.consumer({ groupId: `${namespace}-executor`, maxWaitTimeInMs: 100 });
  infra.defer(() => standIn.disconnect());
  await standIn.connect();
  await standIn.subscribe({ topic: names[topics.commands], fromBeginning: true });
  await standIn.run({
    eachMessage: async ({ message }) => {
      const envelope = decodeMessage(topics.commands, message.value);
      if (envelope.type !== 'command') return;
      const command = envelope.payload;
      commands.push(command);
      if (command.kind === 'recover') {
        const held = JSON.parse((await redis.get(keys.recoveryBlock(command.clusterId))) ?? 'null') as { uid: string; state: string } | null;
        const answer = held?.state === 'running' ? { reason: 'recovery-running', runningRecoveryUid: held.uid } : { reason: 'the stand-in never recovers' };
        const event = { recoveryUid: '', clusterId: command.clusterId, sequence: 0, at: new Date().toISOString(), step: 'recover-not-attempted' as const, status: 'skipped' as const, message: 'recovery not attempted: test', details: { requestId: command.requestId, ...answer } };
        await publisher.publish(topics.recoveryEvents, command.clusterId, createEnvelope('recovery-event', event, { producer: 'test', correlationId: command.requestId }));
      }
    },
  });

  api = await startApi(config, logger, { port: 0 });
  infra.defer(() => api.stop());
  backend = infra.backendPool(2);
});

after(() => env?.teardown());

test('listens on 127.0.0.1 and reports healthy dependencies', async () => {
  assert.match(api.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const health = await get('health');
  assert.equal(health.status, 200, JSON.stringify(health.body));
  assert.deepEqual((health.body.Details as { Checks: unknown }).Checks, { redis: 'ok', backend: 'ok', kafka: 'ok', registry: 'ok' });
});

test('clusters come from the cached snapshots (SCAN) and the followed registry', async () => {
  assert.deepEqual((await get('clusters')).body, ['dead', 'orders']);
  await publisher.publish(topics.clusterRegistry, 'billing', createEnvelope('cluster-registration', registration('billing', 'billing', [{ host: 'b1', port: 3306 }]), { producer: 'test' }));
  await waitFor(async () => JSON.stringify((await get('clusters')).body) === JSON.stringify(['billing', 'dead', 'orders']), { description: 'billing registered', timeoutMs: 10_000 });
  await publisher.publish(topics.clusterRegistry, 'billing', createEnvelope('cluster-registration', { ...registration('billing', 'billing', [{ host: 'b1', port: 3306 }]), status: 'forgotten' }, { producer: 'test' }));
  await waitFor(async () => JSON.stringify((await get('clusters')).body) === JSON.stringify(['dead', 'orders']), { description: 'billing forgotten', timeoutMs: 10_000 });
  const topology = await get('topology/orders');
  assert.equal(topology.body.Code, 'OK');
  assert.match(topology.body.Details as string, /^db1:3306 +\[0s,ok,.*\] +primary\n\+ db2:3306/);
});

test('audit routes read the backend rows (JSON columns included) newest first', async () => {
  await backend.query(
    `INSERT INTO recoveries (uid, cluster_id, cluster_alias, failed_host, failed_port, analysis, recovery_type, count_affected_replicas, replica_hosts, forced, request_id,
       processing_node, successor_host, successor_port, is_successful, outcome, lost_replicas, participating_instances, all_errors, started_at, ended_at)
     VALUES ('rec-a', 'orders', 'orders', 'db1', 3306, 'DeadMaster', 'MasterRecoveryGTID', 2, '["db2:3306","db3:3306"]', 0, NULL, 'exec-1', 'db2', 3306, 1, 'successful', '["db3:3306"]', '[]', '[]',
       '2026-11-26 19:30:01.000', '2026-11-26 19:30:02.000'),
            ('rec-b', 'orders', 'orders', 'db2', 3306, 'DeadMaster', 'MasterRecoveryGTID', 1, '[]', 1, 'req-x', 'exec-1', NULL, NULL, 0, NULL, NULL, NULL, NULL, '2026-11-26 19:40:00.000', NULL)`,
  );
  await backend.query(
    `INSERT INTO recovery_steps (recovery_uid, seq, ts, step, message, ok, details) VALUES
       ('rec-a', 2, '2026-11-26 19:30:01.500', 'promoted', 'db2:3306 promoted', 1, '{"successor":"db2:3306"}'),
       ('rec-a', 1, '2026-11-26 19:30:01.100', 'claimed', 'lock taken', NULL, NULL)`,
  );
  await backend.query(
    `INSERT INTO failure_detections (uid, cluster_id, cluster_alias, host, port, analysis, is_actionable, replica_hosts, start_active_period) VALUES
       ('det-a', 'orders', 'orders', 'db1', 3306, 'DeadMaster', 1, '["db2:3306"]', '2026-11-26 19:30:00.500')`,
  );
  await backend.query(
    `INSERT INTO blocked_recoveries (cluster_id, cluster_alias, host, port, analysis, reason, blocking_recovery_uid, first_blocked_at, last_blocked_at, times_blocked) VALUES
       ('orders', 'orders', 'db2', 3306, 'DeadMaster', 'recovery-block', 'rec-a', '2026-11-26 19:31:00.000', '2026-11-26 19:31:05.000', 3)`,
  );
  const recoveries = (await get('audit-recovery/cluster/orders')).body as unknown as Array<Record<string, unknown>>;
  assert.deepEqual(recoveries.map((r) => [r['UID'], r['IsActive'], r['SuccessorKey']]), [['rec-b', true, null], ['rec-a', false, { Hostname: 'db2', Port: 3306 }]]);
  const a = recoveries[1] as Record<string, unknown>;
  assert.deepEqual(a['LostReplicas'], [{ Hostname: 'db3', Port: 3306 }]);
  assert.deepEqual((a['AnalysisEntry'] as { Replicas: unknown }).Replicas, [{ Hostname: 'db2', Port: 3306 }, { Hostname: 'db3', Port: 3306 }]);
  assert.equal(a['RecoveryStartTimestamp'], '2026-11-26T19:30:01.000Z');
  const steps = (await get('audit-recovery-steps/rec-a')).body as unknown as Array<Record<string, unknown>>;
  assert.deepEqual(steps.map((s) => [s['Step'], s['Ok'], s['Details']]), [['claimed', null, null], ['promoted', true, { successor: 'db2:3306' }]]);
  const detections = (await get('audit-failure-detection')).body as unknown as Array<Record<string, unknown>>;
  assert.deepEqual(detections.map((d) => [d['UID'], d['IsActive'], d['RecoveryStartTimestamp']]), [['det-a', true, '2026-11-26T19:30:00.500Z']]);
  const blocked = (await get('blocked-recoveries/cluster/orders')).body as unknown as Array<Record<string, unknown>>;
  assert.deepEqual(blocked.map((b) => [b['Reason'], b['TimesBlocked'], b['BlockingRecoveryUID']]), [['recovery-block', 3, 'rec-a']]);
  const active = (await get('active-cluster-recovery/orders')).body as unknown as Array<{ UID: string }>;
  assert.deepEqual(active.map((r) => r.UID), ['rec-b']);
});

test('commands reach baton.commands; an unapplied one is a 504; the executor\'s not-attempted event answers a recover', async () => {
  const off = await get('disable-global-recoveries', { post: true });
  assert.equal(off.status, 504, JSON.stringify(off.body));
  await waitFor(() => commands.some((c) => c.kind === 'disable-global-recoveries'), { description: 'the command on baton.commands', timeoutMs: 10_000 });
  await redis.set(createKeys(config.redis.keyPrefix).recoveriesDisabled(), '1');
  assert.equal((await get('check-global-recoveries')).body.Details, 'disabled');

  const recover = await get('recover/db1/3306', { post: true });
  assert.equal(recover.status, 409, JSON.stringify(recover.body));
  assert.equal(recover.body.Message, 'Recovery not attempted');
  assert.equal((recover.body.Details as { Reason: string }).Reason, 'the stand-in never recovers');
  const sent = commands.find((c) => c.kind === 'recover');
  assert.equal(sent?.kind === 'recover' ? sent.clusterId : undefined, 'dead');
  assert.equal((await get('recover/db2/3306', { post: true })).status, 409, 'orders has no dead primary: refused before publishing');
});

test('a snapshot that does not parse is skipped, not an error', async () => {
  await redis.set(createKeys(config.redis.keyPrefix).snapshot('junk'), '{not json');
  await redis.set(createKeys(config.redis.keyPrefix).snapshot('empty'), JSON.stringify(snapshotOf('empty', [])));
  assert.deepEqual((await get('clusters')).body, ['dead', 'empty', 'orders']);
});

test('a recover refused by a running recovery is a 409 naming it; an ack answers at once, saying that recovery\'s block was kept', async () => {
  const keys = createKeys(config.redis.keyPrefix);
  await redis.set(keys.recoveryBlock('dead'), JSON.stringify({ uid: 'rec-run', failed: 'db1:3306', successor: null, state: 'running', owner: 'exec-1', startedAtMs: Date.now() }));
  await backend.query(
    `INSERT INTO recoveries (uid, cluster_id, cluster_alias, failed_host, failed_port, analysis, recovery_type, count_affected_replicas, replica_hosts, forced, processing_node, started_at)
     VALUES ('rec-run', 'dead', 'dead', 'db1', 3306, 'DeadMaster', 'MasterRecoveryGTID', 2, '[]', 0, 'exec-1', '2026-11-26 19:50:00.000')`,
  );
  try {
    const recover = await get('recover/db1/3306', { post: true });
    assert.equal(recover.status, 409, JSON.stringify(recover.body));
    assert.equal(recover.body.Message, 'Recovery not attempted');
    assert.deepEqual(recover.body.Details, { Hostname: 'db1', Port: 3306, Reason: 'recovery-running', RecoveryUID: '', RunningRecoveryUID: 'rec-run' });

    // nothing resolved to acknowledge, and the running recovery's block is never lifted: no wait for the executor
    for (const path of ['ack-recovery/cluster/dead?comment=seen', 'ack-recovery/uid/rec-run?comment=seen']) {
      const acked = await get(path, { post: true });
      assert.equal(acked.status, 200, `${path}: ${JSON.stringify(acked.body)}`);
      assert.deepEqual(acked.body, { Code: 'OK', Message: `Acknowledged 0 recoveries on ${path.includes('uid') ? 'recovery rec-run' : 'dead'}; recovery block of dead kept: recovery rec-run is still running`, Details: 0 });
    }
    await waitFor(() => commands.filter((c) => c.kind === 'ack-recoveries').length === 2, { description: 'both acks on baton.commands', timeoutMs: 10_000 });
  } finally {
    await redis.del(keys.recoveryBlock('dead'));
  }
});
