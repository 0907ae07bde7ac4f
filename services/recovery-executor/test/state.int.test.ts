/**
 * The executor's Redis state and backend rows against the real Redis and MariaDB: the block's
 * compare-and-swap script (register, blocked, forced, crashed take-over, resolve keeping the TTL,
 * release by its holder only), and the rows with an acknowledgement lifting the block.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@baton/logging';
import { parseCandidateValue, parseDowntimeValue, pttl } from '@baton/state';
import { BackendRecoveryStore } from '../src/backend-store.ts';
import { createAudit } from '../src/audit.ts';
import { handleCommand, liftBlocks } from '../src/commands.ts';
import type { BlockValue } from '../src/ports.ts';
import { redisState as sharedRedisState, scratchBackend } from './redis-state.ts';

const logger = silentLogger();

const redisState = (t: { after(fn: () => unknown): void }, nowMs: () => number = Date.now) => sharedRedisState(t, { nowMs });

const block = (uid: string, over: Partial<BlockValue> = {}): BlockValue => ({ uid, failed: 'db1:3306', successor: null, state: 'running', owner: 'me', startedAtMs: Date.now(), ...over });

test('recovery block: first registers, the next is blocked, forced replaces, resolve keeps the TTL, only the holder releases', async (t) => {
  const { redis, keys, state } = await redisState(t);
  const first = await state.registerRecovery('c1', block('a'), { forced: false });
  assert.deepEqual(first, { registered: true, replaced: null });
  const second = await state.registerRecovery('c1', block('b'), { forced: false });
  assert.equal(second.registered, false);
  assert.equal(second.registered ? '' : second.blockedBy?.uid, 'a');

  assert.equal(await state.resolveBlock('c1', block('a', { state: 'resolved', successor: 'db2:3306' })), true);
  const ttl = await pttl(redis, keys.recoveryBlock('c1'));
  assert.ok(ttl !== null && ttl > 50_000 && ttl <= 60_000, `TTL kept (${ttl})`);
  const promoted = await state.registerRecovery('c1', block('c', { failed: 'db2:3306' }), { forced: false });
  assert.deepEqual(promoted.registered ? null : promoted.reason, 'recently-promoted');

  assert.equal(await state.releaseBlock('c1', 'not-the-holder'), false);
  const forced = await state.registerRecovery('c1', block('d'), { forced: true });
  assert.equal(forced.registered ? forced.replaced?.uid : '', 'a');
  assert.equal((await state.block('c1'))?.uid, 'd');
  assert.equal(await state.releaseBlock('c1', 'd'), true);
  assert.equal(await state.block('c1'), null);
});

test('a running block whose lock is gone past its TTL is a crashed recovery: taken over', async (t) => {
  const { state, leases } = await redisState(t);
  await state.registerRecovery('c1', block('crashed', { startedAtMs: Date.now() - 5000 }), { forced: false });
  const lease = await leases.tryAcquire('c1', 10_000);
  const held = await state.registerRecovery('c1', block('new'), { forced: false });
  assert.equal(held.registered, false, 'the lock is still held: not a crash');
  await lease?.release();
  const taken = await state.registerRecovery('c1', block('new'), { forced: false });
  assert.equal(taken.registered ? taken.replaced?.uid : '', 'crashed');
});

test('backend rows: recovery, steps, blocked attempts counted, acknowledgement lifts the block', async (t) => {
  const db = await scratchBackend(t);
  const store = new BackendRecoveryStore(db);
  const { redis, keys, state } = await redisState(t);
  const at = new Date();
  const failed = { host: 'db1', port: 3306 };
  await store.insertDetection({ uid: 'det-1', clusterId: 'c1', clusterAlias: 'c1', instance: failed, analysis: 'DeadMaster', isActionable: true, countReplicas: 3, replicaHosts: ['db2:3306'], processingNode: 'me', startedAt: at });
  await store.insertRecovery({ uid: 'rec-1', clusterId: 'c1', clusterAlias: 'c1', failed, analysis: 'DeadMaster', commandHint: '', countReplicas: 3, replicaHosts: ['db2:3306'], detectionUid: 'det-1', forced: false, requestedCandidate: null, requestId: null, processingNode: 'me', startedAt: at });
  await store.insertStep({ recoveryUid: 'rec-1', seq: 1, at, step: 'registered', message: 'm', ok: true, details: { a: 1 } });
  await store.insertStep({ recoveryUid: 'rec-1', seq: 1, at, step: 'registered', message: 'replayed', ok: true, details: {} });
  await store.resolveRecovery('rec-1', { outcome: 'successful', successor: { host: 'db2', port: 3306 }, successorPosition: '0-1-9', lostReplicas: [], participants: ['db1:3306'], errors: [], fencingResult: 'unreachable', lockToken: 3, endedAt: new Date() });
  for (let i = 0; i < 2; i++) await store.recordBlocked({ clusterId: 'c1', clusterAlias: 'c1', instance: failed, analysis: 'DeadMaster', reason: 'recovery-block', blockingUid: 'rec-1', at });

  const [row] = await db.query('SELECT is_successful, outcome, successor_host, fencing_result, lock_token, ended_at FROM recoveries WHERE uid = ?', ['rec-1']);
  assert.equal(row?.['outcome'], 'successful');
  assert.equal(Number(row?.['is_successful']), 1);
  assert.equal(row?.['successor_host'], 'db2');
  assert.equal(row?.['fencing_result'], 'unreachable');
  assert.equal(Number(row?.['lock_token']), 3);
  assert.ok(row?.['ended_at']);
  const steps = await db.query('SELECT seq, message FROM recovery_steps WHERE recovery_uid = ?', ['rec-1']);
  assert.deepEqual(steps.map((s) => s['message']), ['m'], 'a replayed step is ignored');
  const [blocked] = await db.query('SELECT times_blocked FROM blocked_recoveries WHERE cluster_id = ?', ['c1']);
  assert.equal(Number(blocked?.['times_blocked']), 2);

  await state.registerRecovery('c1', block('rec-1'), { forced: false });
  await state.resolveBlock('c1', block('rec-1', { state: 'resolved', successor: 'db2:3306' }));
  await state.registerDetection('c1', 'db1:3306', 'det-1');
  await store.closeDetections('c1', failed, 'rec-1', new Date());
  const acked = await store.acknowledge({ scope: 'uid', uid: 'rec-1' }, 'ops', 'checked', new Date());
  assert.deepEqual(acked.recoveries, [{ uid: 'rec-1', clusterId: 'c1' }]);
  assert.equal(acked.detections.length, 1);
  const lifted = await liftBlocks(redis, keys, { scope: 'uid', uid: 'rec-1' }, acked);
  assert.deepEqual(lifted, { blocks: 1, detections: 1, leftRunning: [] });
  assert.equal(await state.block('c1'), null);
  const [ack] = await db.query('SELECT acknowledged, acknowledged_by, acknowledged_comment FROM recoveries WHERE uid = ?', ['rec-1']);
  assert.equal(Number(ack?.['acknowledged']), 1);
  assert.equal(ack?.['acknowledged_comment'], 'checked');
  assert.deepEqual((await store.acknowledge({ scope: 'all' }, 'ops', 'again', new Date())).recoveries, [], 'nothing left to acknowledge');
});

test('commands: candidate and downtime keys in the formats the detector reads, the global switch, a redelivery handled once', async (t) => {
  const { redis, keys } = await redisState(t);
  const switches: boolean[] = [];
  const recovers: string[] = [];
  const deps = {
    redis,
    keys,
    store: { acknowledge: async () => ({ recoveries: [], detections: [] }), recordSwitch: async (enabled: boolean) => void switches.push(enabled) },
    executor: { recover: async (c: { requestId: string }) => (recovers.push(c.requestId), true) },
    audit: createAudit({ events: { publish: async () => undefined }, store: { insertStep: async () => undefined } as never, logger }),
    logger,
    candidateTtlMs: 60_000,
    processedTtlMs: 60_000,
  };
  const instance = { host: 'db2', port: 3306 };
  const meta = (messageId: string) => ({ messageId, correlationId: undefined });
  await handleCommand({ kind: 'register-candidate', requestedBy: 'ops', clusterId: 'c1', instance, promotionRule: 'prefer' }, meta('m1'), deps);
  assert.equal(parseCandidateValue(await redis.get(keys.candidate('c1', 'db2:3306'))).promotionRule, 'prefer');
  const endsAt = new Date(Date.now() + 3_600_000).toISOString();
  await handleCommand({ kind: 'begin-downtime', requestedBy: 'ops', clusterId: 'c1', instance, owner: 'ops', reason: 'upgrade', endsAt }, meta('m2'), deps);
  assert.equal(parseDowntimeValue(await redis.get(keys.downtime('c1', 'db2:3306')), new Date()).downtime?.reason, 'upgrade');
  await handleCommand({ kind: 'end-downtime', requestedBy: 'ops', clusterId: 'c1', instance }, meta('m3'), deps);
  assert.equal(await redis.get(keys.downtime('c1', 'db2:3306')), null);
  await handleCommand({ kind: 'disable-global-recoveries', requestedBy: 'ops' }, meta('m4'), deps);
  assert.equal(await redis.exists(keys.recoveriesDisabled()), 1);
  await handleCommand({ kind: 'disable-global-recoveries', requestedBy: 'ops' }, meta('m4'), deps);
  await handleCommand({ kind: 'enable-global-recoveries', requestedBy: 'ops' }, meta('m5'), deps);
  assert.equal(await redis.exists(keys.recoveriesDisabled()), 0);
  await deps.audit.drain();
  assert.deepEqual(switches, [false, true], 'the redelivered disable wrote no second history row');
  const recover = { kind: 'recover' as const, requestedBy: 'ops', clusterId: 'c1', instance, skipProcesses: false, commandHint: '' as const, requestId: 'r1' };
  await handleCommand(recover, meta('m6'), deps);
  await handleCommand(recover, meta('m7'), deps);
  assert.deepEqual(recovers, ['r1'], 'one recovery per request id');
  await assert.rejects(
    handleCommand({ kind: 'begin-downtime', requestedBy: 'ops', clusterId: 'c1', instance, owner: 'o', reason: 'r', endsAt: new Date(Date.now() - 1000).toISOString() }, meta('m8'), deps),
    /not in the future/,
  );
});
