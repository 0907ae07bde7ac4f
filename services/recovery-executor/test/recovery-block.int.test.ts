/**
 * The recovery block changes only by compare-and-swap on its owner's uid, against the real Redis
 * (and the real backend for acknowledgements):
 *   - swap-block-1.lua, every expected mode (absent, absent-or-resolved, any, a uid, a uid in a
 *     state) against every kind of current value;
 *   - registration: a forced recovery replaces a resolved recovery's block, never a running one's
 *     (refused `recovery-running` with its uid) unless that one crashed; holdBlock still takes
 *     over; `runningRecovery`; the executor's answer to a forced recover while one runs;
 *   - acknowledgements (the ack-recoveries command, every scope): resolved recoveries acknowledged
 *     and their blocks lifted; a running recovery neither acknowledged nor unblocked;
 *   - anti-flapping afterwards: the successor's death within the block period is
 *     `recently-promoted` even after a refused forced recover and an ack during the recovery.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { RecoveryEvent } from '@baton/contracts';
import { silentLogger } from '@baton/logging';
import { pttl } from '@baton/state';
import { createAudit } from '../src/audit.ts';
import { BackendRecoveryStore } from '../src/backend-store.ts';
import { handleCommand } from '../src/commands.ts';
import { RecoveryExecutor } from '../src/executor.ts';
import type { BlockValue, RecoveryRow, RecoveryState } from '../src/ports.ts';
import { expectAbsent, expectAbsentOrResolved, expectAnyHolder, swapBlock } from '../src/registration.ts';
import { redisState as sharedRedisState, scratchBackend } from './redis-state.ts';
import { deadPrimaryCluster, FakeHooks, FakeJournal, FakeStore, FakeTopology, primary, testSettings } from './fakes.ts';

const logger = silentLogger();
const blockMs = 60_000;
const lockTtlMs = 1000;

const redisState = (t: TestContext) => sharedRedisState(t, { prefix: 'block', recoveryBlockMs: blockMs, lockTtlMs });

const block = (uid: string, over: Partial<BlockValue> = {}): BlockValue => ({ uid, failed: 'db1:3306', successor: null, state: 'running', owner: 'me', startedAtMs: Date.now(), ...over });
const resolvedBlock = (uid: string, successor = 'db2:3306'): BlockValue => block(uid, { state: 'resolved', successor, resolvedAtMs: Date.now() });

test('swap-block-1.lua: every expected mode against every kind of block', async (t) => {
  const { redis, keys } = await redisState(t);
  const running = JSON.stringify(block('a'));
  const resolved = JSON.stringify(resolvedBlock('a'));
  const junk = 'not a block';
  const next = JSON.stringify(block('n'));
  type Initial = string | null;
  // name, current value, expected, required state, new value, ttl → swapped, value afterwards
  const cases: Array<[string, Initial, string, '' | BlockValue['state'], string, number, boolean, Initial]> = [
    ['absent: registers', null, expectAbsent, '', next, blockMs, true, next],
    ['absent: a running block refuses', running, expectAbsent, '', next, blockMs, false, running],
    ['absent: a resolved block refuses', resolved, expectAbsent, '', next, blockMs, false, resolved],
    ['absent-or-resolved: registers when absent', null, expectAbsentOrResolved, '', next, blockMs, true, next],
    ['absent-or-resolved: replaces a resolved block', resolved, expectAbsentOrResolved, '', next, blockMs, true, next],
    ['absent-or-resolved: a running block refuses', running, expectAbsentOrResolved, '', next, blockMs, false, running],
    ['absent-or-resolved: a value that is not a block refuses', junk, expectAbsentOrResolved, '', next, blockMs, false, junk],
    ['any: replaces a running block', running, expectAnyHolder, '', next, blockMs, true, next],
    ['any: replaces a value that is not a block', junk, expectAnyHolder, '', next, blockMs, true, next],
    ['any: sets one where there is none', null, expectAnyHolder, '', next, blockMs, true, next],
    ['uid: its holder rewrites it', running, 'a', '', next, blockMs, true, next],
    ['uid: another holder refuses', running, 'b', '', next, blockMs, false, running],
    ['uid: nothing to rewrite', null, 'a', '', next, blockMs, false, null],
    ['uid: its holder releases it', running, 'a', '', '', 0, true, null],
    ['uid resolved: lifts a resolved block', resolved, 'a', 'resolved', '', 0, true, null],
    ['uid resolved: a running block stays', running, 'a', 'resolved', '', 0, false, running],
    ['uid resolved: another resolved holder stays', resolved, 'b', 'resolved', '', 0, false, resolved],
    ['uid resolved: nothing there', null, 'a', 'resolved', '', 0, false, null],
    ['uid running: a running block is rewritten', running, 'a', 'running', next, 0, true, next],
    ['uid running: a resolved block is not', resolved, 'a', 'running', next, 0, false, resolved],
  ];
  for (const [i, [name, initial, expected, state, value, ttlMs, swapped, after]] of cases.entries()) {
    const key = keys.recoveryBlock(`c${i}`);
    if (initial !== null) await redis.set(key, initial, 'PX', blockMs);
    const result = await swapBlock(redis, key, expected, value, ttlMs, state);
    assert.equal(result.swapped, swapped, name);
    assert.equal(await redis.get(key), after, name);
    // the reply carries the value the swap met (parsed; a value that is not a block reads null)
    assert.equal(result.current?.uid ?? null, initial === null || initial === junk ? null : 'a', `${name}: current`);
  }
});

test('swap-block-1.lua: ttl 0 keeps the TTL (and sets nothing where there is none), a ttl sets it', async (t) => {
  const { redis, keys } = await redisState(t);
  const key = keys.recoveryBlock('ttl');
  await redis.set(key, JSON.stringify(block('a')), 'PX', 30_000);
  assert.equal((await swapBlock(redis, key, 'a', JSON.stringify(resolvedBlock('a')), 0)).swapped, true);
  const kept = await pttl(redis, key);
  assert.ok(kept !== null && kept > 20_000 && kept <= 30_000, `TTL kept (${kept})`);
  assert.equal((await swapBlock(redis, key, expectAbsentOrResolved, JSON.stringify(block('b')), blockMs)).swapped, true);
  const set = await pttl(redis, key);
  assert.ok(set !== null && set > 50_000, `TTL set (${set})`);
  // ttl 0 where there is nothing to keep: nothing set
  assert.equal((await swapBlock(redis, keys.recoveryBlock('none'), expectAnyHolder, JSON.stringify(block('c')), 0)).swapped, false);
  assert.equal(await redis.get(keys.recoveryBlock('none')), null);
});

test('registration: a forced recovery is refused by a running recovery, replaces a resolved one, takes over a crashed one', async (t) => {
  const { state, leases } = await redisState(t);
  // running, its lock held
  assert.deepEqual(await state.registerRecovery('c1', block('run'), { forced: false }), { registered: true, replaced: null });
  const lease = await leases.tryAcquire('c1', 10_000);
  assert.ok(lease);
  const refused = await state.registerRecovery('c1', block('forced'), { forced: true });
  assert.equal(refused.registered, false);
  assert.equal(refused.registered ? '' : refused.reason, 'recovery-running');
  assert.equal(refused.registered ? '' : refused.blockedBy?.uid, 'run');
  assert.equal((await state.block('c1'))?.uid, 'run', 'the running block untouched');
  assert.equal((await state.runningRecovery('c1'))?.uid, 'run');

  // running, registered just now, lock not taken yet: still a running recovery
  await state.registerRecovery('c2', block('young'), { forced: false });
  const young = await state.registerRecovery('c2', block('forced'), { forced: true });
  assert.equal(young.registered ? '' : young.reason, 'recovery-running');

  // resolved: replaced (the implicit acknowledgement)
  assert.equal(await state.resolveBlock('c1', resolvedBlock('run')), true);
  await lease.release();
  assert.equal(await state.runningRecovery('c1'), null);
  const replaced = await state.registerRecovery('c1', block('forced'), { forced: true });
  assert.deepEqual(replaced.registered ? replaced.replaced?.uid : null, 'run');
  assert.equal((await state.block('c1'))?.uid, 'forced');

  // running but crashed (no lock, older than the lock's TTL): taken over, forced or not
  await state.registerRecovery('c3', block('crashed', { startedAtMs: Date.now() - 5 * lockTtlMs }), { forced: false });
  assert.equal(await state.runningRecovery('c3'), null, 'a crashed recovery is not a running one');
  assert.equal((await state.runningRecovery('c3', { includeCrashed: true }))?.uid, 'crashed', 'but it still holds the cluster for a topology operation (the takeover will finish it)');
  const takeover = await state.registerRecovery('c3', block('forced'), { forced: true });
  assert.equal(takeover.registered ? takeover.replaced?.uid : null, 'crashed');

  // none: registered, nothing replaced
  assert.deepEqual(await state.registerRecovery('c4', block('first'), { forced: true }), { registered: true, replaced: null });

  // holdBlock (the takeover of a recovery its journal continues) still holds whatever was there
  await state.holdBlock('c2', block('resumed'));
  assert.equal((await state.block('c2'))?.uid, 'resumed');
});

/** The executor itself over the real Redis state (its other ports in memory): a forced recover while a recovery runs. */
function executorOver(state: RecoveryState) {
  const log: string[] = [];
  const events: RecoveryEvent[] = [];
  const store = new FakeStore();
  const settings = testSettings();
  const audit = createAudit({ events: { publish: async (e) => void events.push(e) }, store, logger });
  const executor = new RecoveryExecutor({
    settings,
    state,
    store,
    audit,
    hooks: new FakeHooks(log),
    topology: new FakeTopology(log),
    journal: new FakeJournal(log, store),
    logger,
    owner: 'test-owner',
    hostname: 'baton-host',
    startedAtMs: Date.now() - settings.warmupMs - 1,
  });
  const settle = async () => {
    await executor.idle(5000);
    await audit.drain(5000);
  };
  return { executor, events, log, store, settle };
}

