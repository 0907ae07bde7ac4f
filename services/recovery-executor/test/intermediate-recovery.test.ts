/**
 * A dead intermediate primary through the protocol with every port faked (test/fakes.ts): the same
 * registration, claim, refresh, re-check, journal and resolution as a dead primary, with its own
 * steps 9–11 (steps/intermediate.ts), gated by RecoverIntermediateMasterClusterFilters.
 *
 * The cluster: db1 primary (alive) → db5 intermediate (dead) → db2, db3; db4 a sibling of db5.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replicationState, type ClusterSnapshot, type InstanceKey, type InstanceObservation } from '@baton/contracts';
import { analysisOf, deadPrimaryIo, harness, mariadb, primary, T0 } from './fakes.ts';

const iso = (ms: number): string => new Date(ms).toISOString();
const im: InstanceKey = { host: 'db5', port: 3306 };
const imOn = { BATON__RECOVERY__RECOVER_INTERMEDIATE_MASTER_CLUSTER_FILTERS: '["*"]' };

function node(host: string, serverId: number, at: number, over: Partial<InstanceObservation>): InstanceObservation {
  const pos = '0-1-100';
  return mariadb(host, at, { serverId, readOnly: true, mariadbGtid: { currentPos: pos, slavePos: pos, binlogPos: pos, strictMode: true, domainId: 0 }, ...over });
}

function chain(options: { siblingSeq?: number } = {}): ClusterSnapshot {
  const at = T0;
  const siblingPos = `0-1-${options.siblingSeq ?? 120}`;
  const instances = [
    node('db1', 1, at, { readOnly: false, mariadbGtid: { currentPos: '0-1-130', slavePos: '', binlogPos: '0-1-130', strictMode: true, domainId: 0 } }),
    node('db2', 2, at, { replication: replicationState(im, { gtidIoPos: '0-1-100', ...deadPrimaryIo }) }),
    node('db3', 3, at, { replication: replicationState(im, { gtidIoPos: '0-1-100', ...deadPrimaryIo }) }),
    node('db4', 4, at, { replication: replicationState(primary, { gtidIoPos: siblingPos }), mariadbGtid: { currentPos: siblingPos, slavePos: siblingPos, binlogPos: siblingPos, strictMode: true, domainId: 0 } }),
    node('db5', 5, at - 3000, { lastCheckedAt: iso(at), lastAttemptedAt: iso(at), lastCheckPartialSuccess: false, lastError: 'BATON_PROBE_CONNECT: connection refused', replication: replicationState(primary, { gtidIoPos: '0-1-100' }) }),
  ];
  return { clusterId: 'c1', clusterAlias: 'c1', observedAt: iso(at), detectorId: 'd1', sequence: 1, reason: 'tick', pollIntervalMs: 1000, instances };
}

test('dead intermediate: claim → refresh → re-check → PreFailover → drain → plan → the sibling catches up → repoint → resolve → PostIntermediateMasterFailover, nothing fenced or promoted', async () => {
  const h = harness({ env: imOn });
  h.topology.refreshed = () => chain();
  const analysis = analysisOf(chain());
  assert.equal(analysis.entries.find((e) => e.instance.host === 'db5')?.code, 'DeadIntermediateMaster');
  assert.equal(h.executor.handleAnalysis(analysis, 'det-im'), 'queued');
  await h.settle();

  assert.deepEqual(h.log, [
    'detection:db5:3306',
    'hook:OnFailureDetectionProcesses',
    'register',
    'lease.acquire',
    'journal.claim',
    'refresh',
    'hook:PreFailoverProcesses',
    'journal.stop-replicas:intent',
    'drain:db2:3306,db3:3306',
    'journal.relocate:intent',
    // the sibling applies what each applied (they are drained again: a no-op once stopped)
    'drain:db2:3306,db3:3306',
    'sync:db4:3306@0-1-100',
    'sync:db4:3306@0-1-100',
    'repoint:db2:3306,db3:3306->db4:3306',
    'block.resolve',
    'hook:PostIntermediateMasterFailoverProcesses',
    'hook:PostFailoverProcesses',
    'lease.release',
    'close',
  ]);
  assert.deepEqual(h.steps(), [
    'registered:succeeded',
    'refreshed:succeeded',
    'claimed:succeeded',
    're-checked:succeeded',
    'pre-failover-hooks:succeeded',
    'replicas-stopped:succeeded',
    'relocation-planned:succeeded',
    'relocation-target-ready:succeeded',
    'replica-moved:succeeded',
    'replica-moved:succeeded',
    'replicas-moved:succeeded',
    'resolved:succeeded',
    'summary:succeeded',
    'post-intermediate-master-failover-hooks:succeeded',
    'post-failover-hooks:succeeded',
    'released:info',
  ]);
  const [resolution] = h.store.of('recoveries.resolve') as Array<{ outcome: string; successor: { host: string } | null; lostReplicas: string[] }>;
  assert.equal(resolution?.outcome, 'successful');
  assert.equal(resolution?.successor?.host, 'db4', 'the sibling the replicas went under');
  assert.deepEqual(resolution?.lostReplicas, []);
  assert.equal(h.state.block?.state, 'resolved');
  assert.equal(h.state.downtimes.size, 0, 'nothing downtimed');
  const post = h.hooks.calls.find((c) => c.kind === 'PostIntermediateMasterFailoverProcesses');
  assert.equal(post?.values['instanceType'], 'intermediate-master');
  assert.equal(post?.values['autoIntermediateMasterRecovery'], 'true');
  assert.equal(post?.values['successorHost'], 'db4');
  const resolved = h.events.find((e) => e.step === 'resolved');
  assert.match(resolved?.message ?? '', /2 of 2 replicas of db5:3306 relocated \(2 under the sibling db4:3306\)/);
});

test('dead intermediate, sibling behind them: up under the primary, no wait (it is upstream)', async () => {
  const h = harness({ env: imOn });
  h.topology.refreshed = () => chain({ siblingSeq: 90 });
  h.executor.handleAnalysis(analysisOf(chain({ siblingSeq: 90 })), 'det-im');
  await h.settle();
  assert.ok(h.log.includes('repoint:db2:3306,db3:3306->db1:3306'), h.log.join('\n'));
  assert.ok(!h.log.some((l) => l.startsWith('sync:')), 'no wait under an upstream source');
  const [resolution] = h.store.of('recoveries.resolve') as Array<{ successor: { host: string } | null }>;
  assert.equal(resolution?.successor?.host, 'db1');
});

test('dead intermediate, the sibling never catches up and the moves fail: failed, replication restarted, block given back for a retry', async () => {
  const h = harness({ env: imOn });
  h.topology.refreshed = () => chain();
  h.topology.syncOutcomes.set('db4:3306', 'timeout');
  h.executor.handleAnalysis(analysisOf(chain()), 'det-im');
  await h.settle();
  assert.ok(h.log.includes('restart:db2:3306,db3:3306'), 'the replicas not moved replicate again from the intermediate');
  assert.ok(!h.log.some((l) => l.startsWith('repoint:')), 'nothing repointed');
  const [resolution] = h.store.of('recoveries.resolve') as Array<{ outcome: string; lostReplicas: string[] }>;
  assert.equal(resolution?.outcome, 'failed');
  assert.deepEqual(resolution?.lostReplicas, ['db2:3306', 'db3:3306']);
  assert.ok(h.steps().includes('post-unsuccessful-failover-hooks:succeeded'));
  assert.equal(h.state.block, null, 'left as found: the block is given back (retried)');
});

test('dead intermediate without RecoverIntermediateMasterClusterFilters: detected, not recovered (RecoverMasterClusterFilters does not opt it in)', async () => {
  const h = harness();
  h.topology.refreshed = () => chain();
  h.executor.handleAnalysis(analysisOf(chain()), 'det-im');
  await h.settle();
  assert.deepEqual(h.log, ['detection:db5:3306', 'hook:OnFailureDetectionProcesses']);
  const skipped = h.events.find((e) => e.step === 'recovery-skipped');
  assert.equal(skipped?.details['reason'], 'cluster-not-opted-in');
});

/** A recovery of db5 left running by an executor that died after `steps` (journal entries). */
async function crashedRecovery(h: ReturnType<typeof harness>, uid: string, steps: Array<[string, Record<string, unknown>]>): Promise<void> {
  h.state.cached = chain();
  const row = { uid, clusterId: 'c1', clusterAlias: 'c1', failed: im, analysis: 'DeadIntermediateMaster', commandHint: '', countReplicas: 2, replicaHosts: ['db2:3306', 'db3:3306'], detectionUid: null, forced: false, requestedCandidate: null, requestId: null, processingNode: 'dead-owner', startedAt: new Date(T0) };
  await h.journal.claim(row);
  for (const [step, data] of steps) await h.journal.record({ clusterId: 'c1', uid, epoch: 1, attempt: 1 }, 'dead-owner', step, 'intent', data);
  (h.journal.epochs.get('c1') as { idleMs: number }).idleMs = 60_000;
  assert.equal(await h.executor.sweep(), 1);
  await h.settle();
}

