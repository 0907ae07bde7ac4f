/**
 * The recoveries made in place (steps/in-place.ts) with every port faked (test/fakes.ts): a locked
 * semi-sync primary gets an acknowledger back (RecoverLockedSemiSyncMaster) and a read-only primary
 * with replicating replicas is made writable (RecoverNonWriteableMaster) — nobody promoted or
 * fenced, the block given back, no failover hooks; without their settings, no recovery row (W7);
 * never a demoted primary, never beside another writable member.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterAnalysis, ClusterSnapshot, InstanceObservation } from '@baton/contracts';
import { analysisOf, harness, healthyCluster, type Harness } from './fakes.ts';

const semiSync = (i: InstanceObservation, master: boolean): InstanceObservation => ({
  ...i,
  semiSync: master
    ? { masterEnabled: true, masterStatus: true, masterClients: 0, masterWaitForReplicaCount: 1, masterTimeoutMs: 3_600_000, replicaEnabled: false, replicaStatus: false }
    : { masterEnabled: false, masterStatus: false, masterClients: 0, masterWaitForReplicaCount: 0, masterTimeoutMs: 0, replicaEnabled: false, replicaStatus: false },
});

/** db1 semi-sync master waiting for 1 acknowledgement, none of db2..db4 acknowledging. */
function lockedCluster(): ClusterSnapshot {
  const s = healthyCluster();
  return { ...s, instances: s.instances.map((i) => semiSync(i, i.host === 'db1')) };
}

/** db1 read-only, its replicas replicating. */
function readOnlyCluster(): ClusterSnapshot {
  const s = healthyCluster();
  return { ...s, instances: s.instances.map((i) => (i.host === 'db1' ? { ...i, readOnly: true } : i)) };
}

/** The analyzer's row of db1 with `code` (its stale-coordinates memory made it Locked). */
function analysisWith(snapshot: ClusterSnapshot, code: string): ClusterAnalysis {
  const a = analysisOf(snapshot);
  const entry = a.entries.find((e) => e.instance.host === 'db1');
  assert.ok(entry, 'db1 has a row');
  return { ...a, hasProblem: true, entries: [{ ...entry, code, isActionable: true }] };
}

async function run(h: Harness, snapshot: () => ClusterSnapshot, code: string): Promise<void> {
  h.state.cached = snapshot();
  h.topology.refreshed = snapshot;
  h.executor.handleAnalysis(analysisWith(snapshot(), code), 'det-1');
  await h.settle();
}

const resolution = (h: Harness) => (h.store.of('recoveries.resolve') as Array<{ outcome: string; successor: { host: string } | null; errors: string[] }>)[0];
const changes = (h: Harness) => h.log.filter((c) => /^(fence|drain|promote|repoint|unfence|semi-sync-on|semi-sync-off):/.test(c));

test('LockedSemiSyncMaster with RecoverLockedSemiSyncMaster: one replica switched to semi-sync, nobody promoted, block given back, no failover hooks', async () => {
  const h = harness({ env: { BATON__RECOVERY__RECOVER_LOCKED_SEMI_SYNC_MASTER: 'true' } });
  await run(h, lockedCluster, 'LockedSemiSyncMaster');
  assert.deepEqual(changes(h), ['semi-sync-on:db2:3306'], h.log.join(' '));
  assert.ok(h.log.includes('semi-sync-clients?:db1:3306'));
  assert.equal(resolution(h)?.outcome, 'successful');
  assert.equal(resolution(h)?.successor?.host, 'db1', 'resolved with the primary itself');
  assert.ok(h.log.includes('block.release'), 'the block is given back: a later DeadMaster is not blocked (W7)');
  assert.deepEqual(h.hooks.calls.map((c) => c.kind).filter((k) => k !== 'OnFailureDetectionProcesses'), []);
  for (const s of ['semi-sync-planned:succeeded', 'semi-sync-replicas:succeeded', 'resolved:succeeded']) assert.ok(h.steps().includes(s), h.steps().join(' '));
});

test('LockedSemiSyncMaster without RecoverLockedSemiSyncMaster or EnforceExactSemiSyncReplicas: the detection only, no recovery row (W7)', async () => {
  const h = harness();
  await run(h, lockedCluster, 'LockedSemiSyncMaster');
  assert.ok(h.log.includes('detection:db1:3306|not-actionable'), h.log.join(' '));
  assert.ok(!h.log.includes('lease.acquire'), h.log.join(' '));
  assert.equal(h.store.of('recoveries').length, 0);
});

test('the switched replica never reaches the primary as a client: failed with the count, block given back', async () => {
  const h = harness({ env: { BATON__RECOVERY__RECOVER_LOCKED_SEMI_SYNC_MASTER: 'true' } });
  h.topology.semiSyncClientsAfter = 0;
  await run(h, lockedCluster, 'LockedSemiSyncMaster');
  assert.equal(resolution(h)?.outcome, 'failed');
  assert.match(resolution(h)?.errors.join(' ') ?? '', /db1:3306 still has 0 semi-sync client\(s\) of 1/);
  assert.ok(h.log.includes('block.release'));
});

test('NoWriteableMasterStructureWarning with RecoverNonWriteableMaster: PreFailoverProcesses, then read_only=0 on the primary', async () => {
  const h = harness({ env: { BATON__RECOVERY__RECOVER_NON_WRITEABLE_MASTER: 'true' } });
  await run(h, readOnlyCluster, 'NoWriteableMasterStructureWarning');
  assert.deepEqual(changes(h), ['unfence:db1:3306'], h.log.join(' '));
  assert.ok(h.log.indexOf('hook:PreFailoverProcesses') < h.log.indexOf('unfence:db1:3306'));
  assert.equal(resolution(h)?.outcome, 'successful');
  assert.ok(h.steps().includes('made-writable:succeeded'));
  assert.ok(h.log.includes('block.release'));
});

test('a non-writeable primary Baton keeps fenced (a demoted primary), or another writable member: left read-only', async () => {
  const demoted = harness({ env: { BATON__RECOVERY__RECOVER_NON_WRITEABLE_MASTER: 'true' } });
  demoted.keeper.demoted.add('db1:3306');
  demoted.keeper.fencedOnReturn = true; // the keeper fenced it when it came back: the refusal must not undo that
  await run(demoted, readOnlyCluster, 'NoWriteableMasterStructureWarning');
  assert.deepEqual(changes(demoted), []);
  assert.match(resolution(demoted)?.errors.join(' ') ?? '', /demoted primary Baton keeps fenced/);
  assert.ok(!demoted.keeper.calls.some((c) => c.startsWith('release:')), 'the keeper keeps it');

  const twin = harness({ env: { BATON__RECOVERY__RECOVER_NON_WRITEABLE_MASTER: 'true' } });
  twin.topology.writableOthers.add('db3:3306');
  await run(twin, readOnlyCluster, 'NoWriteableMasterStructureWarning');
  assert.deepEqual(changes(twin), []);
  assert.match(resolution(twin)?.errors.join(' ') ?? '', /db3:3306 answers and is writable: db1:3306 is left read-only/);
});
