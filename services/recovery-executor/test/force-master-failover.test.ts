/**
 * force-master-failover (orchestrator's ForceMasterFailover, reference §2.8) with every port faked
 * (test/fakes.ts): the forged DeadMaster entry, the re-check that does not stop on a live primary,
 * the required fence first (W3), the wait for the old primary's final position before the drain,
 * the aborts that leave the topology as it was, and the crash path when the primary is dead.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FenceResult } from '@baton/mysql';
import type { RecoverCommand } from '../src/executor.ts';
import { deadPrimaryCluster, harness, healthyCluster, id, primary, replicaKeys, T0, type Harness } from './fakes.ts';

const fenced = (over: Partial<FenceResult> = {}) => (): FenceResult => ({
  instance: id(primary),
  fenced: true,
  reason: 'fenced',
  liveness: 'alive',
  readLockHeld: null,
  readOnly: true,
  killedConnections: 3,
  unkilledConnections: 0,
  elapsedMs: 4,
  ...over,
});

const command = (over: Partial<RecoverCommand> = {}): RecoverCommand => ({
  kind: 'recover',
  requestedBy: 'api:ops',
  clusterId: 'c1',
  instance: primary,
  skipProcesses: false,
  commandHint: 'force-master-failover',
  requestId: 'r-force',
  ...over,
});

type Resolution = { outcome: string; successor: { host: string } | null; fencingResult: string | null; errors: string[]; lostReplicas: string[] };

async function force(h: Harness, over: Partial<RecoverCommand> = {}): Promise<void> {
  await h.executor.recover(command(over), undefined);
  await h.settle();
}

function notAttemptedReason(h: Harness): string | undefined {
  return h.events.find((e) => e.step === 'recover-not-attempted')?.details['reason'] as string | undefined;
}

test('live primary: fenced first (required), replicas wait for its final position, then drain → promote → move; forced past the switch and the block', async () => {
  const h = harness();
  h.state.disabled = true;
  h.state.block = { uid: 'earlier', failed: 'db0:3306', successor: 'db1:3306', state: 'resolved', owner: 'x', startedAtMs: T0 - 1000 };
  h.state.cached = healthyCluster();
  h.topology.refreshed = () => healthyCluster({ primarySeq: 107, seqs: [107, 107, 107] });
  h.topology.fenceResult = fenced();
  await force(h);

  const budget = Math.max(h.settings.fenceTimeoutMs, h.settings.mysql.operationTimeoutMs);
  const promoted = h.log.find((c) => c.startsWith('promote:'));
  assert.ok(promoted, h.log.join(' '));
  const successor = promoted.slice('promote:'.length);
  const others = replicaKeys.map(id).filter((r) => r !== successor);
  assert.deepEqual(h.log, [
    'detection:db1:3306',
    'hook:OnFailureDetectionProcesses',
    'register:forced',
    'lease.acquire',
    'journal.claim',
    'refresh',
    'hook:PreFailoverProcesses',
    'journal.stop-replicas:intent',
    `fence:db1:3306@${budget}ms`,
    'position:db1:3306',
    'sync:db2:3306,db3:3306,db4:3306@0-1-107',
    'drain:db2:3306,db3:3306,db4:3306',
    'journal.promote:intent',
    `promote:${successor}`,
    `writable?:${others.join(',')}`,
    'journal.promote:done',
    'keeper.persist:db1:3306',
    `repoint:${others.join(',')}->${successor}`,
    'block.resolve',
    'hook:PostMasterFailoverProcesses',
    'hook:PostFailoverProcesses',
    'lease.release',
    'close',
  ]);
  assert.ok(!h.log.some((c) => c.startsWith('unfence')), 'nothing to undo');
  const steps = h.steps();
  for (const s of ['re-checked:succeeded', 'fenced:succeeded', 'replicas-synced:succeeded', 'candidate-chosen:succeeded', 'promoted:succeeded', 'old-primary-not-moved:info', 'resolved:succeeded']) {
    assert.ok(steps.includes(s), `${s} in ${steps.join(' ')}`);
  }
  assert.ok(steps.indexOf('fenced:succeeded') < steps.indexOf('replicas-synced:succeeded'), 'the fence is recorded where it happened: first');
  assert.ok(!steps.includes('problem-gone:skipped'), 'a live primary does not stop the run');
  const recheck = h.events.find((e) => e.step === 're-checked');
  assert.equal(recheck?.details['primaryAnswers'], true);
  assert.equal(recheck?.details['code'], 'NoProblem', 'the executor\'s own probes see nothing wrong');

  // the recovery row: forged DeadMaster, forced, hint recorded
  const [row] = h.store.of('recoveries') as Array<{ analysis: string; commandHint: string; forced: boolean; requestId: string; replicaHosts: string[] }>;
  assert.equal(row?.analysis, 'DeadMaster');
  assert.equal(row?.commandHint, 'force-master-failover');
  assert.equal(row?.forced, true);
  assert.equal(row?.requestId, 'r-force');
  assert.deepEqual(row?.replicaHosts, replicaKeys.map(id));
  const [resolution] = h.store.of('recoveries.resolve') as Resolution[];
  assert.equal(resolution?.outcome, 'successful');
  assert.equal(`${resolution?.successor?.host}:3306`, successor);
  assert.equal(resolution?.fencingResult, 'fenced');
  assert.deepEqual(resolution?.errors, []);
  assert.deepEqual(resolution?.lostReplicas, [], 'the old primary is not a lost replica');

  // the old primary: left read_only, downtimed, named as not moved
  assert.ok(h.state.downtimes.has('db1:3306'));
  const [result] = h.executor.results();
  assert.equal(result?.oldPrimaryNotMoved, 'db1:3306');
  assert.equal(h.events.find((e) => e.step === 'resolved')?.details['oldPrimaryNotMoved'], 'db1:3306');
  assert.match(h.events.find((e) => e.step === 'old-primary-not-moved')?.message ?? '', /db1:3306 not moved under db\d:3306: left read_only, not replicating, downtimed/);

  // hooks see the command
  for (const kind of ['OnFailureDetectionProcesses', 'PreFailoverProcesses', 'PostMasterFailoverProcesses', 'PostFailoverProcesses'] as const) {
    const call = h.hooks.calls.find((c) => c.kind === kind);
    assert.equal(call?.values['command'], 'force-master-failover', kind);
    assert.equal(call?.values['failureType'], 'DeadMaster', kind);
  }
  assert.equal(h.hooks.calls.find((c) => c.kind === 'PostFailoverProcesses')?.values['fencedBySql'], 'true');
});

test('not the cluster\'s primary in the cached snapshot (or no snapshot, or no replica): not attempted, with the reason, nothing registered', async () => {
  const h = harness();
  h.state.cached = healthyCluster();
  await force(h, { instance: replicaKeys[0] });
  assert.equal(notAttemptedReason(h), 'db2:3306 is not the primary of cluster c1 in the cached snapshot (the primary is db1:3306)');
  assert.deepEqual(h.log, []);

  const none = harness();
  await force(none);
  assert.equal(notAttemptedReason(none), 'no recent snapshot of cluster c1');

  const alone = harness();
  const s = healthyCluster();
  s.instances = s.instances.slice(0, 1);
  alone.state.cached = s;
  await force(alone);
  assert.equal(notAttemptedReason(alone), 'db1:3306 has no replica to promote');
  assert.deepEqual(alone.log, []);

  const other = harness();
  other.state.cached = healthyCluster();
  await force(other, { commandHint: 'force-master-takeover' });
  assert.equal(notAttemptedReason(other), 'force-master-takeover needs a designated replica');
});

test('a live primary that cannot be fenced: abort before any drain or promotion, read_only undone, resolved failed with the reason', async () => {
  for (const [label, result, why] of [
    ['statement refused', fenced({ fenced: false, reason: 'failed', readOnly: null, killedConnections: 0, error: 'ER_SPECIFIC_ACCESS_DENIED_ERROR' }), /could not be fenced \(failed: ER_SPECIFIC_ACCESS_DENIED_ERROR\)/],
    ['connections left', fenced({ unkilledConnections: 2 }), /read_only set, but 2 client connection\(s\) were not killed/],
  ] as const) {
    const h = harness();
    h.state.cached = healthyCluster();
    h.topology.refreshed = () => healthyCluster();
    h.topology.fenceResult = result;
    await force(h);
    assert.ok(!h.log.some((c) => /^(position|sync|drain|promote|repoint|restart)/.test(c)), `${label}: ${h.log.join(' ')}`);
    assert.ok(h.log.includes('unfence:db1:3306'), `${label}: the primary is made writable again`);
    assert.ok(h.log.indexOf('unfence:db1:3306') < h.log.indexOf('block.resolve'), 'undone before the recovery resolves');
    const steps = h.steps();
    assert.ok(steps.includes('fenced:failed') && steps.includes('unfenced:succeeded') && steps.includes('aborted:failed'), `${label}: ${steps.join(' ')}`);
    const [resolution] = h.store.of('recoveries.resolve') as Resolution[];
    assert.equal(resolution?.outcome, 'failed');
    assert.equal(resolution?.successor, null);
    assert.match(resolution?.errors.join('; ') ?? '', why);
    assert.ok(h.log.includes('hook:PostUnsuccessfulFailoverProcesses'));
    assert.ok(!h.state.downtimes.has('db1:3306'), 'nothing failed over: no downtime');
    assert.equal(h.executor.results()[0]?.oldPrimaryNotMoved, null);
  }

  // unreachable at the fence (it died after the refresh): nothing was set, nothing to undo
  const gone = harness();
  gone.state.cached = healthyCluster();
  gone.topology.refreshed = () => healthyCluster();
  await force(gone);
  assert.ok(!gone.log.some((c) => /^(unfence|drain|promote)/.test(c)), gone.log.join(' '));
  assert.match((gone.store.of('recoveries.resolve') as Resolution[])[0]?.errors.join(' ') ?? '', /answers but could not be fenced \(unreachable: refused\)/);
});

test('no replica gets the old primary\'s final position: nothing promoted, replicas restarted, the primary writable again', async () => {
  const h = harness();
  h.state.cached = healthyCluster();
  h.topology.refreshed = () => healthyCluster({ primarySeq: 120, seqs: [100, 100, 100] });
  h.topology.fenceResult = fenced();
  for (const r of replicaKeys) h.topology.syncOutcomes.set(id(r), 'timeout');
  await force(h);
  assert.ok(h.log.includes('sync:db2:3306,db3:3306,db4:3306@0-1-120'), h.log.join(' '));
  assert.ok(!h.log.some((c) => c.startsWith('promote:')), h.log.join(' '));
  const restart = h.log.indexOf('restart:db2:3306,db3:3306,db4:3306');
  assert.ok(restart >= 0 && restart < h.log.indexOf('unfence:db1:3306'), 'replication restarted, then writes let in again');
  const steps = h.steps();
  assert.ok(steps.includes('replicas-synced:failed') && steps.includes('candidate:failed'), steps.join(' '));
  const [resolution] = h.store.of('recoveries.resolve') as Resolution[];
  assert.equal(resolution?.outcome, 'failed');
  assert.match(resolution?.errors.join(' ') ?? '', /would not hold db1:3306's final position 0-1-120/);
});

test('one replica lags past the bound: the others have the final position, the failover goes on and the laggard is moved', async () => {
  const h = harness();
  h.state.cached = healthyCluster();
  h.topology.refreshed = () => healthyCluster({ primarySeq: 110, seqs: [110, 104, 110] });
  h.topology.fenceResult = fenced();
  h.topology.syncOutcomes.set('db3:3306', 'timeout');
  await force(h);
  assert.ok(h.steps().includes('replicas-synced:failed'));
  const promoted = h.log.find((c) => c.startsWith('promote:'));
  assert.ok(promoted === 'promote:db2:3306' || promoted === 'promote:db4:3306', h.log.join(' '));
  assert.ok(h.log.some((c) => c.startsWith('repoint:') && c.includes('db3:3306')), 'the laggard is moved under the new primary');
  assert.equal((h.store.of('recoveries.resolve') as Resolution[])[0]?.outcome, 'successful');
});

test('the primary does not answer the executor\'s probes: the crash path (fence alongside the drain, best effort, no position wait)', async () => {
  const h = harness();
  h.state.cached = healthyCluster();
  h.topology.refreshed = () => deadPrimaryCluster({ seqs: [100, 103, 100] });
  await force(h);
  assert.ok(h.log.includes('fence:db1:3306@150ms'), 'the short budget of a primary that did not answer the refresh');
  assert.ok(!h.log.some((c) => /^(position|sync|unfence)/.test(c)), h.log.join(' '));
  assert.ok(h.log.includes('promote:db3:3306'));
  const recheck = h.events.find((e) => e.step === 're-checked');
  assert.equal(recheck?.details['primaryAnswers'], false);
  const [resolution] = h.store.of('recoveries.resolve') as Resolution[];
  assert.equal(resolution?.outcome, 'successful');
  assert.equal(resolution?.fencingResult, 'unreachable');
  assert.equal(h.executor.results()[0]?.oldPrimaryNotMoved, 'db1:3306');
});

test('the primary changed since the cached snapshot: the executor\'s own probes stop the run, block given back', async () => {
  const h = harness();
  h.state.cached = healthyCluster();
  h.topology.refreshed = () => {
    const s = healthyCluster();
    // db2 was promoted meanwhile: it is the root, db1 and the others replicate from it
    const [p, r2, r3, r4] = s.instances;
    r2!.replication = null;
    for (const r of [p!, r3!, r4!]) r.replication = { ...(r3!.replication as NonNullable<typeof r.replication>), sourceHost: 'db2', sourcePort: 3306 };
    return s;
  };
  await force(h);
  assert.ok(!h.log.some((c) => /^(hook:Pre|fence|drain|promote)/.test(c)), h.log.join(' '));
  assert.ok(h.log.includes('block.release'));
  const [resolution] = h.store.of('recoveries.resolve') as Resolution[];
  assert.equal(resolution?.outcome, 'not-needed');
  assert.match(resolution?.errors.join(' ') ?? '', /db1:3306 is no longer the cluster's primary on the executor's own probes \(the primary is db2:3306\)/);
});

test('the fence hook of a live primary runs after the required SQL fence and is recorded as its own step', async () => {
  const h = harness({ env: { BATON__RECOVERY__FENCE_PROCESSES: '[["/usr/local/bin/drop-vip", "{failedHost}", "{command}"]]' } });
  h.state.cached = healthyCluster();
  h.topology.refreshed = () => healthyCluster();
  h.topology.fenceResult = fenced();
  await force(h);
  const call = h.hooks.calls.find((c) => c.kind === 'fenceProcesses');
  assert.equal(call?.values['fencedBySql'], 'true');
  assert.equal(call?.values['command'], 'force-master-failover');
  const steps = h.steps();
  assert.equal(steps.filter((s) => s.startsWith('fenced:')).length, 1, steps.join(' '));
  assert.ok(steps.includes('fence-hook:succeeded'), steps.join(' '));
  assert.equal((h.store.of('recoveries.resolve') as Resolution[])[0]?.fencingResult, 'fenced; hook succeeded');
});