test('the executor over Redis: a forced recover while a recovery runs is answered recover-not-attempted with its uid, at once or at registration', async (t) => {
  const r = await redisState(t);
  const { state, leases } = r;
  await r.redis.set(r.keys.snapshot('c1'), JSON.stringify(deadPrimaryCluster({ at: Date.now() })));
  await state.registerRecovery('c1', block('run'), { forced: false });
  const lease = await leases.tryAcquire('c1', 10_000);
  assert.ok(lease);
  const command = { kind: 'recover' as const, requestedBy: 'ops', clusterId: 'c1', instance: primary, skipProcesses: true, commandHint: '' as const, requestId: 'r-1' };

  const early = executorOver(state);
  await early.executor.recover(command, undefined);
  await early.settle();
  const answer = early.events.find((e) => e.step === 'recover-not-attempted');
  assert.deepEqual([answer?.details['reason'], answer?.details['runningRecoveryUid'], answer?.details['requestId']], ['recovery-running', 'run', 'r-1']);
  assert.deepEqual(early.log, [], 'nothing ran');

  // the running check passed (a recovery registering in between): the registration's swap refuses it
  const late = executorOver(new Proxy(state, { get: (target, p) => (p === 'runningRecovery' ? async () => null : (Reflect.get(target, p) as (...a: unknown[]) => unknown).bind(target)) }));
  await late.executor.recover({ ...command, requestId: 'r-2' }, undefined);
  await late.settle();
  const refused = late.events.find((e) => e.step === 'recover-not-attempted');
  assert.deepEqual([refused?.details['reason'], refused?.details['runningRecoveryUid'], refused?.details['requestId']], ['recovery-running', 'run', 'r-2']);
  assert.ok(!late.events.some((e) => e.step === 'registered'), 'not registered');
  assert.equal(late.store.of('recoveries').length, 0);
  assert.equal((await state.block('c1'))?.uid, 'run');
  await lease.release();
});

