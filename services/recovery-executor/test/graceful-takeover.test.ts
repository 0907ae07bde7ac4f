/**
 * Planned switchovers (graceful-master-takeover, -auto, force-master-takeover; reference §2.8) with
 * every port faked (test/fakes.ts): the target checked before any change, PreGracefulTakeover as
 * the drain point, the fence → target synced → target drained → promote → siblings moved → old
 * primary re-attached order, and every abort before the promotion leaving the cluster as it was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterSnapshot } from '@baton/contracts';
import type { FenceResult } from '@baton/mysql';
import type { RecoverCommand } from '../src/executor.ts';
import { deadPrimaryCluster, harness, healthyCluster, id, primary, T0, type Harness } from './fakes.ts';

const fenced = (): FenceResult => ({ instance: id(primary), fenced: true, reason: 'fenced', liveness: 'alive', readLockHeld: true, readOnly: true, killedConnections: 2, unkilledConnections: 0, elapsedMs: 3 });
const db3 = { host: 'db3', port: 3306 };

const command = (over: Partial<RecoverCommand> = {}): RecoverCommand => ({
  kind: 'recover',
  requestedBy: 'api:ops',
  clusterId: 'c1',
  instance: primary,
  candidate: db3,
  skipProcesses: false,
  commandHint: 'graceful-master-takeover',
  requestId: 'r-takeover',
  ...over,
});

type Resolution = { outcome: string; successor: { host: string } | null; errors: string[]; lostReplicas: string[] };

function live(h: Harness, snapshot: () => ClusterSnapshot = () => healthyCluster()): void {
  h.state.cached = healthyCluster();
  h.topology.refreshed = snapshot;
  h.topology.fenceResult = fenced;
}

async function takeover(h: Harness, over: Partial<RecoverCommand> = {}): Promise<void> {
  await h.executor.recover(command(over), undefined);
  await h.settle();
}

const resolution = (h: Harness) => (h.store.of('recoveries.resolve') as Resolution[])[0];
const touched = (h: Harness) => h.log.filter((c) => /^(fence|drain|promote|repoint|attach|sync|unfence|restart):/.test(c));

test('graceful-master-takeover: target checked, drain hook, fence, target synced and drained alone, promoted, siblings moved, old primary re-attached', async () => {
  const h = harness();
  live(h);
  await takeover(h);
  const budget = Math.max(h.settings.fenceTimeoutMs, h.settings.mysql.operationTimeoutMs);
  assert.deepEqual(h.log, [
    'detection:db1:3306',
    'hook:OnFailureDetectionProcesses',
    'register:forced',
    'lease.acquire',
    'journal.claim',
    'refresh',
    'journal.pre-graceful-takeover:intent',
    'hook:PreGracefulTakeoverProcesses',
    'hook:PreFailoverProcesses',
    'journal.stop-replicas:intent',
    `fence:db1:3306@${budget}ms`,
    'position:db1:3306',
    'sync:db3:3306@0-1-100',
    'drain:db3:3306',
    'journal.promote:intent',
    'promote:db3:3306',
    'writable?:db2:3306,db4:3306',
    'journal.promote:done',
    'keeper.persist:db1:3306',
    'repoint:db2:3306,db4:3306->db3:3306',
    'journal.reattach-old-primary:intent',
    'attach:db1:3306->db3:3306',
    'block.release',
    'hook:PostMasterFailoverProcesses',
    'hook:PostFailoverProcesses',
    'hook:PostGracefulTakeoverProcesses',
    'lease.release',
    'close',
  ]);
  const steps = h.steps();
  for (const s of ['takeover-target:succeeded', 'pre-graceful-takeover-hooks:succeeded', 'fenced:succeeded', 'replicas-synced:succeeded', 'promoted:succeeded', 'old-primary-reattached:succeeded', 'resolved:succeeded']) {
    assert.ok(steps.includes(s), `${s} in ${steps.join(' ')}`);
  }
  assert.ok(!steps.includes('old-primary-not-moved:info'));
  assert.deepEqual(h.keeper.calls.filter((c) => c.startsWith('release') || c.startsWith('end')), ['end:db1:3306:re-attached under db3:3306 by its graceful-master-takeover'], 'no longer a demoted primary before it is re-attached');
  assert.equal(h.state.downtimes.has('db1:3306'), false, 'no year-long downtime on the old primary (orchestrator step 10)');
  const r = resolution(h);
  assert.equal(r?.outcome, 'successful');
  assert.equal(r?.successor?.host, 'db3');
  assert.deepEqual(r?.errors, []);
  assert.deepEqual(r?.lostReplicas, []);
  assert.equal(h.executor.results()[0]?.oldPrimaryNotMoved, null);
  const report = h.events.find((e) => e.step === 'loss-report');
  assert.equal(report?.status, 'succeeded', 'nothing lost, nobody pending: the siblings hold no more than the fenced primary');
  assert.equal(h.hooks.calls.find((c) => c.kind === 'PreGracefulTakeoverProcesses')?.values['command'], 'graceful-master-takeover');
});

test('graceful-master-takeover without a target on a primary with 3 replicas: refused before any change, block given back', async () => {
  const h = harness();
  live(h);
  const { candidate: _omit, ...rest } = command();
  await h.executor.recover(rest as RecoverCommand, undefined);
  await h.settle();
  assert.deepEqual(touched(h), []);
  assert.ok(!h.hooks.calls.some((c) => c.kind === 'PreGracefulTakeoverProcesses' || c.kind === 'PreFailoverProcesses'));
  assert.equal(resolution(h)?.outcome, 'not-attempted');
  assert.match(resolution(h)?.errors.join(' ') ?? '', /target instance not indicated: db1:3306 has 3 direct replicas/);
  assert.ok(h.log.includes('block.release'), h.log.join(' '));
});

test('graceful-master-takeover-auto picks the best candidate; force-master-takeover takes a lagging target the graceful one refuses', async () => {
  const auto = harness();
  live(auto);
  const { candidate: _omit, ...rest } = command({ commandHint: 'graceful-master-takeover-auto' });
  await auto.executor.recover(rest as RecoverCommand, undefined);
  await auto.settle();
  assert.equal(resolution(auto)?.outcome, 'successful');
  assert.ok(auto.log.some((c) => c.startsWith('attach:db1:3306->')));

  const lagging = () => {
    const s = healthyCluster();
    return { ...s, instances: s.instances.map((i) => (i.host === 'db3' && i.replication ? { ...i, replication: { ...i.replication, secondsBehindSource: 45 } } : i)) };
  };
  const graceful = harness();
  live(graceful, lagging);
  await takeover(graceful);
  assert.deepEqual(touched(graceful), [], 'refused before anything changed');
  assert.equal(resolution(graceful)?.outcome, 'not-attempted');
  assert.match(resolution(graceful)?.errors.join(' ') ?? '', /db3:3306 lags 45 s behind db1:3306, beyond ReasonableMaintenanceReplicationLagSeconds \(20 s\)/);
  assert.equal(graceful.events.find((e) => e.step === 'takeover-target')?.status, 'failed');

  const force = harness();
  live(force, lagging);
  await takeover(force, { commandHint: 'force-master-takeover' });
  assert.equal(resolution(force)?.outcome, 'successful');
  assert.ok(!force.hooks.calls.some((c) => c.kind === 'PreGracefulTakeoverProcesses'), 'force-master-takeover runs no graceful hooks');
});

test('PreGracefulTakeoverProcesses fails: nothing touched, resolved failed, block given back, PostGracefulTakeover still runs (the proxy resumes)', async () => {
  const h = harness();
  live(h);
  h.hooks.outcomes.PreGracefulTakeoverProcesses = { status: 'failed', result: { requestId: 'x', hookKind: 'PreGracefulTakeoverProcesses', clusterId: 'c1', recoveryUid: 'u', ok: false, runs: [], error: 'proxy refused' } };
  await takeover(h);
  assert.deepEqual(touched(h), []);
  assert.ok(!h.hooks.calls.some((c) => c.kind === 'PreFailoverProcesses'));
  assert.equal(resolution(h)?.outcome, 'failed');
  assert.ok(h.log.includes('block.release'), 'a switchover that changed nothing keeps no block');
  assert.ok(!h.steps().includes('operator-attention:failed'));
  assert.deepEqual(h.hooks.calls.map((c) => c.kind).slice(-2), ['PostUnsuccessfulFailoverProcesses', 'PostGracefulTakeoverProcesses']);
});

test('the target does not apply the final position in time: the fence is undone, nothing drained or promoted, block given back', async () => {
  const h = harness();
  live(h);
  h.topology.syncOutcomes.set('db3:3306', 'timeout');
  await takeover(h);
  assert.ok(!h.log.some((c) => c.startsWith('drain:') || c.startsWith('promote:')), h.log.join(' '));
  assert.ok(h.log.includes('unfence:db1:3306'), 'orchestrator left the primary read-only here (step 6); Baton makes it writable again');
  assert.equal(resolution(h)?.outcome, 'failed');
  assert.match(resolution(h)?.errors.join(' ') ?? '', /db3:3306 did not apply db1:3306's final position 0-1-100 within 20000 ms; nothing promoted/);
  assert.ok(h.log.includes('block.release'));
});

test('the target refuses its promotion (left read-only): nobody else promoted, the target put back under the old primary, which is writable again', async () => {
  const h = harness();
  live(h);
  h.topology.refusePromotionOf.add('db3:3306');
  await takeover(h);
  assert.deepEqual(h.log.filter((c) => c.startsWith('promote:')), ['promote:db3:3306']);
  assert.ok(h.log.includes('repoint:db3:3306->db1:3306'), h.log.join(' '));
  assert.ok(h.log.includes('unfence:db1:3306'), 'the cluster as it was');
  assert.equal(resolution(h)?.outcome, 'failed');
  assert.ok(!h.steps().includes('operator-attention:failed'), h.steps().join(' '));
  assert.ok(h.log.includes('block.release'));
});

test('the old primary cannot be re-attached: the switchover stands, the error is named, the keeper keeps it fenced', async () => {
  const h = harness();
  live(h);
  h.topology.failAttach.add('db1:3306');
  await takeover(h);
  const r = resolution(h);
  assert.equal(r?.outcome, 'successful');
  assert.match(r?.errors.join(' ') ?? '', /the old primary db1:3306 could not be re-attached under db3:3306: io-thread-stopped/);
  assert.equal(h.keeper.calls.filter((c) => c.startsWith('persist:db1:3306')).length, 2, 'a demoted primary again, kept fenced');
  assert.equal(h.executor.results()[0]?.oldPrimaryNotMoved, 'db1:3306');
  assert.equal(h.events.find((e) => e.step === 'old-primary-reattached')?.status, 'failed');
});

test('a primary that does not answer: a planned switchover is not attempted (recover or force-master-failover replace a dead one)', async () => {
  const h = harness();
  h.state.cached = healthyCluster();
  h.topology.refreshed = () => deadPrimaryCluster({ replicating: true });
  await takeover(h);
  assert.deepEqual(touched(h), []);
  assert.equal(resolution(h)?.outcome, 'not-attempted');
  assert.match(resolution(h)?.errors.join(' ') ?? '', /needs a live primary/);
});

/** A switchover of db1 to db3 left running by an executor that died after `steps` (journal entries). */
async function crashedSwitchover(h: Harness, steps: Array<[string, string, Record<string, unknown>]>): Promise<void> {
  h.state.cached = healthyCluster();
  const row = { uid: 'crashed-sw', clusterId: 'c1', clusterAlias: 'c1', failed: primary, analysis: 'DeadMaster', commandHint: 'graceful-master-takeover', countReplicas: 3, replicaHosts: ['db2:3306', 'db3:3306', 'db4:3306'], detectionUid: null, forced: true, requestedCandidate: db3, requestId: 'r-crash', processingNode: 'dead-owner', startedAt: new Date(T0) };
  await h.journal.claim(row);
  for (const [step, state, data] of steps) await h.journal.record({ clusterId: 'c1', uid: 'crashed-sw', epoch: 1, attempt: 1 }, 'dead-owner', step, state as 'intent', data);
  (h.journal.epochs.get('c1') as { idleMs: number }).idleMs = 60_000;
  assert.equal(await h.executor.sweep(), 1);
  await h.settle();
}