test('a takeover of a dead intermediate re-plans from its own refresh: the replica moved already stays, the other one is moved; never a roll-forward onto the writable primary', async () => {
  const h = harness({ env: imOn });
  // db2 was moved under db4 before the executor died; db3 still points at db5
  h.topology.refreshed = () => {
    const s = chain();
    return { ...s, instances: s.instances.map((i) => (i.host === 'db2' ? { ...i, replication: replicationState({ host: 'db4', port: 3306 }, { gtidIoPos: '0-1-120' }) } : i)) };
  };
  await crashedRecovery(h, 'crashed-im-1', [
    ['stop-replicas', { replicas: [{ host: 'db2', port: 3306 }, { host: 'db3', port: 3306 }] }],
    ['relocate', { target: { host: 'db4', port: 3306 }, via: 'sibling', replicas: [{ host: 'db2', port: 3306 }, { host: 'db3', port: 3306 }] }],
  ]);
  assert.ok(h.log.includes('journal.take-over'), h.log.join(' '));
  assert.ok(!h.log.some((c) => c.startsWith('promote')), 'nothing promoted (db1 is writable with no replication: not a successor to roll forward onto)');
  assert.deepEqual(h.log.filter((c) => c.startsWith('repoint:')), ['repoint:db3:3306->db4:3306']);
  const [resolution] = h.store.of('recoveries.resolve') as Array<{ uid: string; outcome: string; successor: { host: string } | null }>;
  assert.equal(resolution?.uid, 'crashed-im-1');
  assert.equal(resolution?.outcome, 'successful');
  assert.equal(resolution?.successor?.host, 'db4');
  assert.ok(h.steps().includes('post-intermediate-master-failover-hooks:succeeded'), h.steps().join(' '));
});