interface AckFixture {
  store: BackendRecoveryStore;
  events: RecoveryEvent[];
  ack(command: { scope: 'cluster' | 'instance' | 'uid' | 'all'; clusterId?: string; instance?: { host: string; port: number }; uid?: string }): Promise<void>;
  recovery(uid: string, clusterId: string, failedHost: string): Promise<RecoveryRow>;
  resolve(uid: string, successor: string): Promise<void>;
  acknowledged(uid: string): Promise<boolean>;
}

async function backendFixture(t: TestContext, redisFixture: Awaited<ReturnType<typeof redisState>>): Promise<AckFixture> {
  const db = await scratchBackend(t);
  const store = new BackendRecoveryStore(db);
  const events: RecoveryEvent[] = [];
  const audit = createAudit({ events: { publish: async (e) => void events.push(e) }, store, logger });
  const deps = {
    redis: redisFixture.redis,
    keys: redisFixture.keys,
    store,
    executor: { recover: async () => true },
    audit,
    logger,
    candidateTtlMs: 60_000,
    processedTtlMs: 60_000,
  };
  let n = 0;
  return {
    store,
    events,
    async ack(c) {
      n += 1;
      await handleCommand({ kind: 'ack-recoveries', requestedBy: 'ops', comment: `ack ${n}`, ...c }, { messageId: `ack-${n}`, correlationId: undefined }, deps);
      await audit.drain();
    },
    async recovery(uid, clusterId, failedHost) {
      const row: RecoveryRow = { uid, clusterId, clusterAlias: clusterId, failed: { host: failedHost, port: 3306 }, analysis: 'DeadMaster', commandHint: '', countReplicas: 2, replicaHosts: [], detectionUid: null, forced: false, requestedCandidate: null, requestId: null, processingNode: 'me', startedAt: new Date() };
      await store.insertRecovery(row);
      return row;
    },
    async resolve(uid, successor) {
      const [host, port] = successor.split(':');
      await store.resolveRecovery(uid, { outcome: 'successful', successor: { host: host as string, port: Number(port) }, successorPosition: '0-1-9', lostReplicas: [], participants: [], errors: [], fencingResult: 'unreachable', lockToken: 1, endedAt: new Date() });
    },
    async acknowledged(uid) {
      const [row] = await db.query('SELECT acknowledged FROM recoveries WHERE uid = ?', [uid]);
      return Number(row?.['acknowledged']) === 1;
    },
  };
}