const fencedPrimaryCluster = (candidateAnswers: boolean) => (): ClusterSnapshot => {
  const s = healthyCluster();
  return {
    ...s,
    instances: s.instances.map((i) =>
      i.host === 'db1' ? { ...i, readOnly: true } : i.host === 'db3' && !candidateAnswers ? { ...i, lastError: 'BATON_PROBE_CONNECT: connection refused' } : i.host === 'db3' && i.replication ? { ...i, replication: { ...i.replication, ioThread: 'No' as const, sqlThread: 'No' as const } } : i,
    ),
  };
};

test('a switchover taken over before any promotion: undone (target restarted, old primary writable), and the drain point is told it is over', async () => {
  const h = harness();
  h.topology.refreshed = fencedPrimaryCluster(true);
  await crashedSwitchover(h, [
    ['pre-graceful-takeover', 'intent', {}],
    ['stop-replicas', 'intent', { replicas: [db3], fence: primary }],
  ]);
  assert.ok(h.log.includes('restart:db3:3306'), h.log.join(' '));
  assert.ok(h.log.includes('unfence:db1:3306'));
  assert.ok(!h.log.some((c) => c.startsWith('promote:')));
  assert.equal(resolution(h)?.outcome, 'failed');
  assert.ok(h.hooks.calls.some((c) => c.kind === 'PostGracefulTakeoverProcesses'), 'PostGracefulTakeoverProcesses after the takeover');
});

test('a switchover taken over after a promotion attempt whose candidate does not answer: the old primary stays fenced (the candidate may be writable)', async () => {
  const h = harness();
  h.topology.refreshed = fencedPrimaryCluster(false);
  await crashedSwitchover(h, [
    ['pre-graceful-takeover', 'intent', {}],
    ['stop-replicas', 'intent', { replicas: [db3], fence: primary }],
    ['promote', 'intent', { candidate: db3 }],
    ['promote', 'failed', { candidate: db3, restoredReadOnly: false }],
  ]);
  assert.ok(!h.log.includes('unfence:db1:3306'), h.log.join(' '));
  assert.equal(resolution(h)?.outcome, 'failed');
  assert.ok(h.steps().includes('operator-attention:failed'));
});
