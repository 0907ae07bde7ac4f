/**
 * The protocol's order of steps, with every port faked (test/fakes.ts): what runs, in which order,
 * and what must not run, for the success path and each way out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analysisOf, deadPrimaryCluster, harness, healthyCluster, id, primary, replicaKeys, T0 } from './fakes.ts';
import type { ClusterSnapshot, InstanceObservation } from '@baton/contracts';

const dead = () => analysisOf(deadPrimaryCluster());

test('dead primary: detection, registration, then claim → refresh → re-check → hooks → drain → promote → move → resolve → post hooks', async () => {
  const h = harness();
  // db3 is the most advanced: it must be the one promoted
  h.topology.refreshed = () => deadPrimaryCluster({ seqs: [100, 105, 100] });
  assert.equal(h.executor.handleAnalysis(dead(), 'det-1'), 'queued');
  await h.settle();

  assert.deepEqual(h.log, [
    'detection:db1:3306',
    'hook:OnFailureDetectionProcesses',
    'register',
    'lease.acquire',
    'journal.claim',
    'refresh',
    'hook:PreFailoverProcesses',
    'journal.stop-replicas:intent',
    'fence:db1:3306@150ms', // it answered neither the analysis nor the refresh: the short budget
    'drain:db2:3306,db3:3306,db4:3306',
    'journal.promote:intent',
    'promote:db3:3306',
    'writable?:db2:3306,db4:3306',
    'journal.promote:done',
    'keeper.persist:db1:3306',
    'repoint:db2:3306,db4:3306->db3:3306',
    'block.resolve',
    'hook:PostMasterFailoverProcesses',
    'hook:PostFailoverProcesses',
    'lease.release',
    'close',
  ]);
  assert.deepEqual(h.steps(), [
    'registered:succeeded',
    // the claim's transaction runs beside the executor's own probes
    'refreshed:succeeded',
    'claimed:succeeded',
    're-checked:succeeded',
    'pre-failover-hooks:succeeded',
    'replicas-stopped:succeeded',
    'candidate-chosen:succeeded',
    'fenced:info',
    'promoted:succeeded',
    'loss-report:info',
    'replica-moved:succeeded',
    'replica-moved:succeeded',
    'replicas-moved:succeeded',
    'downtimed:info',
    'successor-downtime-ended:info',
    'resolved:succeeded',
    'summary:succeeded',
    'post-master-failover-hooks:succeeded',
    'post-failover-hooks:succeeded',
    'released:info',
  ]);
  const [resolution] = h.store.of('recoveries.resolve') as Array<{ outcome: string; successor: { host: string } | null; fencingResult: string; lockToken: number }>;
  assert.equal(resolution?.outcome, 'successful');
  assert.equal(resolution?.successor?.host, 'db3');
  assert.equal(resolution?.fencingResult, 'unreachable');
  assert.equal(resolution?.lockToken, 1, 'the fencing token is the backend epoch (the first claim of the cluster)');
  const rows = (h.store.of('recovery_steps') as Array<{ seq: number; step: string }>).map((r) => `${r.seq}:${r.step}`);
  const numbered = h.events.filter((e) => e.recoveryUid !== '').map((e) => `${e.sequence}:${e.step}`);
  assert.deepEqual(rows, numbered, 'one step row per event, same numbers');
  assert.equal(h.state.block?.state, 'resolved');
  assert.equal(h.state.block?.successor, 'db3:3306', 'the successor stays in the block value');
  assert.ok(h.state.downtimes.has('db1:3306'), 'the failed primary is downtimed');
  assert.equal(h.store.of('failure_detections.close').length, 1, 'the detection row ends with the recovery');
  assert.ok(h.state.detections.has('db1:3306'), 'its key stays: late analyses of the old topology do not detect it again');
  // hook values
  const post = h.hooks.calls.find((c) => c.kind === 'PostFailoverProcesses');
  assert.equal(post?.values['successorHost'], 'db3');
  assert.equal(post?.values['isSuccessful'], 'true');
  assert.equal(post?.values['failedHost'], 'db1');
  assert.equal(post?.requestId, `${post?.recoveryUid}:PostFailoverProcesses`);
  const pre = h.hooks.calls.find((c) => c.kind === 'PreFailoverProcesses');
  assert.equal(pre?.values['successorHost'], undefined, 'no successor placeholders before one exists');
  assert.equal(pre?.values['isSuccessful'], 'false');
});

test('a failing PreFailover hook: nothing touched, resolved failed, PostUnsuccessful runs, the block stays (W8)', async () => {
  const h = harness();
  h.hooks.outcomes.PreFailoverProcesses = { status: 'no-result', waitedMs: 5000, error: 'no result within 5000 ms' };
  h.executor.handleAnalysis(dead(), 'det-1');
  await h.settle();
  assert.ok(!h.log.some((c) => /^(fence|drain|promote|repoint|restart)/.test(c)), h.log.join(' '));
  assert.deepEqual(
    h.log.filter((c) => c.startsWith('hook:')),
    ['hook:OnFailureDetectionProcesses', 'hook:PreFailoverProcesses', 'hook:PostUnsuccessfulFailoverProcesses'],
  );
  const [resolution] = h.store.of('recoveries.resolve') as Array<{ outcome: string; errors: string[] }>;
  assert.equal(resolution?.outcome, 'failed');
  assert.match(resolution?.errors.join(' ') ?? '', /PreFailoverProcesses/);
  assert.equal(h.state.block?.state, 'resolved', 'the failed recovery keeps the cluster blocked (ack lifts it)');
});

test('the problem is gone or changed on the executor\'s own probes: stop before touching anything, give the block back; a changed one is skipped, not failed', async (t) => {
  const moved = (): ClusterSnapshot => {
    const s = deadPrimaryCluster();
    return { ...s, instances: [s.instances[0] as InstanceObservation] }; // its replicas were just moved elsewhere
  };
  const cases: Array<{ name: string; refreshed: () => ClusterSnapshot; outcome: string; step: string; reason: RegExp }> = [
    { name: 'healthy again', refreshed: () => healthyCluster(), outcome: 'not-needed', step: 'problem-gone', reason: /no problem/ },
    { name: 'its replicas replicate again (UnreachableMaster)', refreshed: () => deadPrimaryCluster({ replicating: true }), outcome: 'skipped', step: 'problem-changed', reason: /is now UnreachableMaster, not a dead primary/ },
    { name: 'its replicas were moved away (DeadMasterWithoutReplicas)', refreshed: moved, outcome: 'skipped', step: 'problem-changed', reason: /is now DeadMasterWithoutReplicas, not a dead primary/ },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const h = harness();
      h.topology.refreshed = c.refreshed;
      h.executor.handleAnalysis(dead(), 'det-1');
      await h.settle();
      assert.ok(!h.log.some((x) => /^(hook:Pre|fence|drain|promote)/.test(x)), h.log.join(' '));
      assert.ok(h.log.includes('block.release'));
      assert.equal(h.state.block, null);
      assert.ok(h.steps().includes(`${c.step}:skipped`), h.steps().join(' '));
      const [resolution] = h.store.of('recoveries.resolve') as Array<{ outcome: string; errors: string[] }>;
      assert.equal(resolution?.outcome, c.outcome);
      assert.match(resolution?.errors.join(' ') ?? '', c.reason, 'the reason is on the row');
      assert.ok(!h.log.some((x) => x.startsWith('hook:Post')), 'not attempted: no post hooks');
    });
  }
});

test('no candidate in the failed primary\'s data center: replicas restarted, nothing promoted or moved (W4)', async () => {
  const h = harness({ env: { BATON__RECOVERY__PREVENT_CROSS_DATA_CENTER_MASTER_FAILOVER: 'true' } });
  const shape = { primaryDataCenter: 'east', dataCenters: ['west', 'west', 'west'] };
  h.topology.refreshed = () => deadPrimaryCluster(shape);
  h.executor.handleAnalysis(analysisOf(deadPrimaryCluster(shape)), 'det-1');
  await h.settle();
  assert.ok(h.log.includes('restart:db2:3306,db3:3306,db4:3306'), h.log.join(' '));
  assert.ok(!h.log.some((c) => /^(promote|repoint)/.test(c)));
  assert.ok(h.steps().includes('candidate:failed'));
  assert.ok(h.log.includes('hook:PostUnsuccessfulFailoverProcesses'));
  const [resolution] = h.store.of('recoveries.resolve') as Array<{ outcome: string; errors: string[] }>;
  assert.equal(resolution?.outcome, 'failed');
  assert.match(resolution?.errors.join(' ') ?? '', /data center/);
});

test('must_not is never promoted; a prefer replica as advanced as the others is', async () => {
  const h = harness();
  h.topology.refreshed = () => {
    const s = deadPrimaryCluster({ seqs: [100, 100, 100] });
    const [, a, b, c] = s.instances;
    a!.promotionRule = 'must_not';
    c!.promotionRule = 'prefer';
    void b;
    return s;
  };
  h.executor.handleAnalysis(dead(), 'det-1');
  await h.settle();
  assert.ok(h.log.includes('promote:db4:3306'), h.log.join(' '));
});

test('a verified promotion is the only success (W5): unverified ⇒ failed, no replica moved', async () => {
  const h = harness();
  h.topology.promoteVerified = false;
  h.executor.handleAnalysis(dead(), 'det-1');
  await h.settle();
  assert.ok(!h.log.some((c) => c.startsWith('repoint')));
  assert.ok(h.steps().includes('promoted:failed'));
  const [resolution] = h.store.of('recoveries.resolve') as Array<{ outcome: string; successor: unknown }>;
  assert.equal(resolution?.outcome, 'failed');
  assert.equal(resolution?.successor, null);
});

test('a replica whose move fails is lost: detached and downtimed', async () => {
  const h = harness();
  h.topology.refreshed = () => deadPrimaryCluster({ seqs: [105, 100, 100] });
  h.topology.failMoves.add('db4:3306');
  h.executor.handleAnalysis(dead(), 'det-1');
  await h.settle();
  assert.ok(h.log.includes('detach:db4:3306'), h.log.join(' '));
  assert.ok(h.state.downtimes.has('db4:3306'));
  const [resolution] = h.store.of('recoveries.resolve') as Array<{ outcome: string; lostReplicas: string[] }>;
  assert.equal(resolution?.outcome, 'successful');
  assert.deepEqual(resolution?.lostReplicas, ['db4:3306']);
});

test('blocked by an earlier recovery: recorded (row + event), nothing else', async () => {
  const h = harness();
  h.state.block = { uid: 'earlier', failed: 'db0:3306', successor: 'db1:3306', state: 'resolved', owner: 'x', startedAtMs: T0 - 1000 };
  h.executor.handleAnalysis(dead(), 'det-1');
  await h.settle();
  assert.deepEqual(h.log, ['detection:db1:3306', 'hook:OnFailureDetectionProcesses', 'register:blocked']);
  const [blocked] = h.store.of('blocked_recoveries') as Array<{ reason: string; blockingUid: string }>;
  assert.equal(blocked?.reason, 'recently-promoted', 'the failed instance is the previous recovery\'s successor');
  assert.equal(blocked?.blockingUid, 'earlier');
  assert.ok(h.events.some((e) => e.step === 'blocked' && e.status === 'blocked'));
});

test('an analysis still in flight about a failure already recovered: skipped, not recorded as a blocked recovery', async () => {
  const h = harness();
  h.state.block = { uid: 'earlier', failed: 'db1:3306', successor: 'db3:3306', state: 'resolved', owner: 'x', startedAtMs: T0 - 1000, resolvedAtMs: T0 + 200 };
  h.executor.handleAnalysis(dead(), 'det-1');
  await h.settle();
  assert.ok(h.log.includes('register:blocked'));
  assert.deepEqual(h.store.of('blocked_recoveries'), []);
  assert.ok(!h.events.some((e) => e.step === 'blocked'));
  const skipped = h.events.find((e) => e.step === 'recovery-skipped');
  assert.deepEqual([skipped?.details['reason'], skipped?.details['failed'], skipped?.details['recoveryUid']], ['already-recovered', 'db1:3306', 'earlier']);

  // observed after that recovery resolved: a new failure of the same instance, blocked as usual
  const later = harness();
  later.state.block = { ...h.state.block, resolvedAtMs: T0 - 1 };
  later.executor.handleAnalysis(dead(), 'det-2');
  await later.settle();
  assert.equal(later.store.of('blocked_recoveries').length, 1);
  assert.ok(later.events.some((e) => e.step === 'blocked' && e.details['failed'] === 'db1:3306'));
});

test('recoveries disabled: the detection is registered, no recovery; a forced recover still runs', async () => {
  const h = harness();
  h.state.disabled = true;
  h.executor.handleAnalysis(dead(), 'det-1');
  await h.settle();
  assert.deepEqual(h.log, ['detection:db1:3306', 'hook:OnFailureDetectionProcesses']);
  assert.equal(h.store.of('failure_detections').length, 1);
  assert.ok(h.events.some((e) => e.step === 'recovery-skipped' && e.details['reason'] === 'recoveries-disabled'));

  h.state.cached = deadPrimaryCluster();
  await h.executor.recover({ kind: 'recover', requestedBy: 'ops', clusterId: 'c1', instance: primary, candidate: replicaKeys[0], skipProcesses: false, commandHint: '', requestId: 'r-1' }, undefined);
  await h.settle();
  assert.ok(h.log.includes('register:forced'));
  assert.ok(h.log.includes('promote:db2:3306'), 'the requested candidate');
  const [row] = h.store.of('recoveries') as Array<{ forced: boolean; requestId: string }>;
  assert.equal(row?.forced, true);
  assert.equal(row?.requestId, 'r-1');
});

test('not opted in by RecoverMasterClusterFilters (default []): no recovery', async () => {
  const h = harness({ env: { BATON__RECOVERY__RECOVER_MASTER_CLUSTER_FILTERS: '[]' } });
  h.executor.handleAnalysis(dead(), 'det-1');
  await h.settle();
  assert.ok(!h.log.includes('register'));
  assert.ok(h.events.some((e) => e.details['reason'] === 'cluster-not-opted-in'));
});

test('the cluster lock is held elsewhere: not attempted, block given back', async () => {
  const h = harness();
  h.state.leaseAvailable = false;
  h.executor.handleAnalysis(dead(), 'det-1');
  await h.settle();
  assert.ok(!h.log.includes('refresh'));
  assert.ok(h.log.includes('block.release'));
  const [resolution] = h.store.of('recoveries.resolve') as Array<{ outcome: string }>;
  assert.equal(resolution?.outcome, 'not-attempted');
});

test('a lost Redis lease is taken again while the epoch is still the recovery\'s (Redis restarted): the run goes on', async () => {
  const h = harness();
  h.topology.refreshed = () => {
    h.state.lease.controller.abort('taken');
    return deadPrimaryCluster();
  };
  h.executor.handleAnalysis(dead(), 'det-1');
  await h.settle();
  assert.ok(h.log.includes('lease.take-over'), h.log.join(' '));
  assert.ok(h.steps().includes('lock-retaken:info'));
  assert.ok(h.steps().includes('resolved:succeeded'));
});

test('an epoch that moved on stops the run before its next statement: nothing more done, nothing undone, nothing resolved', async () => {
  const h = harness();
  h.topology.refreshed = () => {
    // another executor took the recovery over while this one was probing
    for (const e of h.journal.epochs.values()) e.epoch += 1;
    return deadPrimaryCluster();
  };
  h.executor.handleAnalysis(dead(), 'det-1');
  await h.settle();
  assert.ok(!h.log.some((c) => /^(drain|promote|repoint|restart|unfence|fence)/.test(c)), h.log.join(' '));
  assert.ok(h.steps().includes('abandoned:failed'));
  assert.equal(h.store.of('recoveries.resolve').length, 0);
  assert.ok(!h.log.includes('block.resolve') && !h.log.includes('block.release'), 'the block stays with the recovery');
});

test('the re-check before read_only=0 refuses the promotion when another member answers writable', async () => {
  const h = harness();
  h.topology.writableOthers.add('db4:3306');
  h.executor.handleAnalysis(dead(), 'det-1');
  await h.settle();
  assert.ok(h.steps().includes('promotion-refused:failed'), h.steps().join(' '));
  assert.ok(!h.log.some((c) => c.startsWith('repoint')));
  const [resolution] = h.store.of('recoveries.resolve') as Array<{ outcome: string; successor: unknown }>;
  assert.equal(resolution?.outcome, 'failed');
  assert.equal(resolution?.successor, null);
});

test('a takeover rolls forward onto the successor its predecessor\'s journal intended: no new election', async () => {
  const h = harness();
  h.state.cached = deadPrimaryCluster();
  const uid = 'crashed-1';
  const row = { uid, clusterId: 'c1', clusterAlias: 'c1', failed: primary, analysis: 'DeadMaster', commandHint: '', countReplicas: 3, replicaHosts: replicaKeys.map(id), detectionUid: null, forced: false, requestedCandidate: null, requestId: null, processingNode: 'dead-owner', startedAt: new Date(T0) };
  await h.journal.claim(row);
  const term = { clusterId: 'c1', uid, epoch: 1, attempt: 1 };
  await h.journal.record(term, 'dead-owner', 'stop-replicas', 'intent', { replicas: replicaKeys });
  await h.journal.record(term, 'dead-owner', 'promote', 'intent', { candidate: replicaKeys[1] });
  (h.journal.epochs.get('c1') as { idleMs: number }).idleMs = 60_000;
  assert.equal(await h.executor.sweep(), 1);
  await h.settle();
  assert.ok(h.log.includes('journal.take-over'), h.log.join(' '));
  assert.deepEqual(h.log.filter((c) => c.startsWith('promote:')), ['promote:db3:3306'], 'the intended successor, and only it');
  assert.ok(!h.log.some((c) => c.startsWith('drain')), 'no new election');
  assert.ok(h.log.includes('repoint:db2:3306,db4:3306->db3:3306'), h.log.join(' '));
  const [resolution] = h.store.of('recoveries.resolve') as Array<{ uid: string; outcome: string; successor: unknown }>;
  assert.equal(resolution?.uid, uid);
  assert.equal(resolution?.outcome, 'successful');
  assert.deepEqual(resolution?.successor, replicaKeys[1]);
  assert.ok(h.steps().includes('taken-over:succeeded') && h.steps().includes('rolling-forward:info'), h.steps().join(' '));
});

test('a takeover with nothing promoted, and the failed primary answering again, restarts what its predecessor stopped', async () => {
  const h = harness();
  h.state.cached = deadPrimaryCluster();
  h.topology.refreshed = () => healthyCluster();
  const uid = 'crashed-2';
  const row = { uid, clusterId: 'c1', clusterAlias: 'c1', failed: primary, analysis: 'DeadMaster', commandHint: '', countReplicas: 3, replicaHosts: replicaKeys.map(id), detectionUid: null, forced: false, requestedCandidate: null, requestId: null, processingNode: 'dead-owner', startedAt: new Date(T0) };
  await h.journal.claim(row);
  await h.journal.record({ clusterId: 'c1', uid, epoch: 1, attempt: 1 }, 'dead-owner', 'stop-replicas', 'intent', { replicas: replicaKeys });
  (h.journal.epochs.get('c1') as { idleMs: number }).idleMs = 60_000;
  await h.executor.sweep();
  await h.settle();
  assert.ok(!h.log.some((c) => c.startsWith('promote')), h.log.join(' '));
  assert.ok(h.log.includes('restart:db2:3306,db3:3306,db4:3306'), h.log.join(' '));
  const [resolution] = h.store.of('recoveries.resolve') as Array<{ outcome: string }>;
  assert.equal(resolution?.outcome, 'failed');
});

test('a failed detection hook ends this attempt (the next one goes on without hooks)', async () => {
  const h = harness();
  h.hooks.outcomes.OnFailureDetectionProcesses = { status: 'no-result', waitedMs: 1 };
  h.executor.handleAnalysis(dead(), 'det-1');
  await h.settle();
  assert.ok(!h.log.includes('register'));
  h.hooks.outcomes = {};
  h.executor.handleAnalysis(dead(), 'det-1');
  await h.settle();
  assert.equal(h.log.filter((c) => c === 'hook:OnFailureDetectionProcesses').length, 1, 'detection hooks once per active period');
  assert.ok(h.log.includes('register'));
});

// stale analyses (superseded, waited too long; never judged by analyzedAt): analysis-staleness.test.ts
test('warm-up and shutdown: nothing is acted on', async () => {
  const cold = harness({ warm: false });
  assert.equal(cold.executor.handleAnalysis(dead(), 'det-1'), 'warming-up');
  const h = harness();
  h.executor.beginShutdown();
  assert.equal(h.executor.handleAnalysis(dead(), 'det-1'), 'stopping');
  await h.settle();
  assert.deepEqual([...cold.log, ...h.log], []);
});

test('in the grace period a dead primary maps to the no-op: detection only', async () => {
  const h = harness();
  h.state.grace.add(id(primary));
  h.executor.handleAnalysis(dead(), 'det-1');
  await h.settle();
  // a detection that is not actionable, counted apart: the actionable one after the grace period still registers
  assert.deepEqual(h.log, ['detection:db1:3306|not-actionable', 'hook:OnFailureDetectionProcesses']);
  h.state.grace.clear();
  h.log.length = 0;
  h.executor.handleAnalysis(dead(), 'det-2');
  await h.settle();
  assert.deepEqual(h.log.slice(0, 2), ['detection:db1:3306', 'hook:OnFailureDetectionProcesses'], 'the actionable detection is not swallowed by the no-op one');
});

test('UnreachableMaster with lagging replicas: grace period opened, IO threads restarted once per throttle; MariaDB-GTID replicas skipped when the snapshot says so', async () => {
  const lagging = () => {
    const a = dead();
    a.entries = a.entries.map((e) => (e.instance.host === 'db1' ? { ...e, code: 'UnreachableMasterWithLaggingReplicas' } : e));
    return a;
  };
  const h = harness();
  h.executor.handleAnalysis(lagging(), 'det-1');
  await h.settle();
  assert.ok(h.state.grace.has('db1:3306'), 'grace period opened');
  assert.deepEqual(h.log.filter((c) => c.startsWith('io-restart')).sort(), ['io-restart:db2:3306', 'io-restart:db3:3306', 'io-restart:db4:3306'], 'no snapshot: every replica');
  assert.ok(h.events.some((e) => e.step === 'emergency-operations'));
  // a dead-primary analysis while the grace key lives maps to the no-op
  h.executor.handleAnalysis(dead(), 'det-2');
  await h.settle();
  assert.ok(!h.log.includes('register'));

  const cached = harness();
  cached.state.cached = deadPrimaryCluster(); // replicas use MariaDB GTID (Using_Gtid Slave_Pos)
  cached.executor.handleAnalysis(lagging(), 'det-1');
  await cached.settle();
  assert.ok(cached.state.grace.has('db1:3306'));
  assert.deepEqual(cached.log.filter((c) => c.startsWith('io-restart')), [], 'orchestrator skips MariaDB-GTID replicas');
});

const fenceHook = { BATON__RECOVERY__FENCE_PROCESSES: '[["/usr/local/bin/power-off", "{failedHost}"]]' };
type Resolution = { outcome: string; successor: { host: string } | null; fencingResult: string | null; errors: string[] };

test('fence hook (fenceProcesses): requested right after the SQL fence, with the failed primary and whether SQL fenced it; recorded; the promotion waits for it', async () => {
  const h = harness({ env: fenceHook });
  h.executor.handleAnalysis(dead(), 'det-1');
  await h.settle();

  const fenceAt = h.log.indexOf('fence:db1:3306@150ms');
  const hookAt = h.log.indexOf('hook:fenceProcesses');
  assert.ok(fenceAt >= 0 && hookAt > fenceAt, h.log.join(' '));
  assert.ok(hookAt < h.log.findIndex((c) => c.startsWith('promote:')), 'the promotion waits for the fence hook');
  assert.equal(h.log.filter((c) => c === 'hook:fenceProcesses').length, 1);

  const call = h.hooks.calls.find((c) => c.kind === 'fenceProcesses');
  assert.equal(call?.requestId, `${call?.recoveryUid}:fenceProcesses`);
  assert.equal(call?.values['failedHost'], 'db1');
  assert.equal(call?.values['failedPort'], '3306');
  assert.equal(call?.values['failureCluster'], 'c1');
  assert.equal(call?.values['failureType'], 'DeadMaster');
  assert.equal(call?.values['fencedBySql'], 'false', 'the fake primary refused the SQL fence');
  assert.equal(call?.values['sqlFenceResult'], 'unreachable');
  assert.equal(call?.values['successorHost'], undefined, 'no successor yet');
  const pre = h.hooks.calls.find((c) => c.kind === 'PreFailoverProcesses');
  assert.equal(pre?.values['fencedBySql'], undefined, 'no fence values before fencing');
  const post = h.hooks.calls.find((c) => c.kind === 'PostFailoverProcesses');
  assert.equal(post?.values['fencedBySql'], 'false', 'the post hooks learn it too');

  const fenced = h.events.find((e) => e.step === 'fenced');
  assert.equal(fenced?.status, 'succeeded', 'fenced by the hook');
  assert.equal(fenced?.details['fenced'], true);
  assert.equal(fenced?.details['fencedBySql'], false);
  assert.equal(fenced?.details['reason'], 'unreachable');
  assert.equal((fenced?.details['hook'] as { status: string } | null)?.status, 'succeeded');
  assert.match(fenced?.message ?? '', /not fenced by SQL: unreachable, provably dead; fence hook succeeded/);
  const [resolution] = h.store.of('recoveries.resolve') as Resolution[];
  assert.equal(resolution?.outcome, 'successful');
  assert.equal(resolution?.fencingResult, 'unreachable; hook succeeded');
  assert.deepEqual(resolution?.errors, []);
  const resolved = h.events.find((e) => e.step === 'resolved');
  assert.equal(resolved?.details['fencing'], 'unreachable; hook succeeded');
  const step = (h.store.of('recovery_steps') as Array<{ step: string; ok: boolean | null }>).find((r) => r.step === 'fenced');
  assert.equal(step?.ok, true);
});

test('a failing fence hook does not stop the promotion: recorded in the fenced event, the fencing result and AllErrors', async () => {
  const h = harness({ env: fenceHook });
  h.hooks.outcomes.fenceProcesses = {
    status: 'failed',
    result: { requestId: 'x', hookKind: 'fenceProcesses', clusterId: 'c1', recoveryUid: 'u', ok: false, runs: [], error: 'power-off exited 1' },
  };
  h.executor.handleAnalysis(dead(), 'det-1');
  await h.settle();
  assert.ok(h.log.some((c) => c.startsWith('promote:')), h.log.join(' '));
  assert.ok(h.log.some((c) => c.startsWith('repoint:')));
  const fenced = h.events.find((e) => e.step === 'fenced');
  assert.equal(fenced?.status, 'failed', 'neither SQL nor the hook fenced it');
  assert.equal(fenced?.details['fenced'], false);
  assert.equal((fenced?.details['hook'] as { status: string } | null)?.status, 'failed');
  assert.match(fenced?.message ?? '', /fence hook failed: power-off exited 1/);
  const [resolution] = h.store.of('recoveries.resolve') as Resolution[];
  assert.equal(resolution?.outcome, 'successful');
  assert.equal(resolution?.fencingResult, 'unreachable; hook failed');
  assert.deepEqual(resolution?.errors, ['fenceProcesses: power-off exited 1']);
  assert.ok(h.steps().includes('promoted:succeeded') && h.steps().includes('resolved:succeeded'), h.steps().join(' '));
});

test('a fence hook that never answers: the promotion goes on before the recovery deadline, recorded as no-result', async () => {
  // deadline 1.2 s: the wait for the hook ends 1 s before it, after ~200 ms
  const h = harness({ env: { ...fenceHook, BATON__RECOVERY__RECOVERY_DEADLINE_MS: '1200' } });
  h.hooks.hang.add('fenceProcesses');
  h.executor.handleAnalysis(dead(), 'det-1');
  await h.settle();
  assert.ok(h.log.some((c) => c.startsWith('promote:')), h.log.join(' '));
  const fenced = h.events.find((e) => e.step === 'fenced');
  assert.equal((fenced?.details['hook'] as { status: string } | null)?.status, 'no-result');
  const [resolution] = h.store.of('recoveries.resolve') as Resolution[];
  assert.equal(resolution?.outcome, 'successful');
  assert.equal(resolution?.fencingResult, 'unreachable; hook no-result');
  assert.match(resolution?.errors.join(' ') ?? '', /^fenceProcesses: no result within \d+ ms/);
});

test('the fence hook is not requested when none is configured, nor when the forced recover skips processes', async () => {
  const none = harness();
  none.executor.handleAnalysis(dead(), 'det-1');
  await none.settle();
  assert.ok(!none.log.includes('hook:fenceProcesses'));
  const [plain] = none.store.of('recoveries.resolve') as Resolution[];
  assert.equal(plain?.fencingResult, 'unreachable', 'the SQL fence alone, as before');
  assert.equal(none.events.find((e) => e.step === 'fenced')?.details['hook'], null);

  const skipped = harness({ env: fenceHook });
  skipped.state.cached = deadPrimaryCluster();
  await skipped.executor.recover({ kind: 'recover', requestedBy: 'ops', clusterId: 'c1', instance: primary, skipProcesses: true, commandHint: '', requestId: 'r-2' }, undefined);
  await skipped.settle();
  assert.ok(skipped.log.includes('fence:db1:3306@150ms') && skipped.log.some((c) => c.startsWith('promote:')), skipped.log.join(' '));
  assert.ok(!skipped.log.some((c) => c.startsWith('hook:')), 'skipProcesses skips every hook, the fence hook included');
});

test('fencing is recorded even when the run stops between the fence and the promotion', async () => {
  const h = harness({ env: { ...fenceHook, BATON__RECOVERY__PREVENT_CROSS_DATA_CENTER_MASTER_FAILOVER: 'true' } });
  const shape = { primaryDataCenter: 'east', dataCenters: ['west', 'west', 'west'] };
  h.topology.refreshed = () => deadPrimaryCluster(shape);
  h.executor.handleAnalysis(analysisOf(deadPrimaryCluster(shape)), 'det-1');
  await h.settle();
  assert.ok(!h.log.some((c) => c.startsWith('promote:')));
  const steps = h.steps();
  assert.ok(steps.indexOf('fenced:succeeded') > steps.indexOf('candidate:failed'), steps.join(' '));
  const [resolution] = h.store.of('recoveries.resolve') as Resolution[];
  assert.equal(resolution?.outcome, 'failed');
  assert.equal(resolution?.fencingResult, 'unreachable; hook succeeded');

  // a catch-up that fails: the run throws before it awaits the fence itself
  const c = harness({ env: fenceHook });
  c.topology.refreshed = () => {
    const s = deadPrimaryCluster({ seqs: [105, 100, 100] });
    s.instances[1]!.promotionRule = 'must_not';
    return s;
  };
  const session = c.topology.open.bind(c.topology);
  c.topology.open = () => {
    const s = session();
    return { ...s, catchUp: async (candidate, source, untilPosition) => ({ instance: id(candidate), caughtUp: false, waitOutcome: 'timeout', position: untilPosition, stateAtEnd: null, previousSource: source, elapsedMs: 1 }) };
  };
  c.executor.handleAnalysis(dead(), 'det-1');
  await c.settle();
  const cSteps = c.steps();
  assert.ok(cSteps.includes('caught-up:failed'), cSteps.join(' '));
  assert.ok(cSteps.indexOf('fenced:succeeded') < cSteps.indexOf('aborted:failed'), cSteps.join(' '));
  const [cResolution] = c.store.of('recoveries.resolve') as Resolution[];
  assert.equal(cResolution?.fencingResult, 'unreachable; hook succeeded');
  assert.match(cResolution?.errors.at(-1) ?? '', /catch-up/);
});

test('a backend that cannot prove the epoch stops the run like a stale one: nothing more done, nothing undone', async () => {
  const h = harness();
  h.journal.record = async () => {
    throw new Error('connect ECONNREFUSED backend');
  };
  h.executor.handleAnalysis(dead(), 'det-1');
  await h.settle();
  assert.ok(!h.log.some((c) => /^(drain|promote|repoint|restart|unfence|fence)/.test(c)), h.log.join(' '));
  assert.ok(h.steps().includes('abandoned:failed'), h.steps().join(' '));
});

test('a candidate whose promotion does not verify is left read-only and named lost; the next candidate is promoted', async () => {
  const h = harness();
  h.topology.refusePromotionOf.add('db2:3306');
  h.executor.handleAnalysis(dead(), 'det-1');
  await h.settle();
  const promotes = h.log.filter((c) => c.startsWith('promote:'));
  assert.deepEqual(promotes.slice(0, 1), ['promote:db2:3306'], h.log.join(' '));
  assert.equal(promotes.length, 2, 'a second candidate was promoted');
  assert.ok(h.log.includes('journal.promote:failed'), 'the refused promotion is in the journal');
  assert.ok(h.steps().includes('promoted:failed') && h.steps().includes('promoted:succeeded'), h.steps().join(' '));
  const [resolution] = h.store.of('recoveries.resolve') as Array<{ outcome: string; successor: { host: string; port: number } | null; lostReplicas: string[] }>;
  assert.equal(resolution?.outcome, 'successful');
  assert.notEqual(id(resolution?.successor as { host: string; port: number }), 'db2:3306');
  assert.ok(resolution?.lostReplicas.includes('db2:3306'), `the refused candidate is named lost: ${JSON.stringify(resolution?.lostReplicas)}`);
  assert.ok(!h.log.some((c) => c.startsWith('repoint') && c.includes('db2:3306,')), 'the refused candidate is not moved');
});

test('every candidate refused: the recovery fails with the reasons, nothing writable, replicas restarted', async () => {
  const h = harness();
  for (const r of replicaKeys) h.topology.refusePromotionOf.add(id(r));
  h.executor.handleAnalysis(dead(), 'det-1');
  await h.settle();
  assert.ok(!h.log.some((c) => c.startsWith('repoint')));
  const [resolution] = h.store.of('recoveries.resolve') as Array<{ outcome: string; successor: unknown; errors: string[] }>;
  assert.equal(resolution?.outcome, 'failed');
  assert.equal(resolution?.successor, null);
  assert.match(resolution?.errors.join(' ') ?? '', /not verified .*read-only/);
});

test('the fence keeper: watching from the fence on, durable only once a successor is writable, released when nobody was promoted', async () => {
  const ok = harness();
  ok.executor.handleAnalysis(dead(), 'det-1');
  await ok.settle();
  assert.deepEqual(ok.keeper.calls, ['watch:db1:3306', 'persist:db1:3306@1'], 'watched at the fence, persisted after the promotion with the epoch');
  const persistAt = ok.log.indexOf('keeper.persist:db1:3306');
  assert.ok(persistAt > ok.log.indexOf('journal.promote:done') && persistAt < ok.log.findIndex((c) => c.startsWith('repoint')), ok.log.join(' '));

  const failed = harness();
  failed.topology.promoteVerified = false;
  failed.executor.handleAnalysis(dead(), 'det-1');
  await failed.settle();
  assert.deepEqual(failed.keeper.calls, ['watch:db1:3306', 'release:db1:3306'], 'released: it is still the cluster\'s primary');
});

test('requireFenceBeforePromotion: a primary that is not provably dead and not fenced is not failed over', async () => {
  const h = harness({ env: { BATON__RECOVERY__REQUIRE_FENCE_BEFORE_PROMOTION: 'true' } });
  h.topology.fenceResult = (failed) => ({ instance: id(failed), fenced: false, reason: 'unreachable', liveness: 'not-answering', readLockHeld: null, readOnly: null, killedConnections: 0, unkilledConnections: 0, error: 'connect timeout', elapsedMs: 500 });
  h.executor.handleAnalysis(dead(), 'det-1');
  await h.settle();
  assert.ok(!h.log.some((c) => c.startsWith('promote:')), 'nothing promoted');
  assert.ok(h.steps().includes('fence-required:failed'), h.steps().join(' '));
  const [resolution] = h.store.of('recoveries.resolve') as Array<{ outcome: string; errors: string[] }>;
  assert.equal(resolution?.outcome, 'failed');
  assert.match(resolution?.errors.join(' ') ?? '', /requireFenceBeforePromotion: db1:3306 is not provably dead/);
  assert.ok(h.log.some((c) => c.startsWith('restart:')), 'the stopped replicas were restarted');

  const dead1 = harness({ env: { BATON__RECOVERY__REQUIRE_FENCE_BEFORE_PROMOTION: 'true' } });
  dead1.executor.handleAnalysis(dead(), 'det-1'); // the fake refuses the connection: provably dead
  await dead1.settle();
  assert.ok(dead1.log.some((c) => c.startsWith('promote:')), 'a provably dead primary needs no fence');
});