test('a takeover of a dead intermediate whose replicas were all moved: resolved successful onto the last target', async () => {
  const h = harness({ env: imOn });
  h.topology.refreshed = () => {
    const s = chain();
    return { ...s, instances: s.instances.map((i) => (i.host === 'db2' || i.host === 'db3' ? { ...i, replication: replicationState({ host: 'db4', port: 3306 }, { gtidIoPos: '0-1-120' }) } : i)) };
  };
  await crashedRecovery(h, 'crashed-im-2', [
    ['stop-replicas', { replicas: [{ host: 'db2', port: 3306 }, { host: 'db3', port: 3306 }] }],
    ['relocate', { target: { host: 'db4', port: 3306 }, via: 'sibling', replicas: [{ host: 'db2', port: 3306 }, { host: 'db3', port: 3306 }] }],
  ]);
  assert.ok(!h.log.some((c) => c.startsWith('repoint:') || c.startsWith('promote')), h.log.join(' '));
  const [resolution] = h.store.of('recoveries.resolve') as Array<{ outcome: string; successor: { host: string } | null }>;
  assert.equal(resolution?.outcome, 'successful');
  assert.equal(resolution?.successor?.host, 'db4');
});

test('a takeover of a dead intermediate whose replicas were all moved, one of them not replicating from its new source: not declared recovered', async () => {
  const h = harness({ env: imOn });
  h.topology.refreshed = () => {
    const s = chain();
    return {
      ...s,
      instances: s.instances.map((i) =>
        i.host === 'db2' ? { ...i, replication: replicationState({ host: 'db4', port: 3306 }, { gtidIoPos: '0-1-120' }) } : i.host === 'db3' ? { ...i, replication: replicationState({ host: 'db4', port: 3306 }, { ioThread: 'No', lastIoErrno: 1236, lastIoError: 'Error 1236' }) } : i,
      ),
    };
  };
  await crashedRecovery(h, 'crashed-im-3', [
    ['stop-replicas', { replicas: [{ host: 'db2', port: 3306 }, { host: 'db3', port: 3306 }] }],
    ['relocate', { target: { host: 'db4', port: 3306 }, via: 'sibling', replicas: [{ host: 'db2', port: 3306 }, { host: 'db3', port: 3306 }] }],
  ]);
  const [resolution] = h.store.of('recoveries.resolve') as Array<{ outcome: string; errors: string[] }>;
  assert.equal(resolution?.outcome, 'failed');
  assert.match(resolution?.errors.join(' ') ?? '', /db3:3306 \(to go under db4:3306\) does not replicate from its new source on this refresh/);
});