test('acknowledgements, every scope: resolved recoveries acknowledged and unblocked; a running recovery neither', async (t) => {
  const r = await redisState(t);
  const { state } = r;
  const b = await backendFixture(t, r);
  // c1: an old resolved recovery (already unblocked), and one running now that holds the block
  await b.recovery('old', 'c1', 'db0');
  await b.resolve('old', 'db1:3306');
  await b.recovery('run', 'c1', 'db1');
  await state.registerRecovery('c1', block('run'), { forced: false });
  // c2: a resolved recovery holding its block
  await b.recovery('done', 'c2', 'x1');
  await b.resolve('done', 'x2:3306');
  await state.registerRecovery('c2', block('done', { failed: 'x1:3306' }), { forced: false });
  await state.resolveBlock('c2', resolvedBlock('done', 'x2:3306'));

  for (const scope of [{ scope: 'uid' as const, uid: 'run' }, { scope: 'instance' as const, instance: { host: 'db1', port: 3306 }, clusterId: 'c1' }, { scope: 'cluster' as const, clusterId: 'c1' }]) {
    await b.ack(scope);
    assert.equal((await state.block('c1'))?.uid, 'run', `${scope.scope}: the running recovery's block stays`);
    assert.equal(await b.acknowledged('run'), false, `${scope.scope}: a running recovery is not acknowledged`);
  }
  assert.equal(await b.acknowledged('old'), true, 'the cluster ack acknowledged the resolved one');
  const clusterAck = b.events.filter((e) => e.step === 'acknowledged' && e.clusterId === 'c1').at(-1);
  assert.equal(clusterAck?.details['blockLeftRunning'], 'run');
  assert.match(clusterAck?.message ?? '', /block kept: recovery run is still running/);

  await b.ack({ scope: 'all' });
  assert.equal(await state.block('c2'), null, "all: the resolved recovery's block lifted");
  assert.equal(await b.acknowledged('done'), true);
  assert.equal((await state.block('c1'))?.uid, 'run', "all: the running recovery's block stays");

  // once it resolved, an ack of its uid acknowledges it and lifts its block
  await b.resolve('run', 'db2:3306');
  await state.resolveBlock('c1', resolvedBlock('run'));
  await b.ack({ scope: 'uid', uid: 'run' });
  assert.equal(await b.acknowledged('run'), true);
  assert.equal(await state.block('c1'), null);
});

test('a cluster ack lifts the resolved block of whichever recovery holds it, already acknowledged or not', async (t) => {
  const r = await redisState(t);
  const b = await backendFixture(t, r);
  await r.state.registerRecovery('c1', block('forced-earlier'), { forced: false });
  await r.state.resolveBlock('c1', resolvedBlock('forced-earlier'));
  await b.ack({ scope: 'cluster', clusterId: 'c1' });
  assert.equal(await r.state.block('c1'), null);
});

test('anti-flapping: a forced recover refused and an ack during the recovery leave the block; the successor\'s death is recently-promoted', async (t) => {
  const r = await redisState(t);
  const { state, leases } = r;
  const b = await backendFixture(t, r);
  const lease = await leases.tryAcquire('c1', 10_000);
  assert.ok(lease);
  await b.recovery('run', 'c1', 'db1');
  assert.equal((await state.registerRecovery('c1', block('run'), { forced: false })).registered, true);
  const ttlBefore = await pttl(r.redis, r.keys.recoveryBlock('c1'));

  // during the recovery: a forced recover and a cluster ack
  const forced = await state.registerRecovery('c1', block('forced'), { forced: true });
  assert.equal(forced.registered ? '' : forced.reason, 'recovery-running');
  await b.ack({ scope: 'cluster', clusterId: 'c1' });
  assert.equal((await state.block('c1'))?.uid, 'run');
  const ttlAfter = await pttl(r.redis, r.keys.recoveryBlock('c1'));
  assert.ok(ttlAfter !== null && ttlBefore !== null && ttlAfter <= ttlBefore && ttlAfter > blockMs - 10_000, `the block's period untouched (${ttlBefore} → ${ttlAfter})`);

  // resolved with db2 promoted, then db2 dies within the block period
  await b.resolve('run', 'db2:3306');
  assert.equal(await state.resolveBlock('c1', resolvedBlock('run', 'db2:3306')), true);
  await lease.release();
  const successorDied = await state.registerRecovery('c1', block('next', { failed: 'db2:3306' }), { forced: false });
  assert.equal(successorDied.registered, false);
  assert.equal(successorDied.registered ? '' : successorDied.reason, 'recently-promoted');
  assert.equal(successorDied.registered ? '' : successorDied.blockedBy?.uid, 'run');
});
